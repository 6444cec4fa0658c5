using System.CommandLine;
using System.Runtime.InteropServices;
using RekorPosix.Monitoring;
using RekorPosix.Signing;
using RekorPosix.Verification;

namespace RekorPosix.Commands;

/// <summary>
/// <c>monitor</c>: follows a C2SP tlog-tiles log (a URL or a directory), verifies each new
/// checkpoint and every entry up to it against the last checkpoint verified (Monitoring/), and
/// reports the entries that match the watch file as JSON lines. Exit 0 when the log verified,
/// 1 when it did not, 2 for a usage or input problem (a parse error included, see <see cref="RefusesParseErrors"/>).
/// </summary>
internal sealed class MonitorCommand
{
    /// <summary>Polling a public log more often than this is rude and pointless.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    private readonly Option<string?> _url = new("--url") { Description = "Log URL prefix: <url>/checkpoint and <url>/tile/... are read (https://c2sp.org/tlog-tiles)." };
    private readonly Option<string?> _storageDir = new("--storage-dir") { Description = "Log directory to read instead of a URL." };
    private readonly Option<string> _vkey = new("--vkey") { Description = "Verifier key of the log (name+hash+base64), or a file holding it.", Required = true };
    private readonly Option<string> _state = new("--state") { Description = "State file: the last checkpoint verified (created on the first run, which starts from size 0).", Required = true };
    private readonly Option<string?> _watch = new("--watch") { Description = "Watch file: entries matching its rules are reported on stdout (see README, Monitoring a log)." };
    private readonly Option<bool> _once = new("--once") { Description = "Catch up once and exit (for cron and CI), instead of polling." };
    private readonly Option<bool> _trustOnFirstUse = new("--trust-on-first-use") { Description = "Without a state file, start from the log's current checkpoint (its signature verified) instead of size 0: the entries before it are neither checked nor reported." };
    private readonly Option<string> _interval = DurationOptions.Create("--interval", "Time between checks when polling; at least 1s.", TimeSpan.FromSeconds(30));
    private readonly Option<string?> _metricsFile = new("--metrics-file") { Description = "Write the metrics here after every check (Prometheus text format, for node_exporter's textfile collector)." };
    private readonly Option<int?> _metricsPort = new("--metrics-port") { Description = "Serve the metrics on this port while polling (Prometheus text format)." };
    private readonly Option<string> _metricsAddress = new("--metrics-address") { Description = "Address of the metrics listener.", DefaultValueFactory = _ => "127.0.0.1" };
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly TimeSpan _progressInterval;

    public MonitorCommand(TextWriter? stdout = null, TextWriter? stderr = null, TimeSpan? progressInterval = null)
    {
        _stdout = stdout ?? Console.Out;
        _stderr = stderr ?? Console.Error;
        _progressInterval = progressInterval ?? CatchUpProgress.DefaultInterval;
        _interval.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && Http.GoDuration.TryParse(result.Tokens[0].Value, out var value, out _) && value < MinInterval)
                result.AddError($"--interval: {result.Tokens[0].Value} is less than {Http.GoDuration.Format(MinInterval)}");
        });
        _metricsPort.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } port and (< 1 or > 65535))
                result.AddError($"--metrics-port: {port} is not a port from 1 to 65535");
        });
        Command = new Command("monitor", "Follow a tlog-tiles log: verify each new checkpoint's signature and its consistency with the last one verified by rebuilding the tree from every new entry, check each entry parses, and report entries matching --watch as JSON lines. Exit 0 = verified, 1 = the log failed a check, 2 = usage or input problem.")
        {
            _url, _storageDir, _vkey, _state, _watch, _once, _trustOnFirstUse, _interval, _metricsFile, _metricsPort, _metricsAddress,
        };
        Command.SetAction(RunAsync);
    }

    public Command Command { get; }

    /// <summary>
    /// System.CommandLine answers a parse error with exit 1, which for this command means "the log
    /// failed": a parse error of <c>monitor</c> is printed here instead, and is exit 2.
    /// </summary>
    public bool RefusesParseErrors(ParseResult parse, TextWriter stderr)
    {
        if (parse.Errors.Count == 0 || parse.CommandResult.Command != Command)
            return false;
        foreach (var error in parse.Errors)
            stderr.WriteLine($"monitor: {error.Message}");
        stderr.WriteLine("monitor: see monitor --help");
        return true;
    }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancel)
    {
        bool once = parse.GetValue(_once);
        ILogSource source;
        INoteVerifier log;
        WatchList watch;
        try
        {
            CheckFlags(parse, once);
            log = Verifier(parse.GetValue(_vkey)!);
            watch = parse.GetValue(_watch) is { } watchFile ? WatchList.Load(watchFile) : WatchList.Empty;
            source = Source(parse.GetValue(_url), parse.GetValue(_storageDir));
        }
        catch (MonitorInputException e)
        {
            _stderr.WriteLine($"monitor: {e.Message}");
            return LogMonitor.NotChecked;
        }
        using (source)
        {
            var metrics = new MonitorMetrics();
            var metricsFile = parse.GetValue(_metricsFile) is { } path ? new MetricsFile(path, metrics) : null;
            var monitor = new LogMonitor(new TileFetcher(source), log, new MonitorStateFile(parse.GetValue(_state)!), watch,
                metrics, metricsFile, _stdout, _stderr, _progressInterval, parse.GetValue(_trustOnFirstUse));
            if (once)
                return await monitor.RunOnceAsync(cancel).ConfigureAwait(false);
            return await PollAsync(monitor, metrics, parse, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>Polls until SIGINT or SIGTERM (or <paramref name="cancel"/>), serving metrics if asked to.</summary>
    private async Task<int> PollAsync(LogMonitor monitor, MonitorMetrics metrics, ParseResult parse, CancellationToken cancel)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        MetricsListener? listener = null;
        try
        {
            if (parse.GetValue(_metricsPort) is { } port)
                listener = await MetricsListener.StartAsync(parse.GetValue(_metricsAddress)!, port, metrics, stop.Token).ConfigureAwait(false);
        }
        catch (MonitorInputException e)
        {
            _stderr.WriteLine($"monitor: {e.Message}");
            return LogMonitor.NotChecked;
        }
        try
        {
            return await monitor.RunAsync(DurationOptions.GetValue(parse, _interval), stop.Token).ConfigureAwait(false);
        }
        finally
        {
            if (listener is not null)
                await listener.DisposeAsync().ConfigureAwait(false);
        }

        // A signal ends the polling between checks or cancels the one running; its state stays as it was.
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private void CheckFlags(ParseResult parse, bool once)
    {
        if ((parse.GetValue(_url) is null) == (parse.GetValue(_storageDir) is null))
            throw new MonitorInputException("give exactly one of --url URL or --storage-dir DIR");
        if (once && parse.GetValue(_metricsPort) is not null)
            throw new MonitorInputException("--metrics-port serves metrics only while polling: with --once, use --metrics-file");
    }

    private static ILogSource Source(string? url, string? storageDir) =>
        url is not null ? new HttpLogSource(url) : new DirectoryLogSource(storageDir!);

    /// <summary>The log's key from <c>--vkey</c>: the verifier key itself, or a file holding it.</summary>
    private static INoteVerifier Verifier(string vkey)
    {
        try
        {
            return NoteVerifiers.FromVerifierKey(File.Exists(vkey) ? File.ReadAllText(vkey).Trim() : vkey);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            throw new MonitorInputException($"--vkey: {BoundedText.Of(e.Message)}", e);
        }
    }
}
