using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Http;
using RekorPosix.Log;
using RekorPosix.Log.Antispam;
using RekorPosix.Log.Entries;
using RekorPosix.Protos.RekorV2;
using RekorPosix.Signing.ClientSignatures;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Http;

/// <summary>The entry service's error paths that a healthy log cannot be forced into, each also
/// seen through a real Kestrel: pushback (503), a client that went away (499), a checkpoint
/// that never comes (504), a storage failure (500).</summary>
public class EntryServiceTests
{
    private static EntryService Service(FakeLog log, string dir, TimeSpan? timeout = null, int maxPending = 0) =>
        new(new HashedRekordValidator(AllowedAlgorithms.Default),
            DedupAppender.OpenAsync(_ => throw new InvalidOperationException("in-memory only"), log, new AntispamOptions { Persistent = false }, NullLogger.Instance).GetAwaiter().GetResult(),
            log, new byte[32], timeout ?? TimeSpan.FromSeconds(20), NullLogger.Instance, maxPending);

    private static CreateEntryRequest Request() => JsonParser.Default.Parse<CreateEntryRequest>(WriteApiRequests.NewJson());

    [Fact]
    public async Task Pushback_Is503WithRetryAfter()
    {
        using var dir = new TempDir();
        var service = Service(new FakeLog { Add = (_, _) => throw new PushbackException("queue full") }, dir.Path);
        var error = await Assert.ThrowsAsync<ApiException>(() => service.CreateAsync(Request(), CancellationToken.None));
        Assert.Equal(503, error.HttpStatus);
        Assert.Equal(GrpcCode.Unavailable, error.Code);
        Assert.Equal(1, error.RetryAfterSeconds);

        await using var host = await ApiHost.StartAsync(service);
        var response = await host.Http.PostAsync("/api/v2/log/entries", WriteApiRequests.Content(WriteApiRequests.NewJson()));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(14, body.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task WritesBeyondMaxPending_Are503_UntilAWaitingOneIsAnswered()
    {
        using var dir = new TempDir();
        // The waits end, once released, in a failure (a fake log has no tiles to prove from):
        // what counts here is that every write ended is counted out, however it ended.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new FakeLog { Await = async (_, cancel) => { await release.Task.WaitAsync(cancel); throw new LogStoppedException(); } };
        var service = Service(log, dir.Path, maxPending: 2);
        var first = service.CreateAsync(Request(), CancellationToken.None);
        var second = service.CreateAsync(Request(), CancellationToken.None);
        Assert.Equal(2, service.PendingWrites);

        var refused = await Assert.ThrowsAsync<ApiException>(() => service.CreateAsync(Request(), CancellationToken.None));
        Assert.Equal(503, refused.HttpStatus);
        Assert.Equal(1, refused.RetryAfterSeconds);
        // An invalid write is refused the same way at the limit: nothing is verified beyond it.
        Assert.Equal(503, (await Assert.ThrowsAsync<ApiException>(() => service.CreateAsync(new CreateEntryRequest(), CancellationToken.None))).HttpStatus);

        release.SetResult();
        await Assert.ThrowsAsync<ApiException>(() => first.WaitAsync(HangGuard.Timeout));
        await Assert.ThrowsAsync<ApiException>(() => second.WaitAsync(HangGuard.Timeout));
        Assert.Equal(0, service.PendingWrites);
        var admitted = await Assert.ThrowsAsync<ApiException>(() => service.CreateAsync(Request(), CancellationToken.None).WaitAsync(HangGuard.Timeout));
        Assert.NotEqual(503, admitted.HttpStatus);
        // A write refused as invalid counts out too.
        Assert.Equal(400, (await Assert.ThrowsAsync<ApiException>(() => service.CreateAsync(new CreateEntryRequest(), CancellationToken.None))).HttpStatus);
        Assert.Equal(0, service.PendingWrites);
    }

    [Fact]
    public async Task AClientThatWentAway_Is499()
    {
        using var dir = new TempDir();
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new FakeLog().Await;
        var log = new FakeLog { Await = (index, cancel) => { waiting.TrySetResult(); return never(index, cancel); } };
        // The server's own timeout is far off: only the client's going away can end the wait.
        var service = Service(log, dir.Path, TimeSpan.FromHours(1));
        using var gone = new CancellationTokenSource();
        var creating = service.CreateAsync(Request(), gone.Token);
        await waiting.Task.WaitAsync(HangGuard.Timeout);
        gone.Cancel();
        var error = await Assert.ThrowsAsync<ApiException>(() => creating.WaitAsync(HangGuard.Timeout));
        Assert.Equal(499, error.HttpStatus);
        Assert.Equal(GrpcCode.Canceled, error.Code);
    }

    [Fact]
    public async Task ACheckpointThatNeverComes_Is504AfterTheServerTimeout()
    {
        using var dir = new TempDir();
        var service = Service(new FakeLog(), dir.Path, TimeSpan.FromMilliseconds(200));
        await using var host = await ApiHost.StartAsync(service);
        var response = await host.Http.PostAsync("/api/v2/log/entries", WriteApiRequests.Content(WriteApiRequests.NewJson()));
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(4, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetInt32());
    }

    /// <summary>A checkpoint that never comes times out at the shorter of the client's timeout
    /// (grpc-timeout) and the server's; the longer one is an hour, beyond the hang guard.</summary>
    [Theory]
    [InlineData(3_600_000, 200)]
    [InlineData(200, 3_600_000)]
    public async Task CreateAsync_TimesOutAtTheShorterOfTheClientAndServerTimeouts(int serverMs, int clientMs)
    {
        using var dir = new TempDir();
        var service = Service(new FakeLog(), dir.Path, TimeSpan.FromMilliseconds(serverMs));
        var error = await Assert.ThrowsAsync<ApiException>(() =>
            service.CreateAsync(Request(), CancellationToken.None, TimeSpan.FromMilliseconds(clientMs)).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(504, error.HttpStatus);
        Assert.Equal(GrpcCode.DeadlineExceeded, error.Code);
    }

    [Fact]
    public async Task AStorageFailure_Is500WithTheGenericMessage()
    {
        using var dir = new TempDir();
        var service = Service(new FakeLog { Add = (_, _) => throw new IOException("disk on fire") }, dir.Path);
        await using var host = await ApiHost.StartAsync(service);
        var response = await host.Http.PostAsync("/api/v2/log/entries", WriteApiRequests.Content(WriteApiRequests.NewJson()));
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("failed to integrate entry", body.GetProperty("message").GetString());
        Assert.Equal(2, body.GetProperty("code").GetInt32());
    }

    /// <summary>Kestrel on loopback with only the REST API over a given entry service.</summary>
    private sealed class ApiHost : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private ApiHost(WebApplication app, int port)
        {
            _app = app;
            Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        }

        public HttpClient Http { get; }

        public static async Task<ApiHost> StartAsync(EntryService service)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var builder = SlimHost.CreateBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
            var app = builder.Build();
            var rest = new RestApi(service, files: null, 4 << 20, NullLogger.Instance);
            app.Run(rest.HandleAsync);
            await app.StartAsync();
            return new ApiHost(app, port);
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
