using RekorPosix.Protos.CommonV1;
using RekorPosix.Signing.ClientSignatures;

namespace RekorPosix.Tests.Signing.ClientSignatures;

public class AllowedAlgorithmsTests
{
    [Fact]
    public void Default_HasTheSevenAlgorithms()
    {
        Assert.Equal(
            ["ecdsa-sha2-256-nistp256", "ecdsa-sha2-384-nistp384", "ecdsa-sha2-512-nistp521", "ed25519-ph",
                "rsa-sign-pkcs1-2048-sha256", "rsa-sign-pkcs1-3072-sha256", "rsa-sign-pkcs1-4096-sha256"],
            AllowedAlgorithms.DefaultFlagNames);
        Assert.Equal(
            [PublicKeyDetails.PkixEcdsaP256Sha256, PublicKeyDetails.PkixEd25519Ph, PublicKeyDetails.PkixRsaPkcs1V152048Sha256,
                PublicKeyDetails.PkixRsaPkcs1V153072Sha256, PublicKeyDetails.PkixRsaPkcs1V154096Sha256,
                PublicKeyDetails.PkixEcdsaP384Sha384, PublicKeyDetails.PkixEcdsaP521Sha512],
            AllowedAlgorithms.Default.Algorithms.Select(algorithm => algorithm.Details).Order());
    }

    [Theory]
    [InlineData(new[] { "ecdsa-sha2-256-nistp256" }, new[] { PublicKeyDetails.PkixEcdsaP256Sha256 })]
    [InlineData(new[] { "ecdsa-sha2-256-nistp256,ed25519-ph" }, new[] { PublicKeyDetails.PkixEcdsaP256Sha256, PublicKeyDetails.PkixEd25519Ph })]
    [InlineData(new[] { "rsa-sign-pkcs1-4096-sha256", "ecdsa-sha2-512-nistp521" }, new[] { PublicKeyDetails.PkixRsaPkcs1V154096Sha256, PublicKeyDetails.PkixEcdsaP521Sha512 })]
    [InlineData(new[] { "ed25519-ph,ed25519-ph" }, new[] { PublicKeyDetails.PkixEd25519Ph })]
    [InlineData(new[] { "", "ecdsa-sha2-384-nistp384" }, new[] { PublicKeyDetails.PkixEcdsaP384Sha384 })]
    [InlineData(new string[0], new PublicKeyDetails[0])]
    public void Parse_AcceptsSubsetsOfTheDefaults(string[] flagValues, PublicKeyDetails[] expected)
    {
        Assert.Equal(expected, AllowedAlgorithms.Parse(flagValues).Algorithms.Select(algorithm => algorithm.Details));
    }

    [Theory]
    [InlineData("ed25519")]
    [InlineData("rsa-sign-pss-2048-sha256")]
    [InlineData("rsa-sign-pss-3072-sha256")]
    [InlineData("rsa-sign-pss-4096-sha256")]
    [InlineData("ecdsa-sha2-256-nistp384")]
    [InlineData("ecdsa-sha2-256-nistp521")]
    public void Parse_RefusesKnownNamesOutsideTheDefaults(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => AllowedAlgorithms.Parse(["ecdsa-sha2-256-nistp256," + name]));
        Assert.Equal($"algorithm {name} is not in the allowed set", error.Message);
    }

    [Theory]
    [InlineData("foo")]
    [InlineData("ED25519-PH")]
    [InlineData(" ed25519-ph")]
    [InlineData("ecdsa-sha2-256-nistp256,")]
    [InlineData("rsa-sign-pss-4092-sha256")]
    public void Parse_RefusesUnknownNames(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => AllowedAlgorithms.Parse([value]));
        Assert.StartsWith("parsing signature algorithm flag: ", error.Message);
    }

    [Theory]
    [InlineData("P-256", DigestAlgorithm.Sha256, true)]
    [InlineData("P-256", DigestAlgorithm.Sha384, false)]
    [InlineData("P-384", DigestAlgorithm.Sha384, true)]
    [InlineData("P-384", DigestAlgorithm.Sha256, false)]
    [InlineData("P-521", DigestAlgorithm.Sha512, true)]
    [InlineData("P-521", DigestAlgorithm.Sha256, false)]
    [InlineData("RSA-2048", DigestAlgorithm.Sha256, true)]
    [InlineData("RSA-2048", DigestAlgorithm.Sha512, false)]
    [InlineData("RSA-1024", DigestAlgorithm.Sha256, false)]
    [InlineData("Ed25519", DigestAlgorithm.Sha512, true)]
    [InlineData("Ed25519", DigestAlgorithm.None, false)]
    [InlineData("Ed25519", DigestAlgorithm.Sha256, false)]
    public void Permits_ComparesTheRealKeyAndTheHash(string signerName, DigestAlgorithm digest, bool permitted)
    {
        using var key = SubjectPublicKeyInfoParser.Parse(TestSigner.Shared(signerName).PublicKeyDer());
        Assert.Equal(permitted, AllowedAlgorithms.Default.Permits(key, digest));
    }

    [Fact]
    public void Permits_NothingWhenTheSetIsEmpty()
    {
        using var key = SubjectPublicKeyInfoParser.Parse(TestSigner.Shared("P-256").PublicKeyDer());
        Assert.False(AllowedAlgorithms.Parse([]).Permits(key, DigestAlgorithm.Sha256));
    }

    [Theory]
    [InlineData("RSA-2048", DigestAlgorithm.Sha384, "unsupported entry algorithm for RSA key, size 2048, digest SHA-384")]
    [InlineData("P-256", DigestAlgorithm.Sha384, "unsupported entry algorithm for ECDSA key, curve P-256, digest SHA-384")]
    [InlineData("Ed25519", DigestAlgorithm.None, "unsupported entry algorithm for Ed25519 key, digest unknown hash value 0")]
    public void DescribeRefusal_MatchesGo(string signerName, DigestAlgorithm digest, string expected)
    {
        using var key = SubjectPublicKeyInfoParser.Parse(TestSigner.Shared(signerName).PublicKeyDer());
        Assert.Equal(expected, AllowedAlgorithms.DescribeRefusal(key, digest));
    }
}
