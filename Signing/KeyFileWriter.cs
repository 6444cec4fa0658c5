using System.Text;
using RekorPosix.Interop;

namespace RekorPosix.Signing;

/// <summary>Writes secret files that are private from the first byte: new file only, mode 0600, flushed to disk.</summary>
internal static class KeyFileWriter
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <exception cref="IOException">The file exists already, or writing failed (the partial file is removed).</exception>
    internal static void WriteNew(string path, string contents)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("key files are written with POSIX permissions");
        }

        byte[] bytes = Encoding.UTF8.GetBytes(contents);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            UnixCreateMode = OwnerReadWrite,
        };

        // CreateNew is O_CREAT|O_EXCL: an existing file (or a symlink planted in its place) is never opened.
        using (var stream = new FileStream(path, options))
        {
            try
            {
                // The create mode is filtered by the umask; set it explicitly so it is exactly 0600.
                File.SetUnixFileMode(stream.SafeFileHandle, OwnerReadWrite);
                stream.Write(bytes);
                // Not Flush(flushToDisk: true): it ignores a failed fsync (see FileCalls.Fsync).
                if (FileCalls.Fsync(stream.SafeFileHandle) != 0)
                    throw Errno.LastAsIOException("fsync", path);
            }
            catch
            {
                stream.Dispose();
                File.Delete(path);
                throw;
            }
        }
    }
}
