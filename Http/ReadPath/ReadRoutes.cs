using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Win32.SafeHandles;
using RekorPosix.Tiles;

namespace RekorPosix.Http.ReadPath;

/// <summary>
/// The read routes on the API port (<c>GET /api/v2/checkpoint</c>, <c>/api/v2/tile/...</c>,
/// <c>/api/v2/tile/entries/...</c>), so that a client given one base URL can both write and
/// read. Same grammar, same published-only rule and same headers as the tile listener; the body
/// goes through Kestrel, which copies it (the tile listener is the fast path). Errors keep the
/// gateway's JSON shape.
/// </summary>
internal static class ReadRoutes
{
    private const int ChunkSize = 64 * 1024;

    /// <param name="rawPath">The request target as sent, without its query.</param>
    public static async Task HandleAsync(HttpContext context, IPublishedReads? files, string rawPath, bool isGet)
    {
        if (!isGet)
        {
            await RestApi.WriteErrorAsync(context, ApiErrors.MethodNotAllowed()).ConfigureAwait(false);
            return;
        }
        if (files is null || !rawPath.StartsWith(ReadRoute.ApiPrefix + "/", StringComparison.Ordinal) || !ReadRoute.TryParse(rawPath, out var route))
        {
            await RestApi.WriteErrorAsync(context, ApiErrors.NotFound()).ConfigureAwait(false);
            return;
        }
        byte[] relative = Encoding.ASCII.GetBytes(rawPath[(ReadRoute.ApiPrefix.Length + 1)..]);
        var result = await files.ReadAsync(route, relative, context.RequestAborted).ConfigureAwait(false);
        switch (result.Status)
        {
            case ReadStatus.Found:
                break;
            case ReadStatus.NotFound:
                await RestApi.WriteErrorAsync(context, ApiErrors.NotFound()).ConfigureAwait(false);
                return;
            default:
                await RestApi.WriteErrorAsync(context, new ApiException(500, GrpcCode.Internal, "cannot read the tile")).ConfigureAwait(false);
                return;
        }
        await WriteFoundAsync(context, result).ConfigureAwait(false);
    }

    /// <summary>A found resource with the read path's headers; the body unless HEAD. Closes the
    /// result's file descriptor, if any.</summary>
    public static async Task WriteFoundAsync(HttpContext context, ReadResult result)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = result.ContentType;
        response.Headers.CacheControl = result.CacheControl;
        response.Headers.AccessControlAllowOrigin = ReadHeaders.AllowOrigin;
        response.ContentLength = result.Length;
        bool isHead = HttpMethods.IsHead(context.Request.Method);
        using var handle = result.Fd >= 0 ? new SafeFileHandle(result.Fd, ownsHandle: true) : null;
        if (isHead)
            return;
        try
        {
            if (result.Body is { } body)
                await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
            else
                await CopyAsync(handle!, result.Length, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client left mid-body: nobody to answer, nothing to log.
        }
    }

    private static async Task CopyAsync(SafeFileHandle handle, long length, HttpContext context)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(length, ChunkSize));
        try
        {
            long offset = 0;
            while (offset < length)
            {
                int n = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - offset)), offset);
                if (n == 0)
                {
                    // The file shrank under us: the promised Content-Length cannot be kept.
                    context.Abort();
                    return;
                }
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, n), context.RequestAborted).ConfigureAwait(false);
                offset += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
