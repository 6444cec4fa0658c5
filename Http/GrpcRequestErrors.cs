using System.Globalization;
using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using RekorPosix.Log;

namespace RekorPosix.Http;

/// <summary>
/// The answer to a gRPC call whose request message Grpc.AspNetCore cannot read (a length prefix
/// over 2^31, an unknown compressed flag, broken gzip, bytes that are not the protobuf). The
/// framework fails those before any interceptor runs, answering UNKNOWN "Exception was thrown by
/// handler." with an error and a stack trace in the log, for bytes any client can send at will.
/// Wrapped around the gRPC endpoints, this replaces that status, once the call is over and
/// before it is sent, with the one grpc-go (rekor-tiles) sends for the same bytes, and logs one
/// throttled warning instead.
/// </summary>
/// <remarks>
/// grpc-go's codes, not INVALID_ARGUMENT: they are the gRPC protocol's own (its statuscodes.md
/// makes a request that cannot be parsed or decompressed INTERNAL, a message over the limit
/// RESOURCE_EXHAUSTED, as Grpc.AspNetCore itself answers a cut frame or a smaller oversized
/// one), so clients and dashboards see what rekor-tiles would send. INVALID_ARGUMENT stays the
/// answer to a message that was read and holds an invalid entry.
/// </remarks>
internal sealed class GrpcRequestErrors(ILogger logger)
{
    private readonly LogThrottle _throttle = new();

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        await next(context).ConfigureAwait(false);
        var status = context.Features.Get<IServerCallContextFeature>()?.ServerCallContext.Status;
        // The framework's own catch is the only source of UNKNOWN with an exception attached:
        // the interceptor turns every handler failure into an RpcException with a plain status.
        if (status is not { StatusCode: StatusCode.Unknown, DebugException: { } error } || context.RequestAborted.IsCancellationRequested)
            return;
        string method = MetricLabels.GrpcMethod(context).Method;
        if (GrpcGoError(error) is not { } answer)
        {
            HttpEvents.GrpcCallFailed(logger, method, error);
            return;
        }
        SetStatus(context, answer);
        if (_throttle.TryPass(out int heldBack))
            HttpEvents.MalformedGrpcMessage(logger, method, answer.Message, heldBack);
    }

    /// <summary>grpc-go's answer to a request message that could not be read; null for any other failure.</summary>
    internal static ApiException? GrpcGoError(Exception error) => error switch
    {
        InvalidProtocolBufferException => ApiErrors.UnparsableMessage(),
        // An unknown compressed flag, or gzip that does not decompress.
        InvalidDataException => ApiErrors.UnreadableMessage(),
        // A length prefix over int.MaxValue, which Grpc.AspNetCore rejects before its size limit check
        // (GrpcApiTests pins the message, so an upgrade that changes it is noticed).
        IOException when error.Message.StartsWith("Message too large", StringComparison.Ordinal) => ApiErrors.MessageTooLarge(),
        _ => null,
    };

    private static void SetStatus(HttpContext context, ApiException answer)
    {
        // A call that fails before sending a message is answered trailers-only: its status is in the headers.
        var fields = context.Response.HasStarted
            ? context.Features.Get<IHttpResponseTrailersFeature>()!.Trailers
            : context.Response.Headers;
        fields["grpc-status"] = ((int)answer.Code).ToString(CultureInfo.InvariantCulture);
        fields["grpc-message"] = answer.Message;
    }
}
