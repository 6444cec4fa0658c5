using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using RekorPosix.Tiles;

namespace RekorPosix.Http.ReadPath;

/// <summary>
/// The tile port (<c>--tiles-port</c>) of a flavour whose files are in a bucket, served by Kestrel:
/// the sendfile listener needs files on this machine and never waits, while a bucket read does.
/// Same routes (at the root and under <c>/api/v2</c>), same headers and the same short text
/// errors as that listener, so a client or a cache in front cannot tell them apart.
/// </summary>
internal static class TilePortRoutes
{
    public static async Task HandleAsync(HttpContext context, IPublishedReads? files)
    {
        // Ordinal, as the listener compares: methods are case-sensitive (RFC 9110 §9.1), and
        // HttpMethods.IsGet would take "get", which the listener answers 405.
        string method = context.Request.Method;
        bool isHead = method == HttpMethods.Head;
        if (method != HttpMethods.Get && !isHead)
        {
            await WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, isHead: false).ConfigureAwait(false);
            return;
        }
        string path = RestApi.RawPath(context);
        if (files is null || !ReadRoute.TryParse(path, out var route))
        {
            await WriteErrorAsync(context, StatusCodes.Status404NotFound, isHead).ConfigureAwait(false);
            return;
        }
        byte[] raw = Encoding.ASCII.GetBytes(path);
        var result = await files.ReadAsync(route, raw.AsMemory(ReadRoute.RelativeStart(raw)), context.RequestAborted).ConfigureAwait(false);
        if (result.Status == ReadStatus.Found)
            await ReadRoutes.WriteFoundAsync(context, result).ConfigureAwait(false);
        else
            await WriteErrorAsync(context, result.Status == ReadStatus.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status500InternalServerError,
                isHead).ConfigureAwait(false);
    }

    /// <summary>The listener's error answer: the reason phrase and a newline, never cached.</summary>
    private static async Task WriteErrorAsync(HttpContext context, int status, bool isHead)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.AccessControlAllowOrigin = ReadHeaders.AllowOrigin;
        if (status == StatusCodes.Status405MethodNotAllowed)
            response.Headers.Allow = "GET, HEAD";
        byte[] body = Encoding.ASCII.GetBytes(ReasonPhrases.GetReasonPhrase(status) + "\n");
        response.ContentLength = body.Length;
        if (!isHead)
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
