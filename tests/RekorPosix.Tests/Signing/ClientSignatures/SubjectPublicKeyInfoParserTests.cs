using System.Security.Cryptography;
using RekorPosix.Signing.ClientSignatures;

namespace RekorPosix.Tests.Signing.ClientSignatures;

public class SubjectPublicKeyInfoParserTests
{
    private static string Refused(byte[] der) =>
        Assert.Throws<ClientKeyFormatException>(() => SubjectPublicKeyInfoParser.Parse(der)).Message;

    private static (byte[] X, byte[] Y) P256Point()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = key.ExportParameters(false).Q;
        return (q.X!, q.Y!);
    }

    [Theory]
    [InlineData("P-256", ClientKeyKind.Ecdsa, NistCurve.P256, 0)]
    [InlineData("P-384", ClientKeyKind.Ecdsa, NistCurve.P384, 0)]
    [InlineData("P-521", ClientKeyKind.Ecdsa, NistCurve.P521, 0)]
    [InlineData("RSA-2048", ClientKeyKind.Rsa, null, 2048)]
    [InlineData("RSA-3072", ClientKeyKind.Rsa, null, 3072)]
    [InlineData("RSA-4096", ClientKeyKind.Rsa, null, 4096)]
    [InlineData("Ed25519", ClientKeyKind.Ed25519, null, 0)]
    public void ParsesEveryClientKeyKind(string signerName, ClientKeyKind kind, NistCurve? curve, int rsaBits)
    {
        using var key = SubjectPublicKeyInfoParser.Parse(TestSigner.Shared(signerName).PublicKeyDer());
        Assert.Equal(kind, key.Kind);
        Assert.Equal(curve, key.Curve);
        Assert.Equal(rsaBits, key.RsaModulusBits);
    }

    [Fact]
    public void RsaSize_CountsWholeBytesLikeGo()
    {
        // A 2047-bit odd modulus: Go's rsa.PublicKey.Size()*8 says 2048.
        var modulus = RandomNumberGenerator.GetBytes(256);
        modulus[0] = 0x7F;
        modulus[^1] |= 1;
        using var key = SubjectPublicKeyInfoParser.Parse(TestDer.Spki(TestDer.RsaOid, TestDer.Null,
            TestDer.RsaPublicKey(modulus, [0x01, 0x00, 0x01])));
        Assert.Equal(2048, key.RsaModulusBits);
    }

    [Fact]
    public void RsaWithoutNullParameters_IsRefused()
    {
        var rsaKey = TestDer.RsaPublicKey(RandomNumberGenerator.GetBytes(256), [0x01, 0x00, 0x01]);
        Assert.Equal("RSA key missing NULL parameters", Refused(TestDer.Spki(TestDer.RsaOid, null, rsaKey)));
    }

    [Theory]
    [InlineData(new byte[] { 0x01 }, "RSA public exponent too small")]
    [InlineData(new byte[] { 0x01, 0x00, 0x00 }, "RSA public exponent is even")]
    [InlineData(new byte[] { 0x80, 0x00, 0x00, 0x01 }, "RSA public exponent too large")]
    [InlineData(new byte[] { 0x01, 0x00, 0x00, 0x00, 0x01 }, "RSA public exponent too large")]
    public void RsaExponentsGoRefuses(byte[] exponent, string problem)
    {
        var modulus = RandomNumberGenerator.GetBytes(256);
        modulus[0] |= 0x80;
        modulus[^1] |= 1;
        Assert.Equal(problem, Refused(TestDer.Spki(TestDer.RsaOid, TestDer.Null, TestDer.RsaPublicKey(modulus, exponent))));
    }

    [Fact]
    public void RsaEvenModulus_IsRefused()
    {
        var modulus = RandomNumberGenerator.GetBytes(256);
        modulus[0] |= 0x80;
        modulus[^1] &= 0xFE;
        Assert.Equal("RSA public modulus is even",
            Refused(TestDer.Spki(TestDer.RsaOid, TestDer.Null, TestDer.RsaPublicKey(modulus, [0x01, 0x00, 0x01]))));
    }

    [Fact]
    public void EcdsaCompressedPoint_IsRefused()
    {
        var (x, y) = P256Point();
        byte[] compressed = [(byte)(0x02 | (y[^1] & 1)), .. x];
        Refused(TestDer.Spki(TestDer.EcPublicKeyOid, TestDer.Oid(TestDer.P256Oid), compressed));
    }

    [Fact]
    public void EcdsaPointOffTheCurve_IsRefused()
    {
        var (x, y) = P256Point();
        y[^1] ^= 0x01;
        Refused(TestDer.Spki(TestDer.EcPublicKeyOid, TestDer.Oid(TestDer.P256Oid), [0x04, .. x, .. y]));
    }

    [Fact]
    public void EcdsaCoordinateNotBelowThePrime_IsRefused()
    {
        var (x, _) = P256Point();
        var p = Convert.FromHexString("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF");
        Assert.Contains("out of range", Refused(TestDer.Spki(TestDer.EcPublicKeyOid, TestDer.Oid(TestDer.P256Oid), [0x04, .. x, .. p])));
    }

    [Theory]
    [InlineData("1.3.132.0.33")] // P-224: Go parses it, no client may use it
    [InlineData("1.3.132.0.10")] // secp256k1
    public void OtherCurves_AreRefused(string curveOid)
    {
        var (x, y) = P256Point();
        Assert.Contains("unsupported elliptic curve", Refused(TestDer.Spki(TestDer.EcPublicKeyOid, TestDer.Oid(curveOid), [0x04, .. x, .. y])));
    }

    [Fact]
    public void EcdsaWithoutCurve_IsRefused()
    {
        var (x, y) = P256Point();
        Refused(TestDer.Spki(TestDer.EcPublicKeyOid, null, [0x04, .. x, .. y]));
    }

    [Fact]
    public void Ed25519WithParameters_IsRefused()
    {
        var key = TestSigner.Shared("Ed25519").PublicKeyDer()[^32..];
        Assert.Equal("Ed25519 key encoded with illegal parameters", Refused(TestDer.Spki(TestDer.Ed25519Oid, TestDer.Null, key)));
    }

    [Theory]
    [InlineData(31)]
    [InlineData(33)]
    public void Ed25519OfTheWrongSize_IsRefused(int size)
    {
        Assert.Equal("wrong Ed25519 public key size", Refused(TestDer.Spki(TestDer.Ed25519Oid, null, new byte[size])));
    }

    [Theory]
    [InlineData("1.2.840.10040.4.1")] // DSA
    [InlineData("1.3.101.110")] // X25519
    [InlineData("1.3.101.113")] // Ed448
    public void OtherAlgorithms_AreRefused(string oid)
    {
        Assert.StartsWith("unsupported public key algorithm", Refused(TestDer.Spki(oid, null, new byte[32])));
    }

    [Fact]
    public void PartialBitString_IsRefused()
    {
        var key = TestSigner.Shared("Ed25519").PublicKeyDer()[^32..];
        key[^1] &= 0xF0;
        Refused(TestDer.Spki(TestDer.Ed25519Oid, null, key, unusedBits: 4));
    }

    [Fact]
    public void TrailingData_IsRefused()
    {
        Assert.Equal("trailing data after ASN.1 of public-key", Refused([.. TestSigner.Shared("P-256").PublicKeyDer(), 0x00]));
    }

    [Fact]
    public void NonMinimalLength_IsRefused()
    {
        var der = TestSigner.Shared("P-256").PublicKeyDer();
        // 30 59 ... re-encoded as 30 81 59 ...: valid BER, not DER.
        Refused([0x30, 0x81, .. der[1..]]);
    }

    [Fact]
    public void RandomMutations_AreRefusedNotThrownThrough()
    {
        var random = new Random(4321);
        foreach (var name in new[] { "P-256", "RSA-2048", "Ed25519" })
        {
            var der = TestSigner.Shared(name).PublicKeyDer();
            for (var i = 0; i < 1000; i++)
            {
                var mutated = (byte[])der.Clone();
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                try
                {
                    using var key = SubjectPublicKeyInfoParser.Parse(mutated);
                }
                catch (ClientKeyFormatException)
                {
                }
            }
        }
    }
}
