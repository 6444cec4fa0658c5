namespace RekorPosix.Log.Gcp.Storage;

/// <summary>The object resource fields an upload sets (spec gcp-spanner-flavour.md §5.1, §5.2),
/// sent as the JSON part of a multipart upload.</summary>
internal sealed class GcsObjectMetadata
{
    public string? Name { get; set; }
    public string? ContentType { get; set; }
    public string? CacheControl { get; set; }
}
