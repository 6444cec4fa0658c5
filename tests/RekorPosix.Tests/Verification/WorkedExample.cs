using System.Text.Json.Nodes;
using RekorPosix.Signing;
using RekorPosix.Tests.Support;
using RekorPosix.Verification;

namespace RekorPosix.Tests.Verification;

/// <summary>rekor-tiles' worked example (CLIENTS.md): a key-signed entry, its 201 answer from a
/// one-entry log with origin rekor-local and rekor-tiles' test key, in tests/testdata.</summary>
internal static class WorkedExample
{
    public const string Origin = "rekor-local";

    public static string ResponsePath => Path.Combine(TestData.Dir, "api", "worked-example.response.json");

    public static JsonObject Body => JsonNode.Parse(File.ReadAllBytes(Path.Combine(TestData.Dir, "entries", "worked-example.body.json")))!.AsObject();

    private static JsonNode HashedRekord => Body["spec"]!["hashedRekordV002"]!;

    /// <summary>The artifact's digest, as verify-bundle takes it when the artifact itself is not at hand.</summary>
    public static string ArtifactDigest =>
        "sha256:" + Convert.ToHexStringLower(Convert.FromBase64String(HashedRekord["data"]!["digest"]!.GetValue<string>()));

    public static byte[] SignerKey => Convert.FromBase64String(HashedRekord["signature"]!["verifier"]!["publicKey"]!["rawBytes"]!.GetValue<string>());

    public static string SignerKeyPem => System.Security.Cryptography.PemEncoding.WriteString("PUBLIC KEY", SignerKey) + "\n";

    public static LogPublicKey LogKey => LogPublicKey.FromPem(File.ReadAllText(Path.Combine(TestData.Dir, "rekor-tiles-pki", "ed25519-pub-key.pem")));

    public static byte[] TrustedRoot => TrustedRootDocument.Write(Origin, LogKey, DateTimeOffset.UnixEpoch, [], []);
}
