using System.CommandLine;

namespace RekorPosix.Log;

/// <summary>Where the gcp flavour keeps its log: the bucket and the Spanner database.</summary>
public sealed record StorageSettings
{
    /// <summary>A bare GCS bucket name (no gs://).</summary>
    public string Bucket { get; init; } = "";

    /// <summary>The database's resource name, <c>projects/P/instances/I/databases/D</c>; antispam
    /// uses <c>D-antispam</c> beside it.</summary>
    public string Spanner { get; init; } = "";
}

/// <summary>The gcp flavour's own serve flags, as rekor-tiles' rekor-server-gcp names them
/// (spec gcp-spanner-flavour.md §2.1).</summary>
internal sealed class StorageFlags
{
    public const string BucketFlag = "--gcp-bucket";
    public const string SpannerFlag = "--gcp-spanner";

    private readonly Option<string> _bucket = new(BucketFlag) { Description = "GCS bucket for tile and checkpoint storage (the JSON API with Application Default Credentials, STORAGE_EMULATOR_HOST; or the XML API when GCS_HMAC_ACCESS_KEY_ID is set, with GCS_HMAC_SECRET, GCS_REGION, GCS_ENDPOINT_URL)." };
    private readonly Option<string> _spanner = new(SpannerFlag) { Description = "Spanner database URI: projects/P/instances/I/databases/D (SPANNER_EMULATOR_HOST: the emulator, no credentials)." };

    public IReadOnlyList<Option> Options => [_bucket, _spanner];

    public StorageSettings Read(ParseResult parse) => new()
    {
        Bucket = parse.GetValue(_bucket) ?? "",
        Spanner = parse.GetValue(_spanner) ?? "",
    };
}
