namespace RekorPosix.Log.Entries;

/// <summary>The artifact digest an entry logs (hashedrekord's data, dsse's payloadHash).</summary>
/// <param name="Algorithm">As watch rules spell it: sha256, sha384, sha512, sha3-256, sha3-384.</param>
internal sealed record EntryDigest(string Algorithm, byte[] Value)
{
    /// <summary><c>sha256:&lt;lowercase hex&gt;</c>, the form watch rules and reports use.</summary>
    public string Text => $"{Algorithm}:{Convert.ToHexStringLower(Value)}";
}
