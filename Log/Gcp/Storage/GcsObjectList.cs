namespace RekorPosix.Log.Gcp.Storage;

/// <summary>One page of <c>objects.list</c>: <c>items</c> and <c>nextPageToken</c> are both absent
/// on an empty or last page (spec gcp-spanner-flavour.md §5.2).</summary>
internal sealed class GcsObjectList
{
    public List<GcsListedObject>? Items { get; set; }
    public string? NextPageToken { get; set; }
}

/// <summary>A listed object; only its name is asked for.</summary>
internal sealed class GcsListedObject
{
    public string? Name { get; set; }
}
