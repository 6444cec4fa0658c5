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
/// as gcpcloudsql does. The connections live as long as the process.
/// </summary>
internal sealed class GoogleConnections
{
    private readonly Lazy<Task<IAccessTokenSource>> _tokens = new(async () =>
        await ApplicationDefaultCredentials.FindAsync(GoogleScopes.CloudPlatform, CancellationToken.None).ConfigureAwait(false));

    /// <summary>The bucket by the path the environment picks. Throws <see cref="ArgumentException"/>
    /// for an unusable variable, <see cref="CredentialsException"/> when ADC finds none.</summary>
    public async Task<IBucket> BucketAsync(string name)
    {
        if (Environment.GetEnvironmentVariable(S3Clients.GcsHmacKeyVariable) is { Length: > 0 })
            return new Bucket(S3Clients.GcsHmac(), name);
        var endpoint = Environment.GetEnvironmentVariable(GcsEndpoint.EmulatorVariable) is { Length: > 0 } emulator
            ? Variable(() => GcsEndpoint.Emulator(emulator))
            : GcsEndpoint.Production(await _tokens.Value.ConfigureAwait(false));
        return new GcsBucket(new GcsClient(GoogleHttpClient.Create(), endpoint, name, new GcsSettings()));
    }

    /// <summary>One gRPC channel to Spanner, for the log's database and the antispam one.</summary>
    public async Task<SpannerConnection> SpannerAsync()
    {
        var endpoint = Environment.GetEnvironmentVariable(SpannerEndpoint.EmulatorVariable) is { Length: > 0 } emulator
            ? Variable(() => SpannerEndpoint.Emulator(emulator))
            : SpannerEndpoint.Production(await _tokens.Value.ConfigureAwait(false));
        return new SpannerConnection(endpoint, new SpannerSettings());
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
