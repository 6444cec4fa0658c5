using System.CommandLine;
using System.Globalization;
using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;

namespace RekorPosix.Commands;

/// <summary>
/// <c>verify-checkpoint</c>: checks a log's checkpoint (a file, a URL prefix, or a log directory)
/// against the log's key and, given a policy, its witnesses' cosignatures
/// (Signing/Witnessing/CheckpointWitnessReport), and says which witnesses signed. Exit 0 when the
/// log's signature holds and the quorum is met, 1 when not, 2 for a usage or input problem.
/// </summary>
internal sealed class VerifyCheckpointCommand
{
    /// <summary>A checkpoint server that has not answered by then is an input problem, not a hang.</summary>
    public static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);

    private const int MaxCheckpointBytes = Tiles.Checkpoint.MaxNoteBytes;

    private readonly Option<string?> _checkpoint = new("--checkpoint") { Description = "Checkpoint file to check." };
    private readonly Option<string?> _url = new("--url") { Description = "Log URL prefix: <url>/checkpoint is fetched." };
    private readonly Option<string?> _storageDir = new("--storage-dir") { Description = "Log directory: its checkpoint file is checked." };
    private readonly Option<string?> _vkey = new("--vkey") { Description = "Verifier key of the log (name+hash+base64), or a file holding it." };
    private readonly Option<string?> _publicKey = new("--public-key") { Description = "PEM public key of the log (with --origin)." };
    private readonly Option<string?> _origin = new("--origin") { Description = "Checkpoint origin, with --public-key." };
    private readonly Option<string?> _policy = new("--witness-policy") { Description = "Witness policy file, as serve's --witness-policy-path takes: report each witness and check the quorum." };
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;

    public VerifyCheckpointCommand(TextWriter? stdout = null, TextWriter? stderr = null)
    {
        _stdout = stdout ?? Console.Out;
        _stderr = stderr ?? Console.Error;
        Command = new Command("verify-checkpoint", "Check a checkpoint's log signature and, with --witness-policy, which witnesses cosigned it and whether the quorum is met. Exit 0 only if both hold.")
        {
            _checkpoint, _url, _storageDir, _vkey, _publicKey, _origin, _policy,
        };
        Command.SetAction(RunAsync);
    }

    public Command Command { get; }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancel)
    {
        byte[] note;
        INoteVerifier log;
        WitnessPolicy? policy;
        string source;
        try
        {
            log = LogVerifier(parse.GetValue(_vkey), parse.GetValue(_publicKey), parse.GetValue(_origin));
            policy = parse.GetValue(_policy) is { } policyFile ? ReadPolicy(policyFile) : null;
            (source, note) = await ReadCheckpointAsync(parse.GetValue(_checkpoint), parse.GetValue(_url), parse.GetValue(_storageDir), cancel).ConfigureAwait(false);
        }
        catch (CommandInputException e)
        {
            _stderr.WriteLine($"verify-checkpoint: {e.Message}");
            return 2;
        }
        return Verify(source, note, log, policy);
    }

    private int Verify(string source, byte[] note, INoteVerifier log, WitnessPolicy? policy)
    {
        CheckpointWitnessReport report;
        try
        {
            report = CheckpointWitnessReport.Evaluate(note, log, policy);
        }
        catch (Exception e) when (e is FormatException or NoteVerificationException)
        {
            _stderr.WriteLine($"verify-checkpoint: FAILED: {source}: {e.Message}");
            return 1;
        }
        Print(source, report, log, policy);
        return report.QuorumSatisfied ? 0 : 1;
    }

    private void Print(string source, CheckpointWitnessReport report, INoteVerifier log, WitnessPolicy? policy)
    {
        var checkpoint = report.Checkpoint;
        _stdout.WriteLine($"checkpoint: {source}");
        _stdout.WriteLine($"origin: {checkpoint.Origin}");
        _stdout.WriteLine($"size: {checkpoint.Size.ToString(CultureInfo.InvariantCulture)}");
        _stdout.WriteLine($"root: {Convert.ToBase64String(checkpoint.RootHash)}");
        _stdout.WriteLine($"log signature: verified ({log.Name}+{log.KeyId:x8})");
        foreach (var witness in report.Witnesses)
            _stdout.WriteLine($"witness {witness.Witness.Name} ({KeyText(witness.Witness.Key)}): {Describe(witness)}");
        foreach (var other in report.Others)
            _stdout.WriteLine($"other signature: {other.Name}+{other.KeyId:x8} ({(policy is null ? "no policy given" : "not in the policy")}, not checked)");
        if (policy is null)
            _stdout.WriteLine("quorum: no --witness-policy, cosignatures not required");
        else
            _stdout.WriteLine($"quorum {policy.Quorum?.Name ?? "none"}: {(report.QuorumSatisfied ? "satisfied" : "NOT satisfied")}");
    }

    private static string KeyText(WitnessKey key) =>
        $"{key.Name}+{key.KeyId:x8}, {(key.Type == WitnessKey.MlDsa44Type ? "ML-DSA-44" : "Ed25519")}";

    private static string Describe(WitnessCosignature witness) => witness.Status switch
    {
        CosignatureStatus.Signed => $"signed at {Time(witness.Timestamp!.Value)}",
        CosignatureStatus.BadSignature => "BAD SIGNATURE (not counted)",
        _ => "missing",
    };

    // Past year 9999 DateTimeOffset has no date for it; the spec allows up to 2^63-1 seconds.
    private static string Time(ulong seconds) => seconds <= (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds()
        ? DateTimeOffset.FromUnixTimeSeconds((long)seconds).ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)
        : $"{seconds.ToString(CultureInfo.InvariantCulture)} s after the epoch";

    private static INoteVerifier LogVerifier(string? vkey, string? publicKeyFile, string? origin)
    {
        if (vkey is not null && publicKeyFile is not null)
            throw new CommandInputException("give either --vkey or --public-key with --origin, not both");
        if (vkey is not null)
            return CommandInput.Read("--vkey", () => NoteVerifiers.FromVerifierKey(File.Exists(vkey) ? File.ReadAllText(vkey).Trim() : vkey));
        if (publicKeyFile is null)
            throw new CommandInputException("the log's key is needed: --vkey VKEY, or --public-key PEM with --origin ORIGIN");
        if (string.IsNullOrEmpty(origin))
            throw new CommandInputException("--public-key needs --origin (the checkpoint origin)");
        return CommandInput.Read($"--public-key {publicKeyFile}", () => NoteVerifiers.FromPublicKeyPem(File.ReadAllText(publicKeyFile), origin));
    }

    private static WitnessPolicy ReadPolicy(string path) =>
        CommandInput.Read($"--witness-policy {path}", () => WitnessPolicy.Parse(File.ReadAllText(path), requireUrls: false));

    private static async Task<(string Source, byte[] Note)> ReadCheckpointAsync(string? file, string? url, string? storageDir, CancellationToken cancel)
    {
        int given = (file is null ? 0 : 1) + (url is null ? 0 : 1) + (storageDir is null ? 0 : 1);
        if (given != 1)
            throw new CommandInputException("give exactly one of --checkpoint FILE, --url URL or --storage-dir DIR");
        if (url is not null)
            return await FetchAsync(url, cancel).ConfigureAwait(false);
        string path = file ?? Path.Combine(storageDir!, "checkpoint");
        try
        {
            await using var stream = File.OpenRead(path);
            return (path, await ReadCappedAsync(stream, path, cancel).ConfigureAwait(false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandInputException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>GET <c>&lt;url&gt;/checkpoint</c> (https://c2sp.org/tlog-tiles), within <see cref="FetchTimeout"/>.</summary>
    private static async Task<(string, byte[])> FetchAsync(string url, CancellationToken cancel)
    {
        if (!Uri.TryCreate(url.TrimEnd('/') + "/checkpoint", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new CommandInputException($"--url {url}: not an http(s) URL");
        using var client = new HttpClient { Timeout = FetchTimeout };
        try
        {
            using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new CommandInputException($"{uri}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            using var body = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
            return (uri.ToString(), await ReadCappedAsync(body, uri.ToString(), cancel).ConfigureAwait(false));
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new CommandInputException($"{uri}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new CommandInputException($"{uri}: no answer within {FetchTimeout.TotalSeconds:F0} s", e);
        }
    }

    private static async Task<byte[]> ReadCappedAsync(Stream stream, string source, CancellationToken cancel)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancel).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxCheckpointBytes)
                throw new CommandInputException($"{source}: larger than {MaxCheckpointBytes} bytes, not a checkpoint");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
