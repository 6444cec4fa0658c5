using Amazon.S3;
using Microsoft.Extensions.Logging;
using RekorPosix.Log.Cloud;
using RekorPosix.Log.Gcp.Auth;
using RekorPosix.Log.Gcp.Spanner;
using RekorPosix.Log.Gcp.Storage;
using RekorPosix.Log.S3;

namespace RekorPosix.Log.Gcp;

/// <summary>
/// How the gcp binary reaches Spanner and GCS (spec gcp-spanner-flavour.md §2.3, §7): the emulators
/// named by SPANNER_EMULATOR_HOST and STORAGE_EMULATOR_HOST without credentials, else Google's
/// endpoints with Application Default Credentials, looked up once and only when one of them needs
/// them. With GCS_HMAC_ACCESS_KEY_ID set, the bucket is reached through its XML API with HMAC keys
/// as gcpcloudsql does. Everything opened here belongs to this object: disposing it deletes the
/// Spanner clients' sessions (within <see cref="SpannerSettings.ShutdownTimeout"/>, failures
/// logged to <paramref name="logger"/>), then closes the gRPC channel and the HTTP clients. Its
/// owner disposes it once nothing uses them any more (the served log last, or the command at exit).
/// </summary>
internal sealed class GoogleConnections : IAsyncDisposable, IStorageTransactions
{
    // One HTTP client for the token endpoint, the metadata server and the GCS JSON API.
    private readonly HttpClient _http = GoogleHttpClient.Create();
    private readonly Lock _lock = new();
    private readonly List<SpannerClient> _clients = [];
    private readonly List<IDisposable> _s3 = [];
    private readonly ILogger _logger;
    private readonly Lazy<Task<CachedTokenSource>> _tokens;
    private readonly Lazy<Task<SpannerConnection>> _spanner;
    private bool _disposed;

    public GoogleConnections(ILogger logger)
    {
        _logger = logger;
        // ADC is looked up once, when the first production endpoint needs it.
        _tokens = new(() => ApplicationDefaultCredentials.FindAsync(GoogleScopes.CloudPlatform, _http, CancellationToken.None));
        _spanner = new(OpenSpannerAsync);
    }

    /// <summary>The bucket by the path the environment picks. Throws <see cref="ArgumentException"/>
    /// for an unusable variable, <see cref="CredentialsException"/> when ADC finds none.</summary>
    public async Task<IBucket> BucketAsync(string name)
    {
        if (Environment.GetEnvironmentVariable(S3Clients.GcsHmacKeyVariable) is { Length: > 0 })
            return new Bucket(Owned(S3Clients.GcsHmac()), name);
        var endpoint = Environment.GetEnvironmentVariable(GcsEndpoint.EmulatorVariable) is { Length: > 0 } emulator
            ? Variable(() => GcsEndpoint.Emulator(emulator))
            : GcsEndpoint.Production(await _tokens.Value.ConfigureAwait(false));
        return new GcsBucket(new GcsClient(_http, endpoint, name, new GcsSettings()));
    }

    /// <summary>A client of <paramref name="database"/> over the one gRPC channel to Spanner (the
    /// log's database and the antispam one share it); creating it makes no call.</summary>
    public async Task<SpannerClient> SpannerClientAsync(SpannerDatabaseName database)
    {
        var client = new SpannerClient(await _spanner.Value.ConfigureAwait(false), database);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _clients.Add(client);
        }
        return client;
    }

    /// <summary>The one gRPC channel to Spanner, opened on first use.</summary>
    public Task<SpannerConnection> SpannerAsync() => _spanner.Value;

    /// <summary>None before the channel is open (and never in read-only mode, which opens none).</summary>
    public TransactionCounts Transactions =>
        _spanner is { IsValueCreated: true, Value.IsCompletedSuccessfully: true } ? _spanner.Value.Result.Transactions.Counts : default;

    /// <summary>The sessions first (their deletes need the channel and, on production, tokens
    /// over the HTTP client), then the channel, the clients and the token source.</summary>
    public async ValueTask DisposeAsync()
    {
        SpannerClient[] clients;
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            clients = [.. _clients];
        }
        await Task.WhenAll(clients.Select(client => client.DisposeAsync().AsTask())).ConfigureAwait(false);
        if (_spanner is { IsValueCreated: true, Value.IsCompletedSuccessfully: true })
            _spanner.Value.Result.Dispose();
        foreach (var s3 in _s3)
            s3.Dispose();
        if (_tokens is { IsValueCreated: true, Value.IsCompletedSuccessfully: true })
            _tokens.Value.Result.Dispose();
        _http.Dispose();
    }

    private async Task<SpannerConnection> OpenSpannerAsync()
    {
        var endpoint = Environment.GetEnvironmentVariable(SpannerEndpoint.EmulatorVariable) is { Length: > 0 } emulator
            ? Variable(() => SpannerEndpoint.Emulator(emulator))
            : SpannerEndpoint.Production(await _tokens.Value.ConfigureAwait(false));
        return new SpannerConnection(endpoint, new SpannerSettings { OneTransactionAtATime = endpoint.IsEmulator }, _logger);
    }

    private AmazonS3Client Owned(AmazonS3Client client)
    {
        lock (_lock)
            _s3.Add(client);
        return client;
    }

    /// <summary>An endpoint variable's format error as a configuration error.</summary>
    private static T Variable<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (FormatException e)
        {
            throw new ArgumentException(e.Message, e);
        }
    }
}
