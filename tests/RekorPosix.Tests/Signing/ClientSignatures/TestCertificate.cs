using System.Formats.Asn1;

namespace RekorPosix.Tests.Signing.ClientSignatures;

/// <summary>
/// Builds certificates field by field so each structural rule can be broken on its own.
/// The signature is never valid: nothing checks it.
/// </summary>
public sealed class TestCertificate
{
    private static readonly byte[] EcdsaWithSha256 = AlgorithmIdentifier(TestDer.EcdsaWithSha256Oid);

    public TestCertificate(byte[] spki)
    {
        Spki = spki;
    }

    /// <summary>Raw version (2 = v3); null leaves the field out (v1).</summary>
    public int? Version { get; set; } = 2;

    public byte[] SerialNumber { get; set; } = [0x01];

    public byte[] InnerAlgorithm { get; set; } = EcdsaWithSha256;

    public byte[] OuterAlgorithm { get; set; } = EcdsaWithSha256;

    public byte[] Issuer { get; set; } = TestDer.CommonName("issuer");

    public byte[] NotBefore { get; set; } = TestDer.Time(UniversalTagNumber.UtcTime, "250101000000Z");

    public byte[] NotAfter { get; set; } = TestDer.Time(UniversalTagNumber.GeneralizedTime, "20991231235959Z");

    public byte[] Subject { get; set; } = TestDer.CommonName("subject");

    public byte[] Spki { get; set; }

    /// <summary>(OID, critical or null to leave it out, value).</summary>
    public List<(string Oid, bool? Critical, byte[] Value)> Extensions { get; } =
        [("2.5.29.15", true, [0x03, 0x02, 0x07, 0x80])];

    public byte[] Build()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                if (Version is { } version)
                {
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                        writer.WriteInteger(version);
                }
                writer.WriteInteger(SerialNumber);
                writer.WriteEncodedValue(InnerAlgorithm);
                writer.WriteEncodedValue(Issuer);
                using (writer.PushSequence())
                {
                    writer.WriteEncodedValue(NotBefore);
                    writer.WriteEncodedValue(NotAfter);
                }
                writer.WriteEncodedValue(Subject);
                writer.WriteEncodedValue(Spki);
                if (Extensions.Count > 0)
                {
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3, isConstructed: true)))
                    using (writer.PushSequence())
                    {
                        foreach (var (oid, critical, value) in Extensions)
                        {
                            using (writer.PushSequence())
                            {
                                writer.WriteObjectIdentifier(oid);
                                if (critical is { } isCritical)
                                    writer.WriteBoolean(isCritical);
                                writer.WriteOctetString(value);
                            }
                        }
                    }
                }
            }
            writer.WriteEncodedValue(OuterAlgorithm);
            writer.WriteBitString(new byte[64]);
        }
        return writer.Encode();
    }

    public static byte[] AlgorithmIdentifier(string oid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
            writer.WriteObjectIdentifier(oid);
        return writer.Encode();
    }
}
