using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using RekorPosix.Signing;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Signing;

/// <summary>Keys made by <c>openssl genpkey</c>, once per kind for the class, with the public key
/// as openssl derives it.</summary>
public sealed class OpenSslKeys : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ConcurrentDictionary<string, Lazy<(string Private, string Public)>> _keys = new();

    /// <summary>(private key PEM path, public key PEM path) for a kind such as "P-256" or "RSA-2048".</summary>
    public (string Private, string Public) Get(string kind) =>
        _keys.GetOrAdd(kind, k => new Lazy<(string, string)>(() => Generate(k))).Value;

    private (string Private, string Public) Generate(string kind)
    {
        string name = kind.ToLowerInvariant();
        string privatePath = _dir[$"{name}.pem"], publicPath = _dir[$"{name}.pub.pem"];
        OpenSsl.Check(["genpkey", .. GenPkeyOptions(kind), "-out", privatePath]);
        OpenSsl.Check("pkey", "-in", privatePath, "-pubout", "-out", publicPath);
        return (privatePath, publicPath);
    }

    private static string[] GenPkeyOptions(string kind) => kind switch
    {
        "Ed25519" => ["-algorithm", "ED25519"],
        "P-256" or "P-384" or "P-521" => ["-algorithm", "EC", "-pkeyopt", $"ec_paramgen_curve:{kind}", "-pkeyopt", "ec_param_enc:named_curve"],
        "RSA-2048" or "RSA-3072" => ["-algorithm", "RSA", "-pkeyopt", $"rsa_keygen_bits:{kind[4..]}"],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public void Dispose() => _dir.Dispose();
}

/// <summary>
/// Checkpoint notes signed by our code with every log key type are verified by OpenSSL over the
/// exact bytes the note signature covers (rekor-v2-api.md §5.2): Ed25519 pure over the text, ECDSA
/// DER over SHA-256/384/512 of the text by curve, RSA PKCS#1 v1.5 over SHA-256 of the text.
/// </summary>
public class CheckpointSignatureOpenSslTests(OpenSslKeys keys) : IClassFixture<OpenSslKeys>
{
    private const string Origin = "log.example/openssl-check";

    public static TheoryData<string> Kinds() => new() { "Ed25519", "P-256", "P-384", "P-521", "RSA-2048", "RSA-3072" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Sign_Checkpoint_OpenSslVerifiesTheSignature(string kind)
    {
        using var dir = new TempDir();
        var (message, signature) = SignCheckpoint(kind, dir);

        var (code, output, error) = Verify(kind, message, signature);

        Assert.True(code == 0, $"openssl refused the {kind} checkpoint signature (exit {code}): {output}{error}");
        Assert.Contains("Verified", output + error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Sign_FlippedMessageByte_OpenSslRefusesTheSignature(string kind)
    {
        using var dir = new TempDir();
        var (message, signature) = SignCheckpoint(kind, dir);
        byte[] bytes = File.ReadAllBytes(message);
        // The tree size's last digit: a checkpoint claiming another size must not verify.
        bytes[Encoding.UTF8.GetByteCount(Origin + "\n1234")] ^= 0x01;
        File.WriteAllBytes(message, bytes);

        var (code, output, error) = Verify(kind, message, signature);

        Assert.True(code != 0, $"openssl accepted a {kind} signature over altered bytes: {output}");
        Assert.Contains("failure", output + error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Load_OpenSslKey_HasThePublicKeyOpenSslDerives(string kind)
    {
        var (privatePath, publicPath) = keys.Get(kind);
        using var key = LogSigningKey.Load(privatePath);

        string pem = File.ReadAllText(publicPath);
        var fields = PemEncoding.Find(pem);

        Assert.Equal("PUBLIC KEY", pem[fields.Label]);
        Assert.Equal(Convert.FromBase64String(pem[fields.Base64Data]), key.SubjectPublicKeyInfo);
    }

    /// <summary>Signs a checkpoint with the kind's openssl-made key through LogSigningKey and
    /// SignedNote, and writes the signed text and the bare signature to files for openssl.</summary>
    private (string Message, string Signature) SignCheckpoint(string kind, TempDir dir)
    {
        using var key = LogSigningKey.Load(keys.Get(kind).Private);
        string text = new Checkpoint(Origin, 12345, SHA256.HashData(Encoding.ASCII.GetBytes(kind))).Format();
        string note = SignedNote.Sign(text, [key.CreateNoteSigner(Origin)]);

        Assert.StartsWith(text + "\n", note, StringComparison.Ordinal);
        File.WriteAllBytes(dir["message"], Encoding.UTF8.GetBytes(text));
        File.WriteAllBytes(dir["signature"], SignatureOf(note[(text.Length + 1)..], key.KeyId(Origin)));
        return (dir["message"], dir["signature"]);
    }

    /// <summary>The signature bytes of the one signature line, read here rather than by SignedNote.Parse.</summary>
    private static byte[] SignatureOf(string signatureLines, uint keyId)
    {
        string prefix = $"\u2014 {Origin} ";
        Assert.StartsWith(prefix, signatureLines, StringComparison.Ordinal);
        Assert.EndsWith("\n", signatureLines, StringComparison.Ordinal);
        byte[] payload = Convert.FromBase64String(signatureLines[prefix.Length..^1]);
        Assert.Equal(keyId, BinaryPrimitives.ReadUInt32BigEndian(payload));
        return payload[4..];
    }

    /// <summary>openssl's verdict on a signature over a message file, with the public key as
    /// openssl derived it from the private key.</summary>
    private (int Code, string Out, string Err) Verify(string kind, string message, string signature)
    {
        string publicKey = keys.Get(kind).Public;
        return kind switch
        {
            // Pure Ed25519 signs the message itself; -rawin hands it to openssl unhashed.
            "Ed25519" => OpenSsl.Run("pkeyutl", "-verify", "-pubin", "-inkey", publicKey, "-rawin", "-in", message, "-sigfile", signature),
            "P-256" => OpenSsl.Run("dgst", "-sha256", "-verify", publicKey, "-signature", signature, message),
            "P-384" => OpenSsl.Run("dgst", "-sha384", "-verify", publicKey, "-signature", signature, message),
            "P-521" => OpenSsl.Run("dgst", "-sha512", "-verify", publicKey, "-signature", signature, message),
            _ => OpenSsl.Run("dgst", "-sha256", "-sigopt", "rsa_padding_mode:pkcs1", "-verify", publicKey, "-signature", signature, message),
        };
    }
}
