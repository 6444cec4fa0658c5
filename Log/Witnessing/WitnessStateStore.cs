using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using RekorPosix.Log.Files;
using RekorPosix.Signing.Witnessing;

namespace RekorPosix.Log.Witnessing;

/// <summary>
/// A witness's state, one directory per log under the state directory, named by the lowercase hex
/// SHA-256 of the origin as the monitoring path of https://c2sp.org/tlog-witness is:
/// <c>checkpoint</c>, the latest cosigned checkpoint (its size and root are what the next request
/// must extend), and <c>checkpoint.lock</c>. An update reads the file afresh and replaces it under
/// the log's lock (an in-process gate, then flock against other processes on the directory), so the
/// old-size check and the write are one step: two requests can never both extend one old size. The
/// file only ever changes by <see cref="AtomicFiles.Overwrite"/> (temp, fsync, rename, directory
/// fsync), so a crash leaves the old state or the new one, whole.
/// </summary>
internal sealed class WitnessStateStore
{
    public const string CheckpointFile = "checkpoint";
    public const string LockFile = "checkpoint.lock";

    private readonly string _dir;
    // Logs come from the --logs file, so these stay as few as the logs witnessed.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new();
    private readonly ConcurrentDictionary<string, bool> _swept = new();

    public WitnessStateStore(string dir)
    {
        ArgumentException.ThrowIfNullOrEmpty(dir);
        _dir = Path.GetFullPath(dir);
    }

    public string StateDir => _dir;

    /// <summary>The name of a log's directory: lowercase hex SHA-256 of its origin.</summary>
    public static string KeyOf(string origin) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(origin)));

    public static bool IsKey(string text) =>
        text.Length == 64 && text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    /// <summary>Creates the state directory if need be, durably, so that a bad path fails at start.</summary>
    public void Create() => AtomicFiles.MkdirAll(_dir);

    /// <summary>
    /// The latest checkpoint cosigned for the log with this key, or null if none. No lock: a rename
    /// shows readers the old file or the new one, never a mix.
    /// </summary>
    /// <exception cref="InvalidDataException">The state file is damaged.</exception>
    public CosignedCheckpoint? Read(string key)
    {
        if (!IsKey(key))
            return null;
        string path = Path.Combine(_dir, key, CheckpointFile);
        string note;
        try
        {
            note = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        try
        {
            return CosignedCheckpoint.Parse(note);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{path} is damaged: {e.Message}", e);
        }
    }

    /// <summary>
    /// Under the log's lock: reads its state, lets <paramref name="decide"/> judge it, and stores the
    /// state it returns (if any) durably before returning its result.
    /// </summary>
    /// <exception cref="InvalidDataException">The state file is damaged, or is another log's.</exception>
    /// <exception cref="IOException">The state could not be read or written.</exception>
    public async Task<T> UpdateAsync<T>(string origin, Func<CosignedCheckpoint?, (T Result, CosignedCheckpoint? Next)> decide,
        CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(decide);
        string key = KeyOf(origin);
        string logDir = Path.Combine(_dir, key);
        var gate = _gates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            AtomicFiles.MkdirAll(logDir);
            // Only another process can hold it now, and only for one update.
            using var held = FileLock.Acquire(Path.Combine(logDir, LockFile));
            SweepOnce(key, logDir);
            var last = Read(key);
            if (last is not null && last.Checkpoint.Origin != origin)
                throw new InvalidDataException($"{Path.Combine(logDir, CheckpointFile)} holds a checkpoint of {last.Checkpoint.Origin}, not of {origin}");
            var (result, next) = decide(last);
            if (next is not null)
            {
                if (next.Checkpoint.Origin != origin)
                    throw new ArgumentException($"a checkpoint of {next.Checkpoint.Origin} cannot be stored as {origin}'s", nameof(decide));
                AtomicFiles.Overwrite(Path.Combine(logDir, CheckpointFile), Encoding.UTF8.GetBytes(next.Note));
            }
            return result;
        }
        finally
        {
            gate.Release();
        }
    }

    // Temp files a crashed writer left: safe to remove while holding the lock nobody writes without.
    private void SweepOnce(string key, string logDir)
    {
        if (_swept.TryAdd(key, true))
            AtomicFiles.SweepTemps(logDir);
    }
}
