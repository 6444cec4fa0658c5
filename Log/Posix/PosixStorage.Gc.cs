using System.Text;
using System.Text.Json;
using RekorPosix.Log.Files;
using RekorPosix.Tiles;

namespace RekorPosix.Log.Posix;

internal sealed partial class PosixStorage
{
    /// <summary>Bundles whose partials one GC run removes at most, as tessera bounds it.</summary>
    public const int MaxBundlesPerGcRun = 100;

    public Task<bool> CollectGarbageAsync(long publishedSize, CancellationToken cancel)
    {
        try
        {
            return Task.FromResult(CollectGarbage(publishedSize) == MaxBundlesPerGcRun);
        }
        catch (Exception e)
        {
            return Task.FromException<bool>(e);
        }
    }

    /// <summary>
    /// Deletes the partial tiles and bundles (<c>N.p/</c> directories) whose full version exists
    /// and that no published checkpoint implies any more: only below <paramref name="publishedSize"/>,
    /// never below the integrated size, since a checkpoint implies its partials until a newer one
    /// is published. Progress is kept in <c>.state/gcState</c>; a lost delete is harmless.
    /// Returns the number of bundles processed.
    /// </summary>
    public int CollectGarbage(long publishedSize)
    {
        using var fileLock = FileLock.Acquire(_paths.GcStateLock);
        long from = ReadGcFromSize();
        long bundle = from / TileMath.TileWidth;
        int done = 0;
        while ((bundle + 1) * TileMath.TileWidth <= publishedSize && done < MaxBundlesPerGcRun)
        {
            foreach (var full in TileMath.CompletedBy(bundle))
                DeletePartials(full);
            bundle++;
            done++;
        }
        long to = bundle * TileMath.TileWidth;
        if (to > from)
            AtomicFiles.Overwrite(_paths.GcState, Encoding.ASCII.GetBytes($"{{\"fromSize\":{to}}}"));
        return done;
    }

    private void DeletePartials(TileAddress full)
    {
        string dir = _paths.Of(full) + ".p";
        if (Directory.Exists(dir))
            Directory.Delete(dir, recursive: true);
    }

    private long ReadGcFromSize()
    {
        if (!File.Exists(_paths.GcState))
            return 0;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(_paths.GcState));
            return doc.RootElement.GetProperty("fromSize").GetInt64();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            throw new LogStateException($"{_paths.GcState}: {e.Message}", e);
        }
    }
}
