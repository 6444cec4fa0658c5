using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RekorPosix.Tests.Support;

/// <summary>
/// Self-signed certificates shaped like Fulcio's: the identity in a SubjectAlternativeName (email
/// [1], URI [6], or an otherName with Fulcio's username OID), the OIDC issuer in
/// 1.3.6.1.4.1.57264.1.8 (a DER UTF8String) and/or the deprecated 1.3.6.1.4.1.57264.1.1 (raw bytes).
/// </summary>
public static class FulcioCertificates
{
    public const string IssuerOid = "1.3.6.1.4.1.57264.1.8";
    public const string LegacyIssuerOid = "1.3.6.1.4.1.57264.1.1";
    public const string UsernameOid = "1.3.6.1.4.1.57264.1.7";

    public static byte[] Create(ECDsa key, string? email = null, string? uri = null, string? username = null,
        string? issuer = null, string? legacyIssuer = null)
    {
        var request = new CertificateRequest("CN=sigstore", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509Extension("2.5.29.17", GeneralNames(email, uri, username), critical: true));
        if (issuer is not null)
        {
            var value = new AsnWriter(AsnEncodingRules.DER);
            value.WriteCharacterString(UniversalTagNumber.UTF8String, issuer);
            request.CertificateExtensions.Add(new X509Extension(IssuerOid, value.Encode(), critical: false));
        }
        if (legacyIssuer is not null)
            request.CertificateExtensions.Add(new X509Extension(LegacyIssuerOid, System.Text.Encoding.UTF8.GetBytes(legacyIssuer), critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.RawData;
    }

    private static byte[] GeneralNames(string? email, string? uri, string? username)
    {
        var names = new AsnWriter(AsnEncodingRules.DER);
        names.PushSequence();
        if (email is not null)
            names.WriteCharacterString(UniversalTagNumber.IA5String, email, new Asn1Tag(TagClass.ContextSpecific, 1));
        if (uri is not null)
            names.WriteCharacterString(UniversalTagNumber.IA5String, uri, new Asn1Tag(TagClass.ContextSpecific, 6));
        if (username is not null)
        {
            var otherName = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
            names.PushSequence(otherName);
            names.WriteObjectIdentifier(UsernameOid);
            names.PushSequence(otherName);
            names.WriteCharacterString(UniversalTagNumber.UTF8String, username);
            names.PopSequence(otherName);
            names.PopSequence(otherName);
        }
        names.PopSequence();
        return names.Encode();
    }
}
