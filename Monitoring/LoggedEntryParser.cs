using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using RekorPosix.Log.Entries;
using RekorPosix.Protos.CommonV1;
using RekorPosix.Protos.RekorV2;
using RekorPosix.Signing.ClientSignatures;
using HashAlgorithm = RekorPosix.Protos.CommonV1.HashAlgorithm;

namespace RekorPosix.Monitoring;

/// <summary>
/// Reads a Rekor v2 entry body. A hashedrekord v0.0.2 body must be exactly the canonical JSON a
/// log writes for its values (Log/Entries/CanonicalBody: protojson, then RFC 8785), with a digest
/// of its algorithm's length, a signature and a key or certificate that parse. A dsse v0.0.2 body
/// (older servers logged them) is read for its payload hash and verifiers, without the
/// canonical-form check. Anything else is a <see cref="FormatException"/> saying why.
/// </summary>
internal static class LoggedEntryParser
{
    public const string HashedRekord = "hashedrekord";
    public const string Dsse = "dsse";
    private const string ApiVersion = "0.0.2";

    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = 16 };

    private static readonly Google.Protobuf.Reflection.EnumDescriptor KeyDetailsEnum =
        Verifier.Descriptor.FindFieldByNumber(Verifier.KeyDetailsFieldNumber).EnumType;

    /// <exception cref="FormatException">The body is not a hashedrekord or dsse v0.0.2 entry.</exception>
    public static LoggedEntry Parse(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var json = JsonDocument.Parse(body, Strict);
            var root = Object(json.RootElement, "the body");
            string kind = String(root, "kind");
            string apiVersion = String(root, "apiVersion");
            var spec = Object(Property(root, "spec"), "spec");
            return (kind, apiVersion) switch
            {
                (HashedRekord, ApiVersion) => ParseHashedRekord(Object(Property(spec, "hashedRekordV002"), "spec.hashedRekordV002"), body.Span),
                (Dsse, ApiVersion) => ParseDsse(Object(Property(spec, "dsseV002"), "spec.dsseV002")),
                _ => throw new FormatException($"kind {BoundedText.Of(kind, 40)} {BoundedText.Of(apiVersion, 20)} is neither hashedrekord nor dsse {ApiVersion}"),
            };
        }
        catch (JsonException e)
        {
            throw new FormatException($"not JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new FormatException($"unexpected JSON value: {e.Message}", e);
        }
    }

    private static LoggedEntry ParseHashedRekord(JsonElement spec, ReadOnlySpan<byte> body)
    {
        var data = Object(Property(spec, "data"), "data");
        var (algorithm, hashAlgorithm) = DigestAlgorithmOf(data, "data");
        byte[] digest = Digest(data, "data", algorithm);
        var (signer, signature) = ReadSignature(Object(Property(spec, "signature"), "signature"), "signature");
        var canonical = CanonicalBody.Build(new HashOutput { Algorithm = hashAlgorithm, Digest = UnsafeByteOperations.UnsafeWrap(digest) }, signature);
        if (!body.SequenceEqual(canonical))
            throw new FormatException("not in canonical form (protojson with RFC 8785 key order, as a log writes it)");
        return new LoggedEntry(HashedRekord, new EntryDigest(algorithm.Name, digest), [signer]);
    }

    private static LoggedEntry ParseDsse(JsonElement spec)
    {
        var payloadHash = Object(Property(spec, "payloadHash"), "payloadHash");
        var (algorithm, _) = DigestAlgorithmOf(payloadHash, "payloadHash");
        byte[] digest = Digest(payloadHash, "payloadHash", algorithm);
        var signatures = Property(spec, "signatures");
        if (signatures.ValueKind != JsonValueKind.Array || signatures.GetArrayLength() == 0)
            throw new FormatException("signatures is not a non-empty array");
        var signers = new List<EntrySigner>();
        int i = 0;
        foreach (var signature in signatures.EnumerateArray())
            signers.Add(ReadSignature(Object(signature, $"signatures[{i}]"), $"signatures[{i++}]").Signer);
        return new LoggedEntry(Dsse, new EntryDigest(algorithm.Name, digest), signers);
    }

    /// <summary>A Signature message: its content and verifier, as the signer and the proto value.</summary>
    private static (EntrySigner Signer, Signature Proto) ReadSignature(JsonElement signature, string where)
    {
        byte[] content = Bytes(signature, "content", where);
        var verifier = Object(Property(signature, "verifier"), $"{where}.verifier");
        var proto = new Verifier { KeyDetails = KeyDetails(verifier, where) };
        EntrySigner signer;
        if (verifier.TryGetProperty("publicKey", out var publicKey))
        {
            byte[] spki = Bytes(Object(publicKey, $"{where}.verifier.publicKey"), "rawBytes", $"{where}.verifier.publicKey");
            CheckSubjectPublicKeyInfo(spki, where);
            proto.PublicKey = new PublicKey { RawBytes = UnsafeByteOperations.UnsafeWrap(spki) };
            signer = new EntrySigner(SHA256.HashData(spki), null);
        }
        else if (verifier.TryGetProperty("x509Certificate", out var certificate))
        {
            byte[] der = Bytes(Object(certificate, $"{where}.verifier.x509Certificate"), "rawBytes", $"{where}.verifier.x509Certificate");
            proto.X509Certificate = new Protos.CommonV1.X509Certificate { RawBytes = UnsafeByteOperations.UnsafeWrap(der) };
            signer = new EntrySigner(SHA256.HashData(CertificateKey(der, where).Span), CertificateIdentity.Read(der));
        }
        else
        {
            throw new FormatException($"{where}.verifier has neither publicKey nor x509Certificate");
        }
        return (signer, new Signature { Content = UnsafeByteOperations.UnsafeWrap(content), Verifier = proto });
    }

    /// <summary>The certificate's SubjectPublicKeyInfo, the certificate walked as Go's x509 parser walks it.</summary>
    private static ReadOnlyMemory<byte> CertificateKey(byte[] der, string where)
    {
        try
        {
            return CertificateKeyReader.ReadSubjectPublicKeyInfo(der);
        }
        catch (ClientKeyFormatException e)
        {
            throw new FormatException($"{where}: {e.Message}", e);
        }
    }

    /// <summary>SEQUENCE { AlgorithmIdentifier SEQUENCE, BIT STRING }: the shape, not the key (a log checked that).</summary>
    private static void CheckSubjectPublicKeyInfo(byte[] spki, string where)
    {
        try
        {
            var outer = new AsnReader(spki, AsnEncodingRules.DER);
            var sequence = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            sequence.ReadSequence().ReadObjectIdentifier();
            sequence.ReadBitString(out _);
        }
        catch (AsnContentException e)
        {
            throw new FormatException($"{where}: the public key is not a DER SubjectPublicKeyInfo: {e.Message}", e);
        }
    }

    private static PublicKeyDetails KeyDetails(JsonElement verifier, string where)
    {
        if (!verifier.TryGetProperty("keyDetails", out var value))
            return PublicKeyDetails.Unspecified;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number))
            return (PublicKeyDetails)number;
        if (value.ValueKind == JsonValueKind.String && KeyDetailsEnum.FindValueByName(value.GetString()) is { } known)
            return (PublicKeyDetails)known.Number;
        throw new FormatException($"{where}.verifier.keyDetails is not a known key type");
    }

    private static (EntryDigestAlgorithm Algorithm, HashAlgorithm Proto) DigestAlgorithmOf(JsonElement hashOutput, string where)
    {
        string name = String(hashOutput, "algorithm", where);
        return EntryDigestAlgorithm.FromProtoName(name) is { } algorithm
            ? (algorithm, algorithm.Proto)
            : throw new FormatException($"{where}.algorithm {BoundedText.Of(name, 40)} is not a known hash algorithm");
    }

    private static byte[] Digest(JsonElement hashOutput, string where, EntryDigestAlgorithm algorithm)
    {
        byte[] digest = Bytes(hashOutput, "digest", where);
        if (digest.Length != algorithm.Size)
            throw new FormatException($"{where}.digest is {digest.Length} bytes, not the {algorithm.Size} of {algorithm.Name}");
        return digest;
    }

    private static JsonElement Property(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) ? value : throw new FormatException($"{name} is missing");

    private static JsonElement Object(JsonElement value, string what) =>
        value.ValueKind == JsonValueKind.Object ? value : throw new FormatException($"{what} is not an object");

    private static string String(JsonElement parent, string name, string? where = null)
    {
        var value = Property(parent, name);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException($"{(where is null ? "" : where + ".")}{name} is not a string");
    }

    /// <summary>A non-empty standard base64 value, as protojson writes bytes.</summary>
    private static byte[] Bytes(JsonElement parent, string name, string where)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
            throw new FormatException($"{where}.{name} is missing");
        if (!value.TryGetBytesFromBase64(out var bytes) || bytes.Length == 0)
            throw new FormatException($"{where}.{name} is not non-empty base64");
        return bytes;
    }
}
