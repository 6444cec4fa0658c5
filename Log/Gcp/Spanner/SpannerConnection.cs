using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Protos.LongRunning;
using RekorPosix.Protos.Spanner;
using RekorPosix.Protos.SpannerAdmin;

namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>
/// One gRPC channel to Spanner (spec gcp-spanner-flavour.md §6.2) and the calls over it: each with
/// a deadline, each failure a <see cref="SpannerException"/> naming the call, the receive limit
/// raised above Grpc.Net.Client's 4 MB, on production a bearer token on every call, and the
/// headers Google's clients send (<see cref="GoogleClientHeaders"/>). Failures at shutdown are
/// logged to <see cref="Logger"/>.
/// </summary>
internal sealed class SpannerConnection : IDisposable
{
    /// <summary>What Google's clients send on data calls: the database the call is about.</summary>
    private const string ResourcePrefixHeader = "google-cloud-resource-prefix";

    private readonly GrpcChannel _channel;

    public SpannerConnection(SpannerEndpoint endpoint, SpannerSettings settings, ILogger? logger = null)
    {
        Endpoint = endpoint;
        Settings = settings;
        Logger = logger ?? NullLogger.Instance;
        _channel = GrpcChannel.ForAddress(endpoint.Address, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = settings.MaxReceiveMessageBytes,
            Credentials = endpoint.Tokens is { } tokens
                ? ChannelCredentials.Create(ChannelCredentials.SecureSsl, BearerTokens(tokens))
                : ChannelCredentials.Insecure,
        });
        Data = new Protos.Spanner.Spanner.SpannerClient(_channel);
        Admin = new DatabaseAdmin.DatabaseAdminClient(_channel);
        Operations = new Operations.OperationsClient(_channel);
    }

    public SpannerEndpoint Endpoint { get; }

    public SpannerSettings Settings { get; }

    public ILogger Logger { get; }

    public Protos.Spanner.Spanner.SpannerClient Data { get; }

    public DatabaseAdmin.DatabaseAdminClient Admin { get; }

    public Operations.OperationsClient Operations { get; }

    /// <summary>How the read-write transactions over this channel ended.</summary>
    public TransactionTally Transactions { get; } = new();

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <summary>The gate a read-write transaction on <paramref name="database"/> passes alone, with
    /// <see cref="SpannerSettings.OneTransactionAtATime"/>; null without.</summary>
    public SemaphoreSlim? TransactionGate(SpannerDatabaseName database) =>
        Settings.OneTransactionAtATime ? _gates.GetOrAdd(database.ToString(), _ => new SemaphoreSlim(1, 1)) : null;

    /// <summary>Runs one unary call with a deadline <paramref name="timeout"/> from now.</summary>
    public async Task<T> CallAsync<T>(string call, SpannerDatabaseName database, TimeSpan timeout, Func<CallOptions, AsyncUnaryCall<T>> invoke, CancellationToken cancel)
    {
        try
        {
            using var pending = invoke(Options(database, timeout, cancel));
            return await pending.ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw Failure(call, e, cancel);
        }
    }

    /// <summary>A read of any size: StreamingRead with its chunks merged; the deadline covers the
    /// whole stream.</summary>
    public async Task<IReadOnlyList<SpannerRow>> StreamingReadAsync(SpannerDatabaseName database, ReadRequest request, CancellationToken cancel)
    {
        string call = $"StreamingRead of {request.Table}";
        try
        {
            using var stream = Data.StreamingRead(request, Options(database, Settings.CallTimeout, cancel));
            var merger = new PartialResultMerger();
            while (await stream.ResponseStream.MoveNext(cancel).ConfigureAwait(false))
                merger.Add(stream.ResponseStream.Current);
            return merger.Finish();
        }
        catch (RpcException e)
        {
            throw Failure(call, e, cancel);
        }
    }

    public void Dispose() => _channel.Dispose();

    private CallOptions Options(SpannerDatabaseName database, TimeSpan timeout, CancellationToken cancel) =>
        new(headers: Headers(database), deadline: DateTime.UtcNow + timeout, cancellationToken: cancel);

    /// <summary>The database the call is about, who calls, and the quota project when the
    /// credentials name one (spec gcp-spanner-flavour.md §6.2, §7.3).</summary>
    private Metadata Headers(SpannerDatabaseName database)
    {
        var headers = new Metadata
        {
            { ResourcePrefixHeader, database.ToString() },
            // Grpc.Net.Client appends it to its own user agent.
            { GoogleClientHeaders.UserAgentHeader, GoogleClientHeaders.UserAgent },
            { GoogleClientHeaders.ApiClientHeader, GoogleClientHeaders.ApiClient },
        };
        if (Endpoint.QuotaProject is { } project)
            headers.Add(GoogleClientHeaders.UserProjectHeader, project);
        return headers;
    }

    /// <summary>The caller's own cancellation stays an <see cref="OperationCanceledException"/>.</summary>
    private Exception Failure(string call, RpcException e, CancellationToken cancel) =>
        e.StatusCode == StatusCode.Cancelled && cancel.IsCancellationRequested
            ? new OperationCanceledException($"Spanner {call} was cancelled", e, cancel)
            : new SpannerException(call, Endpoint, e);

    private static CallCredentials BearerTokens(IAccessTokenSource tokens) =>
        CallCredentials.FromInterceptor(async (context, metadata) =>
            metadata.Add("authorization", "Bearer " + await tokens.GetAccessTokenAsync(context.CancellationToken).ConfigureAwait(false)));
}
