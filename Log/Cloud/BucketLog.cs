using RekorPosix.Tiles;

namespace RekorPosix.Log.Cloud;

/// <summary>
/// The bucket side of a cloud driver, the same whichever database coordinates it (MySQL for aws
/// and gcpcloudsql, Spanner for gcp): sequenced batches (Seq.v blobs) turned into the entries they
/// hold, their tiles and bundles written to the bucket, and the checkpoint read, made and stored.
/// </summary>
/// <param name="history">Where each published checkpoint is kept before it becomes the checkpoint
/// (<c>--checkpoint-history</c>); null: not kept.</param>
internal sealed class BucketLog(IBucket bucket, Func<CancellationToken, Task<TreeHead>> readIntegrated, ICheckpointHistory? history)
{
    public BucketReader Reader { get; } = new(bucket, readIntegrated);

    public string Name => bucket.Name;

    /// <summary>The Seq row of a batch: each entry as its bundle record and its leaf hash.</summary>
    public static byte[] EncodeBatch(IReadOnlyList<ReadOnlyMemory<byte>> entries)
    {
        var sequenced = new List<SequencedEntry>(entries.Count);
        foreach (var entry in entries)
        {
            byte[] record = new byte[EntryBundle.RecordSize(entry.Length)];
            EntryBundle.Write(record, entry.Span);
            sequenced.Add(new SequencedEntry(record, Rfc6962.LeafHash(entry.Span)));
        }
        return SequencedBatch.Encode(sequenced);
    }

    /// <summary>The integration step between reading the Seq rows and committing IntCoord: the
    /// rows decoded in order, and their tiles and bundles written to the bucket (create-only, so a
    /// re-run writes the same bytes). Returns the grown head.</summary>
    public async Task<TreeHead> IntegrateAsync(TreeHead head, IReadOnlyList<byte[]> blobs, CancellationToken cancel)
    {
        var entries = new List<ReadOnlyMemory<byte>>();
        foreach (byte[] blob in blobs)
        {
            foreach (var sequenced in SequencedBatch.Decode(blob))
                entries.Add(EntryOf(sequenced.BundleData, head.Size + entries.Count));
        }
        if (entries.Count == 0)
            return head;
        var edge = await StoredTreeCheck.ResumeEdgeAsync(Reader, head, cancel).ConfigureAwait(false);
        var prefix = TileMath.PartialEntryBundle(head.Size) is { } partial
            ? await Reader.ReadEntryBundleAsync(partial, cancel).ConfigureAwait(false)
            : default;
        var writes = BatchTiles.Build(edge, prefix, entries);
        await Task.WhenAll(writes.Select(w => bucket.PutImmutableAsync(w.Address.ToPath(), w.Data, cancel))).ConfigureAwait(false);
        return new TreeHead(edge.Size, edge.Root());
    }

    /// <summary>Seq.v stores each entry as its bundle record (uint16 length, then the bytes).</summary>
    private static ReadOnlyMemory<byte> EntryOf(ReadOnlyMemory<byte> bundleData, long index)
    {
        var record = bundleData.Span;
        if (record.Length < 2 || (record[0] << 8 | record[1]) != record.Length - 2)
            throw new LogStateException($"Seq row for index {index}: its BundleData is not one bundle record");
        return bundleData[2..];
    }

    /// <summary>Deletes the partial tiles and bundle that the full bundle at
    /// <paramref name="bundleIndex"/> completed.</summary>
    public async Task CollectPartialsAsync(long bundleIndex, CancellationToken cancel)
    {
        foreach (var full in TileMath.CompletedBy(bundleIndex))
            await bucket.DeletePrefixAsync(full.ToPath() + ".p/", cancel).ConfigureAwait(false);
    }

    public async Task<PublishedCheckpoint?> ReadPublishedAsync(CancellationToken cancel) =>
        await bucket.ReadAsync(IBucket.CheckpointKey, cancel).ConfigureAwait(false) is { } note ? PublishedCheckpoint.FromNote(note) : null;

    public async Task ThrowIfFrozenAsync(string refused, CancellationToken cancel)
    {
        if (await ReadPublishedAsync(cancel).ConfigureAwait(false) is { } current
            && FrozenCheckpoint.FrozenLine(current.Body()) is { } line)
            throw new LogFrozenException($"the log in bucket {bucket.Name} is frozen at size {current.Size} (\"{line}\"): {refused}", current);
    }

    public PublishedCheckpoint? ThrowIfFinal(PublishedCheckpoint? current) =>
        current is not null && FrozenCheckpoint.IsFrozen(current.Body())
            ? throw new LogFrozenException($"the log in bucket {bucket.Name} is frozen at size {current.Size}: its checkpoint is final", current)
            : current;

    /// <summary>Makes the checkpoint for <paramref name="head"/> and stores it, inside the
    /// coordinator's PubCoord transaction; a note for another tree is refused and nothing stored.
    /// History, when kept, is written first: a published checkpoint always has its copy there.</summary>
    public async Task<PublishedCheckpoint> MakeAndStoreAsync(TreeHead head, PublishedCheckpoint? current, CheckpointMaker make, CancellationToken cancel)
    {
        byte[] note = await make(head, current, cancel).ConfigureAwait(false);
        var made = PublishedCheckpoint.MadeFor(note, head);
        if (history is not null)
            await history.KeepAsync(made, cancel).ConfigureAwait(false);
        // Once signed, the checkpoint is written whole, even when shutdown cancels the publish
        // loop: a PUT cut off mid-body left s3rver holding a torn checkpoint, whose hash the next
        // start refused (MySqlDedupIndexTests' restart, about 1 run in 15). The store client's own
        // timeout bounds the wait.
        await bucket.PutCheckpointAsync(note, CancellationToken.None).ConfigureAwait(false);
        return made;
    }
}
