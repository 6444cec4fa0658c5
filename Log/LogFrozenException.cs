namespace RekorPosix.Log;

/// <summary>The log was frozen (its stored checkpoint carries the <see cref="FrozenCheckpoint"/>
/// line): no entry and no newer checkpoint may be written. <see cref="Final"/> is that checkpoint,
/// which covers everything ever integrated.</summary>
public sealed class LogFrozenException(string message, PublishedCheckpoint final) : Exception(message)
{
    public PublishedCheckpoint Final { get; } = final;
}
