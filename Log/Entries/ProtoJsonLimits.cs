namespace RekorPosix.Log.Entries;

/// <summary>Limits shared by the two JSON passes.</summary>
internal static class ProtoJsonLimits
{
    /// <summary>Go's encoding/json nesting limit; deeper input is a syntax error there too.</summary>
    public const int MaxDepth = 10000;
}
