using RekorPosix.Signing;

namespace RekorPosix.Tests.Signing;

public class LogPublicKeyTests
{
    // OpenSSL-generated public keys; the expected log IDs were computed with `openssl dgst -sha256` over
    // the DER key (ECDSA) or over name ‖ 0x0A ‖ 0xFF ‖ "PKIX-RSA-PKCS#1v1.5" ‖ DER key (RSA).
    private const string P256Pem = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEoHDhRavtdL5X9xHwRG94NZnIVcwZ
        VTjRSACfYg95n2BgG4l/OsYThH7YvqywusYErmYZsstmVG7UKulyD4SESQ==
        -----END PUBLIC KEY-----

        """;

    private const string P256LogId = "dulWT8BlHPwlthwSMhL5WnBWcr2hDCPyXmAU4xEeSqw=";

    private const string P256CompressedPem = """
        -----BEGIN PUBLIC KEY-----
        MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgADoHDhRavtdL5X9xHwRG94NZnIVcwZ
        VTjRSACfYg95n2A=
        -----END PUBLIC KEY-----
        """;

    private const string P384Pem = """
        -----BEGIN PUBLIC KEY-----
        MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAExNcj0YaITLyvuIU90pEfJ/I0Sn1z3mI7
        KY4M0EnfRmxMEY9myNNNV5DQrpbl9turplpcpgpXr3wa7bUT4YUDe1VVkMiLZ6hA
        PiKJkwzYLRJZgJSZtgKXFF5n/ViXW2xE
        -----END PUBLIC KEY-----

        """;

    private const string P384LogId = "iZeu59VZn4louuUhD7q9ZisD1Lq7+4GKkJKDw/8gYcM=";

    private const string RsaPem = """
        -----BEGIN PUBLIC KEY-----
        MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA14Blu4eXx3z/QryKMNDU
        7BLbqkYp7JCjALhn/6BKvSXCMAEFK31iqbLGA8x/5gNNb41bOQAuebXzLZvyDiga
        LH08xxSTr3so/5PmwItwO0NlfBY8OLZRaew8naQ9jZJQk8VfJR4gdd5l36zXaj5q
        idSIxnR9YlNeLn4vaJdxRiAD0vkj0xK+jb60quAPtRByxWrzTvqIZ+EimeLCc/sB
        OYyKbe/HrckQ/WiGwY7TK3AULGRYgbtdvH4PMyXXZ/VSgwIKHOtRI4w2lLmQbPR3
        WOAHGUue01J3BZBiP8G+yzdsp7sKsjVErYrcLPMp6wMaWTHduQTJcnF0vevpBxq3
        JQIDAQAB
        -----END PUBLIC KEY-----

        """;

    private const string RsaOrigin = "rsa.example/log";
    private const string RsaLogId = "sksoSJCqhG0/NU83A6ZMmkwX6e2y0SPQsX1Es80hJSE=";

    private const string Ed448Pem = """
        -----BEGIN PUBLIC KEY-----
        MEMwBQYDK2VxAzoAlX7YF4NuaZDYGSxpJsGZM/t+4PfIZ9RsAVXr4EhVQxbU1ZaN
        gbWLJCxA+WJ6enIOMSRkz/WSynuA
        -----END PUBLIC KEY-----
        """;

    private const string X25519Pem = """
        -----BEGIN PUBLIC KEY-----
        MCowBQYDK2VuAyEATBSzAXJKnbxBaL9FBv/l2D6yr/XVK9c6iGyA3RdPYnI=
        -----END PUBLIC KEY-----
        """;

    private const string Secp256k1Pem = """
        -----BEGIN PUBLIC KEY-----
        MFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAE+DC3YV18MXzjJFzH4HoHDYp2YKy2MnlS
        A7sq5It2cpFSGgmC5sOL+J/dSdRrbgpc1GcQ1s+yO9z9UC3FDEAqfQ==
        -----END PUBLIC KEY-----
        """;

    // `openssl dgst -sign` signatures over "example/log\n1\nAAAA\n": ECDSA with SHA-256 (P-256) and SHA-384 (P-384),
    // RSASSA-PKCS1-v1_5 with SHA-256.
    private const string SignedText = "example/log\n1\nAAAA\n";
    private const string P256Signature =
        "MEUCICD/XZ1S90CyVpDRlzlod5YaYew7+PzFG/tkObyK1w52AiEAmdtEcxHqCXrmYx7TUqWMQwEZzl0Rjrdcbfryj7kpTqA=";
    private const string P384Signature =
        "MGQCMCNF5K2nxJfymaknzbubrXo7ptwPecqpIGyNaAdruzpmA7hyW98Hj3WA7uQvnx8dbgIwO+tGVjCUnXOvojXGQmeGdwQBKpfCrzzx0gxJrC85fLlix24VdvGRMJWF9gHK/ovY";
    private const string RsaSignature =
        "qGR1nTXDLOyew3mLcHiQ/XUKXy2UG/c3K+W2SkdOTrG+OeyamNDqZ0bQUXbfTxHuvehkwKysLBP+z6/b2UZZ2tCG3R7MZZoN8GL2Ww7iDCKN9Fw1DRyoTs33j2ECibD5psfmaZK/3hg9CNf84DrCVhzYOScHPXiyHpecKGpyLSl7kMLsU+dk66q2mH7iTJLfH9vXYu89y33vte7wCO1CG9dPFMDQVoUSq1ALlmxQMkuS0FwCZoSJAjhPxd5u4HT2IGxS9iMic3+H3SzulE9iggEkuEbH/TL8eCmHgB7Ux6DbATt7IID18XODl5QUXmhrzvwytoUW+WppQr6o9f9NaA==";

    private static string TestData(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "testdata", .. parts]);

    [Fact]
    public void Ed25519_RekorTestKey_KnownLogId()
    {
        LogPublicKey key = LogPublicKey.FromPem(File.ReadAllText(TestData("rekor-tiles-pki", "ed25519-pub-key.pem")));

        Assert.Equal(LogKeyType.Ed25519, key.KeyType);
        Assert.Equal("2AtEIMfG6Y41yK0tcwRTBS2tjhOrjKGIpDkHFgp65g0=", Convert.ToBase64String(key.LogId("rekor-local")));
        Assert.Equal("rekor-local+d80b4420+AURLycjWRo1+gdwwCLg9wU4PayMFdNBmPF4ORVPiBQ1E", key.VerifierKey("rekor-local"));
    }

    [Theory]
    [InlineData(P256Pem, P256LogId, LogKeyType.EcdsaP256)]
    [InlineData(P384Pem, P384LogId, LogKeyType.EcdsaP384)]
    public void Ecdsa_LogIdIsHashOfDerKey_NameIgnored(string pem, string logId, LogKeyType type)
    {
        LogPublicKey key = LogPublicKey.FromPem(pem);

        Assert.Equal(type, key.KeyType);
        Assert.Equal(logId, Convert.ToBase64String(key.LogId("any.name")));
        Assert.Equal(logId, Convert.ToBase64String(key.LogId("other")));
        Assert.Equal(pem, key.Pem);
    }

    [Fact]
    public void Ecdsa_VerifierKey_Type02WithDerKey()
    {
        LogPublicKey key = LogPublicKey.FromPem(P256Pem);

        Assert.Equal(0x76e9564fu, key.KeyId("ecdsa.example"));
        Assert.Equal(
            "ecdsa.example+76e9564f+AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABKBw4UWr7XS+V/cR8ERveDWZyFXMGVU40UgAn2IPeZ9gYBuJfzrGE4R+2L6ssLrGBK5mGbLLZlRu1Crpcg+EhEk=",
            key.VerifierKey("ecdsa.example"));
    }

    [Fact]
    public void Rsa_LogIdIncludesNameAndTypeString()
    {
        LogPublicKey key = LogPublicKey.FromPem(RsaPem);

        Assert.Equal(LogKeyType.Rsa, key.KeyType);
        Assert.Equal(RsaLogId, Convert.ToBase64String(key.LogId(RsaOrigin)));
        Assert.Equal(0xb24b2848u, key.KeyId(RsaOrigin));
        Assert.StartsWith(RsaOrigin + "+b24b2848+/1BLSVgtUlNBLVBLQ1MjMXYxLjUwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEK", key.VerifierKey(RsaOrigin), StringComparison.Ordinal);
        Assert.NotEqual(RsaLogId, Convert.ToBase64String(key.LogId("other")));
        Assert.Equal(RsaPem, key.Pem);
    }

    [Theory]
    [InlineData(P256Pem, P256Signature)]
    [InlineData(P384Pem, P384Signature)]
    [InlineData(RsaPem, RsaSignature)]
    public void CreateNoteVerifier_AcceptsOpenSslSignatures(string pem, string signature)
    {
        INoteVerifier verifier = LogPublicKey.FromPem(pem).CreateNoteVerifier("example/log");
        byte[] message = System.Text.Encoding.UTF8.GetBytes(SignedText);
        byte[] sig = Convert.FromBase64String(signature);

        Assert.True(verifier.Verify(message, sig));
        message[^2] ^= 1;
        Assert.False(verifier.Verify(message, sig));
        message[^2] ^= 1;
        sig[^1] ^= 1;
        Assert.False(verifier.Verify(message, sig));
        Assert.False(verifier.Verify(message, []));
        Assert.False(verifier.Verify(message, new byte[7]));
    }

    [Fact]
    public void CompressedEcPoint_Rejected()
    {
        // Like Go's x509.ParsePKIXPublicKey: only uncompressed points, so every key has one DER form and one log ID.
        var e = Assert.Throws<KeyFileException>(() => LogPublicKey.FromPem(P256CompressedPem));
        Assert.Contains("ECDSA public key", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Ed448Pem, "1.3.101.113")]
    [InlineData(X25519Pem, "1.3.101.110")]
    [InlineData(Secp256k1Pem, "unsupported elliptic curve")]
    public void UnsupportedKeys_Rejected(string pem, string detail)
    {
        var e = Assert.Throws<KeyFileException>(() => LogPublicKey.FromPem(pem));
        Assert.Contains(detail, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_PrivateKeyPem_Rejected()
    {
        var e = Assert.Throws<KeyFileException>(
            () => LogPublicKey.FromPem(File.ReadAllText(TestData("rekor-tiles-pki", "ed25519-priv-key.pem"))));
        Assert.Equal("unknown public key PEM file type: PRIVATE KEY (expected PUBLIC KEY)", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("MAA=")]
    [InlineData("MCowBQYDK2VwAyEAREvJyNZGjX6B3DAIuD3BTg9rIwV00GY8Xg5FU+IFDUQAAA==")]
    [InlineData("MCkwBQYDK2VwAyAAREvJyNZGjX6B3DAIuD3BTg9rIwV00GY8Xg5FU+IFDQ==")]
    public void FromSubjectPublicKeyInfo_Malformed_Rejected(string base64)
    {
        Assert.Throws<KeyFileException>(() => LogPublicKey.FromSubjectPublicKeyInfo(Convert.FromBase64String(base64)));
    }

    [Fact]
    public void FromSubjectPublicKeyInfo_Ed25519NotOnCurve_Rejected()
    {
        byte[] spki = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00, 2, .. new byte[31]];
        var e = Assert.Throws<KeyFileException>(() => LogPublicKey.FromSubjectPublicKeyInfo(spki));
        Assert.Contains("Ed25519", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SubjectPublicKeyInfo_IsACopy()
    {
        LogPublicKey key = LogPublicKey.FromPem(P256Pem);
        key.SubjectPublicKeyInfo[0] ^= 0xff;
        Assert.Equal(P256LogId, Convert.ToBase64String(key.LogId("x")));
    }
}
