namespace RekorPosix.Log;

/// <summary>The log on disk is not in a state this process may continue from: corrupt,
/// inconsistent, or of an unknown version. The message names the file at fault; the
/// operator has to look before anything more is written.</summary>
public sealed class LogStateException(string message, Exception? inner = null) : Exception(message, inner);
