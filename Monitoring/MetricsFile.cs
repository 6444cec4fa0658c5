using RekorPosix.Log.Files;

namespace RekorPosix.Monitoring;

/// <summary>
/// <c>--metrics-file</c>: the metrics written after every check, whole and atomically (temp file and
/// rename), for node_exporter's textfile collector
/// (https://github.com/prometheus/node_exporter#textfile-collector): name it <c>*.prom</c> in its directory.
/// </summary>
internal sealed class MetricsFile(string path, MonitorMetrics metrics)
{
    /// <exception cref="MonitorInputException">The file cannot be written.</exception>
    public async Task WriteAsync(CancellationToken cancel)
    {
        var buffer = new MemoryStream();
        await metrics.WriteAsync(buffer, cancel).ConfigureAwait(false);
        try
        {
            AtomicFiles.Overwrite(path, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MonitorInputException($"--metrics-file {path}: {e.Message}", e);
        }
    }
}
