namespace RekorPosix.Log;

/// <summary>
/// The storage side of one flavour, behind the append lifecycle (<see cref="AppendLifecycle"/>),
/// as tessera separates its appender from its drivers. A driver keeps the log's shared state and
/// its cross-process locks; it takes no decisions of policy (batching, pacing, signing): those come
/// in as arguments. Methods may block on storage: the lifecycle calls them from its own workers.
/// Every flavour passes the same contract tests.
/// </summary>
public interface ILogDriver : IAsyncDisposable
{
    /// <summary>What the storage holds, for the follower, proofs and audits.</summary>
    ILogReader Reader { get; }

    /// <summary>Checks the storage before anything is written and prepares it (a fresh one gets an
    /// empty tree); returns the integrated tree head. Called once, first. Throws
    /// <see cref="LogStateException"/> for storage this process must not continue from, and
    /// <see cref="LogFrozenException"/> for a frozen log.</summary>
    Task<TreeHead> OpenAsync(CancellationToken cancel);

    /// <summary>Assigns the batch consecutive indices and returns the first. MUST NOT return before
    /// the assignment is durable: a crash afterwards never loses nor reorders these entries. Throws
    /// <see cref="LogFrozenException"/> or <see cref="PushbackException"/> with nothing written.</summary>
    Task<long> SequenceAsync(IReadOnlyList<ReadOnlyMemory<byte>> entries, CancellationToken cancel);

    /// <summary>Integrates everything sequenced (by any process) and not yet integrated, and returns
    /// the integrated tree head. Cheap when there is nothing to do. A driver whose sequencing also
    /// integrates (POSIX) only reports its head.</summary>
    Task<TreeHead> IntegrateAsync(CancellationToken cancel);

    /// <summary>Under the driver's cross-process publication lock: when <paramref name="pace"/>
    /// allows, stores the checkpoint <paramref name="make"/> returns for the integrated head.
    /// Throws <see cref="LogFrozenException"/> once the stored checkpoint is final.</summary>
    Task<Publication> PublishAsync(PublicationPace pace, CheckpointMaker make, CancellationToken cancel);

    /// <summary>Deletes partial tiles and bundles that the checkpoint at
    /// <paramref name="publishedSize"/> no longer implies, a bounded amount per call; true when more
    /// is left for another call.</summary>
    Task<bool> CollectGarbageAsync(long publishedSize, CancellationToken cancel);

    /// <summary>Ends the log for good: under the sequencing, integration and publication locks,
    /// integrates whatever is sequenced and stores the checkpoint <paramref name="make"/> returns (it
    /// adds the frozen line) for that head, so that no sequenced entry is left beyond the final
    /// checkpoint. Null, with nothing written, when a writer holds the integration lock; a log
    /// frozen already is left as it is.</summary>
    Task<FreezeOutcome?> TryFreezeAsync(CheckpointMaker make, CancellationToken cancel);
}

/// <summary>What a freeze did: <see cref="Wrote"/> is false when the log was frozen already.</summary>
public readonly record struct FreezeOutcome(bool Wrote, PublishedCheckpoint Final);
