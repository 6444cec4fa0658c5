using Amazon.Runtime;
using Amazon.S3;

namespace RekorPosix.Log.S3;

/// <summary>
/// The S3 clients of the flavours that keep tiles in an S3-API bucket, as the spec's verified
/// settings give them: path-style addressing (as the Go server), plain bodies (no aws-chunked
/// framing, which s3rver and GCS would store), checksums only where an operation requires them.
/// </summary>
internal static class S3Clients
{
    /// <summary>The variable whose presence makes gcp use the HMAC path (XML API) instead of the JSON API.</summary>
    public const string GcsHmacKeyVariable = "GCS_HMAC_ACCESS_KEY_ID";

    /// <summary>aws: credentials, region and endpoint from the standard AWS chain (AWS_ACCESS_KEY_ID,
    /// AWS_REGION, AWS_ENDPOINT_URL...).</summary>
    public static AmazonS3Client Aws() => new(Config());

    /// <summary>A GCS bucket through its S3-compatible XML API with an HMAC key (gcpcloudsql, and gcp
    /// when <see cref="GcsHmacKeyVariable"/> is set): GCS_HMAC_ACCESS_KEY_ID, GCS_HMAC_SECRET,
    /// GCS_ENDPOINT_URL (default Google's), GCS_REGION (default auto).</summary>
    public static AmazonS3Client GcsHmac()
    {
        static string Required(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new ArgumentException($"{name} is required (the HMAC key of the GCS bucket's XML API)");
        var config = Config();
        config.ServiceURL = Environment.GetEnvironmentVariable("GCS_ENDPOINT_URL") is { Length: > 0 } endpoint ? endpoint : "https://storage.googleapis.com";
        config.AuthenticationRegion = Environment.GetEnvironmentVariable("GCS_REGION") is { Length: > 0 } region ? region : "auto";
        return new AmazonS3Client(new BasicAWSCredentials(Required(GcsHmacKeyVariable), Required("GCS_HMAC_SECRET")), config);
    }

    private static AmazonS3Config Config() => new()
    {
        ForcePathStyle = true,
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    };
}
