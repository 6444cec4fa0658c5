using RekorPosix.Signing;

namespace RekorPosix.Log;

/// <summary>
/// What every flavour's <c>fsck</c> does once it can read its log: the verifier from the flags, the
/// audit with progress on stderr, one line of verdict. Exit 0 when the log holds, 1 with the first
/// bad object named, 2 for a usage problem.
/// </summary>
internal static class FsckRun
{
    /// <summary>The verifier <c>--vkey</c> (or a file holding it), or <c>--public-key</c> with
    /// <c>--hostname</c>, gives; null with the usage problem written to stderr.</summary>
    public static INoteVerifier? Verifier(string? vkey, string? publicKeyFile, string? hostname, TextWriter stderr)
    {
        try
        {
            if (vkey is not null && publicKeyFile is not null)
                throw new ArgumentException("give either --vkey or --public-key with --hostname, not both");
            if (vkey is not null)
                return NoteVerifiers.FromVerifierKey(File.Exists(vkey) ? File.ReadAllText(vkey).Trim() : vkey);
            if (publicKeyFile is null)
                throw new ArgumentException("a verifier is needed: --vkey VKEY, or --public-key PEM with --hostname ORIGIN");
            if (string.IsNullOrEmpty(hostname))
                throw new ArgumentException("--public-key needs --hostname (the checkpoint origin)");
            return NoteVerifiers.FromPublicKeyPem(File.ReadAllText(publicKeyFile), hostname);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException or KeyFileException)
        {
            stderr.WriteLine($"fsck: {e.Message}");
            return null;
        }
    }

    /// <param name="history">Checkpoint history, whose notes are checked too.</param>
    public static int Audit(ILogReader reader, INoteVerifier verifier, Func<TreeHead?>? integrated, TextWriter stdout, TextWriter stderr,
        ICheckpointHistory? history = null)
    {
        bool tty = !Console.IsErrorRedirected;
        var auditor = new LogAuditor(reader, verifier, (done, total) =>
        {
            string line = $"fsck: {done}/{total} entries checked";
            if (tty)
                stderr.Write($"\r{line}");
            else
                stderr.WriteLine(line);
        }, integrated, history);
        var result = auditor.RunAsync(CancellationToken.None).GetAwaiter().GetResult();
        if (tty)
            stderr.WriteLine();
        if (!result.Ok)
        {
            stderr.WriteLine($"fsck: FAILED: {result.Message}");
            return 1;
        }
        stdout.WriteLine($"fsck: OK: {result.Message} ({result.Elapsed.TotalSeconds:F2} s)");
        return 0;
    }
}
