using RekorPosix.Protos.CommonV1;
using RekorPosix.Signing.ClientSignatures;

namespace RekorPosix.Tests.Signing.ClientSignatures;

public class SignatureAlgorithmRegistryTests
{
    [Theory]
    [InlineData(PublicKeyDetails.PkixRsaPkcs1V152048Sha256, DigestAlgorithm.Sha256)]
    [InlineData(PublicKeyDetails.PkixRsaPss4096Sha256, DigestAlgorithm.Sha256)]
    [InlineData(PublicKeyDetails.PkixEcdsaP256Sha256, DigestAlgorithm.Sha256)]
    [InlineData(PublicKeyDetails.PkixEcdsaP384Sha256, DigestAlgorithm.Sha256)]
    [InlineData(PublicKeyDetails.PkixEcdsaP521Sha256, DigestAlgorithm.Sha256)]
    [InlineData(PublicKeyDetails.PkixEcdsaP384Sha384, DigestAlgorithm.Sha384)]
    [InlineData(PublicKeyDetails.PkixEcdsaP521Sha512, DigestAlgorithm.Sha512)]
    [InlineData(PublicKeyDetails.PkixEd25519Ph, DigestAlgorithm.Sha512)]
    [InlineData(PublicKeyDetails.PkixEd25519, DigestAlgorithm.None)]
    public void Find_MapsKeyDetailsToTheirHash(PublicKeyDetails details, DigestAlgorithm digest)
    {
        Assert.Equal(digest, SignatureAlgorithmRegistry.Find(details)!.Digest);
    }

    [Theory]
    [InlineData(PublicKeyDetails.Unspecified)]
    [InlineData(PublicKeyDetails.Pkcs1RsaPkcs1V5)]
    [InlineData(PublicKeyDetails.PkixRsaPkcs1V5)]
    [InlineData(PublicKeyDetails.PkixEcdsaP256HmacSha256)]
    [InlineData(PublicKeyDetails.LmotsSha256)]
    [InlineData(PublicKeyDetails.MlDsa44)]
    [InlineData((PublicKeyDetails)1000)]
    public void Find_HasNoDetailsForOtherValues(PublicKeyDetails details)
    {
        Assert.Null(SignatureAlgorithmRegistry.Find(details));
    }

    [Fact]
    public void FlagNames_AreUniqueAndRoundTrip()
    {
        foreach (var algorithm in SignatureAlgorithmRegistry.All)
            Assert.Same(algorithm, SignatureAlgorithmRegistry.FindByFlagName(algorithm.FlagName));
        Assert.Equal(13, SignatureAlgorithmRegistry.All.Select(algorithm => algorithm.FlagName).Distinct().Count());
    }
}
