namespace RekorPosix.Log;

/// <summary>
/// The log as the front ends see it. <see cref="AddAsync"/> MUST NOT resolve before the entry is
/// durably sequenced at the index it returns; <see cref="AwaitPublicationAsync"/> resolves with a
/// published checkpoint whose size covers that index.
/// </summary>
public interface ITransparencyLog
{
    /// <summary>Appends an entry (at most 65,535 bytes) and returns its index once durably sequenced.
    /// Throws <see cref="PushbackException"/>, <see cref="LogStoppedException"/> or
    /// <see cref="EntryTooLargeException"/>; storage failures as they come.</summary>
    Task<long> AddAsync(ReadOnlyMemory<byte> entry, CancellationToken cancel);

    Task<PublishedCheckpoint> AwaitPublicationAsync(long index, CancellationToken cancel);

    /// <summary>The latest checkpoint this process knows to be published, or null.</summary>
    PublishedCheckpoint? LatestCheckpoint { get; }

    ILogReader Reader { get; }

    /// <summary>The integrated size as this process last learnt it.</summary>
    long IntegratedSize { get; }

    /// <summary>Raised each time integration grew the tree, with the new size: entries below it
    /// can be read from <see cref="Reader"/>.</summary>
    event Action<long>? Integrated;

    /// <summary>Stops taking entries, integrates what is queued, publishes a checkpoint that covers
    /// everything integrated, and stops the background work.</summary>
    Task ShutdownAsync(CancellationToken cancel);
}
