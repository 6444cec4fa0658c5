namespace RekorPosix.Monitoring;

/// <summary>
/// The monitor could not get or read what it needs (a flag, a file, the log's URL, a resource the
/// log does not serve): exit 2. Nothing is known to be wrong with the log, only that it could not
/// be checked.
/// </summary>
internal sealed class MonitorInputException(string message, Exception? inner = null) : Exception(message, inner);
