using RekorPosix.Tiles;

namespace RekorPosix.Log.Posix;

/// <summary>
/// Reads a log directory as tessera's POSIX driver lays it out. It takes no lock: every file it
/// reads is replaced by rename, never written in place, so a read sees one version or the other.
/// The synchronous methods are for the driver's own work under its locks; the
/// <see cref="ILogReader"/> ones complete at once.
/// </summary>
internal sealed class PosixReader(StatePaths paths) : ILogReader
{
    public StatePaths Paths => paths;

    public TreeState ReadTreeState()
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(paths.TreeState);
        }
        catch (FileNotFoundException e)
        {
            throw new LogStateException($"{paths.TreeState} is missing", e);
        }
        try
        {
            return TreeState.Decode(bytes);
        }
        catch (FormatException e)
        {
            throw new LogStateException($"{paths.TreeState}: {e.Message}", e);
        }
    }

    public byte[]? ReadCheckpoint()
    {
        try
        {
            return File.ReadAllBytes(paths.Checkpoint);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Reads a hash tile at exactly the width asked for; a partial that is gone (garbage
    /// collected, or never written because a later batch filled the tile) is read from the full
    /// tile and trimmed. Throws <see cref="FileNotFoundException"/> when neither exists.</summary>
    public ReadOnlyMemory<byte> ReadTile(TileAddress address)
    {
        var data = ReadWithFullFallback(address);
        try
        {
            return HashTile.Trim(data, address.Width);
        }
        catch (FormatException e)
        {
            throw new LogStateException($"{address.ToPath()}: {e.Message}", e);
        }
    }

    /// <summary>Reads an entry bundle holding exactly <c>address.Width</c> entries (same fallback as tiles).</summary>
    public ReadOnlyMemory<byte> ReadEntryBundle(TileAddress address) => ReadEntryBundle(address, path => File.ReadAllBytes(path));

    private ReadOnlyMemory<byte> ReadEntryBundle(TileAddress address, Func<string, ReadOnlyMemory<byte>> read)
    {
        var data = ReadWithFullFallback(address, read);
        try
        {
            return EntryBundle.Trim(data, address.Width);
        }
        catch (FormatException e)
        {
            throw new LogStateException($"{address.ToPath()}: {e.Message}", e);
        }
    }

    public ValueTask<byte[]?> ReadCheckpointAsync(CancellationToken cancel) => Now(ReadCheckpoint, cancel);

    public ValueTask<ReadOnlyMemory<byte>> ReadTileAsync(TileAddress address, CancellationToken cancel) =>
        Now(() => ReadTile(address), cancel);

    public ValueTask<ReadOnlyMemory<byte>> ReadEntryBundleAsync(TileAddress address, CancellationToken cancel) =>
        Now(() => ReadEntryBundle(address), cancel);

    /// <summary>Read in place: the file goes straight into the space's memory.</summary>
    public ValueTask<ReadOnlyMemory<byte>> ReadEntryBundleAsync(TileAddress address, BundleSpace space, ReadOnlyMemory<byte> keep, CancellationToken cancel) =>
        Now(() => ReadEntryBundle(address, path => ReadInto(path, space, keep)), cancel);

    public ValueTask<long> ReadIntegratedSizeAsync(CancellationToken cancel) => Now(() => ReadTreeState().Size, cancel);

    /// <summary>A local file read is short: done on the caller's thread, its failure in the task.</summary>
    private static ValueTask<T> Now<T>(Func<T> read, CancellationToken cancel)
    {
        if (cancel.IsCancellationRequested)
            return ValueTask.FromCanceled<T>(cancel);
        try
        {
            return ValueTask.FromResult(read());
        }
        catch (Exception e)
        {
            return ValueTask.FromException<T>(e);
        }
    }

    private ReadOnlyMemory<byte> ReadWithFullFallback(TileAddress address) => ReadWithFullFallback(address, path => File.ReadAllBytes(path));

    private ReadOnlyMemory<byte> ReadWithFullFallback(TileAddress address, Func<string, ReadOnlyMemory<byte>> read)
    {
        try
        {
            return read(paths.Of(address));
        }
        catch (Exception e) when (!address.IsFull && e is FileNotFoundException or DirectoryNotFoundException)
        {
            try
            {
                return read(paths.Of(address with { Width = TileMath.TileWidth }));
            }
            catch (Exception e2) when (e2 is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new FileNotFoundException($"{address.ToPath()} is missing (and so is its full tile)", e2);
            }
        }
        catch (DirectoryNotFoundException e)
        {
            throw new FileNotFoundException($"{address.ToPath()} is missing", e);
        }
    }

    /// <summary>A whole file into memory taken from <paramref name="space"/> (files are replaced by
    /// rename, so the length of the open file does not change under the read).</summary>
    private static ReadOnlyMemory<byte> ReadInto(string path, BundleSpace space, ReadOnlyMemory<byte> keep)
    {
        using var handle = File.OpenHandle(path);
        long length = RandomAccess.GetLength(handle);
        if (length > EntryBundle.MaxBundleSize)
            throw new LogStateException($"{path} is {length} bytes, more than any bundle");
        var memory = space.Take((int)length, keep);
        int filled = 0;
        while (filled < memory.Length)
        {
            int read = RandomAccess.Read(handle, memory.Span[filled..], filled);
            if (read == 0)
                break;
            filled += read;
        }
        return memory[..filled];
    }
}
