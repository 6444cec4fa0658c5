namespace RekorPosix.Monitoring;

/// <summary>
/// A log directory on this machine (<c>--storage-dir</c>), whichever program writes it: its files
/// are replaced by rename, never written in place, so a read sees one version or the other and
/// needs no lock. Dot-files (<c>.state/</c>, temp files) are never read: only tlog-tiles paths are asked for.
/// </summary>
internal sealed class DirectoryLogSource : ILogSource
{
    private readonly string _root;

    public DirectoryLogSource(string root)
    {
        _root = Path.GetFullPath(root);
        if (!Directory.Exists(_root))
            throw new MonitorInputException($"--storage-dir {root}: no such directory");
    }

    public string Location => _root;

    public Task<byte[]?> TryReadAsync(string path, int maxBytes, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        string file = Path.Combine(_root, path);
        try
        {
            return Task.FromResult<byte[]?>(Read(file, path, maxBytes));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<byte[]?>(null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MonitorInputException($"{file}: {e.Message}", e);
        }
    }

    private static byte[] Read(string file, string path, int maxBytes)
    {
        using var handle = File.OpenHandle(file);
        long length = RandomAccess.GetLength(handle);
        if (length > maxBytes)
            throw new LogVerificationException($"{path} is {length} bytes, more than any such file may hold ({maxBytes})");
        var data = new byte[length];
        int filled = 0;
        while (filled < data.Length)
        {
            int read = RandomAccess.Read(handle, data.AsSpan(filled), filled);
            if (read == 0)
                throw new IOException($"{file} ended after {filled} of {length} bytes");
            filled += read;
        }
        return data;
    }

    public void Dispose()
    {
    }
}
