namespace RekorPosix.Log;

/// <summary>The appender is shutting down or has stopped; the entry was not taken.</summary>
public sealed class LogStoppedException() : Exception("the log is shutting down and takes no more entries");
