using System.Net;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Http;

/// <summary><c>GET /api/v2/checkpoints/{size}</c> through a real server with checkpoint history.</summary>
public class CheckpointHistoryRouteTests
{
    /// <summary>Every kept note of the directory, by size.</summary>
    private static Dictionary<long, byte[]> KeptNotes(string dir) =>
        Directory.EnumerateFiles(Path.Combine(dir, "checkpoints"), "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .ToDictionary(f => Size(Path.GetRelativePath(dir, f)), File.ReadAllBytes);

    private static long Size(string relative) =>
        CheckpointHistoryPath.TryParse(relative, out long size) ? size : throw new InvalidDataException($"{relative} is no history path");

    [Fact]
    public async Task EveryKeptNote_IsServedAsStored_WithTheCheckpointsHeadersButCachedForGood()
    {
        using var dir = new TempDir();
        await using var server = await ProofRoutesTests.StartAsync(dir.Path);
        var (_, sizes) = await ProofRoutesTests.AddOneByOneAsync(server, 4);
        var kept = KeptNotes(dir.Path);
        Assert.Superset(sizes.Prepend(0).ToHashSet(), kept.Keys.ToHashSet());

        foreach (var (size, note) in kept)
        {
            var response = await server.Http.GetAsync($"/api/v2/checkpoints/{size}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(note, await response.Content.ReadAsByteArrayAsync());
            Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType!.ToString());
            Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl!.ToString());
            Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }
    }

    [Fact]
    public async Task KeptNotes_SurviveARestart_Unchanged_AndStayServed()
    {
        using var dir = new TempDir();
        Dictionary<long, byte[]> before;
        await using (var server = await ProofRoutesTests.StartAsync(dir.Path))
        {
            await ProofRoutesTests.AddOneByOneAsync(server, 3);
            before = KeptNotes(dir.Path);
        }
        await using var restarted = await ProofRoutesTests.StartAsync(dir.Path);
        // Indices go on from 3; the earlier leaves are not needed here.
        var (_, sizes) = await ProofRoutesTests.AddOneByOneAsync(restarted, 2, Enumerable.Repeat(Array.Empty<byte>(), 3).ToList());

        var after = KeptNotes(dir.Path);
        foreach (var (size, note) in before)
        {
            Assert.Equal(note, after[size]);
            Assert.Equal(note, await restarted.Http.GetByteArrayAsync($"/api/v2/checkpoints/{size}"));
        }
        Assert.Contains(sizes[^1], after.Keys);
    }

    [Fact]
    public async Task WithoutHistory_OnlyTheLatestSizeIsAnswered_AndRevalidated()
    {
        using var dir = new TempDir();
        await using var server = await ProofRoutesTests.StartAsync(dir.Path, history: false);
        var (_, sizes) = await ProofRoutesTests.AddOneByOneAsync(server, 2);
        long latest = sizes[^1];
        await Eventually.True(() => File.Exists(Path.Combine(dir.Path, "checkpoint")), "a checkpoint");

        var current = await server.Http.GetAsync($"/api/v2/checkpoints/{latest}");
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.Equal("no-cache", current.Headers.CacheControl!.ToString());
        Assert.Equal(await server.Http.GetByteArrayAsync("/api/v2/checkpoint"), await current.Content.ReadAsByteArrayAsync());

        var older = await server.Http.GetAsync($"/api/v2/checkpoints/{latest - 1}");
        Assert.Equal(HttpStatusCode.NotFound, older.StatusCode);
        Assert.Contains($"no checkpoint of size {latest - 1} is kept (start the server with --checkpoint-history)", await older.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheTilePort_ServesKeptNotesAtTheirFilePaths_UpToThePublishedSize()
    {
        using var dir = new TempDir();
        await using var server = await ProofRoutesTests.StartAsync(dir.Path);
        var (_, sizes) = await ProofRoutesTests.AddOneByOneAsync(server, 3);
        using var tiles = new HttpClient { BaseAddress = server.TilesAddress, Timeout = HangGuard.Timeout };
        string path = CheckpointHistoryPath.For(sizes[1]);

        var response = await tiles.GetAsync("/" + path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(dir.Path, path)), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl!.ToString());
        var head = await tiles.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/" + path));
        Assert.Equal(response.Content.Headers.ContentLength, head.Content.Headers.ContentLength);

        // A note ahead of the published checkpoint (a crash between keeping and publishing) is not served.
        long ahead = sizes[^1] + 1;
        string aheadPath = Path.Combine(dir.Path, CheckpointHistoryPath.For(ahead));
        await File.WriteAllBytesAsync(aheadPath, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await tiles.GetAsync("/" + CheckpointHistoryPath.For(ahead))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tiles.GetAsync("/api/v2/" + path)).StatusCode);
    }
}
