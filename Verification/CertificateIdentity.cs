using System.Formats.Asn1;
using System.Text;

namespace RekorPosix.Verification;

/// <summary>
/// Who a Fulcio certificate was issued to: the identities in its SubjectAlternativeName extension
/// (email, URI, or Fulcio's otherName username) and the OIDC issuer, from Fulcio's extension
/// 1.3.6.1.4.1.57264.1.8 (a DER UTF8String) or else the deprecated 1.3.6.1.4.1.57264.1.1 (the raw
/// bytes of the URL). See https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md.
/// </summary>
public sealed record CertificateIdentity(IReadOnlyList<string> SubjectAlternativeNames, string? Issuer)
{
    /// <summary>The rfc822Name SANs among <see cref="SubjectAlternativeNames"/>.</summary>
    public IReadOnlyList<string> Emails { get; init; } = [];

    /// <summary>The uniformResourceIdentifier SANs among <see cref="SubjectAlternativeNames"/>.</summary>
    public IReadOnlyList<string> Uris { get; init; } = [];

    private const string SubjectAltNameOid = "2.5.29.17";
    private const string IssuerOid = "1.3.6.1.4.1.57264.1.8";
    private const string LegacyIssuerOid = "1.3.6.1.4.1.57264.1.1";
    private const string FulcioUsernameOid = "1.3.6.1.4.1.57264.1.7";

    private static readonly Asn1Tag ExtensionsTag = new(TagClass.ContextSpecific, 3, isConstructed: true);
    private static readonly Asn1Tag OtherNameTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag OtherNameValueTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag EmailTag = new(TagClass.ContextSpecific, 1);
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>Reads the identity of a DER certificate (its other parts are checked elsewhere).</summary>
    /// <exception cref="FormatException">The certificate or one of these extensions is malformed.</exception>
    public static CertificateIdentity Read(ReadOnlyMemory<byte> der)
    {
        try
        {
            return FromExtensions(ExtensionsOf(der));
        }
        catch (Exception e) when (e is AsnContentException or DecoderFallbackException or ArgumentException)
        {
            throw new FormatException($"malformed certificate identity: {e.Message}", e);
        }
    }

    /// <summary>The certificate's Extensions SEQUENCE, or null when it has none.</summary>
    private static AsnReader? ExtensionsOf(ReadOnlyMemory<byte> der)
    {
        var tbs = new AsnReader(der, AsnEncodingRules.DER).ReadSequence().ReadSequence();
        // Version, serial, algorithm, issuer, validity, subject, key and the unique IDs come first;
        // only the extensions carry the [3] tag.
        while (tbs.HasData)
        {
            if (tbs.PeekTag().HasSameClassAndValue(ExtensionsTag))
                return tbs.ReadSequence(ExtensionsTag).ReadSequence();
            tbs.ReadEncodedValue();
        }
        return null;
    }

    private static CertificateIdentity FromExtensions(AsnReader? extensions)
    {
        var names = new List<string>();
        var emails = new List<string>();
        var uris = new List<string>();
        string? issuer = null, legacyIssuer = null;
        while (extensions is { HasData: true })
        {
            var extension = extensions.ReadSequence();
            string oid = extension.ReadObjectIdentifier();
            if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                extension.ReadBoolean();
            byte[] value = extension.ReadOctetString();
            switch (oid)
            {
                case SubjectAltNameOid:
                    ReadGeneralNames(value, names, emails, uris);
                    break;
                case IssuerOid:
                    issuer = ReadUtf8String(value);
                    break;
                case LegacyIssuerOid:
                    legacyIssuer = StrictUtf8.GetString(value);
                    break;
            }
        }
        return new CertificateIdentity(names, issuer ?? legacyIssuer) { Emails = emails, Uris = uris };
    }

    /// <summary>GeneralNames (RFC 5280 §4.2.1.6): the email, URI and Fulcio username ones; others are skipped.</summary>
    private static void ReadGeneralNames(byte[] value, List<string> names, List<string> emails, List<string> uris)
    {
        var outer = new AsnReader(value, AsnEncodingRules.DER);
        var generalNames = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        while (generalNames.HasData)
        {
            var tag = generalNames.PeekTag();
            if (tag.HasSameClassAndValue(EmailTag) || tag.HasSameClassAndValue(UriTag))
            {
                string name = generalNames.ReadCharacterString(UniversalTagNumber.IA5String, tag);
                names.Add(name);
                (tag.HasSameClassAndValue(EmailTag) ? emails : uris).Add(name);
            }
            else if (tag == OtherNameTag && ReadOtherName(generalNames.ReadSequence(OtherNameTag)) is { } username)
                names.Add(username);
            else
                generalNames.ReadEncodedValue();
        }
    }

    /// <summary>OtherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY }: Fulcio's username is a UTF8String.</summary>
    private static string? ReadOtherName(AsnReader otherName)
    {
        if (otherName.ReadObjectIdentifier() != FulcioUsernameOid)
            return null;
        var value = otherName.ReadSequence(OtherNameValueTag);
        string username = value.ReadCharacterString(UniversalTagNumber.UTF8String);
        value.ThrowIfNotEmpty();
        return username;
    }

    private static string ReadUtf8String(byte[] value)
    {
        var reader = new AsnReader(value, AsnEncodingRules.DER);
        string text = reader.ReadCharacterString(UniversalTagNumber.UTF8String);
        reader.ThrowIfNotEmpty();
        return text;
    }
}
