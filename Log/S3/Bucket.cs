using System.Runtime.InteropServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using RekorPosix.Log.Cloud;

namespace RekorPosix.Log.S3;

/// <summary>
/// The log's objects in an S3-API bucket (S3, or GCS through its XML API), written and read as
/// tessera's AWS driver does: tiles and bundles create-only with the equal-bytes rule, the
/// checkpoint overwritten, partials deleted by prefix. Key layout and metadata are tlog-tiles' and
/// tessera's (https://github.com/C2SP/C2SP/blob/main/tlog-tiles.md).
/// </summary>
internal sealed class Bucket(IAmazonS3 s3, string name) : IBucket
{
    public const string CheckpointKey = IBucket.CheckpointKey;
    private const string ImmutableCacheControl = "max-age=604800,immutable";

    public string Name => name;

    /// <summary>Reads of an object that failed on the client's side, before giving up.</summary>
    private const int TornReadAttempts = 3;

    /// <summary>The object's bytes, or null when there is none (NoSuchKey). A read that fails on the
    /// client's side (not an answer of the store's) is made again: a GET racing an overwrite of the
    /// checkpoint on a store whose overwrites are not atomic gets a torn object, which the SDK's MD5
    /// check refuses. s3rver did so under load (the new bytes with the old ETag, or an empty ETag,
    /// which the SDK fails to parse), and failing the read failed a whole batch of callers. A GET
    /// changes nothing, so reading again is always safe.</summary>
    public async Task<byte[]?> ReadAsync(string key, CancellationToken cancel)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await ReadOnceAsync(key, cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not AmazonServiceException and not OperationCanceledException && attempt < TornReadAttempts
                && !cancel.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10 * attempt), cancel).ConfigureAwait(false);
            }
        }
    }

    private async Task<byte[]?> ReadOnceAsync(string key, CancellationToken cancel)
    {
        try
        {
            using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = name, Key = key }, cancel).ConfigureAwait(false);
            using var buffer = new MemoryStream(response.ContentLength > 0 ? (int)Math.Min(response.ContentLength, int.MaxValue) : 0);
            await response.ResponseStream.CopyToAsync(buffer, cancel).ConfigureAwait(false);
            return buffer.ToArray();
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            // Also a 404, but no object is missing: the log's storage is.
            throw new IOException($"bucket '{name}' does not exist", e);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchKey" || e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes a tile or bundle that must never change: create-only (If-None-Match: *); when the
    /// object exists already (412) it must hold exactly these bytes, which is what a retried
    /// integration writes. Anything else is refused, never overwritten.
    /// </summary>
    public async Task PutImmutableAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancel)
    {
        try
        {
            await PutAsync(key, data, "application/octet-stream", ImmutableCacheControl, createOnly: true, cancel).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "PreconditionFailed")
        {
            byte[] existing = await ReadAsync(key, cancel).ConfigureAwait(false)
                ?? throw new IOException($"{key}: the bucket said it exists (412), yet it cannot be read", e);
            if (!existing.AsSpan().SequenceEqual(data.Span))
                throw new LogStateException($"{key} in bucket {name} holds other bytes than the log computes for it: refusing to overwrite", e);
        }
    }

    /// <summary>Writes an object create-only (If-None-Match: *); false, with nothing changed, when
    /// one exists already at the key, whatever its bytes (checkpoint history keeps the first).</summary>
    public async Task<bool> TryCreateAsync(string key, ReadOnlyMemory<byte> data, string contentType, CancellationToken cancel)
    {
        try
        {
            await PutAsync(key, data, contentType, ImmutableCacheControl, createOnly: true, cancel).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "PreconditionFailed")
        {
            return false;
        }
    }

    /// <summary>The checkpoint is the one object that is replaced.</summary>
    public Task PutCheckpointAsync(byte[] note, CancellationToken cancel) =>
        PutAsync(CheckpointKey, note, "text/plain; charset=utf-8", "no-cache", createOnly: false, cancel);

    /// <summary>Every key under <paramref name="prefix"/>, a listing page (up to 1,000) at a time.</summary>
    public async IAsyncEnumerable<string> ListKeysAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel)
    {
        var request = new ListObjectsV2Request { BucketName = name, Prefix = prefix };
        while (true)
        {
            var listed = await s3.ListObjectsV2Async(request, cancel).ConfigureAwait(false);
            foreach (var item in listed.S3Objects ?? [])
                yield return item.Key;
            if (listed.IsTruncated != true || string.IsNullOrEmpty(listed.NextContinuationToken))
                yield break;
            request.ContinuationToken = listed.NextContinuationToken;
        }
    }

    /// <summary>Deletes every object under <paramref name="prefix"/> (a partials directory holds at
    /// most 255). An empty listing sends no delete: S3 answers an empty one with MalformedXML, which
    /// kept tessera's GC from ever advancing (tessera#1179).</summary>
    public async Task DeletePrefixAsync(string prefix, CancellationToken cancel)
    {
        var listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = name, Prefix = prefix }, cancel).ConfigureAwait(false);
        if (listed.S3Objects is not { Count: > 0 } objects)
            return;
        var delete = new DeleteObjectsRequest { BucketName = name, Objects = objects.ConvertAll(o => new KeyVersion { Key = o.Key }) };
        var result = await s3.DeleteObjectsAsync(delete, cancel).ConfigureAwait(false);
        if (result.DeleteErrors is { Count: > 0 } errors)
            throw new IOException($"deleting {prefix}*: {errors[0].Key}: {errors[0].Code} {errors[0].Message} ({errors.Count} failed)");
    }

    private async Task PutAsync(string key, ReadOnlyMemory<byte> data, string contentType, string cacheControl, bool createOnly, CancellationToken cancel)
    {
        var request = new PutObjectRequest
        {
            BucketName = name,
            Key = key,
            InputStream = ReadOnlyStream(data),
            ContentType = contentType,
            // A plain body: s3rver and GCS store aws-chunked framing as if it were the object.
            UseChunkEncoding = false,
        };
        request.Headers.CacheControl = cacheControl;
        if (createOnly)
            request.IfNoneMatch = "*";
        await s3.PutObjectAsync(request, cancel).ConfigureAwait(false);
    }

    /// <summary>A stream over the bytes without copying them (a batch's bundles are slices of one array).</summary>
    private static MemoryStream ReadOnlyStream(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);
}
