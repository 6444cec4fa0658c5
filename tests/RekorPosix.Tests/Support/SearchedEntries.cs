using System.Security.Cryptography;
using System.Text;

namespace RekorPosix.Tests.Support;

/// <summary>
/// The entries of the search index's test logs, each with the tags a search should find it by:
/// hashedrekord bodies with a bare key (key A), with alice's certificate (an email, Fulcio's issuer
/// extension) or the builder's (a URI, the legacy issuer extension), a dsse entry signed by both
/// at 3, an entry that is no Rekor entry at 4, and digest 1 logged again at 200.
/// </summary>
public static class SearchedEntries
{
    public static readonly ECDsa KeyA = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public static readonly ECDsa AliceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public static readonly ECDsa BuilderKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public const string AliceEmail = "Alice@Example.COM";
    public const string AliceIssuer = "https://accounts.example.com";
    public const string BuilderUri = "https://ci.example/build.yml@refs/heads/main";
    public const string BuilderIssuer = "https://ci.example";
    public static readonly byte[] Alice = FulcioCertificates.Create(AliceKey, email: AliceEmail, issuer: AliceIssuer);
    public static readonly byte[] Builder = FulcioCertificates.Create(BuilderKey, uri: BuilderUri, legacyIssuer: BuilderIssuer);
    public static readonly byte[] NotAnEntry = Encoding.UTF8.GetBytes("{\"kind\":\"intoto\"}");

    public static byte[] At(int index) => index switch
    {
        3 => RekorBodies.Dsse(RekorBodies.Digest(3), Alice, Builder),
        4 => NotAnEntry,
        200 => RekorBodies.WithKey(KeyA.ExportSubjectPublicKeyInfo(), RekorBodies.Digest(1)),
        _ when index % 3 == 1 => RekorBodies.WithCertificate(Alice, RekorBodies.Digest(index)),
        _ when index % 3 == 2 => RekorBodies.WithCertificate(Builder, RekorBodies.Digest(index)),
        _ => RekorBodies.WithKey(KeyA.ExportSubjectPublicKeyInfo(), RekorBodies.Digest(index)),
    };

    /// <summary>What entry <paramref name="index"/> should be found by: "digest:N", "key:A|alice|builder", "email", "uri", "issuer:alice|builder".</summary>
    public static HashSet<string> Tags(int index)
    {
        var alice = new[] { "key:alice", "email", "issuer:alice" };
        var builder = new[] { "key:builder", "uri", "issuer:builder" };
        return index switch
        {
            3 => ["digest:3", .. alice, .. builder],
            4 => [],
            200 => ["digest:1", "key:A"],
            _ when index % 3 == 1 => [$"digest:{index}", .. alice],
            _ when index % 3 == 2 => [$"digest:{index}", .. builder],
            _ => [$"digest:{index}", "key:A"],
        };
    }

    public static IEnumerable<byte[]> Range(int from, int to) => Enumerable.Range(from, to - from).Select(At);

    /// <summary>The indices below <paramref name="size"/> whose tags satisfy <paramref name="match"/>, as the route writes them.</summary>
    public static string[] Expected(int size, Func<HashSet<string>, bool> match) =>
        Enumerable.Range(0, size).Where(i => match(Tags(i))).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    public static string Pem(ECDsa key) => key.ExportSubjectPublicKeyInfoPem();

    public static string Sha256Hex(int seed) => Convert.ToHexStringLower(RekorBodies.Digest(seed));
}
