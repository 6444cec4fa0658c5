using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace RekorPosix.Verification;

/// <summary>A transparency log entry as a bundle carries it (dev.sigstore.rekor.v1.TransparencyLogEntry).</summary>
public sealed record BundleLogEntry(long LogIndex, byte[]? LogId, string Kind, string Version, byte[] CanonicalizedBody,
    BundleInclusionProof? Proof);

/// <summary>An entry's inclusion proof with the checkpoint (signed note) it was made against.</summary>
public sealed record BundleInclusionProof(long LogIndex, byte[] RootHash, long TreeSize, IReadOnlyList<byte[]> Hashes, string? Checkpoint);

/// <summary>A signature over an artifact's digest (dev.sigstore.common.v1.MessageSignature).</summary>
public sealed record BundleMessageSignature(string? DigestAlgorithm, byte[]? Digest, byte[] Signature);

/// <summary>A DSSE envelope (io.intoto.Envelope): the signature covers PAE(payloadType, payload).</summary>
public sealed record BundleDsseEnvelope(string PayloadType, byte[] Payload, IReadOnlyList<byte[]> Signatures);

/// <summary>
/// A Sigstore bundle (dev.sigstore.bundle.v1.Bundle, protojson), media types v0.1 to v0.3: the
/// signing certificate (or a public-key hint), the log entries, the RFC 3161 timestamps and either a
/// message signature or a DSSE envelope. Parsing checks shape only; <see cref="BundleVerifier"/> checks meaning.
/// https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_bundle.proto
/// </summary>
public sealed class SigstoreBundle
{
    public required string MediaType { get; init; }
    /// <summary>The signing certificate, when the bundle has one (else a key was used).</summary>
    public X509Certificate2? Certificate { get; init; }
    /// <summary>Certificates after the leaf in a v0.1/v0.2 chain: offered as intermediates only.</summary>
    public IReadOnlyList<X509Certificate2> ChainCertificates { get; init; } = [];
    public required IReadOnlyList<BundleLogEntry> LogEntries { get; init; }
    /// <summary>RFC 3161 TimeStampResp messages, DER.</summary>
    public required IReadOnlyList<byte[]> SignedTimestamps { get; init; }
    public BundleMessageSignature? MessageSignature { get; init; }
    public BundleDsseEnvelope? Dsse { get; init; }

    /// <summary>The signature bytes the timestamps and the log entry cover.</summary>
    public byte[] Signature => MessageSignature?.Signature ?? Dsse!.Signatures[0];

    /// <exception cref="BundleRejectedException">Not a bundle, or a malformed one.</exception>
    public static SigstoreBundle Parse(ReadOnlyMemory<byte> json)
    {
        using var document = JsonFields.Document(json, "the bundle");
        return Parse(document.RootElement);
    }

    private static SigstoreBundle Parse(JsonElement bundle)
    {
        if (bundle.ValueKind != JsonValueKind.Object)
            throw new BundleRejectedException("bundle: not a JSON object");
        var mediaType = JsonFields.String(bundle, "mediaType", "bundle");
        if (!IsKnownMediaType(mediaType))
            throw new BundleRejectedException($"bundle: unsupported media type {Quote.Bounded(mediaType)}");
        var material = JsonFields.Object(bundle, "verificationMaterial", "");
        var (certificate, chain) = ReadCertificates(material);
        var message = JsonFields.OptionalObject(bundle, "messageSignature", "") is { } m ? ReadMessageSignature(m) : null;
        var dsse = JsonFields.OptionalObject(bundle, "dsseEnvelope", "") is { } d ? ReadDsse(d) : null;
        if ((message is null) == (dsse is null))
            throw new BundleRejectedException("bundle: needs exactly one of messageSignature and dsseEnvelope");
        return new SigstoreBundle
        {
            MediaType = mediaType,
            Certificate = certificate,
            ChainCertificates = chain,
            LogEntries = [.. JsonFields.Array(material, "tlogEntries", "verificationMaterial").Select((e, i) => ReadLogEntry(e, $"verificationMaterial.tlogEntries[{i}]"))],
            SignedTimestamps = ReadTimestamps(material),
            MessageSignature = message,
            Dsse = dsse,
        };
    }

    private static bool IsKnownMediaType(string mediaType) => mediaType is
        "application/vnd.dev.sigstore.bundle+json;version=0.1" or
        "application/vnd.dev.sigstore.bundle+json;version=0.2" or
        "application/vnd.dev.sigstore.bundle+json;version=0.3" or
        "application/vnd.dev.sigstore.bundle.v0.3+json";

    private static (X509Certificate2? Leaf, IReadOnlyList<X509Certificate2> Others) ReadCertificates(JsonElement material)
    {
        const string path = "verificationMaterial";
        if (JsonFields.OptionalObject(material, "certificate", path) is { } single)
            return (Certificates.Parse(JsonFields.Bytes(single, "rawBytes", $"{path}.certificate"), $"bundle: {path}.certificate"), []);
        if (JsonFields.OptionalObject(material, "x509CertificateChain", path) is { } chain)
        {
            var chainPath = $"{path}.x509CertificateChain";
            var all = JsonFields.Array(chain, "certificates", chainPath)
                .Select((c, i) => Certificates.Parse(JsonFields.Bytes(c, "rawBytes", $"{chainPath}.certificates[{i}]"), $"bundle: {chainPath}.certificates[{i}]"))
                .ToList();
            if (all.Count == 0)
                throw new BundleRejectedException($"bundle: {chainPath} holds no certificate");
            return (all[0], all[1..]);
        }
        if (JsonFields.OptionalObject(material, "publicKey", path) is not null)
            return (null, []);
        throw new BundleRejectedException("bundle: verificationMaterial has no certificate, chain or public key");
    }

    private static IReadOnlyList<byte[]> ReadTimestamps(JsonElement material)
    {
        const string path = "verificationMaterial.timestampVerificationData";
        if (JsonFields.OptionalObject(material, "timestampVerificationData", "verificationMaterial") is not { } data)
            return [];
        return [.. JsonFields.Array(data, "rfc3161Timestamps", path).Select((t, i) => JsonFields.Bytes(t, "signedTimestamp", $"{path}.rfc3161Timestamps[{i}]"))];
    }

    private static BundleLogEntry ReadLogEntry(JsonElement entry, string path)
    {
        var kindVersion = JsonFields.Object(entry, "kindVersion", path);
        var logId = JsonFields.OptionalObject(entry, "logId", path) is { } id ? JsonFields.Bytes(id, "keyId", $"{path}.logId") : null;
        return new BundleLogEntry(
            JsonFields.Int64(entry, "logIndex", path),
            logId,
            JsonFields.String(kindVersion, "kind", $"{path}.kindVersion"),
            JsonFields.String(kindVersion, "version", $"{path}.kindVersion"),
            JsonFields.Bytes(entry, "canonicalizedBody", path),
            JsonFields.OptionalObject(entry, "inclusionProof", path) is { } proof ? ReadProof(proof, $"{path}.inclusionProof") : null);
    }

    private static BundleInclusionProof ReadProof(JsonElement proof, string path)
    {
        var checkpoint = JsonFields.OptionalObject(proof, "checkpoint", path) is { } c ? JsonFields.OptionalString(c, "envelope", $"{path}.checkpoint") : null;
        var hashes = JsonFields.Array(proof, "hashes", path)
            .Select((h, i) => h.ValueKind == JsonValueKind.String && Log.Entries.GoBase64.TryDecode(h.GetString()!, out var bytes)
                ? bytes
                : throw new BundleRejectedException($"{path}.hashes[{i}] is not base64"))
            .ToList();
        return new BundleInclusionProof(JsonFields.Int64(proof, "logIndex", path), JsonFields.Bytes(proof, "rootHash", path),
            JsonFields.Int64(proof, "treeSize", path), hashes, checkpoint);
    }

    private static BundleMessageSignature ReadMessageSignature(JsonElement message)
    {
        const string path = "messageSignature";
        var digest = JsonFields.OptionalObject(message, "messageDigest", path);
        return new BundleMessageSignature(
            digest is { } d ? JsonFields.OptionalString(d, "algorithm", $"{path}.messageDigest") : null,
            digest is { } e ? JsonFields.OptionalBytes(e, "digest", $"{path}.messageDigest") : null,
            JsonFields.Bytes(message, "signature", path));
    }

    private static BundleDsseEnvelope ReadDsse(JsonElement envelope)
    {
        const string path = "dsseEnvelope";
        var signatures = JsonFields.Array(envelope, "signatures", path)
            .Select((s, i) => JsonFields.Bytes(s, "sig", $"{path}.signatures[{i}]"))
            .ToList();
        if (signatures.Count != 1)
            throw new BundleRejectedException($"bundle: {path} must hold exactly one signature, not {signatures.Count}");
        return new BundleDsseEnvelope(JsonFields.String(envelope, "payloadType", path), JsonFields.Bytes(envelope, "payload", path), signatures);
    }
}
