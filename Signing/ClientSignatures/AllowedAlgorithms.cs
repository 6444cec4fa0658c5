using RekorPosix.Protos.CommonV1;

namespace RekorPosix.Signing.ClientSignatures;

/// <summary>
/// The algorithms this server accepts client signatures with (<c>--client-signing-algorithms</c>).
/// Operators may only narrow the seven defaults; pure Ed25519 and RSA-PSS cannot be enabled.
/// </summary>
public sealed class AllowedAlgorithms
{
    private AllowedAlgorithms(IReadOnlyList<SignatureAlgorithm> algorithms)
    {
        Algorithms = algorithms;
    }

    /// <summary>rekor-tiles' default set, which is also the most that may be allowed.</summary>
    public static AllowedAlgorithms Default { get; } = new(
    [
        .. new[]
        {
            PublicKeyDetails.PkixEcdsaP256Sha256,
            PublicKeyDetails.PkixEcdsaP384Sha384,
            PublicKeyDetails.PkixEcdsaP521Sha512,
            PublicKeyDetails.PkixEd25519Ph,
            PublicKeyDetails.PkixRsaPkcs1V152048Sha256,
            PublicKeyDetails.PkixRsaPkcs1V153072Sha256,
            PublicKeyDetails.PkixRsaPkcs1V154096Sha256,
        }.Select(details => SignatureAlgorithmRegistry.Find(details)!),
    ]);

    /// <summary>The default flag value, sorted as the Go help text shows it.</summary>
    public static IReadOnlyList<string> DefaultFlagNames { get; } =
        [.. Default.Algorithms.Select(algorithm => algorithm.FlagName).Order(StringComparer.Ordinal)];

    public IReadOnlyList<SignatureAlgorithm> Algorithms { get; }

    /// <summary>
    /// Parses the flag's values: each may hold several comma-separated names, and the flag may repeat
    /// (a pflag string slice). Names are not trimmed. An empty value contributes nothing.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown name, or one outside the default set.</exception>
    public static AllowedAlgorithms Parse(IEnumerable<string> flagValues)
    {
        var chosen = new List<SignatureAlgorithm>();
        foreach (var value in flagValues)
        {
            if (value.Length == 0)
                continue;
            foreach (var name in value.Split(','))
            {
                var algorithm = SignatureAlgorithmRegistry.FindByFlagName(name)
                    ?? throw new ArgumentException(
                        $"parsing signature algorithm flag: could not find matching signature algorithm for flag: {name}");
                if (!Default.Algorithms.Contains(algorithm))
                    throw new ArgumentException($"algorithm {name} is not in the allowed set");
                if (!chosen.Contains(algorithm))
                    chosen.Add(algorithm);
            }
        }
        return new AllowedAlgorithms(chosen);
    }

    /// <summary>Step 7 of hashedrekord validation: does any allowed algorithm fit this key and hash?</summary>
    public bool Permits(ClientPublicKey key, DigestAlgorithm digest) =>
        Algorithms.Any(algorithm => algorithm.Permits(key, digest));

    /// <summary>The logged reason when <see cref="Permits"/> is false.</summary>
    public static string DescribeRefusal(ClientPublicKey key, DigestAlgorithm digest) =>
        $"unsupported entry algorithm for {key.Describe()}, digest {digest.GoName()}";
}
