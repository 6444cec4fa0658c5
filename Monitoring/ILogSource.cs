namespace RekorPosix.Monitoring;

/// <summary>
/// Where the monitor reads a log: its files by their path under the log's root, as
/// https://c2sp.org/tlog-tiles lays them out (<c>checkpoint</c>, <c>tile/…</c>). Only reads; the
/// partial-tile fallback and every check of what is read are <see cref="TileFetcher"/>'s.
/// </summary>
internal interface ILogSource : IDisposable
{
    /// <summary>The log's URL or directory, for messages.</summary>
    string Location { get; }

    /// <summary>The file at <paramref name="path"/>, or null when the log does not have it (404, no such file).</summary>
    /// <exception cref="MonitorInputException">The log cannot be reached or read.</exception>
    /// <exception cref="LogVerificationException">The file is larger than <paramref name="maxBytes"/>, which no such file may be.</exception>
    Task<byte[]?> TryReadAsync(string path, int maxBytes, CancellationToken cancel);
}
