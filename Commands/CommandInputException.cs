namespace RekorPosix.Commands;

/// <summary>
/// An input a verifying command cannot get or read (a flag, a file, a URL), as opposed to what it
/// checks failing its check: the command exits 2, not 1, since nothing is known yet either way.
/// </summary>
internal sealed class CommandInputException(string message, Exception? inner = null) : Exception(message, inner);
