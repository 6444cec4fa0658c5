using System.Formats.Asn1;

namespace RekorPosix.Signing.ClientSignatures;

/// <summary>
/// Takes the public key out of a DER X.509 certificate, walking the structure the way Go's
/// <c>x509.ParseCertificate</c> does so that what Go refuses as malformed is refused here too.
/// No trust decisions: no chain, validity window, key usage or signature check (rekor-tiles makes none).
/// The contents of individual extensions are not parsed.
/// </summary>
public static class CertificateKeyReader
{
    private static readonly Asn1Tag VersionTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag IssuerUniqueIdTag = new(TagClass.ContextSpecific, 1);
    private static readonly Asn1Tag SubjectUniqueIdTag = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag ExtensionsTag = new(TagClass.ContextSpecific, 3, isConstructed: true);

    /// <summary>The certificate's key, parsed and imported.</summary>
    public static ClientPublicKey ReadPublicKey(ReadOnlyMemory<byte> der) =>
        SubjectPublicKeyInfoParser.Parse(ReadSubjectPublicKeyInfo(der));

    /// <summary>The DER SubjectPublicKeyInfo element of the certificate.</summary>
    public static ReadOnlyMemory<byte> ReadSubjectPublicKeyInfo(ReadOnlyMemory<byte> der)
    {
        try
        {
            return ReadUnchecked(der);
        }
        catch (Exception e) when (e is AsnContentException or ArgumentException or OverflowException
                                      or InvalidOperationException)
        {
            throw new ClientKeyFormatException($"malformed certificate: {e.Message}", e);
        }
    }

    private static ReadOnlyMemory<byte> ReadUnchecked(ReadOnlyMemory<byte> der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var certificate = outer.ReadSequence();
        if (outer.HasData)
            throw new ClientKeyFormatException("trailing data after certificate");

        var tbs = certificate.ReadSequence();
        var version = 0;
        if (tbs.PeekTag().HasSameClassAndValue(VersionTag))
        {
            var explicitVersion = tbs.ReadSequence(VersionTag);
            if (!explicitVersion.TryReadInt32(out version) || explicitVersion.HasData || version < 0)
                throw new ClientKeyFormatException("malformed version");
        }
        if (version > 2)
            throw new ClientKeyFormatException("invalid version");

        // Go 1.23+ refuses negative serials by default.
        if (tbs.ReadInteger().Sign < 0)
            throw new ClientKeyFormatException("negative serial number");

        var innerAlgorithm = tbs.ReadEncodedValue();
        RequireSequence(innerAlgorithm, "malformed signature algorithm identifier");
        ReadName(tbs, "issuer");
        ReadValidity(tbs.ReadSequence());
        ReadName(tbs, "subject");
        var subjectPublicKeyInfo = tbs.ReadEncodedValue();
        RequireSequence(subjectPublicKeyInfo, "malformed spki");

        if (version >= 1)
        {
            SkipOptional(tbs, IssuerUniqueIdTag);
            SkipOptional(tbs, SubjectUniqueIdTag);
            if (version == 2 && tbs.HasData && tbs.PeekTag().HasSameClassAndValue(ExtensionsTag))
                ReadExtensions(tbs.ReadSequence(ExtensionsTag).ReadSequence());
        }

        var outerAlgorithm = certificate.ReadEncodedValue();
        RequireSequence(outerAlgorithm, "malformed algorithm identifier");
        if (!outerAlgorithm.Span.SequenceEqual(innerAlgorithm.Span))
            throw new ClientKeyFormatException("inner and outer signature algorithm identifiers don't match");
        certificate.ReadBitString(out _);
        return subjectPublicKeyInfo;
    }

    private static void RequireSequence(ReadOnlyMemory<byte> element, string problem)
    {
        if (!new AsnReader(element, AsnEncodingRules.DER).PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            throw new ClientKeyFormatException(problem);
    }

    private static void SkipOptional(AsnReader reader, Asn1Tag tag)
    {
        if (reader.HasData && reader.PeekTag().HasSameClassAndValue(tag))
            reader.ReadEncodedValue();
    }

    /// <summary>RDNSequence: SEQUENCE OF SET OF SEQUENCE { OID, string value }.</summary>
    private static void ReadName(AsnReader tbs, string which)
    {
        var rdnSequence = tbs.ReadSequence();
        while (rdnSequence.HasData)
        {
            var set = rdnSequence.ReadSetOf(skipSortOrderValidation: true);
            while (set.HasData)
            {
                var attribute = set.ReadSequence();
                attribute.ReadObjectIdentifier();
                var tag = attribute.PeekTag();
                var value = attribute.ReadEncodedValue();
                if (!Asn1Strings.IsValidNameValue(tag, value))
                    throw new ClientKeyFormatException($"invalid {which} RDNSequence attribute value");
            }
        }
    }

    private static void ReadValidity(AsnReader validity)
    {
        for (var i = 0; i < 2; i++)
        {
            var tag = validity.PeekTag();
            var content = validity.ReadEncodedValue();
            if (!Asn1Times.IsValid(tag, content))
                throw new ClientKeyFormatException("malformed validity time");
        }
    }

    /// <summary>Extension ::= SEQUENCE { OID, critical BOOLEAN OPTIONAL, OCTET STRING }; no OID twice.</summary>
    private static void ReadExtensions(AsnReader extensions)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (extensions.HasData)
        {
            var extension = extensions.ReadSequence();
            var oid = extension.ReadObjectIdentifier();
            if (extension.HasData && extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                extension.ReadBoolean();
            extension.ReadOctetString();
            if (!seen.Add(oid))
                throw new ClientKeyFormatException($"certificate contains duplicate extension with OID {oid}");
        }
    }
}
