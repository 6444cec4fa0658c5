using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using RekorPosix.Log.Gcp.Spanner;

namespace RekorPosix.Tests.Log.Gcp.Spanner;

/// <summary>The wait before re-running an ABORTED transaction (spec gcp-spanner-flavour.md §4.1, §6.8).</summary>
public sealed class AbortBackoffTests
{
    private static readonly SpannerSettings Settings = new() { InitialAbortBackoff = TimeSpan.FromMilliseconds(10), MaxAbortBackoff = TimeSpan.FromMilliseconds(100) };

    private static SpannerException Aborted(Metadata trailers) =>
        new("Commit", SpannerEndpoint.Emulator("127.0.0.1:9010"), new RpcException(new Grpc.Core.Status(StatusCode.Aborted, "Transaction 7 aborted"), trailers));

    private static Metadata RetryInfoTrailers(TimeSpan delay)
    {
        var status = new Google.Rpc.Status { Code = (int)StatusCode.Aborted, Message = "aborted" };
        status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(delay) }));
        return new Metadata { { "grpc-status-details-bin", status.ToByteArray() } };
    }

    [Fact]
    public void SpannersRetryInfo_IsTheDelay_WithinTheBound()
    {
        var backoff = new AbortBackoff(Settings);

        Assert.Equal(TimeSpan.FromMilliseconds(30), backoff.Next(Aborted(RetryInfoTrailers(TimeSpan.FromMilliseconds(30)))));
        Assert.Equal(TimeSpan.FromMilliseconds(100), backoff.Next(Aborted(RetryInfoTrailers(TimeSpan.FromSeconds(30)))));
    }

    [Fact]
    public void WithoutRetryInfo_TheWaitDoubles_UpToTheBound_Jittered()
    {
        var backoff = new AbortBackoff(Settings);
        var aborted = Aborted([]);

        // Each wait lies in [ceiling/2, ceiling]; the ceiling goes 10, 20, 40, 80, 100, 100 ms.
        foreach (int ceiling in new[] { 10, 20, 40, 80, 100, 100 })
        {
            var wait = backoff.Next(aborted);
            Assert.InRange(wait, TimeSpan.FromMilliseconds(ceiling / 2.0), TimeSpan.FromMilliseconds(ceiling));
        }
    }

    [Fact]
    public void UnreadableDetails_AreIgnored()
    {
        var trailers = new Metadata { { "grpc-status-details-bin", new byte[] { 0xff, 0xff, 0xff } } };

        Assert.Null(AbortBackoff.RetryDelay(Aborted(trailers)));
        Assert.Null(AbortBackoff.RetryDelay(Aborted([])));
    }
}
