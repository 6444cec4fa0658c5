namespace RekorPosix.Log.Search;

/// <summary>What a search key stands for: its first byte. Stored, so never renumbered.</summary>
internal enum SearchKeyType : byte
{
    /// <summary>An artifact digest: hashedrekord's data digest, dsse's payload hash.</summary>
    Digest = 1,
    /// <summary>A signer's public key (a certificate's key too), by the SHA-256 of its SPKI DER.</summary>
    PublicKey = 2,
    /// <summary>An email address in a certificate's SubjectAlternativeName.</summary>
    Email = 3,
    /// <summary>A URI in a certificate's SubjectAlternativeName.</summary>
    Uri = 4,
    /// <summary>Fulcio's OIDC issuer extension of a certificate.</summary>
    OidcIssuer = 5,
    /// <summary>The entry's RFC 6962 leaf hash, for the proofs by leaf hash.</summary>
    LeafHash = 6,
}
