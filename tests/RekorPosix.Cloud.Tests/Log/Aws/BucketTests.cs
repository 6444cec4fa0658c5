using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using RekorPosix.Log;
using RekorPosix.Log.Aws;
using RekorPosix.Log.S3;

namespace RekorPosix.Tests.Log.Aws;

/// <summary>
/// The create-only write and its equal-bytes rule, against a store that honours If-None-Match as
/// S3 and GCS do (s3rver, the rig's store, ignores it and overwrites, so the 412 path is only
/// reachable here): a stand-in client that answers 412 for a key it holds.
/// </summary>
public sealed class BucketTests
{
    /// <summary>An in-memory bucket speaking just the calls Bucket makes, with S3's conditional put.</summary>
    private sealed class ConditionalStore() : AmazonS3Client(new BasicAWSCredentials("k", "s"), new AmazonS3Config { ServiceURL = "http://127.0.0.1:1" })
    {
        public Dictionary<string, byte[]> Objects { get; } = [];
        public List<PutObjectRequest> Puts { get; } = [];
        public bool LoseReads { get; set; }

        public override Task<PutObjectResponse> PutObjectAsync(PutObjectRequest request, CancellationToken cancellationToken = default)
        {
            Puts.Add(request);
            if (request.IfNoneMatch == "*" && Objects.ContainsKey(request.Key))
                throw new AmazonS3Exception("At least one of the pre-conditions you specified did not hold", ErrorType.Sender, "PreconditionFailed", "req", HttpStatusCode.PreconditionFailed);
            using var copy = new MemoryStream();
            request.InputStream.CopyTo(copy);
            Objects[request.Key] = copy.ToArray();
            return Task.FromResult(new PutObjectResponse { HttpStatusCode = HttpStatusCode.OK });
        }

        public override Task<GetObjectResponse> GetObjectAsync(GetObjectRequest request, CancellationToken cancellationToken = default)
        {
            if (LoseReads || !Objects.TryGetValue(request.Key, out byte[]? data))
                throw new AmazonS3Exception("The specified key does not exist.", ErrorType.Sender, "NoSuchKey", "req", HttpStatusCode.NotFound);
            return Task.FromResult(new GetObjectResponse { ResponseStream = new MemoryStream(data), ContentLength = data.Length, HttpStatusCode = HttpStatusCode.OK });
        }
    }

    private readonly ConditionalStore _store = new();
    private Bucket Bucket => new(_store, "log");

    [Fact]
    public async Task PutImmutable_WritesCreateOnly_WithTheImmutableHeaders()
    {
        await Bucket.PutImmutableAsync("tile/0/000", new byte[] { 1, 2, 3 }, CancellationToken.None);

        var put = Assert.Single(_store.Puts);
        Assert.Equal("*", put.IfNoneMatch);
        Assert.Equal("application/octet-stream", put.ContentType);
        Assert.Equal("max-age=604800,immutable", put.Headers.CacheControl);
        Assert.False(put.UseChunkEncoding);
        Assert.Equal(new byte[] { 1, 2, 3 }, _store.Objects["tile/0/000"]);
    }

    [Fact]
    public async Task PutImmutable_OfASliceOfABatchsBuffer_StoresExactlyTheSlice()
    {
        byte[] batch = [9, 9, 4, 5, 6, 9];
        await Bucket.PutImmutableAsync("tile/entries/000.p/3", batch.AsMemory(2, 3), CancellationToken.None);
        Assert.Equal(new byte[] { 4, 5, 6 }, _store.Objects["tile/entries/000.p/3"]);
    }

    [Fact]
    public async Task PutImmutable_OfTheSameBytesAgain_IsAccepted_AsARetriedIntegrationWritesThem()
    {
        await Bucket.PutImmutableAsync("tile/entries/000", new byte[] { 7, 7 }, CancellationToken.None);
        await Bucket.PutImmutableAsync("tile/entries/000", new byte[] { 7, 7 }, CancellationToken.None);

        Assert.Equal(2, _store.Puts.Count);
        Assert.Equal(new byte[] { 7, 7 }, _store.Objects["tile/entries/000"]);
    }

    [Fact]
    public async Task PutImmutable_OfOtherBytes_IsRefused_AndTheObjectIsKept()
    {
        await Bucket.PutImmutableAsync("tile/0/000", new byte[] { 1, 2, 3 }, CancellationToken.None);

        var e = await Assert.ThrowsAsync<LogStateException>(() => Bucket.PutImmutableAsync("tile/0/000", new byte[] { 1, 2, 4 }, CancellationToken.None));

        Assert.Contains("tile/0/000", e.Message);
        Assert.Contains("refusing to overwrite", e.Message);
        Assert.Equal(new byte[] { 1, 2, 3 }, _store.Objects["tile/0/000"]);
    }

    [Fact]
    public async Task TryCreate_WritesCreateOnly_AndLeavesAnExistingObjectAsItIs_WhateverItsBytes()
    {
        Assert.True(await Bucket.TryCreateAsync("checkpoints/005", new byte[] { 1 }, "text/plain; charset=utf-8", CancellationToken.None));
        Assert.False(await Bucket.TryCreateAsync("checkpoints/005", new byte[] { 2 }, "text/plain; charset=utf-8", CancellationToken.None));

        Assert.All(_store.Puts, put => Assert.Equal("*", put.IfNoneMatch));
        Assert.Equal("text/plain; charset=utf-8", _store.Puts[0].ContentType);
        Assert.Equal(new byte[] { 1 }, _store.Objects["checkpoints/005"]);
    }

    [Fact]
    public async Task PutImmutable_WhenA412dObjectCannotBeRead_FailsWithoutWriting()
    {
        await Bucket.PutImmutableAsync("tile/0/000", new byte[] { 1 }, CancellationToken.None);
        _store.LoseReads = true;

        var e = await Assert.ThrowsAsync<IOException>(() => Bucket.PutImmutableAsync("tile/0/000", new byte[] { 1 }, CancellationToken.None));

        Assert.Contains("412", e.Message);
    }

    [Fact]
    public async Task PutCheckpoint_Replaces_WithoutACondition()
    {
        await Bucket.PutCheckpointAsync([1], CancellationToken.None);
        await Bucket.PutCheckpointAsync([2], CancellationToken.None);

        Assert.All(_store.Puts, put => Assert.Null(put.IfNoneMatch));
        Assert.Equal("no-cache", _store.Puts[^1].Headers.CacheControl);
        Assert.Equal(new byte[] { 2 }, _store.Objects[Bucket.CheckpointKey]);
    }
}
