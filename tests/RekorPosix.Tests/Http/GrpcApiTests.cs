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
    public async Task WithDuplicateReturnsEntry_ADuplicate_IsOK_WithItsEntry_AndTheIndexHeader()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path, s => s with { DuplicateReturnsEntry = true });
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        var client = new Rekor.RekorClient(channel);
        var request = Request();
        var first = await client.CreateEntryAsync(request);
        await client.CreateEntryAsync(Request());

        using var duplicate = client.CreateEntryAsync(request);
        var again = await duplicate.ResponseAsync;
        var headers = await duplicate.ResponseHeadersAsync;
        Assert.Equal("200", headers.GetValue("x-http-code"));
        Assert.Equal("0", headers.GetValue("x-log-index"));
        Assert.Equal(first.LogIndex, again.LogIndex);
        Assert.Equal(first.CanonicalizedBody, again.CanonicalizedBody);
        var checkpoint = Checkpoint.Parse(SignedNote.Open(again.InclusionProof.Checkpoint.Envelope, [TestLogKey.Verifier()]));
        Assert.Equal(2, checkpoint.Size);
        Assert.True(MerkleProof.VerifyInclusion(CanonicalBody.LeafHash(again.CanonicalizedBody.Span), again.LogIndex, checkpoint.Size,
            again.InclusionProof.Hashes.Select(h => h.ToByteArray()).ToList(), checkpoint.RootHash));
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

    /// <summary>
    /// A grpc-timeout already over when the call arrives (below Grpc.AspNetCore's 100 ns tick, or
    /// zero) is DEADLINE_EXCEEDED, as grpc-go's expired context makes it, and the entry is not
    /// appended: the same request sent next, without a deadline, gets index 0. Before, these
    /// deadlines were ignored and the call answered OK.
    /// </summary>
    [Theory]
    [InlineData("1n")]
    [InlineData("99n")]
    [InlineData("0S")]
    public async Task CreateEntry_WithAClientDeadlineAlreadyOver_IsDeadlineExceeded_AndAppendsNothing(string timeout)
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path);
        using var client = RawGrpcCall.NewClient();
        byte[] frame = RawGrpcCall.Frame(Request().ToByteArray());
        var late = await RawGrpcCall.SendAsync(client, server.GrpcAddress, RawGrpcCall.CreateEntryPath, frame, ("grpc-timeout", timeout));
        Assert.Equal("4", late.Status);
        var again = await RawGrpcCall.SendAsync(client, server.GrpcAddress, RawGrpcCall.CreateEntryPath, frame);
        Assert.Equal("0", again.Status);
        Assert.Equal(0, Protos.RekorV1.TransparencyLogEntry.Parser.ParseFrom(again.Body.AsSpan(5)).LogIndex);
    }

    private const string HealthCheckPath = "/grpc.health.v1.Health/Check";

    /// <summary>A real CreateEntryRequest cut in half: a field that announces more bytes than follow.</summary>
    private static byte[] TruncatedProtobuf()
    {
        byte[] whole = Request().ToByteArray();
        return whole[..(whole.Length / 2)];
    }

    /// <summary>
    /// Messages no gRPC client sends, with what grpc-go (rekor-tiles) answers for the same bytes:
    /// RESOURCE_EXHAUSTED for a length over the limit, INTERNAL for a frame cut short, an unknown
    /// compressed flag, a payload that is not gzip and a payload that is not the protobuf.
    /// </summary>
    public static TheoryData<string, byte[], string?, int> MalformedMessages => new()
    {
        { RawGrpcCall.CreateEntryPath, RawGrpcCall.Frame([1, 2, 3], length: 0xFFFFFFFF), null, 8 },
        { RawGrpcCall.CreateEntryPath, RawGrpcCall.Frame([1, 2, 3], length: 5 << 20), null, 8 },
        { RawGrpcCall.CreateEntryPath, RawGrpcCall.Frame([1, 2, 3], length: 100), null, 13 },
        { RawGrpcCall.CreateEntryPath, [2, 0, 0, 0, 0], null, 13 },
        { RawGrpcCall.CreateEntryPath, RawGrpcCall.Frame([0xFF, 0xFF, 0xFF, 0xFF]), null, 13 },
        { RawGrpcCall.CreateEntryPath, RawGrpcCall.Frame(TruncatedProtobuf()), null, 13 },
        { RawGrpcCall.CreateEntryPath, RawGrpcCall.Frame([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF], compressed: true), "gzip", 13 },
        { HealthCheckPath, RawGrpcCall.Frame([0xFF, 0xFF, 0xFF, 0xFF]), null, 13 },
    };

    [Theory]
    [MemberData(nameof(MalformedMessages))]
    public async Task MalformedMessages_GetGrpcGosStatus_NotUnknown(string path, byte[] body, string? encoding, int status)
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path);
        using var client = RawGrpcCall.NewClient();
        var answer = await RawGrpcCall.SendAsync(client, server.GrpcAddress, path, body,
            encoding is null ? [] : [("grpc-encoding", encoding)]);
        Assert.Equal(status.ToString(System.Globalization.CultureInfo.InvariantCulture), answer.Status);
        Assert.DoesNotContain("Exception", answer.Message ?? "");
    }

    /// <summary>Any client can send broken messages at will: no stack trace, no error, and at most
    /// one short warning per interval for all of them (before, an error with a stack trace each).</summary>
    [Fact]
    public async Task MalformedMessages_LogAtMostOneShortWarning()
    {
        using var dir = new TempDir();
        await using var server = await ServerProcess.StartAsync(dir.Path);
        using var client = RawGrpcCall.NewClient();
        var sending = System.Diagnostics.Stopwatch.StartNew();
        for (int round = 0; round < 5; round++)
        {
            foreach (var row in MalformedMessages)
            {
                string? encoding = (string?)row[2];
                var answer = await RawGrpcCall.SendAsync(client, server.GrpcAddress, (string)row[0], (byte[])row[1],
                    encoding is null ? [] : [("grpc-encoding", encoding)]);
                Assert.Equal(((int)row[3]).ToString(System.Globalization.CultureInfo.InvariantCulture), answer.Status);
            }
        }
        LogLines.AssertThrottledWarnings(await server.StopAsync(), sending.Elapsed, "Rejected gRPC call to ");
    }
}
