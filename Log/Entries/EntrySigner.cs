using RekorPosix.Verification;

namespace RekorPosix.Log.Entries;

/// <summary>One signature's verifier in an entry: its public key and, for a certificate, who it names.</summary>
/// <param name="KeySha256">SHA-256 of the key's DER SubjectPublicKeyInfo (of the certificate's key for a certificate).</param>
/// <param name="Certificate">The certificate's identity; null for a bare public key.</param>
internal sealed record EntrySigner(byte[] KeySha256, CertificateIdentity? Certificate)
{
    public string KeySha256Hex => Convert.ToHexStringLower(KeySha256);
}
