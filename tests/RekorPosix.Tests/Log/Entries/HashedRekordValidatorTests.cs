using Google.Protobuf;
using RekorPosix.Log.Entries;
using RekorPosix.Protos.CommonV1;
using RekorPosix.Protos.RekorV2;
using RekorPosix.Signing.ClientSignatures;
using RekorPosix.Tests.Signing.ClientSignatures;
using static RekorPosix.Tests.Log.Entries.TestRequests;

namespace RekorPosix.Tests.Log.Entries;

public class HashedRekordValidatorTests
{
    private static readonly HashedRekordValidator Validator = new(AllowedAlgorithms.Default);

    private static InvalidEntryException Refused(CreateEntryRequest request, HashedRekordValidator? validator = null)
    {
        var error = Assert.Throws<InvalidEntryException>(() => (validator ?? Validator).Validate(request));
        Assert.Equal(InvalidEntryException.InvalidHashedRekordMessage, error.Message);
        return error;
    }

    private static HashedRekordRequestV002 Inner(CreateEntryRequest request) => request.HashedRekordRequestV002;

    [Fact]
    public void WorkedExample_GivesTheSpecBodyAndHashes()
    {
        var entry = Validator.Validate(WorkedExample());

        Assert.Equal(File.ReadAllBytes("testdata/entries/worked-example.body.json"), entry.CanonicalBody);
        Assert.Equal(489, entry.Length);
        Assert.Equal("5329b779f792acc0931f404314b027ab06e2d468ce61fc9d9641e625ce60c3da", Convert.ToHexStringLower(entry.LeafHash));
        Assert.Equal("a16d95bf6a15440bf4baf283711ee57d8d8f435378f12ad1bcc9aefe85109e31", Convert.ToHexStringLower(entry.Identity));
        Assert.Equal("hashedrekord", entry.Kind);
        Assert.Equal("0.0.2", entry.Version);
    }

    [Fact]
    public void Dsse_IsRefusedAsWrongType()
    {
        var request = new CreateEntryRequest { DsseRequestV002 = new DSSERequestV002() };
        var error = Assert.Throws<InvalidEntryException>(() => Validator.Validate(request));
        Assert.Equal("invalid type, must be hashedrekord", error.Message);
    }

    [Fact]
    public void EmptyRequest_IsRefusedAsWrongType()
    {
        var error = Assert.Throws<InvalidEntryException>(() => Validator.Validate(new CreateEntryRequest()));
        Assert.Equal("invalid type, must be hashedrekord", error.Message);
    }

    [Fact]
    public void Step1_MissingSignature()
    {
        var request = WorkedExample();
        Inner(request).Signature = null;
        Assert.Equal("missing signature", Refused(request).Detail);
    }

    [Fact]
    public void Step1_EmptySignatureContent()
    {
        var request = WorkedExample();
        Inner(request).Signature.Content = ByteString.Empty;
        Assert.Equal("missing signature", Refused(request).Detail);
    }

    [Fact]
    public void Step2_MissingVerifier()
    {
        var request = WorkedExample();
        Inner(request).Signature.Verifier = null;
        Inner(request).Digest = ByteString.Empty; // step 2 comes before step 3
        Assert.Equal("missing verifier", Refused(request).Detail);
    }

    [Fact]
    public void Step3_MissingDigest()
    {
        var request = WorkedExample();
        Inner(request).Digest = ByteString.Empty;
        Inner(request).Signature.Verifier.ClearVerifier(); // step 3 comes before step 4
        Assert.Equal("missing digest", Refused(request).Detail);
    }

    [Fact]
    public void Step4_NoKeyMaterial()
    {
        var request = WorkedExample();
        Inner(request).Signature.Verifier.ClearVerifier();
        Assert.Equal("invalid verifier: missing signature public key or X.509 certificate", Refused(request).Detail);
    }

    [Fact]
    public void Step4_EmptyPublicKey()
    {
        var request = WorkedExample();
        Inner(request).Signature.Verifier.PublicKey = new PublicKey();
        Assert.Equal("invalid verifier: missing public key raw bytes", Refused(request).Detail);
    }

    [Fact]
    public void Step4_EmptyCertificate()
    {
        var request = WorkedExample();
        Inner(request).Signature.Verifier.X509Certificate = new X509Certificate();
        Assert.Equal("invalid verifier: missing X.509 certificate raw bytes", Refused(request).Detail);
    }

    public static TheoryData<string, string> GarbageKeys() => new()
    {
        { "random bytes", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(91)) },
        { "PEM instead of DER", Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(
            "-----BEGIN PUBLIC KEY-----\n" + WorkedPublicKey + "\n-----END PUBLIC KEY-----\n")) },
        { "truncated", Convert.ToBase64String(Convert.FromBase64String(WorkedPublicKey)[..60]) },
        { "trailing data", Convert.ToBase64String([.. Convert.FromBase64String(WorkedPublicKey), 0x00]) },
        { "a single byte", "MA==" },
        { "an empty SEQUENCE", "MAA=" },
    };

    [Theory]
    [MemberData(nameof(GarbageKeys))]
    public void Step5_GarbagePublicKey(string what, string keyBase64)
    {
        var request = WorkedExample();
        Inner(request).Signature.Verifier.PublicKey.RawBytes = ByteString.FromBase64(keyBase64);
        Assert.StartsWith("parsing public key: ", Refused(request).Detail);
        Assert.NotNull(what);
    }

    [Theory]
    [MemberData(nameof(GarbageKeys))]
    public void Step5_GarbageCertificate(string what, string bytesBase64)
    {
        var request = WorkedExample();
        Inner(request).Signature.Verifier.X509Certificate = new X509Certificate { RawBytes = ByteString.FromBase64(bytesBase64) };
        Assert.StartsWith("parsing certificate: ", Refused(request).Detail);
        Assert.NotNull(what);
    }

    [Fact]
    public void Step5_CertificateInThePublicKeySlot()
    {
        var request = WorkedExample();
        Inner(request).Signature.Verifier.PublicKey.RawBytes = ByteString.CopyFrom(TestSigner.Shared("P-256").CertificateDer());
        Assert.StartsWith("parsing public key: ", Refused(request).Detail);
    }

    [Fact]
    public void Step5_PublicKeyInTheCertificateSlot()
    {
        var request = WorkedExample();
        Inner(request).Signature.Verifier.X509Certificate = new X509Certificate { RawBytes = ByteString.FromBase64(WorkedPublicKey) };
        Assert.StartsWith("parsing certificate: ", Refused(request).Detail);
    }

    [Theory]
    [InlineData(PublicKeyDetails.Unspecified, "PUBLIC_KEY_DETAILS_UNSPECIFIED")]
    [InlineData(PublicKeyDetails.PkixRsaPss, "PKIX_RSA_PSS")]
    [InlineData(PublicKeyDetails.PkixEcdsaP256HmacSha256, "PKIX_ECDSA_P256_HMAC_SHA_256")]
    [InlineData(PublicKeyDetails.LmsSha256, "LMS_SHA256")]
    [InlineData(PublicKeyDetails.MlDsa65, "ML_DSA_65")]
    [InlineData((PublicKeyDetails)99, "99")]
    public void Step6_KeyDetailsWithoutAlgorithmDetails(PublicKeyDetails keyDetails, string printed)
    {
        var request = WorkedExample();
        Inner(request).Signature.Verifier.KeyDetails = keyDetails;
        Assert.Equal($"getting key algorithm details: could not find algorithm details for known signature algorithm: {printed}",
            Refused(request).Detail);
    }

    [Fact]
    public void Step7_KeyDetailsHashNotAllowedForTheKey()
    {
        var request = WorkedExample();
        Inner(request).Signature.Verifier.KeyDetails = PublicKeyDetails.PkixEcdsaP384Sha384;
        Assert.Equal("unsupported entry algorithm for ECDSA key, curve P-256, digest SHA-384", Refused(request).Detail);
    }

    [Fact]
    public void Step7_RsaKeyOfAnUnlistedSize()
    {
        var request = Signed(TestSigner.Shared("RSA-1024"), PublicKeyDetails.PkixRsaPkcs1V152048Sha256, DigestAlgorithmSize.Sha256);
        Assert.Equal("unsupported entry algorithm for RSA key, size 1024, digest SHA-256", Refused(request).Detail);
    }

    [Fact]
    public void Step7_OperatorNarrowedTheAllowedSet()
    {
        var onlyP256 = new HashedRekordValidator(AllowedAlgorithms.Parse(["ecdsa-sha2-256-nistp256"]));
        Assert.NotNull(onlyP256.Validate(WorkedExample()));
        var rsa = Signed(TestSigner.Shared("RSA-2048"), PublicKeyDetails.PkixRsaPkcs1V152048Sha256, DigestAlgorithmSize.Sha256);
        Assert.Equal("unsupported entry algorithm for RSA key, size 2048, digest SHA-256", Refused(rsa, onlyP256).Detail);
    }

    [Fact]
    public void Step7_PureEd25519_IsRefusedBeforeStep8()
    {
        var signer = TestSigner.Shared("Ed25519");
        var message = "artifact"u8.ToArray();
        var request = Create(message, signer.SignPureEd25519(message),
            PublicKeyVerifier(signer.PublicKeyDer(), PublicKeyDetails.PkixEd25519));
        Assert.Equal("unsupported entry algorithm for Ed25519 key, digest unknown hash value 0", Refused(request).Detail);
    }

    [Fact]
    public void Step8_NoDigestAlgorithm_CannotBeReachedWithAnyAllowedSet()
    {
        // Step 8 refuses hash "none"; since pure Ed25519 can never be allowed, step 7 always refuses first.
        Assert.Throws<ArgumentException>(() => AllowedAlgorithms.Parse(["ed25519"]));
        Assert.DoesNotContain(AllowedAlgorithms.Default.Algorithms, algorithm => algorithm.Digest == DigestAlgorithm.None);
    }

    [Theory]
    [InlineData("P-256", PublicKeyDetails.PkixEcdsaP256Sha256, 31, "digest length (31) does not match expected size (32) for algorithm SHA-256")]
    [InlineData("P-256", PublicKeyDetails.PkixEcdsaP256Sha256, 48, "digest length (48) does not match expected size (32) for algorithm SHA-256")]
    [InlineData("P-384", PublicKeyDetails.PkixEcdsaP384Sha384, 32, "digest length (32) does not match expected size (48) for algorithm SHA-384")]
    [InlineData("P-521", PublicKeyDetails.PkixEcdsaP521Sha512, 66, "digest length (66) does not match expected size (64) for algorithm SHA-512")]
    [InlineData("RSA-2048", PublicKeyDetails.PkixRsaPkcs1V152048Sha256, 64, "digest length (64) does not match expected size (32) for algorithm SHA-256")]
    [InlineData("Ed25519", PublicKeyDetails.PkixEd25519Ph, 32, "digest length (32) does not match expected size (64) for algorithm SHA-512")]
    [InlineData("Ed25519", PublicKeyDetails.PkixEd25519Ph, 1, "digest length (1) does not match expected size (64) for algorithm SHA-512")]
    public void Step9_DigestLengthMismatch(string signerName, PublicKeyDetails keyDetails, int digestLength, string detail)
    {
        var signer = TestSigner.Shared(signerName);
        var digest = new byte[digestLength];
        var request = Create(digest, [0x30, 0x00], PublicKeyVerifier(signer.PublicKeyDer(), keyDetails));
        Assert.Equal(detail, Refused(request).Detail);
    }

    [Theory]
    [InlineData("P-256", PublicKeyDetails.PkixEcdsaP256Sha256, DigestAlgorithmSize.Sha256)]
    [InlineData("P-384", PublicKeyDetails.PkixEcdsaP384Sha384, DigestAlgorithmSize.Sha384)]
    [InlineData("P-521", PublicKeyDetails.PkixEcdsaP521Sha512, DigestAlgorithmSize.Sha512)]
    [InlineData("RSA-2048", PublicKeyDetails.PkixRsaPkcs1V152048Sha256, DigestAlgorithmSize.Sha256)]
    [InlineData("Ed25519", PublicKeyDetails.PkixEd25519Ph, DigestAlgorithmSize.Sha512)]
    public void Step10_AlteredSignature(string signerName, PublicKeyDetails keyDetails, DigestAlgorithmSize size)
    {
        var request = Signed(TestSigner.Shared(signerName), keyDetails, size, p1363: true);
        var content = Inner(request).Signature.Content.ToByteArray();
        content[content.Length / 2] ^= 0x01;
        Inner(request).Signature.Content = ByteString.CopyFrom(content);
        Assert.StartsWith("verifying signature: ", Refused(request).Detail);
    }

    [Fact]
    public void Step10_SignatureOverAnotherDigest()
    {
        var request = WorkedExample();
        var digest = Inner(request).Digest.ToByteArray();
        digest[0] ^= 0x80;
        Inner(request).Digest = ByteString.CopyFrom(digest);
        Assert.StartsWith("verifying signature: ", Refused(request).Detail);
    }

    [Fact]
    public void Step10_SignatureByAnotherKey()
    {
        var digest = Digest(DigestAlgorithmSize.Sha256);
        var request = Create(digest, TestSigner.P256().SignDigest(digest),
            PublicKeyVerifier(TestSigner.Shared("P-256").PublicKeyDer(), PublicKeyDetails.PkixEcdsaP256Sha256));
        Assert.StartsWith("verifying signature: ", Refused(request).Detail);
    }

    [Fact]
    public void Step10_RsaPssSignatureIsNeverAccepted()
    {
        var signer = TestSigner.Shared("RSA-2048");
        var digest = Digest(DigestAlgorithmSize.Sha256);
        var request = Create(digest, signer.SignDigestPss(digest),
            PublicKeyVerifier(signer.PublicKeyDer(), PublicKeyDetails.PkixRsaPss2048Sha256));
        Assert.StartsWith("verifying signature: ", Refused(request).Detail);
    }

    [Fact]
    public void Step10_PureEd25519SignatureUnderEd25519phKeyDetails()
    {
        var signer = TestSigner.Shared("Ed25519");
        var digest = Digest(DigestAlgorithmSize.Sha512);
        var request = Create(digest, signer.SignPureEd25519(digest),
            PublicKeyVerifier(signer.PublicKeyDer(), PublicKeyDetails.PkixEd25519Ph));
        Assert.StartsWith("verifying signature: ", Refused(request).Detail);
    }

    public static TheoryData<string, PublicKeyDetails, DigestAlgorithmSize, bool, bool> AllowedAlgorithmCases()
    {
        var cases = new TheoryData<string, PublicKeyDetails, DigestAlgorithmSize, bool, bool>();
        foreach (var certificate in new[] { false, true })
        {
            foreach (var p1363 in new[] { false, true })
            {
                cases.Add("P-256", PublicKeyDetails.PkixEcdsaP256Sha256, DigestAlgorithmSize.Sha256, certificate, p1363);
                cases.Add("P-384", PublicKeyDetails.PkixEcdsaP384Sha384, DigestAlgorithmSize.Sha384, certificate, p1363);
                cases.Add("P-521", PublicKeyDetails.PkixEcdsaP521Sha512, DigestAlgorithmSize.Sha512, certificate, p1363);
            }
            cases.Add("RSA-2048", PublicKeyDetails.PkixRsaPkcs1V152048Sha256, DigestAlgorithmSize.Sha256, certificate, false);
            cases.Add("RSA-3072", PublicKeyDetails.PkixRsaPkcs1V153072Sha256, DigestAlgorithmSize.Sha256, certificate, false);
            cases.Add("RSA-4096", PublicKeyDetails.PkixRsaPkcs1V154096Sha256, DigestAlgorithmSize.Sha256, certificate, false);
            cases.Add("Ed25519", PublicKeyDetails.PkixEd25519Ph, DigestAlgorithmSize.Sha512, certificate, false);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(AllowedAlgorithmCases))]
    public void Step11_EveryAllowedAlgorithmIsAccepted(string signerName, PublicKeyDetails keyDetails, DigestAlgorithmSize size,
        bool certificate, bool p1363)
    {
        var request = Signed(TestSigner.Shared(signerName), keyDetails, size, certificate, p1363);
        var entry = Validator.Validate(request);
        var expected = CanonicalBody.Build(
            new HashOutput
            {
                Algorithm = size switch
                {
                    DigestAlgorithmSize.Sha256 => HashAlgorithm.Sha2256,
                    DigestAlgorithmSize.Sha384 => HashAlgorithm.Sha2384,
                    _ => HashAlgorithm.Sha2512,
                },
                Digest = Inner(request).Digest,
            },
            Inner(request).Signature);
        Assert.Equal(expected, entry.CanonicalBody);
        Assert.Contains(certificate ? "\"x509Certificate\":{\"rawBytes\":" : "\"publicKey\":{\"rawBytes\":",
            System.Text.Encoding.ASCII.GetString(entry.CanonicalBody));
    }

    [Fact]
    public void Quirk_P256KeyWithP384Sha256KeyDetails_IsAcceptedAndKept()
    {
        var request = WorkedExample();
        Inner(request).Signature.Verifier.KeyDetails = PublicKeyDetails.PkixEcdsaP384Sha256;
        var entry = Validator.Validate(request);
        Assert.Equal(File.ReadAllBytes("testdata/entries/p384-sha256-keydetails.body.json"), entry.CanonicalBody);
    }

    [Fact]
    public void Quirk_P256KeyWithP521Sha256KeyDetails_IsAccepted()
    {
        var request = WorkedExample();
        Inner(request).Signature.Verifier.KeyDetails = PublicKeyDetails.PkixEcdsaP521Sha256;
        Assert.Contains("\"keyDetails\":\"PKIX_ECDSA_P521_SHA_256\"",
            System.Text.Encoding.ASCII.GetString(Validator.Validate(request).CanonicalBody));
    }

    [Fact]
    public void Quirk_Rsa2048WithPssKeyDetails_IsAcceptedWithAPkcs1v15Signature()
    {
        var request = Signed(TestSigner.Shared("RSA-2048"), PublicKeyDetails.PkixRsaPss2048Sha256, DigestAlgorithmSize.Sha256);
        var body = System.Text.Encoding.ASCII.GetString(Validator.Validate(request).CanonicalBody);
        Assert.Contains("\"keyDetails\":\"PKIX_RSA_PSS_2048_SHA256\"", body);
        Assert.Contains("\"algorithm\":\"SHA2_256\"", body);
    }

    [Fact]
    public void Quirk_P521KeyWithEd25519phKeyDetails_IsVerifiedAsEcdsaSha512()
    {
        var request = Signed(TestSigner.Shared("P-521"), PublicKeyDetails.PkixEd25519Ph, DigestAlgorithmSize.Sha512);
        var body = System.Text.Encoding.ASCII.GetString(Validator.Validate(request).CanonicalBody);
        Assert.Contains("\"keyDetails\":\"PKIX_ED25519_PH\"", body);
        Assert.Contains("\"algorithm\":\"SHA2_512\"", body);
    }

    [Fact]
    public void Quirk_PureEd25519KeyDetails_IsRefused()
    {
        var request = Signed(TestSigner.Shared("Ed25519"), PublicKeyDetails.PkixEd25519, DigestAlgorithmSize.Sha512);
        Assert.Equal("unsupported entry algorithm for Ed25519 key, digest unknown hash value 0", Refused(request).Detail);
    }

    [Fact]
    public void Quirk_CertificateWithABadIssuerSignature_IsAccepted()
    {
        var signer = TestSigner.Shared("P-256");
        var certificate = signer.CertificateDer();
        certificate[^1] ^= 0xFF; // last byte of the issuer's signature
        var digest = Digest(DigestAlgorithmSize.Sha256);
        var request = Create(digest, signer.SignDigest(digest), CertificateVerifier(certificate, PublicKeyDetails.PkixEcdsaP256Sha256));
        Assert.NotNull(Validator.Validate(request));
    }

    [Fact]
    public void Quirk_ExpiredCertificate_IsAccepted()
    {
        // The golden certificate request is valid for ten years from its creation, but no date is ever checked;
        // this also covers a certificate made outside .NET (openssl).
        var request = CreateEntryRequestDecoder.FromJson(File.ReadAllBytes("testdata/entries/certificate.request.json"));
        var entry = Validator.Validate(request);
        Assert.Equal(File.ReadAllBytes("testdata/entries/certificate.body.json"), entry.CanonicalBody);
    }
}
