using RekorPosix.Signing;

namespace RekorPosix.Log.Posix;

/// <summary>
/// The <c>freeze</c> command: ends a log for good (rekor-v2-api.md §7) by publishing its final
/// checkpoint with the "Log frozen — &lt;date&gt;" line, signed by the log key alone. rekor-tiles
/// has this only for GCP; for POSIX it was a hand edit. Exit 0 = frozen (now or before),
/// 1 = refused (a writer holds the lock, another key, a damaged log), 2 = usage.
/// </summary>
public static class FreezeCommand
{
    public static int Run(string storageDir, string signerFile, string password, string origin, bool allowInsecureKeyPermissions,
        TextWriter stdout, TextWriter stderr, TimeProvider? clock = null)
    {
        if (!NoteKeyName.IsValid(origin))
        {
            stderr.WriteLine($"freeze: --hostname: \"{origin}\" cannot be a checkpoint origin");
            return 2;
        }
        if (!Directory.Exists(storageDir))
        {
            stderr.WriteLine($"freeze: {storageDir}: no such directory");
            return 2;
        }
        LogSigningKey key;
        try
        {
            key = SignerKeyFile.Load(signerFile, password, allowInsecureKeyPermissions, problem => stderr.WriteLine($"freeze: warning: {problem}"));
        }
        catch (Exception e) when (e is KeyFileException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"freeze: {e.Message}");
            return 1;
        }
        using (key)
        {
            var signer = CheckpointSigner.For(key, origin);
            var now = (clock ?? TimeProvider.System).GetUtcNow();
            // A log that keeps checkpoint history keeps its final checkpoint there too.
            var storage = new PosixStorage(storageDir, keepHistory: Flavour.KeepsHistory(storageDir));
            FreezeOutcome? outcome;
            try
            {
                outcome = storage.TryFreezeAsync(signer.FinalMaker(now), CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is LogStateException or IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"freeze: {e.Message}");
                return 1;
            }
            if (outcome is not { } done)
            {
                stderr.WriteLine($"freeze: another process holds {storage.Paths.TreeStateLock}: a server or `add` is writing to this log. " +
                    "Stop it (or restart the server with --read-only) and run freeze again; nothing was written.");
                return 1;
            }
            string frozen = FrozenCheckpoint.FrozenLine(done.Final.Body()) ?? FrozenCheckpoint.Line(now);
            if (done.Wrote)
                stdout.WriteLine($"freeze: froze {storage.Paths.Root} at size {done.Final.Size}: the checkpoint now carries \"{frozen}\"");
            else
                stdout.WriteLine($"freeze: {storage.Paths.Root} was already frozen at size {done.Final.Size} (\"{frozen}\"); nothing written");
            stdout.WriteLine("freeze: serve this log with --read-only from now on; writers refuse a frozen log");
            return 0;
        }
    }
}
