using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using RekorPosix.Signing;
using RekorPosix.Tests.Signing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Fuzz;

/// <summary>
/// The signer key-file parser: any text, with or without a password, either gives a key or a
/// KeyFileException, in bounded time (scrypt and PBKDF2 costs come from the file).
/// </summary>
public static class KeyFileFuzzTarget
{
    public const string Password = "correct horse";

    public static IReadOnlyList<byte[]> Seeds()
    {
        var pems = new List<string> { File.ReadAllText(TestData.PathOf("tessera-log-key.pem")) };
        // The OpenSSL, cosign and legacy-encrypted keys the key tests carry.
        foreach (var field in typeof(LogSigningKeyTests).GetFields(BindingFlags.NonPublic | BindingFlags.Static))
        {
            if (field.IsLiteral && field.GetRawConstantValue() is string text && text.Contains("-----BEGIN", StringComparison.Ordinal))
                pems.Add(text);
        }
        using (var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            pems.Add(ec.ExportECPrivateKeyPem());
            pems.Add(ec.ExportPkcs8PrivateKeyPem());
            pems.Add(ec.ExportEncryptedPkcs8PrivateKeyPem(Password, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1)));
        }
        using (var rsa = RSA.Create(2048))
        {
            pems.Add(rsa.ExportRSAPrivateKeyPem());
            pems.Add(rsa.ExportPkcs8PrivateKeyPem());
        }
        return [.. pems.Select(Encoding.UTF8.GetBytes), .. FuzzCorpus.Load("key-file")];
    }

    private static readonly string[] Labels =
    [
        "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY",
        "ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY",
    ];

    /// <summary>Structure-aware seeds: a label number, then the DER (or cosign JSON) inside the PEM,
    /// so that mutations reach the ASN.1 and KDF parameters rather than the base64.</summary>
    public static IReadOnlyList<byte[]> DerSeeds()
    {
        var seeds = new List<byte[]>();
        foreach (byte[] pem in Seeds())
        {
            string text = Encoding.UTF8.GetString(pem);
            if (text.Contains("Proc-Type", StringComparison.Ordinal))
                continue;
            try
            {
                var fields = PemEncoding.Find(text);
                int label = Array.IndexOf(Labels, text[fields.Label]);
                if (label >= 0)
                    seeds.Add([(byte)label, .. Convert.FromBase64String(text[fields.Base64Data])]);
            }
            catch (ArgumentException)
            {
            }
        }
        return [.. seeds, .. FuzzCorpus.Load("key-der")];
    }

    public static void RunDer(byte[] input)
    {
        if (input.Length == 0)
            return;
        string label = Labels[input[0] % Labels.Length];
        Run(Encoding.UTF8.GetBytes(PemEncoding.WriteString(label, input.AsSpan(1))));
    }

    public static void Run(byte[] input)
    {
        string pem = Encoding.UTF8.GetString(input);
        foreach (string? password in new[] { null, Password, "" })
        {
            try
            {
                LogSigningKey.FromPem(pem, password).Dispose();
            }
            catch (KeyFileException)
            {
            }
        }
    }
}
