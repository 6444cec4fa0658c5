using Microsoft.AspNetCore.Http;

namespace RekorPosix.Http;

/// <summary>A whole answer in one write: status, type, length and (unless the request is a HEAD)
/// the body, cancelled with the request.</summary>
internal static class ResponseBody
{
    public static Task WriteAsync(HttpContext context, int status, string contentType, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : context.Response.Body.WriteAsync(body, 0, body.Length, context.RequestAborted);
    }
}
