using System.Formats.Asn1;
using System.Text;

namespace RekorPosix.Tests.Signing.ClientSignatures;

/// <summary>Hand-built DER for key and certificate edge cases that no library would produce.</summary>
public static class TestDer
{
    public const string EcPublicKeyOid = "1.2.840.10045.2.1";
    public const string RsaOid = "1.2.840.113549.1.1.1";
    public const string Ed25519Oid = "1.3.101.112";
    public const string P256Oid = "1.2.840.10045.3.1.7";
    public const string EcdsaWithSha256Oid = "1.2.840.10045.4.3.2";

    /// <summary>SEQUENCE { SEQUENCE { oid, parameters? }, BIT STRING key }.</summary>
    public static byte[] Spki(string oid, byte[]? parameters, byte[] key, byte unusedBits = 0)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(oid);
                if (parameters is not null)
                    writer.WriteEncodedValue(parameters);
            }
            writer.WriteBitString(key, unusedBits);
        }
        return writer.Encode();
    }

    public static byte[] Oid(string oid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(oid);
        return writer.Encode();
    }

    public static byte[] Null => [0x05, 0x00];

    /// <summary>RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }, both unsigned big-endian.</summary>
    public static byte[] RsaPublicKey(byte[] modulus, byte[] exponent)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(modulus);
            writer.WriteIntegerUnsigned(exponent);
        }
        return writer.Encode();
    }

    /// <summary>SEQUENCE { INTEGER r, INTEGER s } from unsigned big-endian values.</summary>
    public static byte[] EcdsaSignature(ReadOnlySpan<byte> r, ReadOnlySpan<byte> s)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(r);
            writer.WriteIntegerUnsigned(s);
        }
        return writer.Encode();
    }

    /// <summary>A Name with one attribute per RDN: (OID, string tag, content bytes).</summary>
    public static byte[] Name(params (string Oid, UniversalTagNumber Tag, byte[] Value)[] attributes)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var (oid, tag, value) in attributes)
            {
                using (writer.PushSetOf())
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(oid);
                    writer.WriteEncodedValue(Tlv((byte)tag, value));
                }
            }
        }
        return writer.Encode();
    }

    public static byte[] CommonName(string text, UniversalTagNumber tag = UniversalTagNumber.UTF8String) =>
        Name(("2.5.4.3", tag, Encoding.UTF8.GetBytes(text)));

    /// <summary>A time element with arbitrary text under the given tag.</summary>
    public static byte[] Time(UniversalTagNumber tag, string text) => Tlv((byte)tag, Encoding.ASCII.GetBytes(text));

    /// <summary>A primitive element with a single-byte tag (AsnWriter refuses mismatched universal tags).</summary>
    public static byte[] Tlv(byte tag, byte[] content) => content.Length < 0x80
        ? [tag, (byte)content.Length, .. content]
        : [tag, 0x82, (byte)(content.Length >> 8), (byte)content.Length, .. content];
}
