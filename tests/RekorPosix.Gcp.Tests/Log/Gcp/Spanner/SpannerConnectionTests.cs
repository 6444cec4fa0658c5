using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using RekorPosix.Log.Gcp;
using RekorPosix.Log.Gcp.Spanner;
using RekorPosix.Protos.Spanner;
using RekorPosix.Tests.Support;
using static RekorPosix.Log.Gcp.Spanner.SpannerValues;

namespace RekorPosix.Tests.Log.Gcp.Spanner;

/// <summary>The channel's settings (spec gcp-spanner-flavour.md §6.2): every call has a deadline,
/// carries the headers Google's clients send, and replies above Grpc.Net.Client's 4 MB default
/// get through.</summary>
public sealed class SpannerConnectionTests
{
    [Fact]
    public async Task ACallToAPortThatNeverAnswers_FailsAtItsDeadline_Clearly()
    {
        // The kernel accepts the connection; nobody ever reads or answers on it.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var endpoint = SpannerEndpoint.Emulator($"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}");
        using var connection = new SpannerConnection(endpoint, new SpannerSettings { CallTimeout = TimeSpan.FromMilliseconds(300) });
        await using var client = new SpannerClient(connection, SpannerDatabaseName.Parse("projects/p/instances/i/databases/silent"));

        var error = await Assert.ThrowsAsync<SpannerException>(() => client.ReadAsync("Counter", ["id"], SpannerKeys.All(), CancellationToken.None));

        Assert.Equal(StatusCode.DeadlineExceeded, error.Code);
        Assert.Equal($"Spanner BatchCreateSessions: no answer from the Spanner emulator at {endpoint.Address.Authority} before the call's deadline (DEADLINE_EXCEEDED)", error.Message);
    }

    [Fact]
    public async Task TheCallersCancellation_IsACancellation_NotASpannerError()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        using var connection = new SpannerConnection(SpannerEndpoint.Emulator($"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}"), new SpannerSettings());
        await using var client = new SpannerClient(connection, SpannerDatabaseName.Parse("projects/p/instances/i/databases/silent"));
        using var cancel = new CancellationTokenSource();

        var read = client.ReadAsync("Counter", ["id"], SpannerKeys.All(), cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
    }

    [Theory]
    [InlineData("billed-project")]
    [InlineData(null)]
    public async Task EveryCall_NamesItsDatabase_AndWhoCalls_AndTheQuotaProjectWhenThereIsOne(string? quotaProject)
    {
        var seen = new ConcurrentQueue<Dictionary<string, string>>();
        // A gRPC server that answers every call UNIMPLEMENTED (trailers only), after noting its headers.
        await using var server = await LoopbackHttpServer.StartAsync(context =>
        {
            seen.Enqueue(context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()));
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = ((int)StatusCode.Unimplemented).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        }, http2: true);
        using var connection = new SpannerConnection(new SpannerEndpoint(new Uri("http://" + server.HostPort), null, quotaProject), new SpannerSettings());
        var database = SpannerDatabaseName.Parse("projects/p/instances/i/databases/headers");

        var error = await Assert.ThrowsAsync<SpannerException>(() => connection.CallAsync("BatchCreateSessions", database, TimeSpan.FromSeconds(30),
            options => connection.Data.BatchCreateSessionsAsync(new BatchCreateSessionsRequest { Database = database.ToString(), SessionCount = 1 }, options), CancellationToken.None));

        Assert.Equal(StatusCode.Unimplemented, error.Code);
        var headers = Assert.Single(seen);
        Assert.Equal(database.ToString(), headers["google-cloud-resource-prefix"]);
        Assert.Equal(GoogleClientHeaders.ApiClient, headers["x-goog-api-client"]);
        // Grpc.Net.Client names itself first, then what the call adds.
        Assert.Matches(@"^grpc-dotnet/\S+ \([^)]*\) " + System.Text.RegularExpressions.Regex.Escape(GoogleClientHeaders.UserAgent) + "$", headers["user-agent"]);
        Assert.Equal(quotaProject, headers.GetValueOrDefault("x-goog-user-project"));
    }

    [Fact]
    public async Task UnaryRepliesOverFourMegabytes_PassTheRaisedLimit_AndTheDefaultWouldRefuseThem()
    {
        await using var database = await EmulatorDatabase.CreateAsync();
        byte[] nineMebibytes = SpannerClientTests.Pattern(9 << 20, seed: 7);
        await database.Client.ApplyAsync([SpannerMutations.Insert("Blob", EmulatorDatabase.BlobColumns, Int64(0), Int64(0), Bytes(nineMebibytes))], CancellationToken.None);
        using var defaultLimit = new SpannerConnection(SpannerEmulator.Endpoint(), new SpannerSettings { MaxReceiveMessageBytes = 4 * 1024 * 1024 });

        var raised = await UnaryReadAsync(database.Connection, database.Name);
        var refused = await Assert.ThrowsAsync<SpannerException>(() => UnaryReadAsync(defaultLimit, database.Name));

        Assert.Equal(Bytes(nineMebibytes), raised.Rows.Single().Values[2]);
        Assert.Equal(StatusCode.ResourceExhausted, refused.Code);
    }

    /// <summary>The unary Read (one ResultSet message of the whole result) in a fresh session.</summary>
    private static async Task<ResultSet> UnaryReadAsync(SpannerConnection connection, SpannerDatabaseName database)
    {
        var session = await connection.CallAsync("CreateSession", database, TimeSpan.FromSeconds(30),
            options => connection.Data.CreateSessionAsync(new CreateSessionRequest { Database = database.ToString() }, options), CancellationToken.None);
        var request = new ReadRequest
        {
            Session = session.Name,
            Transaction = new TransactionSelector { SingleUse = new TransactionOptions { ReadOnly = new TransactionOptions.Types.ReadOnly { Strong = true } } },
            Table = "Blob",
            Columns = { EmulatorDatabase.BlobColumns },
            KeySet = SpannerKeys.All(),
        };
        try
        {
            return await connection.CallAsync("Read", database, TimeSpan.FromSeconds(30), options => connection.Data.ReadAsync(request, options), CancellationToken.None);
        }
        finally
        {
            await connection.CallAsync("DeleteSession", database, TimeSpan.FromSeconds(30),
                options => connection.Data.DeleteSessionAsync(new DeleteSessionRequest { Name = session.Name }, options), CancellationToken.None);
        }
    }
}
