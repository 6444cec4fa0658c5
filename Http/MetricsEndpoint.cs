using Microsoft.AspNetCore.Http;

namespace RekorPosix.Http;

/// <summary>The metrics listener: the Prometheus text format on any path (as rekor-tiles serves it).</summary>
public static class MetricsEndpoint
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static Task HandleAsync(HttpContext context, ServerMetrics metrics) => HandleAsync(context, metrics.WriteAsync);

    /// <summary>Answers with what <paramref name="write"/> exports (the monitor's metrics, too).</summary>
    public static async Task HandleAsync(HttpContext context, Func<Stream, CancellationToken, Task> write)
    {
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }
        context.Response.ContentType = ContentType;
        var buffer = new MemoryStream();
        await write(buffer, context.RequestAborted).ConfigureAwait(false);
        context.Response.ContentLength = buffer.Length;
        if (HttpMethods.IsGet(context.Request.Method))
            await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }
}
