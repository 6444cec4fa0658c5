using System.Text.Json.Nodes;
using RekorPosix.Tests.Support;
using RekorPosix.Verification;

namespace RekorPosix.Tests.Verification;

/// <summary>The bundles under tests/testdata: sigstore-conformance's Rekor v2 cases and one bundle
/// sigstore-js made against our server, with helpers to load, damage and verify them.</summary>
internal static class SigstoreCases
{
    public const string Identity = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    public const string Issuer = "https://token.actions.githubusercontent.com";
    public const string JsIdentity = "ci-signer@interop.rekor-posix.test";
    public const string JsIssuer = "https://issuer.interop.rekor-posix.test";

    public static string Dir(string name) => Path.Combine(TestData.Dir, "sigstore-bundles", name);
    public static string ConformanceArtifact => Path.Combine(TestData.Dir, "sigstore-bundles", "a.txt");
    public static string JsDir => Path.Combine(TestData.Dir, "sigstore-js-bundle");
    public static string JsArtifact => Path.Combine(JsDir, "artifact");

    public static JsonObject Json(string path) => JsonNode.Parse(File.ReadAllBytes(path))!.AsObject();
    public static JsonObject ConformanceBundle(string name) => Json(Path.Combine(Dir(name), "bundle.sigstore.json"));
    public static JsonObject ConformanceRoot(string name = "rekor2-happy-path") => Json(Path.Combine(Dir(name), "trusted_root.json"));
    public static JsonObject JsBundle() => Json(Path.Combine(JsDir, "bundle.sigstore.json"));
    public static JsonObject JsRoot() => Json(Path.Combine(JsDir, "trusted_root.json"));

    public static SigstoreBundle Bundle(JsonNode json) => SigstoreBundle.Parse(Bytes(json));
    public static TrustedRoot Root(JsonNode json) => TrustedRoot.Parse(Bytes(json));
    public static byte[] Bytes(JsonNode json) => System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());

    public static VerifiedBundle VerifyConformance(JsonNode bundle, JsonNode? root = null, string? artifact = null, VerificationPolicy? policy = null) =>
        BundleVerifier.Verify(Bundle(bundle), ArtifactInput.Parse(artifact ?? ConformanceArtifact), Root(root ?? ConformanceRoot()),
            policy ?? VerificationPolicy.ForCertificate(Identity, Issuer));

    public static VerifiedBundle VerifyJs(JsonNode bundle, JsonNode? root = null, string? artifact = null) =>
        BundleVerifier.Verify(Bundle(bundle), ArtifactInput.Parse(artifact ?? JsArtifact), Root(root ?? JsRoot()),
            VerificationPolicy.ForCertificate(JsIdentity, JsIssuer));

    public static JsonObject Entry(JsonNode bundle) => bundle["verificationMaterial"]!["tlogEntries"]![0]!.AsObject();

    /// <summary>The base64 text with one bit of byte <paramref name="at"/> flipped (negative: from the end).</summary>
    public static string FlipBit(string base64, int at)
    {
        var bytes = Convert.FromBase64String(base64);
        bytes[at < 0 ? bytes.Length + at : at] ^= 0x01;
        return Convert.ToBase64String(bytes);
    }
}
