using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using RekorPosix.Signing;

namespace RekorPosix.Verification;

/// <summary>A transparency log the trusted root names: its URL, checkpoint key and log ID.</summary>
public sealed record TrustedLog(string BaseUrl, LogPublicKey Key, byte[] LogId, ValidityPeriod ValidFor)
{
    /// <summary>The checkpoint origin a Rekor v2 log at <see cref="BaseUrl"/> signs under: its host name.</summary>
    public string Origin => Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) ? uri.Host : BaseUrl;
}

/// <summary>A certificate authority (Fulcio) or timestamp authority: its chain, leaf-most first, root last.</summary>
public sealed record TrustedAuthority(string Uri, IReadOnlyList<X509Certificate2> Chain, ValidityPeriod ValidFor)
{
    public X509Certificate2 Root => Chain[^1];

    public IEnumerable<X509Certificate2> Intermediates => Chain.Take(Chain.Count - 1);
}

/// <summary>
/// The parts of a Sigstore TrustedRoot (dev.sigstore.trustedroot.v1, protojson) a bundle verifier
/// needs: transparency logs, Fulcio CAs and timestamp authorities. CT logs are read past: SCTs are
/// not checked (see README). https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustroot.proto
/// </summary>
public sealed class TrustedRoot
{
    private TrustedRoot(IReadOnlyList<TrustedLog> logs, IReadOnlyList<TrustedAuthority> certificateAuthorities,
        IReadOnlyList<TrustedAuthority> timestampAuthorities)
    {
        Logs = logs;
        CertificateAuthorities = certificateAuthorities;
        TimestampAuthorities = timestampAuthorities;
    }

    public IReadOnlyList<TrustedLog> Logs { get; }
    public IReadOnlyList<TrustedAuthority> CertificateAuthorities { get; }
    public IReadOnlyList<TrustedAuthority> TimestampAuthorities { get; }

    /// <exception cref="BundleRejectedException">Not a trusted root this verifier can use.</exception>
    public static TrustedRoot Parse(ReadOnlyMemory<byte> json)
    {
        using var document = JsonFields.Document(json, "the trusted root");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new BundleRejectedException("trusted root: not a JSON object");
        var mediaType = JsonFields.OptionalString(root, "mediaType", "trusted root");
        if (mediaType is not null && !mediaType.StartsWith("application/vnd.dev.sigstore.trustedroot", StringComparison.Ordinal))
            throw new BundleRejectedException($"trusted root: unknown media type {Quote.Bounded(mediaType)}");
        return new TrustedRoot(
            [.. JsonFields.Array(root, "tlogs", "").Select((log, i) => ParseLog(log, $"tlogs[{i}]"))],
            [.. JsonFields.Array(root, "certificateAuthorities", "").Select((ca, i) => ParseAuthority(ca, $"certificateAuthorities[{i}]"))],
            [.. JsonFields.Array(root, "timestampAuthorities", "").Select((tsa, i) => ParseAuthority(tsa, $"timestampAuthorities[{i}]"))]);
    }

    private static TrustedLog ParseLog(JsonElement log, string path)
    {
        var publicKey = JsonFields.Object(log, "publicKey", path);
        var keyPath = $"{path}.publicKey";
        LogPublicKey key;
        try
        {
            key = LogPublicKey.FromSubjectPublicKeyInfo(JsonFields.Bytes(publicKey, "rawBytes", keyPath));
        }
        catch (KeyFileException e)
        {
            throw new BundleRejectedException($"trusted root: {keyPath}: {e.Message}", e);
        }
        var logId = JsonFields.Bytes(JsonFields.Object(log, "logId", path), "keyId", $"{path}.logId");
        return new TrustedLog(JsonFields.String(log, "baseUrl", path), key, logId, Validity(publicKey, keyPath));
    }

    private static TrustedAuthority ParseAuthority(JsonElement authority, string path)
    {
        var chainPath = $"{path}.certChain";
        var certificates = JsonFields.Array(JsonFields.Object(authority, "certChain", path), "certificates", chainPath);
        if (certificates.Count == 0)
            throw new BundleRejectedException($"trusted root: {chainPath} holds no certificate");
        var chain = certificates.Select((c, i) => Certificates.Parse(JsonFields.Bytes(c, "rawBytes", $"{chainPath}.certificates[{i}]"), $"trusted root: {chainPath}.certificates[{i}]")).ToList();
        return new TrustedAuthority(JsonFields.OptionalString(authority, "uri", path) ?? "", chain, Validity(authority, path));
    }

    private static ValidityPeriod Validity(JsonElement parent, string path)
    {
        if (JsonFields.OptionalObject(parent, "validFor", path) is not { } range)
            return new ValidityPeriod(null, null);
        var rangePath = $"{path}.validFor";
        return new ValidityPeriod(JsonFields.OptionalTimestamp(range, "start", rangePath), JsonFields.OptionalTimestamp(range, "end", rangePath));
    }
}
