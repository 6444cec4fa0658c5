using System.CommandLine;
using RekorPosix.Verification;

namespace RekorPosix.Commands;

/// <summary><c>bundle</c>: a Sigstore bundle of a log's 201 answer (Verification/LogEntryBundle),
/// for <c>verify-bundle</c> or any Sigstore verifier. Exit 0, or 2 with one line saying why.</summary>
internal sealed class BundleCommand
{
    private const int MaxResponseBytes = 16 << 20;

    private readonly Option<string> _entry = new("--entry") { Description = "The server's 201 answer to the write (a TransparencyLogEntry, JSON).", Required = true };
    private readonly Option<string?> _output = new("--output", "-o") { Description = "Where to write the bundle; standard output if not given." };
    private readonly Stream? _stdout;
    private readonly TextWriter _stderr;

    public BundleCommand(Stream? stdout = null, TextWriter? stderr = null)
    {
        _stdout = stdout;
        _stderr = stderr ?? Console.Error;
        Command = new Command("bundle", "Make a Sigstore bundle (v0.3) of a log entry: the server's 201 answer, with the digest, signature and key it logged.")
        {
            _entry, _output,
        };
        Command.SetAction(Run);
    }

    public Command Command { get; }

    private int Run(ParseResult parse)
    {
        var path = parse.GetValue(_entry)!;
        try
        {
            if (new FileInfo(path) is { Exists: true, Length: > MaxResponseBytes })
                throw new IOException($"larger than {MaxResponseBytes} bytes, not a log entry");
            CommandOutput.Write(LogEntryBundle.FromResponse(File.ReadAllBytes(path)), parse.GetValue(_output), _stdout);
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BundleRejectedException)
        {
            _stderr.WriteLine($"bundle: {path}: {e.Message}");
            return 2;
        }
    }
}
