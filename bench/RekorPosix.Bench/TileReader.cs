using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using RekorPosix.Tiles;

namespace RekorPosix.Bench;

/// <summary>
/// Reads a growing log as its clients do, at a fixed rate: the checkpoint, then hash tiles and entry
/// bundles that the latest checkpoint's size implies (random ones at any level, full or partial, and
/// the newest bundle, which is where followers read). Each body must have the shape its width gives:
/// 32 bytes per hash, one length-prefixed entry per bundle slot.
/// </summary>
public sealed class TileReader(HttpClient client, TileReadTally tally)
{
    private long _size;

    /// <summary>The size of the newest checkpoint read so far.</summary>
    public long LatestSize => Interlocked.Read(ref _size);

    public async Task RunAsync(double rate, int workers, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        long next = -1;
        async Task Worker()
        {
            while (!stop.IsCancellationRequested)
            {
                long i = Interlocked.Increment(ref next);
                var due = TimeSpan.FromSeconds(i / rate) - clock.Elapsed;
                try
                {
                    if (due > TimeSpan.Zero)
                        await Task.Delay(due, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                await ReadOneAsync(i).ConfigureAwait(false);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(Worker))).ConfigureAwait(false);
    }

    private async Task ReadOneAsync(long i)
    {
        long size = LatestSize;
        if (i % 4 == 0 || size == 0)
        {
            await ReadCheckpointAsync().ConfigureAwait(false);
            return;
        }
        var address = (i % 4) switch
        {
            1 => RandomHashTile(size),
            2 => TileMath.EntryBundleAt(Random.Shared.NextInt64(BundleCount(size)), size)!.Value,
            _ => TileMath.EntryBundleAt(BundleCount(size) - 1, size)!.Value,
        };
        await ReadTileAsync(address).ConfigureAwait(false);
    }

    private static long BundleCount(long size) => (size + TileMath.TileWidth - 1) / TileMath.TileWidth;

    private static TileAddress RandomHashTile(long size)
    {
        int level = Random.Shared.Next(TileMath.LevelCount(size));
        long tiles = (TileMath.HashesAt(level, size) + TileMath.TileWidth - 1) / TileMath.TileWidth;
        return TileMath.TileAt(level, Random.Shared.NextInt64(tiles), size)!.Value;
    }

    /// <summary>Reads the checkpoint and returns its size, or -1 if the read failed.</summary>
    private async Task<long> ReadCheckpointAsync()
    {
        // A checkpoint read that starts after another has finished must not show a smaller tree.
        long known = LatestSize;
        var (status, body) = await GetAsync("checkpoint").ConfigureAwait(false);
        if (status != HttpStatusCode.OK)
        {
            tally.Failed($"checkpoint {Status(status)}");
            return -1;
        }
        string[] lines = System.Text.Encoding.UTF8.GetString(body).Split('\n');
        if (lines.Length < 3 || !long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out long size))
        {
            tally.Failed("checkpoint malformed");
            return -1;
        }
        if (size < known)
        {
            tally.Failed("checkpoint went back");
            return -1;
        }
        long seen;
        while ((seen = Interlocked.Read(ref _size)) < size && Interlocked.CompareExchange(ref _size, size, seen) != seen)
        {
        }
        tally.Ok(body.Length);
        return size;
    }

    private async Task ReadTileAsync(TileAddress address)
    {
        string kind = address.IsEntries ? "bundle" : "tile";
        var (status, body) = await GetAsync(address.ToPath()).ConfigureAwait(false);
        if (status == HttpStatusCode.OK)
        {
            if (HasShape(address, body))
                tally.Ok(body.Length);
            else
                tally.Failed($"{kind} of the wrong shape");
            return;
        }
        // A partial is deleted once a newer checkpoint completes its tile: a client then reads the
        // full tile. Anything else missing is an error.
        if (status == HttpStatusCode.NotFound && !address.IsFull)
        {
            long size = await ReadCheckpointAsync().ConfigureAwait(false);
            if (size >= 0 && TileMath.WidthAt(address.Level, address.Index, size) == TileAddress.FullWidth)
            {
                tally.PartialGone();
                await ReadTileAsync(address with { Width = TileAddress.FullWidth }).ConfigureAwait(false);
                return;
            }
        }
        tally.Failed($"{kind} {Status(status)}");
    }

    private static bool HasShape(TileAddress address, byte[] body)
    {
        if (!address.IsEntries)
            return body.Length == address.Width * 32;
        int offset = 0;
        for (int n = 0; n < address.Width; n++)
        {
            if (offset + 2 > body.Length)
                return false;
            offset += 2 + BinaryPrimitives.ReadUInt16BigEndian(body.AsSpan(offset));
        }
        return offset == body.Length;
    }

    private async Task<(HttpStatusCode Status, byte[] Body)> GetAsync(string path)
    {
        try
        {
            using var response = await client.GetAsync(path).ConfigureAwait(false);
            return (response.StatusCode, await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (0, []);
        }
    }

    private static string Status(HttpStatusCode status) => status == 0 ? "no answer" : ((int)status).ToString(CultureInfo.InvariantCulture);
}
