using System.Security.Cryptography;
using System.Text;
using RekorPosix.Log.Entries;
using RekorPosix.Signing.ClientSignatures;
using RekorPosix.Verification;

namespace RekorPosix.Log.Search;

/// <summary>
/// The search keys for what a client asks for (the route's fields, the command's flags). Each
/// throws <see cref="FormatException"/> saying what is wrong with the value, quoting at most a
/// bounded part of it.
/// </summary>
internal static class SearchCriteria
{
    /// <summary>Longest email, URI or issuer searched for: beyond it no certificate names one.</summary>
    public const int MaxTextLength = 4096;

    private static readonly string AlgorithmNames = string.Join(", ", EntryDigestAlgorithm.All.Select(a => a.Name));

    /// <summary><c>ALGORITHM:HEX</c> (sha256, sha384, sha512, sha3-256, sha3-384), or bare hex of a
    /// SHA-256 as Rekor v1 took it.</summary>
    public static byte[] Digest(string text)
    {
        int colon = text.IndexOf(':');
        string name = colon < 0 ? "sha256" : text[..colon];
        string hex = colon < 0 ? text : text[(colon + 1)..];
        var algorithm = EntryDigestAlgorithm.FromName(name.ToLowerInvariant())
            ?? throw new FormatException($"unknown hash algorithm {Quote.Bounded(name)} (known: {AlgorithmNames})");
        if (hex.Length != 2 * algorithm.Size)
            throw new FormatException($"{algorithm.Name} needs {2 * algorithm.Size} hex digits, not {hex.Length}");
        byte[] digest;
        try
        {
            digest = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw new FormatException($"the {algorithm.Name} digest is not hex");
        }
        return SearchKey.Digest(algorithm.Name, digest);
    }

    /// <summary>A PEM or DER public key (SubjectPublicKeyInfo) or X.509 certificate: the key's fingerprint.</summary>
    public static byte[] PublicKey(ReadOnlySpan<byte> content)
    {
        byte[] der = FromPem(content) ?? content.ToArray();
        try
        {
            SubjectPublicKeyInfoParser.Parse(der);
            return SearchKey.PublicKey(SHA256.HashData(der));
        }
        catch (ClientKeyFormatException)
        {
            // Not a key of a kind a client may sign with: perhaps a certificate.
        }
        try
        {
            return SearchKey.PublicKey(SHA256.HashData(CertificateKeyReader.ReadSubjectPublicKeyInfo(der).Span));
        }
        catch (ClientKeyFormatException)
        {
            throw new FormatException("not a PEM or DER public key (RSA, ECDSA or Ed25519 SubjectPublicKeyInfo) nor an X.509 certificate");
        }
    }

    public static byte[] Email(string email)
    {
        CheckText(email, "email address");
        int at = email.LastIndexOf('@');
        if (at <= 0 || at == email.Length - 1)
            throw new FormatException($"{Quote.Bounded(email)} is not an email address (LOCAL@DOMAIN)");
        return SearchKey.Email(email);
    }

    public static byte[] Uri(string uri)
    {
        CheckText(uri, "URI");
        if (!System.Uri.TryCreate(uri, UriKind.Absolute, out _))
            throw new FormatException($"{Quote.Bounded(uri)} is not an absolute URI");
        return SearchKey.Uri(uri);
    }

    public static byte[] OidcIssuer(string issuer)
    {
        CheckText(issuer, "issuer");
        return SearchKey.OidcIssuer(issuer);
    }

    private static void CheckText(string value, string what)
    {
        if (value.Length == 0)
            throw new FormatException($"the {what} is empty");
        if (value.Length > MaxTextLength)
            throw new FormatException($"the {what} is {value.Length} characters long, more than {MaxTextLength}");
    }

    /// <summary>The DER of a PEM PUBLIC KEY or CERTIFICATE; null when the content is not PEM.</summary>
    private static byte[]? FromPem(ReadOnlySpan<byte> content)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        if (!PemEncoding.TryFind(text, out var pem))
            return null;
        string label = text[pem.Label];
        if (label is not ("PUBLIC KEY" or "CERTIFICATE"))
            throw new FormatException($"a PEM {Quote.Bounded(label)}, not a PUBLIC KEY or CERTIFICATE");
        return Convert.FromBase64String(text[pem.Base64Data]);
    }
}
