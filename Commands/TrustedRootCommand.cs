using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RekorPosix.Signing;
using RekorPosix.Verification;

namespace RekorPosix.Commands;

/// <summary><c>trusted-root</c>: a Sigstore TrustedRoot for one's own log (Verification/TrustedRootDocument).
/// Exit 0, or 2 with one line saying why.</summary>
internal sealed class TrustedRootCommand
{
    private readonly Option<string> _vkey = new("--vkey") { Description = "The log's verifier key (name+hash+base64, as serve and keygen print it), or a file holding it.", Required = true };
    private readonly Option<string?> _logStart = new("--log-start") { Description = "When the log began to be trusted (RFC 3339); the Unix epoch if not given." };
    private readonly Option<string?> _caChain = new("--ca-chain") { Description = "PEM certificates of a Fulcio-like CA, leaf-most first, root last." };
    private readonly Option<string?> _tsaChain = new("--tsa-chain") { Description = "PEM certificates of an RFC 3161 timestamp authority, its signing certificate first, root last." };
    private readonly Option<string?> _output = new("--output", "-o") { Description = "Where to write the trusted root; standard output if not given." };
    private readonly Stream? _stdout;
    private readonly TextWriter _stderr;

    public TrustedRootCommand(Stream? stdout = null, TextWriter? stderr = null)
    {
        _stdout = stdout;
        _stderr = stderr ?? Console.Error;
        Command = new Command("trusted-root", "Write a Sigstore trusted root (JSON) for a log of your own, to verify its bundles with verify-bundle or a Sigstore client.")
        {
            _vkey, _logStart, _caChain, _tsaChain, _output,
        };
        Command.SetAction(Run);
    }

    public Command Command { get; }

    private int Run(ParseResult parse)
    {
        try
        {
            var vkey = parse.GetValue(_vkey)!;
            var (origin, key) = NoteVerifiers.ParseVerifierKey(File.Exists(vkey) ? File.ReadAllText(vkey).Trim() : vkey);
            var document = TrustedRootDocument.Write(origin, key, Start(parse.GetValue(_logStart)),
                Chain(parse.GetValue(_caChain)), Chain(parse.GetValue(_tsaChain)));
            CommandOutput.Write(document, parse.GetValue(_output), _stdout);
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or CryptographicException)
        {
            _stderr.WriteLine($"trusted-root: {e.Message}");
            return 2;
        }
    }

    private static DateTimeOffset Start(string? text)
    {
        if (text is null)
            return DateTimeOffset.UnixEpoch;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start)
            ? start
            : throw new FormatException($"--log-start {text}: not an RFC 3339 time");
    }

    private static X509Certificate2[] Chain(string? path)
    {
        if (path is null)
            return [];
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(path);
        return certificates.Count > 0 ? [.. certificates] : throw new FormatException($"{path}: no PEM certificate");
    }
}
