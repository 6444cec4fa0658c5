using System.Security.Cryptography;
using System.Text;

namespace RekorPosix.Log.Search;

/// <summary>
/// A search index key: the type byte, then 32 bytes: the SHA-256 of the normalised value, or the
/// value itself where it is already a SHA-256 (a key's fingerprint, a leaf hash). Fixed-size rows,
/// whatever the length of an email or URI. Normalised values: a digest is
/// <c>ALGORITHM:lowercase-hex</c>; an email is lowercased whole (as Rekor v1 searches it: domains
/// are case-insensitive, and real mailboxes treat the local part so too); URIs and issuers are
/// compared byte for byte.
/// </summary>
internal static class SearchKey
{
    public const int Size = 1 + SHA256.HashSizeInBytes;

    public static byte[] Digest(string algorithm, ReadOnlySpan<byte> digest) =>
        OfText(SearchKeyType.Digest, $"{algorithm}:{Convert.ToHexStringLower(digest)}");

    /// <param name="keySha256">SHA-256 of the key's DER SubjectPublicKeyInfo.</param>
    public static byte[] PublicKey(ReadOnlySpan<byte> keySha256) => OfHash(SearchKeyType.PublicKey, keySha256);

    public static byte[] Email(string email) => OfText(SearchKeyType.Email, email.ToLowerInvariant());

    public static byte[] Uri(string uri) => OfText(SearchKeyType.Uri, uri);

    public static byte[] OidcIssuer(string issuer) => OfText(SearchKeyType.OidcIssuer, issuer);

    public static byte[] LeafHash(ReadOnlySpan<byte> leafHash) => OfHash(SearchKeyType.LeafHash, leafHash);

    private static byte[] OfText(SearchKeyType type, string value)
    {
        byte[] key = new byte[Size];
        key[0] = (byte)type;
        SHA256.HashData(Encoding.UTF8.GetBytes(value), key.AsSpan(1));
        return key;
    }

    private static byte[] OfHash(SearchKeyType type, ReadOnlySpan<byte> hash)
    {
        if (hash.Length != SHA256.HashSizeInBytes)
            throw new ArgumentException($"a {type} key holds a SHA-256, not {hash.Length} bytes", nameof(hash));
        byte[] key = new byte[Size];
        key[0] = (byte)type;
        hash.CopyTo(key.AsSpan(1));
        return key;
    }
}
