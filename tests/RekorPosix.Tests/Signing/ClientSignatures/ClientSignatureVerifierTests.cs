using System.Numerics;
using System.Security.Cryptography;
using RekorPosix.Signing.ClientSignatures;

namespace RekorPosix.Tests.Signing.ClientSignatures;

public class ClientSignatureVerifierTests
{
    private static readonly byte[] Digest256 = SHA256.HashData("artifact"u8);
    private static readonly byte[] Digest512 = SHA512.HashData("artifact"u8);

    private static bool Verify(string signerName, DigestAlgorithm algorithm, byte[] digest, byte[] signature)
    {
        using var key = SubjectPublicKeyInfoParser.Parse(TestSigner.Shared(signerName).PublicKeyDer());
        return ClientSignatureVerifier.Verify(key, algorithm, digest, signature, out _);
    }

    [Theory]
    [InlineData("P-256", DigestAlgorithm.Sha256)]
    [InlineData("P-384", DigestAlgorithm.Sha384)]
    [InlineData("P-521", DigestAlgorithm.Sha512)]
    public void Ecdsa_DerAndP1363(string signerName, DigestAlgorithm algorithm)
    {
        var signer = TestSigner.Shared(signerName);
        var digest = algorithm switch
        {
            DigestAlgorithm.Sha256 => Digest256,
            DigestAlgorithm.Sha384 => SHA384.HashData("artifact"u8),
            _ => Digest512,
        };
        Assert.True(Verify(signerName, algorithm, digest, signer.SignDigest(digest)));
        Assert.True(Verify(signerName, algorithm, digest, signer.SignDigest(digest, p1363: true)));
    }

    [Fact]
    public void Ecdsa_DigestLongerThanTheOrderIsTruncated()
    {
        // P-256 + SHA-512 is not an allowed pair, but the verifier itself follows the ECDSA standard.
        var signature = TestSigner.Shared("P-256").SignDigest(Digest512);
        Assert.True(Verify("P-256", DigestAlgorithm.Sha512, Digest512, signature));
    }

    [Fact]
    public void Ecdsa_HighSIsAccepted()
    {
        // Go does not require low-S; neither may we.
        var order = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551",
            System.Globalization.NumberStyles.HexNumber);
        var rs = TestSigner.Shared("P-256").SignDigest(Digest256, p1363: true);
        var s = new BigInteger(rs.AsSpan(32), isUnsigned: true, isBigEndian: true);
        var flipped = (order - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        byte[] highS = [.. rs[..32], .. new byte[32 - flipped.Length], .. flipped];
        Assert.True(Verify("P-256", DigestAlgorithm.Sha256, Digest256, highS));
    }

    [Fact]
    public void Ecdsa_P1363WithWiderHalves_IsReadAsIntegers()
    {
        var rs = TestSigner.Shared("P-256").SignDigest(Digest256, p1363: true);
        byte[] wide = [0x00, .. rs[..32], 0x00, .. rs[32..]];
        Assert.True(Verify("P-256", DigestAlgorithm.Sha256, Digest256, wide));
    }

    [Fact]
    public void Ecdsa_DerWithTrailingBytes_IsRefused()
    {
        var der = TestSigner.Shared("P-256").SignDigest(Digest256);
        Assert.False(Verify("P-256", DigestAlgorithm.Sha256, Digest256, [.. der, 0x00]));
    }

    [Fact]
    public void Ecdsa_DerWithExtraElementInside_IsRefused()
    {
        var rs = TestSigner.Shared("P-256").SignDigest(Digest256, p1363: true);
        var der = TestDer.EcdsaSignature(rs[..32], rs[32..]);
        byte[] extra = [0x30, (byte)(der[1] + 3), .. der[2..], 0x02, 0x01, 0x00];
        Assert.False(Verify("P-256", DigestAlgorithm.Sha256, Digest256, extra));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    [InlineData(134)]
    public void Ecdsa_RawOfBadLength_IsRefused(int length)
    {
        Assert.False(Verify("P-256", DigestAlgorithm.Sha256, Digest256, new byte[length]));
    }

    [Fact]
    public void Ecdsa_ZeroSignature_IsRefused()
    {
        Assert.False(Verify("P-256", DigestAlgorithm.Sha256, Digest256, new byte[64]));
        Assert.False(Verify("P-256", DigestAlgorithm.Sha256, Digest256, [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00]));
    }

    [Theory]
    [InlineData("RSA-2048")]
    [InlineData("RSA-3072")]
    [InlineData("RSA-4096")]
    public void Rsa_Pkcs1v15(string signerName)
    {
        Assert.True(Verify(signerName, DigestAlgorithm.Sha256, Digest256, TestSigner.Shared(signerName).SignDigest(Digest256)));
    }

    [Fact]
    public void Rsa_SignatureLongerThanTheModulus_IsRefused()
    {
        var signature = TestSigner.Shared("RSA-2048").SignDigest(Digest256);
        Assert.False(Verify("RSA-2048", DigestAlgorithm.Sha256, Digest256, [0x00, .. signature]));
    }

    [Fact]
    public void Rsa_PssSignature_IsRefused()
    {
        Assert.False(Verify("RSA-2048", DigestAlgorithm.Sha256, Digest256, TestSigner.Shared("RSA-2048").SignDigestPss(Digest256)));
    }

    [Fact]
    public void Ed25519ph_OverTheClientDigest()
    {
        var signer = TestSigner.Shared("Ed25519");
        Assert.True(Verify("Ed25519", DigestAlgorithm.Sha512, Digest512, signer.SignDigest(Digest512)));
        Assert.False(Verify("Ed25519", DigestAlgorithm.Sha512, Digest512, signer.SignPureEd25519(Digest512)));
        Assert.False(Verify("Ed25519", DigestAlgorithm.Sha512, Digest512, signer.SignDigest(Digest512)[..63]));
    }

    [Fact]
    public void Ed25519ph_NeedsSha512()
    {
        using var key = SubjectPublicKeyInfoParser.Parse(TestSigner.Shared("Ed25519").PublicKeyDer());
        Assert.False(ClientSignatureVerifier.Verify(key, DigestAlgorithm.Sha256, Digest256, new byte[64], out var problem));
        Assert.Contains("Ed25519ph", problem);
    }

    [Fact]
    public void DigestOfTheWrongSize_IsAProgrammingError()
    {
        using var key = SubjectPublicKeyInfoParser.Parse(TestSigner.Shared("P-256").PublicKeyDer());
        Assert.Throws<ArgumentException>(() => ClientSignatureVerifier.Verify(key, DigestAlgorithm.Sha256, Digest512, [], out _));
        Assert.Throws<ArgumentException>(() => ClientSignatureVerifier.Verify(key, DigestAlgorithm.None, [], [], out _));
    }

    [Theory]
    [InlineData("P-256", DigestAlgorithm.Sha256)]
    [InlineData("RSA-2048", DigestAlgorithm.Sha256)]
    [InlineData("Ed25519", DigestAlgorithm.Sha512)]
    public void OneImportedKey_ServesManyThreadsAtOnce(string signerName, DigestAlgorithm algorithm)
    {
        var signer = TestSigner.Shared(signerName);
        var digests = Enumerable.Range(0, 64)
            .Select(i => algorithm == DigestAlgorithm.Sha256 ? SHA256.HashData(BitConverter.GetBytes(i)) : SHA512.HashData(BitConverter.GetBytes(i)))
            .ToArray();
        var signatures = digests.Select(digest => signer.SignDigest(digest)).ToArray();
        using var key = SubjectPublicKeyInfoParser.Parse(signer.PublicKeyDer());
        var imported = (object?)key.Ecdsa ?? (object?)key.Rsa ?? key.Ed25519;

        var results = new bool[digests.Length * 4];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var n = i % digests.Length;
            // Every other call pairs a digest with the wrong signature, which must fail.
            var signature = i % 2 == 0 ? signatures[n] : signatures[(n + 1) % digests.Length];
            results[i] = ClientSignatureVerifier.Verify(key, algorithm, digests[n], signature, out _) == (i % 2 == 0);
        });

        Assert.All(results, Assert.True);
        // The key was imported once, at parse time, and reused by every call.
        Assert.Same(imported, (object?)key.Ecdsa ?? (object?)key.Rsa ?? key.Ed25519);
    }
}
