using System.Globalization;
using RekorPosix.Signing;
using RekorPosix.Verification;

namespace RekorPosix.Monitoring;

/// <summary>
/// The <c>monitor</c> command's work: each check reads the log's checkpoint, verifies its
/// signature, catches up from the state file's checkpoint to it (<see cref="LogCatchUp"/>), prints
/// the findings, and only then saves the new checkpoint as the state. A finding is therefore
/// printed once, or again after a crash between printing and saving (at least once, never lost).
/// <c>--once</c> runs one check and exits 0 (verified), 1 (the log is wrong) or 2 (it could not be
/// checked); otherwise a check runs every interval until SIGINT or SIGTERM, failures are reported
/// and counted, and the state stays at the last good checkpoint. Without a state file the first
/// check starts from size 0, or with <paramref name="trustOnFirstUse"/> from the log's current
/// checkpoint, whose entries are then never checked.
/// </summary>
internal sealed class LogMonitor(TileFetcher tiles, INoteVerifier log, MonitorStateFile state, WatchList watch,
    MonitorMetrics metrics, MetricsFile? metricsFile, TextWriter stdout, TextWriter stderr, TimeSpan progressInterval,
    bool trustOnFirstUse = false)
{
    public const int Verified = 0;
    public const int LogFailed = 1;
    public const int NotChecked = 2;

    private readonly FindingReport _report = new(stdout);

    /// <summary>One check from the state file's checkpoint; returns the exit code.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancel)
    {
        try
        {
            using var held = state.Lock();
            var from = state.Load(log) ?? await TrustedOnFirstUseAsync(cancel).ConfigureAwait(false);
            await CheckAsync(from, sayUnchanged: true, cancel).ConfigureAwait(false);
            return Verified;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Report(e);
        }
        finally
        {
            await WriteMetricsFileAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Checks every <paramref name="interval"/> until <paramref name="cancel"/>; returns 0, or 2 if it cannot start.</summary>
    public async Task<int> RunAsync(TimeSpan interval, CancellationToken cancel)
    {
        VerifiedCheckpoint? current;
        IDisposable held;
        try
        {
            held = state.Lock();
            current = state.Load(log);
        }
        catch (MonitorInputException e)
        {
            return Report(e);
        }
        using (held)
        {
            for (bool first = true; !cancel.IsCancellationRequested; first = false)
            {
                try
                {
                    current ??= await TrustedOnFirstUseAsync(cancel).ConfigureAwait(false);
                    current = (await CheckAsync(current, sayUnchanged: first, cancel).ConfigureAwait(false)).Checkpoint;
                }
                catch (OperationCanceledException) when (cancel.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    // Whatever went wrong, the next check starts again from the last good checkpoint.
                    Report(e);
                }
                await WriteMetricsFileAsync().ConfigureAwait(false);
                try
                {
                    await Task.Delay(interval, cancel).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        return Verified;
    }

    /// <summary>Verifies the log's current checkpoint from <paramref name="from"/>, prints the findings, saves the state.</summary>
    /// <param name="sayUnchanged">Say so on stderr also when the log has not grown.</param>
    public async Task<CatchUpResult> CheckAsync(VerifiedCheckpoint? from, bool sayUnchanged, CancellationToken cancel)
    {
        var to = await ReadCheckpointAsync(cancel).ConfigureAwait(false);
        var progress = new CatchUpProgress(stderr, progressInterval);
        var result = await new LogCatchUp(tiles, watch, progress).RunAsync(from, to, cancel).ConfigureAwait(false);
        foreach (var finding in result.Findings)
            _report.Write(finding, to);
        await stdout.FlushAsync(cancel).ConfigureAwait(false);
        bool grew = from is null || to.Size > from.Size;
        if (grew)
            state.Save(to);
        metrics.Verified(result, DateTimeOffset.UtcNow);
        if (grew || sayUnchanged)
            stderr.WriteLine(Summary(from, result, progress));
        return result;
    }

    /// <summary>With trust on first use, the log's current checkpoint, saved as the state; else null (size 0).</summary>
    private async Task<VerifiedCheckpoint?> TrustedOnFirstUseAsync(CancellationToken cancel)
    {
        if (!trustOnFirstUse)
            return null;
        var first = await ReadCheckpointAsync(cancel).ConfigureAwait(false);
        state.Save(first);
        metrics.VerifiedSize.Set(first.Size);
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"monitor: trusting {BoundedText.Of(first.Body.Origin)} at size {first.Size:N0} (root {first.RootText}) on first use: its first {first.Size:N0} entries are not checked"));
        return first;
    }

    /// <summary>The log's checkpoint, its signature verified.</summary>
    private async Task<VerifiedCheckpoint> ReadCheckpointAsync(CancellationToken cancel)
    {
        byte[] note = await tiles.ReadCheckpointAsync(cancel).ConfigureAwait(false);
        try
        {
            return VerifiedCheckpoint.Verify(note, log);
        }
        catch (LogVerificationException e)
        {
            throw new LogVerificationException($"{tiles.Location}/checkpoint: {e.Message}", e);
        }
    }

    private static string Summary(VerifiedCheckpoint? from, CatchUpResult result, CatchUpProgress progress)
    {
        var to = result.Checkpoint;
        var tally = result.Tally;
        string verified = string.Create(CultureInfo.InvariantCulture, $"monitor: verified {BoundedText.Of(to.Body.Origin)} at size {to.Size:N0} (root {to.RootText})");
        if (tally.Total == 0)
            return string.Create(CultureInfo.InvariantCulture, $"{verified}: no new entries");
        string unlisted = tally.Malformed > LogCatchUp.MaxMalformedListed
            ? string.Create(CultureInfo.InvariantCulture, $", the first {LogCatchUp.MaxMalformedListed:N0} listed")
            : "";
        string dsse = tally.Dsse > 0 ? string.Create(CultureInfo.InvariantCulture, $", {tally.Dsse:N0} dsse") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{verified} from size {from?.Size ?? 0:N0}: " +
            $"{tally.Total:N0} new {(tally.Total == 1 ? "entry" : "entries")} checked ({tally.Matches:N0} matching, {tally.Malformed:N0} malformed{unlisted}{dsse}) " +
            $"in {progress.Elapsed.TotalSeconds:F1} s, {progress.Rate:N0} entries/s");
    }

    private int Report(Exception e)
    {
        if (e is LogVerificationException)
        {
            metrics.Failures.Inc();
            stderr.WriteLine($"monitor: FAILED: {e.Message}");
            return LogFailed;
        }
        metrics.InputErrors.Inc();
        // A bug is not the log's failure: said as such, with where it happened, and "not checked".
        stderr.WriteLine(e is MonitorInputException ? $"monitor: {e.Message}" : $"monitor: unexpected error, the log was not checked: {e}");
        return NotChecked;
    }

    /// <summary>A metrics file that cannot be written is said on stderr; it does not change the check's outcome.</summary>
    private async Task WriteMetricsFileAsync()
    {
        if (metricsFile is null)
            return;
        try
        {
            await metricsFile.WriteAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (MonitorInputException e)
        {
            stderr.WriteLine($"monitor: {e.Message}");
        }
    }
}
