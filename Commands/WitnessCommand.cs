using System.CommandLine;
using RekorPosix.Http.Witness;
using RekorPosix.Log.Witnessing;
using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;

namespace RekorPosix.Commands;

/// <summary>
/// <c>witness</c>: a C2SP tlog-witness server (https://c2sp.org/tlog-witness) that cosigns the
/// checkpoints of the logs in <c>--logs</c> (Http/Witness, Log/Witnessing), or with
/// <c>--print-vkey</c> only prints its cosignature verifier key. Start-up errors exit 2.
/// </summary>
internal sealed class WitnessCommand
{
    private readonly Option<string?> _listen = new("--listen") { Description = "Address to serve on: HOST:PORT, [IPv6]:PORT, or :PORT for every interface (e.g. 127.0.0.1:8100)." };
    private readonly Option<string> _key = new("--key") { Description = "The witness's Ed25519 private key (PKCS#8 PEM); created with mode 0600 when missing.", Required = true };
    private readonly Option<string> _name = new("--name") { Description = "The witness's name, on its cosignature lines and in its verifier key (e.g. witness.example.org).", Required = true };
    private readonly Option<string?> _logs = new("--logs") { Description = "File of the logs to witness: one log verifier key (<origin>+<key ID>+<key>) per line, # comments." };
    private readonly Option<string?> _stateDir = new("--state-dir") { Description = "Directory of the last checkpoint cosigned per log (created if missing)." };
    private readonly Option<bool> _printVkey = new("--print-vkey") { Description = "Print the witness's cosignature verifier key (creating the key if missing) and exit." };
    private readonly Option<string> _logLevel = SharedOptions.LogLevel();
    private readonly Option<bool> _allowInsecureKey = new(SignerKeyFile.AllowInsecureFlag) { Description = "Only warn, instead of refusing to start, when the key file is accessible by group or others." };

    public WitnessCommand()
    {
        Command = new Command("witness", "Run a C2SP tlog-witness: cosign the checkpoints of the logs in --logs that are consistent with the last one cosigned (POST /add-checkpoint), and serve the latest (GET /<hex sha256(origin)>/checkpoint).")
        {
            _listen, _key, _name, _logs, _stateDir, _printVkey, _logLevel, _allowInsecureKey,
        };
        Command.SetAction((parse, cancel) => RunAsync(parse, Console.Out, Console.Error, cancel));
    }

    public Command Command { get; }

    internal async Task<int> RunAsync(ParseResult parse, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        string keyFile = parse.GetValue(_key)!;
        string name = parse.GetValue(_name)!;
        if (!NoteKeyName.IsValid(name))
            return Fail(stderr, $"--name: \"{name}\" cannot name a witness: it must be non-empty, with no white space, control characters or '+'");
        if (parse.GetValue(_printVkey))
            return PrintVkey(keyFile, name, parse.GetValue(_allowInsecureKey), stdout, stderr);
        if (Check(parse, out var listen, out var logs, out string stateDir) is { } problem)
            return Fail(stderr, problem);
        if (LoadKey(keyFile, name, parse.GetValue(_allowInsecureKey), stderr, out bool created) is not { } cosigner)
            return 2;
        var store = new WitnessStateStore(stateDir);
        try
        {
            store.Create();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(stderr, $"--state-dir: cannot create {stateDir}: {e.Message}");
        }
        var witness = new CosigningWitness(logs, cosigner, store);
        return await WitnessServer.RunAsync(witness, listen, parse.GetValue(_logLevel)!, created ? keyFile : null, stderr, cancel).ConfigureAwait(false);
    }

    /// <summary>The vkey goes last, alone on its line, so that scripts can take it with tail -n 1.</summary>
    private static int PrintVkey(string keyFile, string name, bool allowInsecure, TextWriter stdout, TextWriter stderr)
    {
        if (LoadKey(keyFile, name, allowInsecure, stderr, out bool created) is not { } cosigner)
            return 2;
        if (created)
            stdout.WriteLine($"Wrote new witness key {keyFile} (mode 0600)");
        stdout.WriteLine(cosigner.VerifierKey);
        return 0;
    }

    /// <summary>The flags serving needs besides the key; null when all is well.</summary>
    private string? Check(ParseResult parse, out ListenAddress listen, out WitnessedLogs logs, out string stateDir)
    {
        (listen, logs) = (null!, null!);
        stateDir = parse.GetValue(_stateDir) ?? "";
        if (parse.GetValue(_listen) is not { } address || parse.GetValue(_logs) is not { } logsFile || stateDir.Length == 0)
            return "--listen, --logs and --state-dir are required to serve (only --key and --name with --print-vkey)";
        try
        {
            listen = ListenAddress.Parse(address);
        }
        catch (FormatException e)
        {
            return $"--listen: {e.Message}";
        }
        try
        {
            logs = WitnessedLogs.Parse(File.ReadAllText(logsFile), logsFile);
        }
        catch (FormatException e)
        {
            return e.Message;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"--logs: cannot read {logsFile}: {e.Message}";
        }
        return null;
    }

    private static Cosigner? LoadKey(string keyFile, string name, bool allowInsecure, TextWriter stderr, out bool created)
    {
        created = false;
        try
        {
            return WitnessKeyFile.LoadOrCreate(keyFile, name, allowInsecure,
                problem => stderr.WriteLine($"witness: {problem} (continuing because of {SignerKeyFile.AllowInsecureFlag})"),
                TimeProvider.System, out created);
        }
        catch (Exception e) when (e is KeyFileException or IOException or UnauthorizedAccessException)
        {
            Fail(stderr, $"--key: {e.Message}");
            return null;
        }
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"witness: {message}");
        return 2;
    }
}
