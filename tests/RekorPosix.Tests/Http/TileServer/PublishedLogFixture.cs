using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Log;
using RekorPosix.Log.Posix;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Http.TileServer;

/// <summary>
/// A log of 700 entries of about 2 KB (two full bundles and tiles, partials at many widths from
/// publications every 37 entries, a level-1 partial), plus what must never be served: orphan
/// tiles and bundles beyond the published size and a temp file. A server runs on it for the class.
/// </summary>
public sealed class PublishedLogFixture : IAsyncLifetime
{
    public const int Size = 700;

    /// <summary>Files on disk that the published checkpoint does not imply.</summary>
    public static readonly string[] Orphans = ["tile/0/002", "tile/0/002.p/200", "tile/entries/002", "tile/entries/003", "tile/1/000"];

    // Where the server's start-up sweep of temp files (right-edge directories only) leaves it.
    public const string TempFile = "tile/0/000.p/.tmp.123456";

    /// <summary>An idle timeout far beyond <see cref="HangGuard.Timeout"/>.</summary>
    public static readonly TimeSpan NoIdleSweep = TimeSpan.FromMinutes(10);

    private readonly TempDir _dir = new();

    public string Dir => _dir.Path;
    public RunningServer Server { get; private set; } = null!;

    public static byte[] Entry(int i) => Encoding.ASCII.GetBytes($"entry {i} " + new string((char)('a' + i % 26), 2000 + i % 100));

    public async Task InitializeAsync()
    {
        // No garbage collection while writing either: the tests want the partial tiles of every
        // batch, and a slow machine took more than the default 5 s to write them (CI saw 19 files).
        var options = new AppendOptions
        {
            BatchMaxAge = TimeSpan.FromMilliseconds(5),
            CheckpointInterval = TimeSpan.FromMilliseconds(100),
            GcInterval = TimeSpan.FromDays(1),
        };
        await using (var log = await Flavour.StartLogAsync(_dir.Path, TestLogKey.Signer(), options, NullLogger.Instance))
        {
            for (int start = 0; start < Size; start += 37)
            {
                int count = Math.Min(37, Size - start);
                var adds = Enumerable.Range(start, count).Select(i => log.AddAsync(Entry(i), CancellationToken.None));
                await Task.WhenAll(adds).WaitAsync(HangGuard.Timeout);
                await log.AwaitPublicationAsync(start + count - 1, CancellationToken.None).WaitAsync(HangGuard.Timeout);
            }
        }
        foreach (string orphan in Orphans.Append(TempFile))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_dir[orphan])!);
            File.WriteAllBytes(_dir[orphan], new byte[8192]);
        }
        // No garbage collection while the tests compare files on disk with what is served, and no
        // idle sweep within a test's hang guard: a close a test waits for is never the sweep's.
        Server = await RunningServer.StartAsync(_dir.Path, s => s with
        {
            Append = s.Append with { GcInterval = TimeSpan.FromDays(1) },
            TilesIdleTimeout = NoIdleSweep,
        });
    }

    /// <summary>Every file a client may fetch, as paths relative to the log directory.</summary>
    public IEnumerable<string> PublicFiles() =>
        Directory.EnumerateFiles(_dir.Path, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(_dir.Path, f))
            .Where(f => !f.Split('/').Any(part => part.StartsWith('.')) && !Orphans.Contains(f))
            .Order(StringComparer.Ordinal);

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}
