namespace RekorPosix.Log.Cloud;

/// <summary>
/// The object store of a cloud flavour as its driver uses it, whatever the API (S3 for aws and
/// gcpcloudsql, the GCS JSON API for gcp): tiles and bundles create-only with the equal-bytes rule,
/// the checkpoint the one object replaced, partials deleted by prefix (spec cloud-flavours.md §4).
/// </summary>
internal interface IBucket
{
    public const string CheckpointKey = "checkpoint";

    /// <summary>The bucket's name, for messages.</summary>
    string Name { get; }

    /// <summary>The object's bytes, or null when there is none.</summary>
    Task<byte[]?> ReadAsync(string key, CancellationToken cancel);

    /// <summary>Writes a tile or bundle create-only; an existing object must hold exactly these
    /// bytes, else <see cref="LogStateException"/> and nothing is overwritten.</summary>
    Task PutImmutableAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancel);

    /// <summary>Writes an object create-only; false, with nothing changed, when one exists already.</summary>
    Task<bool> TryCreateAsync(string key, ReadOnlyMemory<byte> data, string contentType, CancellationToken cancel);

    /// <summary>Replaces the checkpoint.</summary>
    Task PutCheckpointAsync(byte[] note, CancellationToken cancel);

    /// <summary>Every key under <paramref name="prefix"/>.</summary>
    IAsyncEnumerable<string> ListKeysAsync(string prefix, CancellationToken cancel);

    /// <summary>Deletes every object under <paramref name="prefix"/>; none there is no error.</summary>
    Task DeletePrefixAsync(string prefix, CancellationToken cancel);
}
