using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Http;

namespace RekorPosix.Http;

/// <summary>
/// Label values that a client could choose, reduced to closed sets: every distinct value is a
/// series kept for the life of the process, so a client sending a new method name per request
/// would otherwise grow memory and every scrape without bound.
/// </summary>
public static class MetricLabels
{
    public const string Other = "other";

    /// <summary>GET, POST or HEAD, as Kestrel spells them; any other method is "other".</summary>
    public static string HttpMethod(string method) =>
        HttpMethods.IsGet(method) ? HttpMethods.Get
        : HttpMethods.IsPost(method) ? HttpMethods.Post
        : HttpMethods.IsHead(method) ? HttpMethods.Head
        : Other;

    /// <summary>
    /// The service and method of the endpoint that took the call, as registered: routing ignores
    /// case, so the request path (what ServerCallContext.Method returns) is the
    /// client's spelling, not ours.
    /// </summary>
    public static (string Service, string Method) GrpcMethod(HttpContext context)
    {
        var method = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;
        return method is null ? (Other, Other) : (method.ServiceName, method.Name);
    }
}
