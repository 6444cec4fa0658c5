using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace RekorPosix.Verification;

/// <summary>
/// Who a Fulcio certificate was issued to: the subject alternative names (email addresses and URIs:
/// Fulcio puts the OIDC identity there, marked critical with an empty subject) and the OIDC issuer
/// extension. https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md
/// </summary>
public sealed record FulcioIdentity(IReadOnlyList<string> SubjectAlternativeNames, string? Issuer)
{
    private const string SubjectAlternativeNameOid = "2.5.29.17";
    /// <summary>OIDC issuer (v2): a DER UTF8String.</summary>
    private const string IssuerV2Oid = "1.3.6.1.4.1.57264.1.8";
    /// <summary>OIDC issuer (v1, deprecated): the string's bytes with no DER wrapping.</summary>
    private const string IssuerV1Oid = "1.3.6.1.4.1.57264.1.1";

    private static readonly Asn1Tag EmailTag = new(TagClass.ContextSpecific, 1);
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);

    /// <exception cref="BundleRejectedException">A malformed SAN or issuer extension.</exception>
    public static FulcioIdentity Of(X509Certificate2 certificate)
    {
        try
        {
            return new FulcioIdentity(ReadNames(certificate), ReadIssuer(certificate));
        }
        catch (Exception e) when (e is AsnContentException or DecoderFallbackException)
        {
            throw new BundleRejectedException($"certificate: malformed identity extension ({e.Message})", e);
        }
    }

    private static List<string> ReadNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        if (certificate.Extensions[SubjectAlternativeNameOid] is not { } extension)
            return names;
        var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
        while (reader.HasData)
        {
            var tag = reader.PeekTag();
            if (tag == EmailTag || tag == UriTag)
                names.Add(reader.ReadCharacterString(UniversalTagNumber.IA5String, tag));
            else
                reader.ReadEncodedValue(); // DNS names, IP addresses, other names: not identities Fulcio issues to OIDC subjects
        }
        return names;
    }

    private static string? ReadIssuer(X509Certificate2 certificate)
    {
        if (certificate.Extensions[IssuerV2Oid] is { } v2)
            return new AsnReader(v2.RawData, AsnEncodingRules.DER).ReadCharacterString(UniversalTagNumber.UTF8String);
        if (certificate.Extensions[IssuerV1Oid] is { } v1)
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(v1.RawData);
        return null;
    }
}
