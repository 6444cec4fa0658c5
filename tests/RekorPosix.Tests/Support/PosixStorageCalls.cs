using RekorPosix.Log;
using RekorPosix.Log.Posix;

namespace RekorPosix.Tests.Support;

/// <summary>
/// The POSIX driver's contract calls made synchronously, for tests that drive one step at a time.
/// Its asynchronous methods complete on the caller's thread, so waiting here blocks nothing else.
/// </summary>
internal static class PosixStorageCalls
{
    public static TreeHead Open(this PosixStorage storage) => storage.OpenAsync(CancellationToken.None).GetAwaiter().GetResult();

    public static Publication PublishCheckpoint(this PosixStorage storage, CheckpointSigner signer, TimeSpan interval, TimeSpan republishInterval,
        DateTimeOffset now, bool force = false) =>
        storage.PublishAsync(new PublicationPace(interval, republishInterval, now, force), signer.Maker(), CancellationToken.None).GetAwaiter().GetResult();

    public static FreezeOutcome? TryFreeze(this PosixStorage storage, CheckpointSigner signer, DateTimeOffset now) =>
        storage.TryFreezeAsync(signer.FinalMaker(now), CancellationToken.None).GetAwaiter().GetResult();

    public static TreeState ReadTreeState(this PosixStorage storage) => storage.Files.ReadTreeState();

    public static byte[]? ReadCheckpoint(this PosixStorage storage) => storage.Files.ReadCheckpoint();

    public static ReadOnlyMemory<byte> ReadTile(this PosixStorage storage, RekorPosix.Tiles.TileAddress address) => storage.Files.ReadTile(address);

    public static ReadOnlyMemory<byte> ReadEntryBundle(this PosixStorage storage, RekorPosix.Tiles.TileAddress address) => storage.Files.ReadEntryBundle(address);

    /// <summary>An audit of the directory with the tessera test key (fsck's checks, treeState included).</summary>
    public static AuditResult Audit(string dir, RekorPosix.Signing.INoteVerifier? verifier = null)
    {
        var reader = new PosixReader(new StatePaths(dir));
        TreeHead? Integrated() => File.Exists(reader.Paths.TreeState) ? reader.ReadTreeState().Head : null;
        return new LogAuditor(reader, verifier ?? TestLogKey.Verifier(), integrated: Integrated).RunAsync(CancellationToken.None).GetAwaiter().GetResult();
    }
}
