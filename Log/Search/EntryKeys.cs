using RekorPosix.Log.Entries;
using RekorPosix.Tiles;

namespace RekorPosix.Log.Search;

/// <summary>The search keys of one logged entry.</summary>
internal static class EntryKeys
{
    /// <summary>
    /// Adds the keys of the entry at <paramref name="index"/> to <paramref name="rows"/>: its leaf
    /// hash always (a proof by leaf hash needs no parse); then, if it is a hashedrekord or dsse
    /// v0.0.2 entry, its digest and for each signer the key's fingerprint and a certificate's
    /// emails, URIs and OIDC issuer. Returns why not, having added the leaf hash only, for an entry
    /// that does not parse; null when it did.
    /// </summary>
    public static string? Add(ReadOnlySpan<byte> entry, long index, SearchRows rows)
    {
        Span<byte> leaf = stackalloc byte[32];
        Rfc6962.LeafHash(entry, leaf);
        rows.Add(SearchKey.LeafHash(leaf), index);
        LoggedEntry logged;
        try
        {
            logged = LoggedEntryParser.Parse(entry.ToArray());
        }
        catch (FormatException e)
        {
            return e.Message;
        }
        rows.Add(SearchKey.Digest(logged.Digest.Algorithm, logged.Digest.Value), index);
        foreach (var signer in logged.Signers)
        {
            rows.Add(SearchKey.PublicKey(signer.KeySha256), index);
            if (signer.Certificate is not { } certificate)
                continue;
            foreach (string email in certificate.Emails)
                rows.Add(SearchKey.Email(email), index);
            foreach (string uri in certificate.Uris)
                rows.Add(SearchKey.Uri(uri), index);
            if (certificate.Issuer is { } issuer)
                rows.Add(SearchKey.OidcIssuer(issuer), index);
        }
        return null;
    }
}
