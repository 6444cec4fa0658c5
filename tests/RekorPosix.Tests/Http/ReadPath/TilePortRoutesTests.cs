using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Http.ReadPath;
using RekorPosix.Log;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Http.ReadPath;

public class TilePortRoutesTests
{
    private static readonly byte[] Note = "example\n300\nroot\n\n— sig\n"u8.ToArray();

    /// <summary>Answers every read with one result, recording what it was asked.</summary>
    private sealed class ScriptedReads(ReadResult answer) : IPublishedReads
    {
        public readonly List<(ReadRoute Route, string Relative, CancellationToken Cancel)> Calls = [];

        public long CachedBytes => 0;

        public ValueTask<ReadResult> ReadAsync(ReadRoute route, ReadOnlyMemory<byte> relativePath, CancellationToken cancel)
        {
            Calls.Add((route, Encoding.ASCII.GetString(relativePath.Span), cancel));
            return new(answer);
        }

        public void Dispose()
        {
        }
    }

    /// <summary>A request as Kestrel hands it over: the target as sent, the path decoded.</summary>
    private static DefaultHttpContext Request(string method, string target)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = target;
        int query = target.IndexOf('?');
        context.Request.Path = PathString.FromUriComponent(query < 0 ? target : target[..query]);
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static async Task<DefaultHttpContext> AnswerAsync(string method, string target, IPublishedReads? files)
    {
        var context = Request(method, target);
        await TilePortRoutes.HandleAsync(context, files);
        return context;
    }

    private static byte[] Body(HttpContext context) => ((MemoryStream)context.Response.Body).ToArray();

    private static byte[] Bytes(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 13 + 5)).ToArray();

    private static void AssertError(HttpContext context, int status, string reason, bool withBody = true)
    {
        var response = context.Response;
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.ContentType);
        Assert.Equal("no-store", response.Headers.CacheControl.ToString());
        Assert.Equal("*", response.Headers.AccessControlAllowOrigin.ToString());
        Assert.Equal(status == 405 ? "GET, HEAD" : "", response.Headers.Allow.ToString());
        Assert.Equal(reason.Length + 1, response.ContentLength);
        Assert.Equal(withBody ? reason + "\n" : "", Encoding.ASCII.GetString(Body(context)));
    }

    private static void AssertFound(HttpContext context, bool checkpoint, byte[] content, bool withBody = true)
    {
        var response = context.Response;
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(checkpoint ? "text/plain; charset=utf-8" : "application/octet-stream", response.ContentType);
        Assert.Equal(checkpoint ? "no-cache" : "public, max-age=31536000, immutable", response.Headers.CacheControl.ToString());
        Assert.Equal("*", response.Headers.AccessControlAllowOrigin.ToString());
        Assert.Equal("", response.Headers.Allow.ToString());
        Assert.Equal(content.Length, response.ContentLength);
        Assert.Equal(withBody ? content : [], Body(context));
    }

    /// <summary>A bucket holding a log of 300 entries: tile 0, bundle 0 and the partials of 44.</summary>
    private static (StoredFiles Files, ScriptedLogReader Reader, Dictionary<string, byte[]> Stored) Bucket()
    {
        var reader = new ScriptedLogReader();
        var stored = new Dictionary<string, byte[]>
        {
            ["tile/0/000"] = Bytes(8192),
            ["tile/0/001.p/44"] = Bytes(44 * 32),
            ["tile/entries/001.p/44"] = Bytes(700),
        };
        foreach (var (path, bytes) in stored)
        {
            Assert.True(TileAddress.TryParse(path, out var address));
            reader.Store(address, bytes);
        }
        var files = new StoredFiles(reader, _ => new(new PublishedCheckpoint(300, Note)), null, NullLogger.Instance);
        return (files, reader, stored);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    [InlineData("PATCH")]
    [InlineData("TRACE")]
    [InlineData("get")] // methods are case-sensitive: the sendfile listener refuses this too
    [InlineData("head")]
    public async Task OtherMethods_Are405_WithAllow_AndNotRead(string method)
    {
        var files = new ScriptedReads(ReadResult.Checkpoint(Note));
        var context = await AnswerAsync(method, "/checkpoint", files);
        AssertError(context, 405, "Method Not Allowed");
        Assert.Empty(files.Calls);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/api/v2")]
    [InlineData("/api/v2/")]
    [InlineData("/checkpoint/")]
    [InlineData("//checkpoint")]
    [InlineData("/api/v1/checkpoint")]
    [InlineData("/api/v2/api/v2/checkpoint")]
    [InlineData("/tile/0/0")]
    [InlineData("/tile/0/000.p/0")]
    [InlineData("/tile/0/000.p/256")]
    [InlineData("/tile/0/./000")]
    [InlineData("/tile/0/%30%30%30")] // decoded, this would be tile/0/000: only the target as sent counts
    [InlineData("/tile/0/x000/001")] // not the canonical spelling of tile/0/001
    public async Task RoutesThatDoNotParse_Are404_WithoutAsking(string target)
    {
        var files = new ScriptedReads(ReadResult.Memory(Bytes(8192)));
        var context = await AnswerAsync("GET", target, files);
        AssertError(context, 404, "Not Found");
        Assert.Empty(files.Calls);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    public async Task WithoutFiles_EverythingIs404(string method)
    {
        AssertError(await AnswerAsync(method, "/checkpoint", null), 404, "Not Found", withBody: method == "GET");
        AssertError(await AnswerAsync(method, "/api/v2/tile/0/000", null), 404, "Not Found", withBody: method == "GET");
    }

    [Theory]
    [InlineData("/tile/0/001")]
    [InlineData("/api/v2/tile/entries/001.p/45")]
    [InlineData("/tile/1/000.p/2")]
    public async Task ARouteTheCheckpointDoesNotImply_Is404_AndNothingIsRead(string target)
    {
        var (files, reader, _) = Bucket();
        AssertError(await AnswerAsync("GET", target, files), 404, "Not Found");
        Assert.Empty(reader.Reads);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AReadThatFailed_Is500(bool damaged)
    {
        var files = new ScriptedReads(damaged ? ReadResult.Damaged : ReadResult.Failed);
        AssertError(await AnswerAsync("GET", "/tile/0/000", files), 500, "Internal Server Error");
        AssertError(await AnswerAsync("HEAD", "/tile/0/000", files), 500, "Internal Server Error", withBody: false);
    }

    [Fact]
    public async Task ABucketReadThatFails_Is500()
    {
        var (files, reader, _) = Bucket();
        reader.Failure = new IOException("connection reset by peer");
        AssertError(await AnswerAsync("GET", "/tile/0/000", files), 500, "Internal Server Error");
        reader.Failure = null;
        reader.Remove(new TileAddress(0, 0, 256)); // implied, yet gone: damage, not a 404
        AssertError(await AnswerAsync("GET", "/tile/0/000", files), 500, "Internal Server Error");
    }

    [Theory]
    [InlineData("/checkpoint")]
    [InlineData("/api/v2/checkpoint")]
    [InlineData("/checkpoint?cache-buster=1")]
    public async Task TheCheckpoint_Is200_WithItsHeaders(string target)
    {
        var (files, _, _) = Bucket();
        AssertFound(await AnswerAsync("GET", target, files), checkpoint: true, Note);
    }

    [Theory]
    [InlineData("/tile/0/000")]
    [InlineData("/api/v2/tile/0/000")]
    [InlineData("/tile/0/001.p/44")]
    [InlineData("/api/v2/tile/entries/001.p/44")]
    public async Task AStoredTile_Is200_WithItsHeaders(string target)
    {
        var (files, reader, stored) = Bucket();
        string relative = target.StartsWith("/api/v2/", StringComparison.Ordinal) ? target[8..] : target[1..];
        AssertFound(await AnswerAsync("GET", target, files), checkpoint: false, stored[relative]);
        Assert.Single(reader.Reads);
    }

    [Theory]
    [InlineData("/checkpoint", true)]
    [InlineData("/api/v2/tile/0/000", false)]
    [InlineData("/tile/entries/001.p/44", false)]
    public async Task HEAD_HasTheHeadersAndLength_ButNoBody(string target, bool checkpoint)
    {
        var (files, _, stored) = Bucket();
        byte[] content = checkpoint ? Note : stored[target[(target.IndexOf("tile/", StringComparison.Ordinal))..]];
        AssertFound(await AnswerAsync("HEAD", target, files), checkpoint, content, withBody: false);
    }

    [Fact]
    public async Task TheFilesAreAsked_WithTheRelativePath_AndTheRequestsCancellation()
    {
        var files = new ScriptedReads(ReadResult.Memory(Bytes(44 * 32)));
        var context = Request("GET", "/api/v2/tile/0/001.p/44?x=y");
        using var aborted = new CancellationTokenSource();
        context.RequestAborted = aborted.Token;
        await TilePortRoutes.HandleAsync(context, files);
        var call = Assert.Single(files.Calls);
        Assert.Equal(new ReadRoute(false, new TileAddress(0, 1, 44)), call.Route);
        Assert.Equal("tile/0/001.p/44", call.Relative);
        Assert.Equal(aborted.Token, call.Cancel);

        await AnswerAsync("HEAD", "/checkpoint", files);
        call = files.Calls[1];
        Assert.True(call.Route.IsCheckpoint);
        Assert.Equal("checkpoint", call.Relative);
    }

    [Fact]
    public async Task AFileOfALogDirectory_IsCopiedWhole()
    {
        using var dir = new TempDir();
        byte[] bundle = Bytes(200_000); // above the memory cache's limit: served from its descriptor
        Directory.CreateDirectory(dir["tile/entries"]);
        File.WriteAllBytes(dir["tile/entries/000"], bundle);
        using var files = new PublishedFiles(dir.Path, () => new PublishedCheckpoint(300, Note), NullLogger.Instance, new TileMemoryCache(1 << 20));
        AssertFound(await AnswerAsync("GET", "/tile/entries/000", files), checkpoint: false, bundle);
        AssertFound(await AnswerAsync("HEAD", "/api/v2/tile/entries/000", files), checkpoint: false, bundle, withBody: false);
        AssertError(await AnswerAsync("GET", "/tile/entries/001.p/44", files), 404, "Not Found");
    }
}
