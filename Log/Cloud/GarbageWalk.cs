namespace RekorPosix.Log.Cloud;

/// <summary>
/// The walk of a cloud driver's garbage collection, under its GCCoord lock (spec cloud-flavours.md
/// §3.7): from GCCoord.fromSize, each entry bundle the published size covers in full, at most a
/// bounded number per run.
/// </summary>
internal static class GarbageWalk
{
    /// <summary>Hands each such bundle's index to <paramref name="collect"/> (which deletes the
    /// partials it completed); returns the new fromSize and whether <paramref name="maxBundles"/>
    /// were done (more may be left).</summary>
    public static async Task<(long To, bool MoreLeft)> RunAsync(long from, long publishedSize, int maxBundles, Func<long, Task> collect)
    {
        long bundle = from / Tiles.TileMath.TileWidth;
        int done = 0;
        while ((bundle + 1) * Tiles.TileMath.TileWidth <= publishedSize && done < maxBundles)
        {
            await collect(bundle).ConfigureAwait(false);
            bundle++;
            done++;
        }
        return (bundle * Tiles.TileMath.TileWidth, done == maxBundles);
    }
}
