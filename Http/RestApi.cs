using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using RekorPosix.Http.ReadPath;
using RekorPosix.Http.Search;
using RekorPosix.Log;
using RekorPosix.Log.Entries;
using RekorPosix.Protos.RekorV2;

namespace RekorPosix.Http;

/// <summary>
/// The REST face of rekor-tiles' grpc-gateway mux, routed by hand (gRPC JSON transcoding does not
/// work under AOT): <c>POST /api/v2/log/entries</c>, <c>GET /healthz</c>, the read routes (served
/// from storage where rekor-tiles answers 501), the routes this server adds (proofs and checkpoint
/// history: <see cref="ProofRoutes"/>, <see cref="CheckpointHistoryRoute"/>; search:
/// <see cref="IndexRetrieveRoute"/>), and the gateway's exact answers for unknown paths (404) and
/// wrong methods (501). Content-Type and Accept are ignored, as the gateway ignores them.
/// </summary>
/// <param name="proofs">What the proof and checkpoint-history routes read; null: they answer 404.</param>
/// <param name="search">The search route; null: it answers 404 (no search index).</param>
internal sealed class RestApi(EntryService entries, IPublishedReads? files, long maxBodySize, ILogger logger, bool logPayloads = false,
    ServedProofs? proofs = null, IndexRetrieveRoute? search = null)
{
    public const string EntriesPath = "/api/v2/log/entries";
    private static readonly byte[] Serving = "{\"status\":\"SERVING\"}\n"u8.ToArray();
    private readonly LogThrottle _malformedBodies = new();
    private readonly LogThrottle _undecodable = new();
    private readonly IndexRetrieveRoute _search = search ?? new IndexRetrieveRoute(null, () => 0);

    public async Task HandleAsync(HttpContext context)
    {
        string path = context.Request.Path.Value ?? "";
        bool isGet = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);
        try
        {
            switch (path)
            {
                case EntriesPath when HttpMethods.IsPost(context.Request.Method):
                    await CreateEntryAsync(context).ConfigureAwait(false);
                    return;
                case "/healthz" when isGet:
                    await ResponseBody.WriteAsync(context, 200, "application/json", Serving).ConfigureAwait(false);
                    return;
                case IndexRetrieveRoute.Path when isGet || HttpMethods.IsPost(context.Request.Method):
                    await _search.HandleAsync(context, () => ReadBodyAsync(context)).ConfigureAwait(false);
                    return;
                case ProofRoutes.InclusionPath when isGet:
                    await ProofRoutes.HandleInclusionAsync(context, Proofs()).ConfigureAwait(false);
                    return;
                case ProofRoutes.ConsistencyPath when isGet:
                    await ProofRoutes.HandleConsistencyAsync(context, Proofs()).ConfigureAwait(false);
                    return;
                case EntriesPath or "/healthz" or IndexRetrieveRoute.Path or ProofRoutes.InclusionPath or ProofRoutes.ConsistencyPath:
                    throw ApiErrors.MethodNotAllowed();
            }
            if (path.StartsWith(CheckpointHistoryRoute.Prefix, StringComparison.Ordinal))
            {
                if (!isGet)
                    throw ApiErrors.MethodNotAllowed();
                await CheckpointHistoryRoute.HandleAsync(context, Proofs(), RawPath(context)).ConfigureAwait(false);
                return;
            }
            // The read routes, on the raw target: Kestrel has already decoded and normalised Path,
            // and only the one canonical spelling of a resource is served.
            if (path == "/api/v2/checkpoint" || path.StartsWith("/api/v2/tile/", StringComparison.Ordinal))
            {
                await ReadRoutes.HandleAsync(context, files, RawPath(context), isGet).ConfigureAwait(false);
                return;
            }
            throw ApiErrors.NotFound();
        }
        catch (ApiException e)
        {
            await WriteErrorAsync(context, e).ConfigureAwait(false);
        }
    }

    private ServedProofs Proofs() => proofs ?? throw ApiErrors.NotFound();

    private async Task CreateEntryAsync(HttpContext context)
    {
        byte[]? body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
            throw ApiErrors.Invalid("http: request body too large");
        if (logPayloads)
            HttpEvents.RequestPayload(logger, System.Text.Encoding.UTF8.GetString(body));
        CreateEntryRequest request;
        try
        {
            request = CreateEntryRequestDecoder.FromJson(body);
        }
        catch (RequestDecodeException e)
        {
            if (_undecodable.TryPass(out int heldBack))
                HttpEvents.BadRequest(logger, Clip(e.Message), heldBack);
            throw ApiErrors.Invalid(e.Message);
        }
        var created = await entries.CreateAsync(request, context.RequestAborted).ConfigureAwait(false);
        byte[] response = TransparencyLogEntryJson.Render(created);
        if (logPayloads)
            HttpEvents.ResponsePayload(logger, System.Text.Encoding.UTF8.GetString(response));
        // A duplicate returned as its logged entry (--duplicate-returns-entry): 200, and the index
        // in the header a 409 would carry, so a client can tell it from a new entry either way.
        if (created.IsDuplicate)
            context.Response.Headers["X-Log-Index"] = created.LogIndex.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await ResponseBody.WriteAsync(context, created.IsDuplicate ? 200 : 201, "application/json", response).ConfigureAwait(false);
    }

    /// <summary>
    /// The body (null when too large), or a 400 when Kestrel cannot decode it (a chunk size that is
    /// not hex or overflows, a bad chunk end): left to Kestrel, that is a 500 and a logged stack
    /// trace per request, which any client can cause at will.
    /// </summary>
    private async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        try
        {
            return await RequestBody.ReadAsync(context.Request, maxBodySize, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException)
        {
            if (context.RequestAborted.IsCancellationRequested)
                throw ApiErrors.ClientGone();
            if (_malformedBodies.TryPass(out int heldBack))
                HttpEvents.MalformedBody(logger, Clip(e.Message), heldBack);
            throw ApiErrors.MalformedBody();
        }
    }

    /// <summary>At most 100 characters of a parser's message, which may quote what the client sent.</summary>
    private static string Clip(string message) => message.Length <= 100 ? message : message[..100];

    internal static string RawPath(HttpContext context)
    {
        string raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        int query = raw.IndexOf('?');
        return query < 0 ? raw : raw[..query];
    }

    internal static async Task WriteErrorAsync(HttpContext context, ApiException error)
    {
        if (context.RequestAborted.IsCancellationRequested && error.HttpStatus != 499)
            return;
        if (error.LogIndex is { } index)
            context.Response.Headers["X-Log-Index"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (error.RetryAfterSeconds is { } seconds)
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            if (error.PlainTextBody is { } text)
                await ResponseBody.WriteAsync(context, error.HttpStatus, "text/plain; charset=utf-8", System.Text.Encoding.UTF8.GetBytes(text)).ConfigureAwait(false);
            else
                await ResponseBody.WriteAsync(context, error.HttpStatus, "application/json", TransparencyLogEntryJson.RenderError(error.Code, error.Message)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client is gone (499): there is nobody left to answer.
        }
    }
}
