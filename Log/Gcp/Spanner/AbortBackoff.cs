using Google.Protobuf.WellKnownTypes;
using Google.Rpc;

namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>
/// How long to wait before re-running an ABORTED transaction (spec gcp-spanner-flavour.md §4.1
/// item 5, §6.8): Spanner's RetryInfo delay when the status details carry one, else an
/// exponential backoff with jitter (so that two transactions that keep aborting each other drift
/// apart), bounded by <see cref="SpannerSettings.MaxAbortBackoff"/>.
/// </summary>
internal sealed class AbortBackoff(SpannerSettings settings)
{
    private const string StatusDetailsTrailer = "grpc-status-details-bin";

    private TimeSpan _ceiling = settings.InitialAbortBackoff;

    public TimeSpan Next(SpannerException aborted)
    {
        if (RetryDelay(aborted) is { } delay)
            return delay < settings.MaxAbortBackoff ? delay : settings.MaxAbortBackoff;
        var ceiling = _ceiling;
        _ceiling = ceiling * 2 < settings.MaxAbortBackoff ? ceiling * 2 : settings.MaxAbortBackoff;
        return ceiling / 2 + ceiling / 2 * Random.Shared.NextDouble();
    }

    /// <summary>google.rpc.RetryInfo in the trailer's google.rpc.Status details, if any.</summary>
    internal static TimeSpan? RetryDelay(SpannerException aborted)
    {
        var details = aborted.Trailers.Get(StatusDetailsTrailer);
        if (details is not { IsBinary: true })
            return null;
        try
        {
            foreach (Any detail in Status.Parser.ParseFrom(details.ValueBytes).Details)
            {
                if (detail.TryUnpack(out RetryInfo info) && info.RetryDelay is { } delay)
                    return delay.ToTimeSpan();
            }
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            // Unreadable details: back off on our own.
        }
        return null;
    }
}
