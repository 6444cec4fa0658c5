using System.Security.Cryptography;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Monitoring;

/// <summary>
/// The entries of the monitor's test logs: hashedrekord bodies by unwatched signers, with the
/// watched ones at known indexes (alice's certificate every 100 from 7, a watched key at 123, a
/// watched digest at 555), and bob, whose rule names another issuer, every 100 from 42.
/// </summary>
public static class MonitoredEntries
{
    private static readonly ECDsa People = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly ECDsa WatchedKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly byte[] Alice = FulcioCertificates.Create(People, email: "alice@example.com", issuer: "https://accounts.example.com");
    private static readonly byte[] Bob = FulcioCertificates.Create(People, email: "bob@example.com", issuer: "https://accounts.example.com");
    private static readonly byte[] Builder = FulcioCertificates.Create(People, uri: "https://ci.example/build", legacyIssuer: "https://ci.example");
    private static readonly byte[] WatchedDigest = RekorBodies.Digest(-1);

    public static string WatchFile { get; } = $"""
        # people and things we care about
        san alice@example.com issuer https://accounts.example.com
        san bob@example.com issuer https://elsewhere.example
        key {Convert.ToHexStringLower(SHA256.HashData(WatchedKey.ExportSubjectPublicKeyInfo()))}
        digest sha256:{Convert.ToHexStringLower(WatchedDigest)}
        """;

    public static byte[] At(int index) => index switch
    {
        123 => RekorBodies.WithKey(WatchedKey.ExportSubjectPublicKeyInfo(), RekorBodies.Digest(index)),
        555 => RekorBodies.WithCertificate(Builder, WatchedDigest),
        _ when index % 100 == 7 => RekorBodies.WithCertificate(Alice, RekorBodies.Digest(index)),
        _ when index % 100 == 42 => RekorBodies.WithCertificate(Bob, RekorBodies.Digest(index)),
        _ when index % 2 == 0 => RekorBodies.WithCertificate(Builder, RekorBodies.Digest(index)),
        _ => RekorBodies.WithKey(People.ExportSubjectPublicKeyInfo(), RekorBodies.Digest(index)),
    };

    /// <summary>Entries <paramref name="from"/> up to, not including, <paramref name="to"/>.</summary>
    public static IEnumerable<byte[]> Range(int from, int to) => Enumerable.Range(from, to - from).Select(At);

    /// <summary>The indexes among them that the watch file matches.</summary>
    public static long[] Watched(int from, int to) =>
        Enumerable.Range(from, to - from).Where(i => i is 123 or 555 || i % 100 == 7).Select(i => (long)i).ToArray();
}
