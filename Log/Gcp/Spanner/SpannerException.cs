using Grpc.Core;

namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>
/// A failed Spanner call, naming the call and where it went, with the gRPC status code kept
/// visible through every wrapping: ABORTED from any read or commit must reach the transaction
/// runner as such (spec gcp-spanner-flavour.md §6.8, pitfall 3).
/// </summary>
internal sealed class SpannerException : IOException
{
    public SpannerException(string call, SpannerEndpoint endpoint, RpcException inner)
        : base(Describe(call, endpoint, inner), inner)
    {
        Code = inner.StatusCode;
        Trailers = inner.Trailers;
    }

    public StatusCode Code { get; }

    /// <summary>The call's trailers: grpc-status-details-bin may hold a RetryInfo.</summary>
    public Metadata Trailers { get; }

    /// <summary>The session is gone (idle for an hour, or deleted): take another and retry.</summary>
    public bool IsSessionNotFound =>
        Code == StatusCode.NotFound && ((RpcException)InnerException!).Status.Detail.StartsWith("Session not found", StringComparison.Ordinal);

    private static string Describe(string call, SpannerEndpoint endpoint, RpcException e) => e.StatusCode switch
    {
        StatusCode.DeadlineExceeded => $"Spanner {call}: no answer from {endpoint} before the call's deadline (DEADLINE_EXCEEDED)",
        StatusCode.Unavailable => $"Spanner {call}: {endpoint} is unavailable (UNAVAILABLE): {e.Status.Detail}",
        _ => $"Spanner {call} failed ({e.StatusCode}): {e.Status.Detail}",
    };
}
