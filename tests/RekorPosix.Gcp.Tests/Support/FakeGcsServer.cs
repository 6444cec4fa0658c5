using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace RekorPosix.Tests.Support;

/// <summary>
/// The part of the GCS JSON API the gcp flavour uses, in process (spec gcp-spanner-flavour.md
/// §5.2, §8.6; https://cloud.google.com/storage/docs/json_api/v1/objects), following the
/// documented behaviour: multipart and media uploads with <c>ifGenerationMatch</c> (412 when it
/// does not hold), generation numbers, <c>alt=media</c> downloads, object metadata, list by prefix
/// with <c>maxResults</c>/<c>pageToken</c>, delete (204, 404), JSON error bodies, bearer tokens
/// (401), and anonymous path-style reads <c>GET /&lt;bucket&gt;/&lt;name&gt;</c>. Object names are
/// taken from the raw request target, so a name whose '/' was not escaped misses, as on GCS.
/// Faults are injected per request: <see cref="FailNext"/>, <see cref="StallNext"/>.
/// </summary>
internal sealed class FakeGcsServer : IAsyncDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly string _bucket;
    private readonly SortedDictionary<string, StoredObject> _objects = new(StringComparer.Ordinal);
    private long _generation = 1_700_000_000_000_000;

    public sealed record StoredObject(byte[] Data, string? ContentType, string? CacheControl, long Generation);

    private FakeGcsServer(LoopbackHttpServer server, string bucket)
    {
        _server = server;
        _bucket = bucket;
    }

    public static async Task<FakeGcsServer> StartAsync(string bucket = "tiles")
    {
        FakeGcsServer? fake = null;
        var server = await LoopbackHttpServer.StartAsync(context => fake!.HandleAsync(context));
        fake = new FakeGcsServer(server, bucket);
        return fake;
    }

    /// <summary>As STORAGE_EMULATOR_HOST takes it.</summary>
    public string HostPort => _server.HostPort;

    public Uri Root => _server.BaseAddress;

    /// <summary>When set, only these bearer tokens are accepted; others get 401.</summary>
    public ConcurrentDictionary<string, bool>? AcceptedTokens { get; set; }

    /// <summary>The next requests are answered with these statuses (and a JSON error), untouched.</summary>
    public ConcurrentQueue<int> FailNext { get; } = new();

    /// <summary>The next requests get no answer until the client gives up.</summary>
    public int StallNext { get; set; }

    /// <summary>Every request as "METHOD raw-target".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Every request's headers, names in lower case.</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> RequestHeaders { get; } = new();

    public StoredObject? Get(string name)
    {
        lock (_objects)
            return _objects.GetValueOrDefault(name);
    }

    public void Put(string name, byte[] data, string contentType = "application/octet-stream")
    {
        lock (_objects)
            _objects[name] = new StoredObject(data, contentType, null, ++_generation);
    }

    public IReadOnlyList<string> Names()
    {
        lock (_objects)
            return [.. _objects.Keys];
    }

    private async Task HandleAsync(HttpContext context)
    {
        string target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        Requests.Enqueue($"{context.Request.Method} {target}");
        RequestHeaders.Enqueue(context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()));
        if (StallNext > 0)
        {
            StallNext--;
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
            return;
        }
        if (FailNext.TryDequeue(out int status))
        {
            await Error(context, status, status == 429 ? "The object exceeded the rate limit for object mutation operations." : "Backend Error", status == 429 ? "rateLimitExceeded" : "backendError");
            return;
        }
        string[] segments = [.. target.Split('?')[0].Split('/').Skip(1).Select(Uri.UnescapeDataString)];
        if (segments is [var bucket, .. var key] && bucket != "storage" && bucket != "upload" && context.Request.Method == "GET")
        {
            await PathStyleRead(context, bucket, string.Join('/', key));
            return;
        }
        if (AcceptedTokens is { } accepted && !(context.Request.Headers.Authorization.ToString() is var auth
            && auth.StartsWith("Bearer ", StringComparison.Ordinal) && accepted.ContainsKey(auth["Bearer ".Length..])))
        {
            await Error(context, 401, "Invalid Credentials", "authError");
            return;
        }
        await ((context.Request.Method, segments) switch
        {
            ("POST", ["upload", "storage", "v1", "b", var b, "o"]) when b == _bucket => Upload(context),
            ("GET", ["storage", "v1", "b", var b, "o"]) when b == _bucket => List(context),
            ("GET", ["storage", "v1", "b", var b, "o", var name]) when b == _bucket => Download(context, name),
            ("DELETE", ["storage", "v1", "b", var b, "o", var name]) when b == _bucket => Delete(context, name),
            (_, ["storage" or "upload", ..]) when segments.Contains("b") => Error(context, 404, "The specified bucket does not exist.", "notFound"),
            _ => Error(context, 404, "Not Found", "notFound"),
        });
    }

    private async Task Upload(HttpContext context)
    {
        var query = context.Request.Query;
        byte[] body = await ReadBody(context.Request);
        (string? name, string? contentType, string? cacheControl, byte[] data) upload;
        switch (query["uploadType"].ToString())
        {
            case "multipart":
                if (Multipart(context.Request.ContentType, body) is not { } parts)
                {
                    await Error(context, 400, "Invalid multipart request", "invalid");
                    return;
                }
                using (var metadata = JsonDocument.Parse(parts.Metadata))
                    upload = (Text(metadata, "name"), Text(metadata, "contentType") ?? parts.ContentType, Text(metadata, "cacheControl"), parts.Data);
                break;
            case "media":
                upload = (query["name"], context.Request.ContentType, null, body);
                break;
            default:
                await Error(context, 400, "Upload requests must include an uploadType URL parameter", "invalid");
                return;
        }
        if (string.IsNullOrEmpty(upload.name))
        {
            await Error(context, 400, "Required", "required");
            return;
        }
        StoredObject stored;
        lock (_objects)
        {
            long? current = _objects.TryGetValue(upload.name, out var existing) ? existing.Generation : null;
            if (query.ContainsKey("ifGenerationMatch") && long.Parse(query["ifGenerationMatch"]!) != (current ?? 0))
                stored = null!;
            else
                _objects[upload.name] = stored = new StoredObject(upload.data, upload.contentType, upload.cacheControl, ++_generation);
        }
        if (stored is null)
            await Error(context, 412, "At least one of the pre-conditions you specified did not hold.", "conditionNotMet");
        else
            await Json(context, 200, Resource(upload.name, stored));
    }

    private async Task Download(HttpContext context, string name)
    {
        if (Get(name) is not { } stored)
        {
            await Error(context, 404, $"No such object: {_bucket}/{name}", "notFound");
            return;
        }
        if (context.Request.Query["alt"] != "media")
        {
            await Json(context, 200, Resource(name, stored));
            return;
        }
        context.Response.ContentType = stored.ContentType;
        context.Response.ContentLength = stored.Data.Length;
        context.Response.Headers["x-goog-generation"] = stored.Generation.ToString();
        await context.Response.Body.WriteAsync(stored.Data);
    }

    private async Task PathStyleRead(HttpContext context, string bucket, string name)
    {
        if (bucket != _bucket || Get(name) is not { } stored)
        {
            context.Response.StatusCode = 404;
            return;
        }
        context.Response.ContentType = stored.ContentType;
        if (stored.CacheControl is not null)
            context.Response.Headers.CacheControl = stored.CacheControl;
        await context.Response.Body.WriteAsync(stored.Data);
    }

    /// <summary>Names in lexicographic order; the page token is the last name of the page before.</summary>
    private Task List(HttpContext context)
    {
        var query = context.Request.Query;
        string prefix = query["prefix"].ToString();
        int max = query.ContainsKey("maxResults") ? Math.Min(int.Parse(query["maxResults"]!), 1000) : 1000;
        string? after = query.ContainsKey("pageToken") ? Encoding.UTF8.GetString(Convert.FromBase64String(query["pageToken"]!)) : null;
        List<(string Name, StoredObject Stored)> matching;
        lock (_objects)
            matching = [.. _objects.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal) && (after is null || string.CompareOrdinal(o.Key, after) > 0))
                .Select(o => (o.Key, o.Value))];
        var page = matching.Take(max).ToList();
        var answer = new JsonObject { ["kind"] = "storage#objects" };
        if (page.Count > 0)
            answer["items"] = new JsonArray([.. page.Select(o => (JsonNode)Resource(o.Name, o.Stored))]);
        if (matching.Count > max)
            answer["nextPageToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(page[^1].Name));
        return Json(context, 200, answer);
    }

    private Task Delete(HttpContext context, string name)
    {
        bool removed;
        lock (_objects)
            removed = _objects.Remove(name);
        if (!removed)
            return Error(context, 404, $"No such object: {_bucket}/{name}", "notFound");
        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private JsonObject Resource(string name, StoredObject stored)
    {
        var resource = new JsonObject
        {
            ["kind"] = "storage#object",
            ["name"] = name,
            ["bucket"] = _bucket,
            ["generation"] = stored.Generation.ToString(),
            ["metageneration"] = "1",
            ["size"] = stored.Data.Length.ToString(),
        };
        if (stored.ContentType is not null)
            resource["contentType"] = stored.ContentType;
        if (stored.CacheControl is not null)
            resource["cacheControl"] = stored.CacheControl;
        return resource;
    }

    /// <summary>multipart/related: the JSON metadata part, then the media part (RFC 2387).</summary>
    private static (byte[] Metadata, string? ContentType, byte[] Data)? Multipart(string? contentType, byte[] body)
    {
        if (contentType is null || !System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var type) || type.MediaType != "multipart/related")
            return null;
        string? boundary = type.Parameters.FirstOrDefault(p => p.Name == "boundary")?.Value?.Trim('"');
        if (string.IsNullOrEmpty(boundary))
            return null;
        byte[] delimiter = Encoding.ASCII.GetBytes("--" + boundary);
        var parts = new List<(string Headers, byte[] Content)>();
        int at = IndexOf(body, delimiter, 0);
        if (at != 0)
            return null;
        while (true)
        {
            int start = at + delimiter.Length;
            if (body.AsSpan(start).StartsWith("--"u8))
                break;
            if (!body.AsSpan(start).StartsWith("\r\n"u8))
                return null;
            int next = IndexOf(body, [.. "\r\n"u8, .. delimiter], start);
            if (next < 0)
                return null;
            var part = body.AsSpan(start + 2, next - start - 2);
            int headersEnd = part.IndexOf("\r\n\r\n"u8);
            if (headersEnd < 0)
                return null;
            parts.Add((Encoding.ASCII.GetString(part[..headersEnd]), part[(headersEnd + 4)..].ToArray()));
            at = next + 2;
        }
        if (parts.Count != 2 || !parts[0].Headers.Contains("application/json", StringComparison.OrdinalIgnoreCase))
            return null;
        string? mediaType = parts[1].Headers.Split("\r\n").FirstOrDefault(h => h.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))?["Content-Type:".Length..].Trim();
        return (parts[0].Content, mediaType, parts[1].Content);
    }

    private static int IndexOf(byte[] body, byte[] value, int from)
    {
        int found = body.AsSpan(from).IndexOf(value);
        return found < 0 ? -1 : from + found;
    }

    private static string? Text(JsonDocument json, string field) =>
        json.RootElement.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static async Task<byte[]> ReadBody(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static Task Error(HttpContext context, int status, string message, string reason) => Json(context, status, new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["code"] = status,
            ["message"] = message,
            ["errors"] = new JsonArray(new JsonObject { ["message"] = message, ["domain"] = "global", ["reason"] = reason }),
        },
    });

    private static Task Json(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        return context.Response.WriteAsync(body.ToJsonString());
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
