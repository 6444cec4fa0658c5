namespace RekorPosix.Log.Gcp.Auth;

/// <summary>
/// OAuth scopes the gcp flavour asks for (spec gcp-spanner-flavour.md §7.5). One token with
/// <see cref="CloudPlatform"/> serves Spanner, GCS and KMS alike; on GCE the VM's access scopes
/// limit a metadata-server token whatever is asked.
/// </summary>
internal static class GoogleScopes
{
    public const string CloudPlatform = "https://www.googleapis.com/auth/cloud-platform";
    public const string SpannerData = "https://www.googleapis.com/auth/spanner.data";
    public const string SpannerAdmin = "https://www.googleapis.com/auth/spanner.admin";
    public const string StorageReadWrite = "https://www.googleapis.com/auth/devstorage.read_write";
}
