namespace RekorPosix.Log.Posix;

/// <summary>The <c>fsck</c> command: exit 0 when the log holds, 1 with the first bad file named,
/// 2 for a usage problem.</summary>
public static class FsckCommand
{
    public static int Run(string storageDir, string? vkey, string? publicKeyFile, string? hostname, TextWriter stdout, TextWriter stderr)
    {
        if (FsckRun.Verifier(vkey, publicKeyFile, hostname, stderr) is not { } verifier)
            return 2;
        if (!Directory.Exists(storageDir))
        {
            stderr.WriteLine($"fsck: {storageDir}: no such directory");
            return 2;
        }
        var reader = new PosixReader(new StatePaths(storageDir));
        return FsckRun.Audit(reader, verifier, () => IntegratedHead(reader), stdout, stderr, new CheckpointHistoryFiles(storageDir));
    }

    /// <summary>.state/treeState when the directory has it (a copy of the public files may not).</summary>
    private static TreeHead? IntegratedHead(PosixReader reader) =>
        File.Exists(reader.Paths.TreeState) ? reader.ReadTreeState().Head : null;
}
