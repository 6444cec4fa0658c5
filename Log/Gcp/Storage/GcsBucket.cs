using RekorPosix.Log.Cloud;

namespace RekorPosix.Log.Gcp.Storage;

/// <summary>
/// The log's objects in a GCS bucket over the JSON API, with the operations of the S3-API
/// bucket (Log/Aws/Bucket.cs) and tessera's GCP rules (spec gcp-spanner-flavour.md §5.1-§5.4;
/// shared spec cloud-flavours.md §4.2, §4.3): tiles and bundles create-only with the equal-bytes
/// rule, the checkpoint overwritten, partials deleted by prefix.
/// </summary>
internal sealed class GcsBucket(GcsClient client) : IBucket
{
    public const string CheckpointKey = IBucket.CheckpointKey;
    private const string ImmutableCacheControl = "max-age=604800,immutable";

    /// <summary>Deletes of one prefix in flight at once: a partials directory holds up to 255.</summary>
    private const int ParallelDeletes = 8;

    public string Name => client.Bucket;

    /// <summary>The object's bytes, or null when there is none.</summary>
    public Task<byte[]?> ReadAsync(string key, CancellationToken cancel) => client.DownloadAsync(key, cancel);

    /// <summary>
    /// Writes a tile or bundle that must never change: create-only (<c>ifGenerationMatch=0</c>);
    /// when the object exists already (412) it must hold exactly these bytes, which is what a
    /// retried integration writes. Anything else is refused, never overwritten (pitfall 22).
    /// </summary>
    public async Task PutImmutableAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancel)
    {
        if (await client.UploadAsync(key, data, "application/octet-stream", ImmutableCacheControl, createOnly: true, cancel).ConfigureAwait(false))
            return;
        byte[] existing = await ReadAsync(key, cancel).ConfigureAwait(false)
            ?? throw new IOException($"{key}: bucket {Name} said it exists (412), yet it cannot be read");
        if (!existing.AsSpan().SequenceEqual(data.Span))
            throw new LogStateException($"{key} in bucket {Name} holds other bytes than the log computes for it: refusing to overwrite");
    }

    /// <summary>Writes an object create-only (<c>ifGenerationMatch=0</c>); false, with nothing
    /// changed, when one exists already at the key, whatever its bytes (checkpoint history keeps the first).</summary>
    public Task<bool> TryCreateAsync(string key, ReadOnlyMemory<byte> data, string contentType, CancellationToken cancel) =>
        client.UploadAsync(key, data, contentType, ImmutableCacheControl, createOnly: true, cancel);

    /// <summary>The checkpoint is the one object that is replaced; tried once (§5.4: the next
    /// publication covers a failed one).</summary>
    public Task PutCheckpointAsync(byte[] note, CancellationToken cancel) =>
        client.UploadAsync(CheckpointKey, note, "text/plain; charset=utf-8", "no-cache", createOnly: false, cancel);

    /// <summary>Every name under <paramref name="prefix"/>, all pages, in name order.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancel)
    {
        var names = new List<string>();
        string? pageToken = null;
        do
        {
            var page = await client.ListAsync(prefix, pageToken, cancel).ConfigureAwait(false);
            names.AddRange(page.Items?.Select(item => item.Name).OfType<string>() ?? []);
            pageToken = page.NextPageToken is { Length: > 0 } next ? next : null;
        }
        while (pageToken is not null);
        return names;
    }

    public async IAsyncEnumerable<string> ListKeysAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel)
    {
        foreach (string name in await ListAsync(prefix, cancel).ConfigureAwait(false))
            yield return name;
    }

    /// <summary>Deletes every object under <paramref name="prefix"/>, one call per object (the JSON
    /// API has no multi-delete outside batch requests); one already gone counts as deleted (§9
    /// pitfall 23).</summary>
    public async Task DeletePrefixAsync(string prefix, CancellationToken cancel)
    {
        var names = await ListAsync(prefix, cancel).ConfigureAwait(false);
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = ParallelDeletes, CancellationToken = cancel },
            async (name, token) => await client.DeleteAsync(name, token).ConfigureAwait(false)).ConfigureAwait(false);
    }
}
