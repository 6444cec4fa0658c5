using System.Buffers.Binary;
using System.Diagnostics;
using RekorPosix.Log;
using RekorPosix.Signing;

namespace RekorPosix.Bench;

/// <summary>
/// Builds a large log fast for the scale measurements, through the POSIX driver's contract
/// (the same bundles, tiles, fsyncs and treeState commits as the server),
/// in big batches and without the HTTP front end or signature checks. Entries are unique
/// synthetic bodies of a fixed size, or hashedrekord bodies (HashedRekordBodies).
/// </summary>
public static class BulkLoad
{
    public static int Run(string storageDir, string signerFile, string origin, long count, int entrySize, int batch) =>
        Run(storageDir, signerFile, origin, count, batch, index => Entry(index, entrySize));

    /// <summary>Appends <paramref name="count"/> entries, entry i being <paramref name="entry"/>(i).</summary>
    public static int Run(string storageDir, string signerFile, string origin, long count, int batch, Func<long, byte[]> entry) =>
        RunAsync(Flavour.Driver(storageDir), signerFile, origin, count, batch, entry).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(ILogDriver storage, string signerFile, string origin, long count, int batch, Func<long, byte[]> entry)
    {
        var state = await storage.OpenAsync(CancellationToken.None);
        using var key = LogSigningKey.Load(signerFile);
        var signer = CheckpointSigner.For(key, origin);
        var clock = Stopwatch.StartNew();
        var report = Stopwatch.StartNew();
        long written = 0;
        while (written < count)
        {
            int n = (int)Math.Min(batch, count - written);
            var entries = new List<ReadOnlyMemory<byte>>(n);
            for (int i = 0; i < n; i++)
                entries.Add(entry(state.Size + written + i));
            await storage.SequenceAsync(entries, CancellationToken.None);
            written += n;
            if (report.Elapsed.TotalSeconds >= 10 || written == count)
            {
                Console.Error.WriteLine($"bulk: {written}/{count} entries, {written / clock.Elapsed.TotalSeconds:F0} entries/s");
                report.Restart();
            }
        }
        var head = await storage.IntegrateAsync(CancellationToken.None);
        await storage.PublishAsync(new PublicationPace(TimeSpan.Zero, TimeSpan.Zero, DateTimeOffset.UtcNow, Force: true), signer.Maker(), CancellationToken.None);
        await storage.DisposeAsync();
        Console.WriteLine($"bulk: {written} entries in {clock.Elapsed.TotalSeconds:F1} s ({written / clock.Elapsed.TotalSeconds:F0} entries/s); log size now {head.Size}");
        return 0;
    }

    /// <summary>A unique entry: its index, then filler.</summary>
    private static byte[] Entry(long index, int size)
    {
        var entry = new byte[Math.Max(size, 8)];
        BinaryPrimitives.WriteInt64BigEndian(entry, index);
        entry.AsSpan(8).Fill((byte)'x');
        return entry;
    }
}
