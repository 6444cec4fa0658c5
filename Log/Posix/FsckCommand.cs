using RekorPosix.Signing;

namespace RekorPosix.Log.Posix;

/// <summary>The <c>fsck</c> command: exit 0 when the log holds, 1 with the first bad file named,
/// 2 for a usage problem.</summary>
public static class FsckCommand
{
    public static int Run(string storageDir, string? vkey, string? publicKeyFile, string? hostname, TextWriter stdout, TextWriter stderr)
    {
        INoteVerifier verifier;
        try
        {
            verifier = CreateVerifier(vkey, publicKeyFile, hostname);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException or KeyFileException)
        {
            stderr.WriteLine($"fsck: {e.Message}");
            return 2;
        }
        if (!Directory.Exists(storageDir))
        {
            stderr.WriteLine($"fsck: {storageDir}: no such directory");
            return 2;
        }
        bool tty = !Console.IsErrorRedirected;
        var reader = new PosixReader(new StatePaths(storageDir));
        var auditor = new LogAuditor(reader, verifier, (done, total) =>
        {
            string line = $"fsck: {done}/{total} entries checked";
            if (tty)
                stderr.Write($"\r{line}");
            else
                stderr.WriteLine(line);
        }, () => IntegratedHead(reader));
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

    /// <summary>.state/treeState when the directory has it (a copy of the public files may not).</summary>
    private static TreeHead? IntegratedHead(PosixReader reader) =>
        File.Exists(reader.Paths.TreeState) ? reader.ReadTreeState().Head : null;

    private static INoteVerifier CreateVerifier(string? vkey, string? publicKeyFile, string? hostname)
    {
        if (vkey is not null && publicKeyFile is not null)
            throw new ArgumentException("give either --vkey or --public-key with --hostname, not both");
        if (vkey is not null)
        {
            string text = File.Exists(vkey) ? File.ReadAllText(vkey).Trim() : vkey;
            return NoteVerifiers.FromVerifierKey(text);
        }
        if (publicKeyFile is null)
            throw new ArgumentException("a verifier is needed: --vkey VKEY, or --public-key PEM with --hostname ORIGIN");
        if (string.IsNullOrEmpty(hostname))
            throw new ArgumentException("--public-key needs --hostname (the checkpoint origin)");
        return NoteVerifiers.FromPublicKeyPem(File.ReadAllText(publicKeyFile), hostname);
    }
}
