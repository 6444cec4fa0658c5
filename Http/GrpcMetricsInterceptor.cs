using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace RekorPosix.Http;

/// <summary>
/// go-grpc-middleware's server metrics for unary calls (started, handled by code, messages,
/// handling time), rekor-tiles' request-size histogram, and its panic recovery: an unexpected
/// exception becomes <c>Internal</c> "internal server error" and is counted.
/// </summary>
public sealed class GrpcMetricsInterceptor(ServerMetrics metrics) : Interceptor
{
    private const string Unary = "unary";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var (service, method) = MetricLabels.GrpcMethod(context.GetHttpContext());
        metrics.GrpcStarted.WithLabels(Unary, service, method).Inc();
        metrics.GrpcReceived.WithLabels(Unary, service, method).Inc();
        if (request is IMessage message)
            metrics.GrpcRequestSize.WithLabels(service, method, "payload").Observe(message.CalculateSize());
        var clock = Stopwatch.StartNew();
        StatusCode code = StatusCode.OK;
        try
        {
            var response = await continuation(request, context).ConfigureAwait(false);
            metrics.GrpcSent.WithLabels(Unary, service, method).Inc();
            return response;
        }
        catch (RpcException e)
        {
            code = e.StatusCode;
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            code = StatusCode.Internal;
            metrics.GrpcPanicsRecovered.Inc();
            throw new RpcException(new Status(StatusCode.Internal, "internal server error"));
        }
        finally
        {
            metrics.GrpcHandled.WithLabels(Unary, service, method, code.ToString()).Inc();
            metrics.GrpcHandling.WithLabels(Unary, service, method).Observe(clock.Elapsed.TotalSeconds);
        }
    }
}
