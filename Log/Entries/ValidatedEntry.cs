namespace RekorPosix.Log.Entries;

/// <summary>
/// A request that passed validation, ready to be logged: the leaf bytes and the two hashes the log
/// needs. Immutable; the arrays must not be modified.
/// </summary>
public sealed class ValidatedEntry
{
    private ValidatedEntry(byte[] canonicalBody)
    {
        CanonicalBody = canonicalBody;
        LeafHash = Entries.CanonicalBody.LeafHash(canonicalBody);
        Identity = Entries.CanonicalBody.Identity(canonicalBody);
    }

    /// <summary>The leaf data, also the TLE's <c>canonicalizedBody</c>.</summary>
    public byte[] CanonicalBody { get; }

    /// <summary>SHA-256(0x00 ‖ body): the Merkle leaf hash.</summary>
    public byte[] LeafHash { get; }

    /// <summary>SHA-256(body): the key under which duplicates are found.</summary>
    public byte[] Identity { get; }

    /// <summary>For the TLE's <c>kindVersion</c>.</summary>
    public string Kind => Entries.CanonicalBody.Kind;

    public string Version => Entries.CanonicalBody.ApiVersion;

    /// <summary>Body length in bytes; over <see cref="Tiles.EntryBundle.MaxEntrySize"/> the log refuses it.</summary>
    public int Length => CanonicalBody.Length;

    public static ValidatedEntry FromCanonicalBody(byte[] canonicalBody) => new(canonicalBody);
}
