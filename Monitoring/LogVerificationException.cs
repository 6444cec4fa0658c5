namespace RekorPosix.Monitoring;

/// <summary>
/// What the log serves is provably wrong: a bad checkpoint signature, a tree that is not
/// consistent with the one verified before, an entry or a tile that does not match: exit 1. The
/// message names the sizes and roots involved.
/// </summary>
internal sealed class LogVerificationException(string message, Exception? inner = null) : Exception(message, inner);
