namespace RekorPosix.Tests.Support;

/// <summary>A crash point of <see cref="MemoryStore"/> fired: the step stopped where a process
/// would have died, with whatever it had stored up to there left in the store.</summary>
public sealed class SimulatedCrashException(string message) : Exception(message);
