using System.Security.Cryptography;
using RekorPosix.Interop;

namespace RekorPosix.Log.Files;

/// <summary>
/// Crash-safe file recipes. Every file is first written in full to a temp file in the same
/// directory, fsynced, then renamed (overwrite) or hard-linked (create-exclusive) into place,
/// and the directory is fsynced while a handle on it is held from before the write
/// (tessera #749: an evicted directory inode can lose a writeback error).
/// Temp names start with <see cref="TempPrefix"/>, a dot-name no reader ever serves.
/// </summary>
internal static class AtomicFiles
{
    public const string TempPrefix = ".tmp.";

    // Directories this process made whose parent's fsync has not succeeded yet.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> Unsynced = new();

    private const UnixFileMode FileMode0644 =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Atomically replaces (or creates) <paramref name="path"/> with <paramref name="data"/>.</summary>
    public static void Overwrite(string path, ReadOnlySpan<byte> data)
    {
        string dir = ParentOf(path);
        MkdirAll(dir);
        using var dirHandle = DirectoryHandle.Open(dir);
        string temp = WriteTemp(dir, Path.GetFileName(path), data);
        if (FileCalls.Rename(temp, path) != 0)
        {
            var error = Errno.LastAsIOException("rename", path);
            TryDelete(temp);
            throw error;
        }
        dirHandle.Fsync();
    }

    /// <summary>
    /// Atomically replaces several files at once, as one step of a batch: every temp file is
    /// written and fsynced in parallel, then all are renamed, then each directory is fsynced once
    /// (in parallel too). When this returns all of them are durable; on failure some may be in
    /// place and others not, which is fine for files nothing refers to until a later commit.
    /// Flushes issued together share the disk's journal commits, so a batch costs about two
    /// fsync latencies instead of two per file.
    /// </summary>
    public static void OverwriteAll(IReadOnlyList<(string Path, ReadOnlyMemory<byte> Data)> files)
    {
        var dirs = files.Select(f => ParentOf(f.Path)).Distinct().ToList();
        foreach (string dir in dirs)
            MkdirAll(dir);
        var handles = dirs.ToDictionary(d => d, DirectoryHandle.Open);
        var temps = new string?[files.Count];
        try
        {
            BlockingFanOut.For(files.Count,
                i => temps[i] = WriteTemp(ParentOf(files[i].Path), Path.GetFileName(files[i].Path), files[i].Data.Span));
            for (int i = 0; i < files.Count; i++)
            {
                if (FileCalls.Rename(temps[i]!, files[i].Path) != 0)
                    throw Errno.LastAsIOException("rename", files[i].Path);
                temps[i] = null;
            }
            var dirHandles = handles.Values.ToList();
            BlockingFanOut.For(dirHandles.Count, i => dirHandles[i].Fsync());
        }
        finally
        {
            foreach (string? temp in temps)
            {
                if (temp is not null)
                    TryDelete(temp);
            }
            foreach (var handle in handles.Values)
                handle.Dispose();
        }
    }

    /// <summary>Atomically creates <paramref name="path"/>; throws <see cref="IOException"/> with
    /// HResult EEXIST when it already exists (link(2) refuses to replace).</summary>
    public static void CreateExclusive(string path, ReadOnlySpan<byte> data)
    {
        string dir = ParentOf(path);
        MkdirAll(dir);
        using var dirHandle = DirectoryHandle.Open(dir);
        string temp = WriteTemp(dir, Path.GetFileName(path), data);
        try
        {
            if (FileCalls.Link(temp, path) != 0)
                throw Errno.LastAsIOException("link", path);
        }
        finally
        {
            TryDelete(temp);
        }
        dirHandle.Fsync();
    }

    /// <summary><c>mkdir -p</c> that fsyncs each parent in which it creates a directory, so the
    /// new entries survive a crash before anything is renamed into them. A directory whose
    /// parent's fsync failed is remembered, and the next call through it fsyncs that parent again:
    /// otherwise, being there, it would never be made durable.</summary>
    public static void MkdirAll(string dir)
    {
        if (Directory.Exists(dir) && !Unsynced.ContainsKey(dir))
            return;
        string parent = ParentOf(dir);
        MkdirAll(parent);
        using var parentHandle = DirectoryHandle.Open(parent);
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (IOException) when (Directory.Exists(dir))
        {
            // Lost a race with another writer: the directory is there, which is all we need.
        }
        Unsynced[dir] = 0;
        parentHandle.Fsync();
        Unsynced.TryRemove(dir, out _);
    }

    /// <summary>Fsyncs the directory of each of <paramref name="dirs"/> and of every directory
    /// above them up to <paramref name="root"/>, and the one holding <paramref name="root"/>, so
    /// that all their entries are durable.</summary>
    public static void SyncEntries(string root, IEnumerable<string> dirs)
    {
        root = Path.GetFullPath(root);
        var parents = new HashSet<string>();
        foreach (string dir in dirs)
        {
            string? d = Path.GetFullPath(dir);
            if (!Directory.Exists(d))
                continue;
            while (d is not null && parents.Add(ParentOf(d)) && d != root)
                d = Path.GetDirectoryName(d);
        }
        foreach (string parent in parents)
        {
            using var handle = DirectoryHandle.Open(parent);
            handle.Fsync();
        }
    }

    /// <summary>Deletes leftover temp files in one directory; returns how many.</summary>
    public static int SweepTemps(string dir)
    {
        if (!Directory.Exists(dir))
            return 0;
        int removed = 0;
        foreach (string file in Directory.EnumerateFiles(dir, TempPrefix + "*"))
        {
            File.Delete(file);
            removed++;
        }
        return removed;
    }

    public static bool IsTempName(string fileName) => fileName.StartsWith(TempPrefix, StringComparison.Ordinal);

    private static string WriteTemp(string dir, string targetName, ReadOnlySpan<byte> data)
    {
        for (int attempt = 0; ; attempt++)
        {
            string temp = Path.Combine(dir, $"{TempPrefix}{targetName}.{RandomNumberGenerator.GetInt32(int.MaxValue)}");
            FileStream stream;
            try
            {
                stream = new FileStream(temp, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    Share = FileShare.None,
                    UnixCreateMode = FileMode0644,
                    BufferSize = 0,
                });
            }
            catch (IOException) when (attempt < 100 && File.Exists(temp))
            {
                continue; // name collision with another writer's temp file: pick another name
            }
            try
            {
                using (stream)
                {
                    stream.Write(data);
                    if (FileCalls.Fsync(stream.SafeFileHandle) != 0)
                        throw Errno.LastAsIOException("fsync", temp);
                }
                return temp;
            }
            catch
            {
                TryDelete(temp);
                throw;
            }
        }
    }

    private static string ParentOf(string path) =>
        Path.GetDirectoryName(Path.GetFullPath(path)) ?? throw new ArgumentException($"no parent directory: {path}");

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
