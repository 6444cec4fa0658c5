using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Google.Protobuf;
using RekorPosix.Log.Entries;
using RekorPosix.Protos.RekorV2;
using RekorPosix.Signing;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Http;

/// <summary><c>dev.sigstore.rekor.v2.Rekor/CreateEntry</c> and the health service through
/// Grpc.Net.Client against a real server.</summary>
public class GrpcApiTests
{
    private static CreateEntryRequest Request(string? json = null) =>
        JsonParser.Default.Parse<CreateEntryRequest>(json ?? WriteApiRequests.NewJson());

    [Fact]
    public async Task CreateEntry_ReturnsTheTransparencyLogEntry_WithXHttpCode201()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path);
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        var client = new Rekor.RekorClient(channel);
        using var call = client.CreateEntryAsync(Request());
        var tle = await call.ResponseAsync;
        var headers = await call.ResponseHeadersAsync;
        Assert.Equal("201", headers.GetValue("x-http-code"));
        Assert.Equal(0, tle.LogIndex);
        Assert.Equal(TestLogKey.Load().LogId(TestData.TesseraOrigin), tle.LogId.KeyId.ToByteArray());
        Assert.Equal("hashedrekord", tle.KindVersion.Kind);
        var checkpoint = Checkpoint.Parse(SignedNote.Open(tle.InclusionProof.Checkpoint.Envelope, [TestLogKey.Verifier()]));
        Assert.True(MerkleProof.VerifyInclusion(CanonicalBody.LeafHash(tle.CanonicalizedBody.Span), tle.LogIndex, checkpoint.Size,
            tle.InclusionProof.Hashes.Select(h => h.ToByteArray()).ToList(), checkpoint.RootHash));
    }

    [Fact]
    public async Task Errors_CarryTheGrpcCodes_AndTheDuplicateIndex()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path);
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        var client = new Rekor.RekorClient(channel);
        var request = Request();
        await client.CreateEntryAsync(request);

        using var duplicate = client.CreateEntryAsync(request);
        var error = await Assert.ThrowsAsync<RpcException>(() => duplicate.ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
        Assert.Equal("0", (await duplicate.ResponseHeadersAsync).GetValue("x-log-index"));

        var invalid = Request();
        invalid.HashedRekordRequestV002.Digest = ByteString.CopyFrom(new byte[3]);
        error = await Assert.ThrowsAsync<RpcException>(async () => await client.CreateEntryAsync(invalid));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("invalid hashedrekord request", error.Status.Detail);

        error = await Assert.ThrowsAsync<RpcException>(async () => await client.CreateEntryAsync(new CreateEntryRequest()));
        Assert.Equal("invalid type, must be hashedrekord", error.Status.Detail);
    }

    [Fact]
    public async Task ReadOnly_IsUnimplementedLogFrozen()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path, s => s with { ReadOnly = true });
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        using var call = new Rekor.RekorClient(channel).CreateEntryAsync(Request());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Equal("log frozen", error.Status.Detail);
        Assert.Equal("405", (await call.ResponseHeadersAsync).GetValue("x-http-code"));
    }

    [Fact]
    public async Task Health_IsServing_ForAnyServiceName()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path);
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        var health = new Health.HealthClient(channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving,
            (await health.CheckAsync(new HealthCheckRequest { Service = "dev.sigstore.rekor.v2.Rekor" })).Status);
    }
}
