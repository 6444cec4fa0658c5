using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using RekorPosix.Signing;

namespace RekorPosix.Tests.Signing;

public class LogSigningKeyTests
{
    private const string Origin = "log.example/test";
    private const string Password = "correct horse";

    // Test vectors written by OpenSSL 3.0 (password "correct horse" where encrypted).
    private const string OpenSslEd25519 = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEIEeiLo/fwsIPJ8bCe65u0EBnTg2r03QoOGa2BDKRuYvd
        -----END PRIVATE KEY-----
        """;

    private const string OpenSslEd25519Public = "MCowBQYDK2VwAyEAlMSz/BqUYx/b6kXg/HwTjD9I1Q7wa0o/bjeUj+HHXqQ=";

    // openssl pkcs8 -topk8: PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC.
    private const string OpenSslEd25519Pbes2 = """
        -----BEGIN ENCRYPTED PRIVATE KEY-----
        MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAj6NbSvpND4kgICCAAw
        DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEOh+pevsn9Y/b3X7lO/IgPAEQAey
        La6n9szzWS9XIMtYjgGDSYtVYk4e1c33aEZeh7TV0smAMyqr783HSuuq0WER7bJc
        rAxhun3byHx+drI+u/0=
        -----END ENCRYPTED PRIVATE KEY-----
        """;

    // openssl pkcs8 -topk8 -scrypt: PBES2, scrypt N=16384 r=8 p=1, AES-256-CBC.
    private const string OpenSslEd25519Scrypt = """
        -----BEGIN ENCRYPTED PRIVATE KEY-----
        MIGTME8GCSqGSIb3DQEFDTBCMCEGCSsGAQQB2kcECzAUBAjGwQYaoo8IUwICQAAC
        AQgCAQEwHQYJYIZIAWUDBAEqBBB1SKOZINzNRMP5pjcXCzG/BEDaw4Htvd6xQ/SM
        iHvPxcKZKzUuD4kQ67jc5qcAMq7OPgHArJFpsRUD3TJIy6EgVHhSZnBzVulk9MRw
        p+jFfMFq
        -----END ENCRYPTED PRIVATE KEY-----
        """;

    // openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES (PKCS#12 PBE).
    private const string OpenSslEd25519Pkcs12Pbe = """
        -----BEGIN ENCRYPTED PRIVATE KEY-----
        MFgwHAYKKoZIhvcNAQwBAzAOBAg9507EEcSi3gICCAAEOIhDcVojQOE1Orc9dW2A
        mVN9ZhABFuNgoUh5KoZV4c+VaEOJiKVzWgDASNRDN12czomI47BR8tlN
        -----END ENCRYPTED PRIVATE KEY-----
        """;

    private const string OpenSslP256 = """
        -----BEGIN EC PRIVATE KEY-----
        MHcCAQEEIDi5u8AnWemWRPDNQMxZcqujLeZg0ZcQKo31Gs90VEAEoAoGCCqGSM49
        AwEHoUQDQgAEoHDhRavtdL5X9xHwRG94NZnIVcwZVTjRSACfYg95n2BgG4l/OsYT
        hH7YvqywusYErmYZsstmVG7UKulyD4SESQ==
        -----END EC PRIVATE KEY-----
        """;

    private const string OpenSslP256Public =
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEoHDhRavtdL5X9xHwRG94NZnIVcwZVTjRSACfYg95n2BgG4l/OsYThH7YvqywusYErmYZsstmVG7UKulyD4SESQ==";

    // openssl pkcs8 -topk8 -v2 aes-128-cbc -v2prf hmacWithSHA1.
    private const string OpenSslP256Pbes2Sha1 = """
        -----BEGIN ENCRYPTED PRIVATE KEY-----
        MIHeMEkGCSqGSIb3DQEFDTA8MBsGCSqGSIb3DQEFDDAOBAjhfJey54qnDAICCAAw
        HQYJYIZIAWUDBAECBBBHujGzE3f9PuPdUqo9Meu3BIGQMGvx0MH6Knim1neYRocS
        DX6FJQLa0T1Z3kId45Qv+zHsGHmjU+ZW8P/VCEmbkPBOP3lhTngXCIeDUF7+IrOV
        mu6RjRewWOwuIckWM3fk1pBrlvcPixWH3s/5lVDRWLzqGuKUV2fbrgYd66uipBLS
        DJhfMKtc8GVvUkFA5AB0BYpu2II+Gx9VO0sUE2tYhIBf
        -----END ENCRYPTED PRIVATE KEY-----
        """;

    // openssl ec -aes256: RFC 1423 legacy encryption.
    private const string OpenSslP256LegacyAes256 = """
        -----BEGIN EC PRIVATE KEY-----
        Proc-Type: 4,ENCRYPTED
        DEK-Info: AES-256-CBC,97BCA9609CC8B0304B633F0B64C3DCDB

        ie+ekSi5mAaz4jcYuQVrlSo4h36MzukSZ5lQNoq+ZXR7uxnMikVBs06hPOM7iw9r
        EYnTu++61rqQ7zP7WFYaJncPV0nN04pipcnh1RSd7vxAY88dXdPQvHbSLVuKZoxM
        PSwKsrob1zJwgMBeFYNYHSD1DF80jXMu34c4KqxbuAU=
        -----END EC PRIVATE KEY-----
        """;

    // openssl ec -des3: RFC 1423 legacy encryption of a P-384 key.
    private const string OpenSslP384Legacy3Des = """
        -----BEGIN EC PRIVATE KEY-----
        Proc-Type: 4,ENCRYPTED
        DEK-Info: DES-EDE3-CBC,D08CC1BEF7E9ADDB

        PSPND/prR/obTlHsx04jKuxEYHkd1pYaQ4ySoPvUhLnepNw7VXXAe9dhcKSWUIuH
        cy9ceiW83P+HZI4x90fKXLtVLhmvfSzQEkWcPBrEloeRNTUVPfPJKVUKjT11vzq4
        6wEE7rcjGvyHbheYcgL7XM2FkuPehIhLAzHHNFlX3hIqBX5NK/sngI2HLnipgO1P
        SludIU83gyZX2FXNO7XmabNoQsxc17L5
        -----END EC PRIVATE KEY-----
        """;

    private const string OpenSslP384Public =
        "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAExNcj0YaITLyvuIU90pEfJ/I0Sn1z3mI7KY4M0EnfRmxMEY9myNNNV5DQrpbl9turplpcpgpXr3wa7bUT4YUDe1VVkMiLZ6hAPiKJkwzYLRJZgJSZtgKXFF5n/ViXW2xE";

    private const string OpenSslSecp256k1Sec1 = """
        -----BEGIN EC PRIVATE KEY-----
        MHQCAQEEIP7OOFzfBQ9bWTKsSsPBWpvM7O6vYz44NYSqE4ekJPv/oAcGBSuBBAAK
        oUQDQgAE+DC3YV18MXzjJFzH4HoHDYp2YKy2MnlSA7sq5It2cpFSGgmC5sOL+J/d
        SdRrbgpc1GcQ1s+yO9z9UC3FDEAqfQ==
        -----END EC PRIVATE KEY-----
        """;

    private const string OpenSslSecp256k1Pkcs8 = """
        -----BEGIN PRIVATE KEY-----
        MIGEAgEAMBAGByqGSM49AgEGBSuBBAAKBG0wawIBAQQg/s44XN8FD1tZMqxKw8Fa
        m8zs7q9jPjg1hKoTh6Qk+/+hRANCAAT4MLdhXXwxfOMkXMfgegcNinZgrLYyeVID
        uyrki3ZykVIaCYLmw4v4n91J1GtuClzUZxDWz7I73P1QLcUMQCp9
        -----END PRIVATE KEY-----
        """;

    // openssl ecparam -name prime256v1 -param_enc explicit: P-256 spelled out instead of named.
    private const string OpenSslExplicitP256 = """
        -----BEGIN EC PRIVATE KEY-----
        MIIBaAIBAQQg0sRsCdqY2ULNXsC4EawCPiqE+V8cUIWKaA7zbUMrsNSggfowgfcC
        AQEwLAYHKoZIzj0BAQIhAP////8AAAABAAAAAAAAAAAAAAAA////////////////
        MFsEIP////8AAAABAAAAAAAAAAAAAAAA///////////////8BCBaxjXYqjqT57Pr
        vVV2mIa8ZR0GsMxTsPY7zjw+J9JgSwMVAMSdNgiG5wSTamZ44ROdJreBn36QBEEE
        axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpZP40Li/hp/m47n60p8D54W
        K84zV2sxXs7LtkBoN79R9QIhAP////8AAAAA//////////+85vqtpxeehPO5ysL8
        YyVRAgEBoUQDQgAEc6ZX5eURN4VX+1gHYTNp21wB4GJw811EK0TYezKZRjldRlLK
        sWxZqr+GE70WStWaNO+3/XBqzndDKO0hMjRMBA==
        -----END EC PRIVATE KEY-----
        """;

    private const string OpenSslEd448 = """
        -----BEGIN PRIVATE KEY-----
        MEcCAQAwBQYDK2VxBDsEObUi7uVC7W/begalS4jtY2hjbLPVb4syGGOTbtxMKIIO
        ujNJOxOkhHnF0Te3NfQZ+g4WSkdsEsDphw==
        -----END PRIVATE KEY-----
        """;

    // A cosign P-256 key with the empty password (scrypt N=65536 + nacl/secretbox), from the public test suite
    // of conforma/cli (internal/validate/vsa), where it is used with COSIGN_PASSWORD="".
    private const string CosignEmptyPassword = """
        -----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----
        eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjo2NTUzNiwiciI6
        OCwicCI6MX0sInNhbHQiOiJLYU9OQzduQVJLOVgxM1FoaWFucjAwTTBGYys2Sitr
        dnAxN1FuanpiVk9nPSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94
        Iiwibm9uY2UiOiJVOHZqWWtqMlZOUFZGdlZFZWZ3bXZ5VGloUERrelBoaCJ9LCJj
        aXBoZXJ0ZXh0IjoidWNWMnQ4TTZVNFJvb29FOXc0d3dkc3E1RDYrS2RKY245dERT
        KzFwRDRGN040SVJOWEgzSTBua3h1a3NackFOUHR1emIvTkVYQ201dUp3Zjh3Qzl1
        VlprbXdwNU5jRUZ6b3ZNS3JCZmNvdXdjaEkrMzkrQ0NhbVZPbzBucmRnZjhvcmpK
        dXdrWDBYL1phY0RUTERGaUxyc1laMWVMMmlqMGU1MVRpZmVQNTl4WXNPK1FnM1Jv
        OURRVjNQMk9ndDFDaVFHeGg1VXhUZytGc3c9PSJ9
        -----END ENCRYPTED SIGSTORE PRIVATE KEY-----
        """;

    private static string TestData(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "testdata", .. parts]);

    [Fact]
    public void RekorTestKey_KnownIdentifiers()
    {
        using LogSigningKey key = LogSigningKey.Load(TestData("rekor-tiles-pki", "ed25519-priv-key.pem"));

        Assert.Equal(LogKeyType.Ed25519, key.KeyType);
        Assert.Equal("MCowBQYDK2VwAyEAREvJyNZGjX6B3DAIuD3BTg9rIwV00GY8Xg5FU+IFDUQ=", Convert.ToBase64String(key.SubjectPublicKeyInfo));
        Assert.Equal("2AtEIMfG6Y41yK0tcwRTBS2tjhOrjKGIpDkHFgp65g0=", Convert.ToBase64String(key.LogId("rekor-local")));
        Assert.Equal(0xd80b4420u, key.KeyId("rekor-local"));
        Assert.Equal("rekor-local+d80b4420+AURLycjWRo1+gdwwCLg9wU4PayMFdNBmPF4ORVPiBQ1E", key.VerifierKey("rekor-local"));
        Assert.Equal(File.ReadAllText(TestData("rekor-tiles-pki", "ed25519-pub-key.pem")), key.PublicKeyPem);
    }

    [Fact]
    public void TesseraTestKey_KnownVerifierKey()
    {
        using LogSigningKey key = LogSigningKey.Load(TestData("tessera-log-key.pem"));

        Assert.Equal(
            "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
            key.VerifierKey("example.com/log/testdata"));
        Assert.Equal(File.ReadAllText(TestData("tessera-log-key.pub.pem")), key.PublicKeyPem);
    }

    [Fact]
    public void Ed25519_LogIdDependsOnOrigin()
    {
        using LogSigningKey key = LogSigningKey.FromPem(OpenSslEd25519);

        Assert.NotEqual(key.LogId("a"), key.LogId("b"));
        Assert.Equal(OpenSslEd25519Public, Convert.ToBase64String(key.SubjectPublicKeyInfo));
    }

    [Fact]
    public void GoSumdbPeterNeumannKey_SignsLikeGo()
    {
        // PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz (golang.org/x/mod
        // sumdb/note docs): type byte 0x01, then the 32-byte seed.
        byte[] seed = Convert.FromBase64String("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1..];
        byte[] pkcs8 = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20, .. seed];
        using LogSigningKey key = LogSigningKey.FromPem(PemEncoding.WriteString("PRIVATE KEY", pkcs8));
        string text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";

        string note = SignedNote.Sign(text, [key.CreateNoteSigner("PeterNeumann")]);

        Assert.Equal("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", key.VerifierKey("PeterNeumann"));
        Assert.Equal(
            text + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
            note);
    }

    [Fact]
    public void ToPkcs8Pem_Ed25519_IsTheOpenSslForm()
    {
        using LogSigningKey key = LogSigningKey.FromPem(OpenSslEd25519);

        Assert.Equal(OpenSslEd25519 + "\n", key.ToPkcs8Pem());
        Assert.Equal(
            File.ReadAllText(TestData("rekor-tiles-pki", "ed25519-priv-key.pem")),
            LogSigningKey.Load(TestData("rekor-tiles-pki", "ed25519-priv-key.pem")).ToPkcs8Pem());
    }

    [Fact]
    public void GenerateEd25519_FreshKeysRoundTripThroughPkcs8()
    {
        using LogSigningKey a = LogSigningKey.GenerateEd25519();
        using LogSigningKey b = LogSigningKey.GenerateEd25519();
        string pem = a.ToPkcs8Pem();

        using LogSigningKey reloaded = LogSigningKey.FromPem(pem);

        Assert.NotEqual(a.SubjectPublicKeyInfo, b.SubjectPublicKeyInfo);
        Assert.Equal(a.SubjectPublicKeyInfo, reloaded.SubjectPublicKeyInfo);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI", pem, StringComparison.Ordinal);
        Assert.Equal(119, pem.Length);
    }

    public static TheoryData<string, string> KeyKindsAndFormats()
    {
        var data = new TheoryData<string, string>();
        foreach (string kind in new[] { "ed25519", "p256", "p384", "p521", "rsa2048", "rsa3072" })
        {
            data.Add(kind, "pkcs8");
            data.Add(kind, "encrypted-pkcs8");
            data.Add(kind, "reexported");
            if (kind != "ed25519")
            {
                data.Add(kind, "traditional");
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KeyKindsAndFormats))]
    public void RoundTrip_LoadSignVerify(string kind, string format)
    {
        (string pem, byte[] spki, LogKeyType type) = Generate(kind, format);

        using LogSigningKey key = LogSigningKey.FromPem(pem, format == "encrypted-pkcs8" ? Password : null);
        string note = SignedNote.Sign($"{Origin}\n7\nAAAA\n", [key.CreateNoteSigner(Origin)]);

        Assert.Equal(type, key.KeyType);
        Assert.Equal(spki, key.SubjectPublicKeyInfo);
        Assert.Equal($"{Origin}\n7\nAAAA\n", SignedNote.Open(note, [NoteVerifiers.FromPublicKeyPem(key.PublicKeyPem, Origin)]));
        Assert.Equal($"{Origin}\n7\nAAAA\n", SignedNote.Open(note, [NoteVerifiers.FromVerifierKey(key.VerifierKey(Origin))]));
        Assert.Throws<NoteVerificationException>(() => SignedNote.Open(
            note.Replace("\n7\n", "\n8\n", StringComparison.Ordinal), [NoteVerifiers.FromVerifierKey(key.VerifierKey(Origin))]));
    }

    [Theory]
    [InlineData(OpenSslEd25519Pbes2, OpenSslEd25519Public)]
    [InlineData(OpenSslEd25519Scrypt, OpenSslEd25519Public)]
    [InlineData(OpenSslEd25519Pkcs12Pbe, OpenSslEd25519Public)]
    [InlineData(OpenSslP256Pbes2Sha1, OpenSslP256Public)]
    [InlineData(OpenSslP256LegacyAes256, OpenSslP256Public)]
    [InlineData(OpenSslP384Legacy3Des, OpenSslP384Public)]
    public void FromPem_OpenSslEncrypted_Decrypts(string pem, string expectedSpki)
    {
        using LogSigningKey key = LogSigningKey.FromPem(pem, Password);

        Assert.Equal(expectedSpki, Convert.ToBase64String(key.SubjectPublicKeyInfo));
    }

    [Theory]
    [InlineData(OpenSslEd25519Pbes2)]
    [InlineData(OpenSslEd25519Scrypt)]
    [InlineData(OpenSslEd25519Pkcs12Pbe)]
    [InlineData(OpenSslP256Pbes2Sha1)]
    [InlineData(OpenSslP256LegacyAes256)]
    [InlineData(OpenSslP384Legacy3Des)]
    public void FromPem_WrongPassword_SaysSo(string pem)
    {
        // Several passwords, so that one decrypting to valid padding by chance is also covered.
        foreach (string password in new[] { "wrong", "correct horse ", "Correct horse", "x", "0123456789" })
        {
            var e = Assert.Throws<KeyFileException>(() => LogSigningKey.FromPem(pem, password));
            Assert.Contains("wrong password", e.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(OpenSslEd25519Pbes2, null)]
    [InlineData(OpenSslEd25519Scrypt, "")]
    [InlineData(OpenSslP256LegacyAes256, null)]
    public void FromPem_EncryptedWithoutPassword_SaysPasswordNeeded(string pem, string? password)
    {
        var e = Assert.Throws<KeyFileException>(() => LogSigningKey.FromPem(pem, password));
        Assert.Contains("password is needed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_CosignKey_EmptyPassword_Loads()
    {
        using LogSigningKey key = LogSigningKey.FromPem(CosignEmptyPassword, "");
        using LogSigningKey renamed = LogSigningKey.FromPem(
            CosignEmptyPassword.Replace("SIGSTORE", "COSIGN", StringComparison.Ordinal), "");
        string note = SignedNote.Sign("cosign\n", [key.CreateNoteSigner("cosign")]);

        Assert.Equal(LogKeyType.EcdsaP256, key.KeyType);
        Assert.Equal(key.SubjectPublicKeyInfo, renamed.SubjectPublicKeyInfo);
        Assert.Equal("cosign\n", SignedNote.Open(note, [NoteVerifiers.FromPublicKeyPem(key.PublicKeyPem, "cosign")]));
    }

    [Theory]
    [InlineData(null, "password is needed")]
    [InlineData("wrong", "wrong password")]
    public void FromPem_CosignKey_BadPassword(string? password, string expected)
    {
        var e = Assert.Throws<KeyFileException>(() => LogSigningKey.FromPem(CosignEmptyPassword, password));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ciphertext")]
    [InlineData("nonce")]
    public void FromPem_CosignKey_Tampered_Rejected(string field)
    {
        string body = string.Concat(CosignEmptyPassword.Split('\n')[1..^1]);
        var json = System.Text.Json.Nodes.JsonNode.Parse(Convert.FromBase64String(body))!;
        System.Text.Json.Nodes.JsonNode holder = field == "nonce" ? json["cipher"]! : json;
        byte[] value = Convert.FromBase64String((string)holder[field]!);
        value[^1] ^= 1;
        holder[field] = Convert.ToBase64String(value);
        string pem = PemEncoding.WriteString("ENCRYPTED SIGSTORE PRIVATE KEY", Encoding.UTF8.GetBytes(json.ToJsonString()));

        var e = Assert.Throws<KeyFileException>(() => LogSigningKey.FromPem(pem, ""));
        Assert.Contains("password is needed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_CosignKey_NotJson_Malformed()
    {
        string pem = PemEncoding.WriteString("ENCRYPTED SIGSTORE PRIVATE KEY", "not json"u8);
        var e = Assert.Throws<KeyFileException>(() => LogSigningKey.FromPem(pem, ""));
        Assert.Contains("malformed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_CosignKey_HugeScryptCost_Refused()
    {
        string json = """{"kdf":{"name":"scrypt","params":{"N":1073741824,"r":8,"p":1},"salt":"AA=="},"cipher":{"name":"nacl/secretbox","nonce":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},"ciphertext":"AAAAAAAAAAAAAAAAAAAAAA=="}""";
        string pem = PemEncoding.WriteString("ENCRYPTED SIGSTORE PRIVATE KEY", Encoding.UTF8.GetBytes(json));
        var e = Assert.Throws<KeyFileException>(() => LogSigningKey.FromPem(pem, ""));
        Assert.Contains("unsupported scrypt parameters", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_UnencryptedWithPassword_IgnoresPassword()
    {
        using LogSigningKey key = LogSigningKey.FromPem(OpenSslP256, "unused");
        Assert.Equal(OpenSslP256Public, Convert.ToBase64String(key.SubjectPublicKeyInfo));
        Assert.Equal(LogKeyType.EcdsaP256, key.KeyType);
    }

    [Fact]
    public void FromPem_UnknownType_ExactMessage()
    {
        string pem = OpenSslEd25519.Replace("PRIVATE KEY", "CERTIFICATE", StringComparison.Ordinal);
        var e = Assert.Throws<KeyFileException>(() => LogSigningKey.FromPem(pem));
        Assert.Equal("unknown private key PEM file type: CERTIFICATE", e.Message);
    }

    [Fact]
    public void FromPem_OnlyFirstBlockCounts()
    {
        string certFirst = OpenSslEd25519.Replace("PRIVATE KEY", "CERTIFICATE", StringComparison.Ordinal) + "\n" + OpenSslP256;
        string keyFirst = "leading text\n" + OpenSslP256 + "\n-----BEGIN GARBAGE-----\n!!!\n";

        Assert.Throws<KeyFileException>(() => LogSigningKey.FromPem(certFirst));
        using LogSigningKey key = LogSigningKey.FromPem(keyFirst);
        Assert.Equal(LogKeyType.EcdsaP256, key.KeyType);
    }

    [Theory]
    [InlineData(OpenSslSecp256k1Sec1, "1.3.132.0.10")]
    [InlineData(OpenSslSecp256k1Pkcs8, "1.3.132.0.10")]
    [InlineData(OpenSslExplicitP256, "explicit")]
    public void FromPem_UnsupportedCurve_SaysSo(string pem, string detail)
    {
        var e = Assert.Throws<KeyFileException>(() => LogSigningKey.FromPem(pem));
        Assert.Contains("unsupported elliptic curve", e.Message, StringComparison.Ordinal);
        Assert.Contains(detail, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_Ed448_UnsupportedKeyType()
    {
        var e = Assert.Throws<KeyFileException>(() => LogSigningKey.FromPem(OpenSslEd448));
        Assert.Contains("unsupported private key type Ed448", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_SmallRsa_Rejected()
    {
        using var rsa = RSA.Create(1024);
        var e = Assert.Throws<KeyFileException>(() => LogSigningKey.FromPem(rsa.ExportRSAPrivateKeyPem()));
        Assert.Contains("unsupported RSA key size 1024", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_TruncatedPem_SaysTruncated()
    {
        string truncated = OpenSslP256[..OpenSslP256.IndexOf("-----END", StringComparison.Ordinal)];
        var e = Assert.Throws<KeyFileException>(() => LogSigningKey.FromPem(truncated));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_TruncatedBody_SaysBase64OrMalformed()
    {
        string[] lines = OpenSslP256.Split('\n');
        string shortened = string.Join('\n', lines[0], lines[1], lines[^1]);
        var e = Assert.Throws<KeyFileException>(() => LogSigningKey.FromPem(shortened));
        Assert.Contains("malformed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_GarbageBase64_SaysBase64()
    {
        string pem = "-----BEGIN PRIVATE KEY-----\nthis is *not* base64!\n-----END PRIVATE KEY-----\n";
        var e = Assert.Throws<KeyFileException>(() => LogSigningKey.FromPem(pem));
        Assert.Contains("base64", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PRIVATE KEY")]
    [InlineData("ENCRYPTED PRIVATE KEY")]
    [InlineData("RSA PRIVATE KEY")]
    [InlineData("EC PRIVATE KEY")]
    public void FromPem_ValidBase64OfGarbage_SaysMalformed(string label)
    {
        string pem = PemEncoding.WriteString(label, Encoding.ASCII.GetBytes("definitely not a DER structure"));
        var e = Assert.Throws<KeyFileException>(() => LogSigningKey.FromPem(pem, Password));
        Assert.Contains("malformed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_MismatchedEndLine_Throws()
    {
        string pem = OpenSslP256.Replace("-----END EC PRIVATE KEY-----", "-----END PRIVATE KEY-----", StringComparison.Ordinal);
        var e = Assert.Throws<KeyFileException>(() => LogSigningKey.FromPem(pem));
        Assert.Contains("instead of", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no pem here")]
    [InlineData("-----BEGIN-----\n-----END-----\n")]
    public void FromPem_NoPem_Throws(string text)
    {
        Assert.Throws<KeyFileException>(() => LogSigningKey.FromPem(text));
    }

    [Fact]
    public void FromPem_Pkcs8V2WithMatchingPublicKey_Loads_MismatchRejected()
    {
        byte[] seed = RandomNumberGenerator.GetBytes(32);
        byte[] publicKey = new Ed25519PrivateKeyParameters(seed).GeneratePublicKey().GetEncoded();
        byte[] other = new Ed25519PrivateKeyParameters(RandomNumberGenerator.GetBytes(32)).GeneratePublicKey().GetEncoded();
        static string V2(byte[] seed, byte[] pub) => PemEncoding.WriteString("PRIVATE KEY",
            [0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20, .. seed, 0x81, 0x21, 0x00, .. pub]);

        using LogSigningKey key = LogSigningKey.FromPem(V2(seed, publicKey));

        Assert.Equal(publicKey, key.SubjectPublicKeyInfo[^32..]);
        var e = Assert.Throws<KeyFileException>(() => LogSigningKey.FromPem(V2(seed, other)));
        Assert.Contains("does not match", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Signers_UseTheDocumentedAlgorithms()
    {
        byte[] message = "log\n1\nAAAA\n"u8.ToArray();
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var p521 = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        using var rsa = RSA.Create(2048);
        using LogSigningKey p384Key = LogSigningKey.FromPem(p384.ExportPkcs8PrivateKeyPem());
        using LogSigningKey p521Key = LogSigningKey.FromPem(p521.ExportPkcs8PrivateKeyPem());
        using LogSigningKey rsaKey = LogSigningKey.FromPem(rsa.ExportPkcs8PrivateKeyPem());
        using LogSigningKey ed = LogSigningKey.FromPem(OpenSslEd25519);

        Assert.True(p384.VerifyData(message, p384Key.CreateNoteSigner("log").Sign(message), HashAlgorithmName.SHA384, DSASignatureFormat.Rfc3279DerSequence));
        Assert.True(p521.VerifyData(message, p521Key.CreateNoteSigner("log").Sign(message), HashAlgorithmName.SHA512, DSASignatureFormat.Rfc3279DerSequence));
        Assert.True(rsa.VerifyData(message, rsaKey.CreateNoteSigner("log").Sign(message), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        byte[] edSignature = ed.CreateNoteSigner("log").Sign(message);
        Assert.Equal(64, edSignature.Length);
        Assert.Equal(edSignature, ed.CreateNoteSigner("log").Sign(message));
    }

    [Fact]
    public void KeyIds_EcdsaIgnoresOrigin_RsaIncludesIt()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa = RSA.Create(2048);
        using LogSigningKey ecKey = LogSigningKey.FromPem(ec.ExportPkcs8PrivateKeyPem());
        using LogSigningKey rsaKey = LogSigningKey.FromPem(rsa.ExportPkcs8PrivateKeyPem());

        Assert.Equal(SHA256.HashData(ec.ExportSubjectPublicKeyInfo()), ecKey.LogId("a"));
        Assert.Equal(ecKey.LogId("a"), ecKey.LogId("b"));
        Assert.NotEqual(rsaKey.LogId("a"), rsaKey.LogId("b"));
        Assert.StartsWith("a+", ecKey.VerifierKey("a"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("has+plus")]
    public void InvalidOrigin_Throws(string origin)
    {
        using LogSigningKey key = LogSigningKey.GenerateEd25519();
        Assert.Throws<ArgumentException>(() => key.CreateNoteSigner(origin));
        Assert.Throws<ArgumentException>(() => key.LogId(origin));
        Assert.Throws<ArgumentException>(() => key.VerifierKey(origin));
    }

    [Fact]
    public void Dispose_EcdsaSignerStopsWorking()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        LogSigningKey key = LogSigningKey.FromPem(ec.ExportPkcs8PrivateKeyPem());
        INoteSigner signer = key.CreateNoteSigner("log");
        key.Dispose();

        Assert.Throws<ObjectDisposedException>(() => signer.Sign("x\n"u8));
    }

    [Fact]
    public void WriteNewKeyFile_Mode0600_LoadsBack_RefusesOverwrite()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string dir = Directory.CreateTempSubdirectory("rekor-signing-").FullName;
        try
        {
            string path = Path.Combine(dir, "log.key");
            using LogSigningKey key = LogSigningKey.GenerateEd25519();

            LogSigningKey.WriteNewKeyFile(path, key);

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(key.ToPkcs8Pem(), File.ReadAllText(path));
            using (LogSigningKey reloaded = LogSigningKey.Load(path))
            {
                Assert.Equal(key.SubjectPublicKeyInfo, reloaded.SubjectPublicKeyInfo);
            }

            using LogSigningKey other = LogSigningKey.GenerateEd25519();
            Assert.ThrowsAny<IOException>(() => LogSigningKey.WriteNewKeyFile(path, other));
            Assert.Equal(key.ToPkcs8Pem(), File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void WriteNewKeyFile_Ecdsa_LoadsBack()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string dir = Directory.CreateTempSubdirectory("rekor-signing-").FullName;
        try
        {
            string path = Path.Combine(dir, "ec.key");
            using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using LogSigningKey key = LogSigningKey.FromPem(ec.ExportECPrivateKeyPem());

            LogSigningKey.WriteNewKeyFile(path, key);

            using LogSigningKey reloaded = LogSigningKey.Load(path);
            Assert.Equal(key.SubjectPublicKeyInfo, reloaded.SubjectPublicKeyInfo);
            Assert.StartsWith("-----BEGIN PRIVATE KEY-----\n", File.ReadAllText(path), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Load_MissingFile_NamesIt()
    {
        string path = Path.Combine(Path.GetTempPath(), "does-not-exist-" + Guid.NewGuid().ToString("N") + ".pem");
        var e = Assert.Throws<KeyFileException>(() => LogSigningKey.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BadFile_NamesItAndTheProblem()
    {
        string path = TestData("xmod-log", "vkey");
        var e = Assert.Throws<KeyFileException>(() => LogSigningKey.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("no PEM block", e.Message, StringComparison.Ordinal);
    }

    private static (string Pem, byte[] Spki, LogKeyType Type) Generate(string kind, string format)
    {
        if (kind == "ed25519")
        {
            var key = new Ed25519PrivateKeyParameters(new SecureRandom());
            byte[] spki = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00, .. key.GeneratePublicKey().GetEncoded()];
            string pem = format switch
            {
                "pkcs8" or "reexported" => PemEncoding.WriteString("PRIVATE KEY", PrivateKeyInfoFactory.CreatePrivateKeyInfo(key).GetDerEncoded()),
                "encrypted-pkcs8" => PemEncoding.WriteString("ENCRYPTED PRIVATE KEY", EncryptedPrivateKeyInfoFactory.CreateEncryptedPrivateKeyInfo(
                    NistObjectIdentifiers.IdAes256Cbc, PkcsObjectIdentifiers.IdHmacWithSha256, Password.ToCharArray(),
                    RandomNumberGenerator.GetBytes(16), 10_000, new SecureRandom(), key).GetDerEncoded()),
                _ => throw new ArgumentOutOfRangeException(nameof(format)),
            };
            return (format == "reexported" ? LogSigningKey.FromPem(pem).ToPkcs8Pem() : pem, spki, LogKeyType.Ed25519);
        }

        AsymmetricAlgorithm generated = kind switch
        {
            "p256" => ECDsa.Create(ECCurve.NamedCurves.nistP256),
            "p384" => ECDsa.Create(ECCurve.NamedCurves.nistP384),
            "p521" => ECDsa.Create(ECCurve.NamedCurves.nistP521),
            "rsa2048" => RSA.Create(2048),
            "rsa3072" => RSA.Create(3072),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        using (generated)
        {
            LogKeyType type = kind switch
            {
                "p256" => LogKeyType.EcdsaP256,
                "p384" => LogKeyType.EcdsaP384,
                "p521" => LogKeyType.EcdsaP521,
                _ => LogKeyType.Rsa,
            };
            var pbe = new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000);
            string pem = format switch
            {
                "pkcs8" or "reexported" => generated.ExportPkcs8PrivateKeyPem(),
                "encrypted-pkcs8" => generated.ExportEncryptedPkcs8PrivateKeyPem(Password, pbe),
                "traditional" => generated is RSA rsa ? rsa.ExportRSAPrivateKeyPem() : ((ECDsa)generated).ExportECPrivateKeyPem(),
                _ => throw new ArgumentOutOfRangeException(nameof(format)),
            };
            if (format == "reexported")
            {
                using LogSigningKey loaded = LogSigningKey.FromPem(pem);
                pem = loaded.ToPkcs8Pem();
            }

            return (pem, generated.ExportSubjectPublicKeyInfo(), type);
        }
    }
}
