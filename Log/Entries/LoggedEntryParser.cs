using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using RekorPosix.Protos.CommonV1;
using RekorPosix.Protos.RekorV2;
using RekorPosix.Signing.ClientSignatures;
using RekorPosix.Verification;
using HashAlgorithm = RekorPosix.Protos.CommonV1.HashAlgorithm;

namespace RekorPosix.Log.Entries;

/// <summary>
/// Reads a Rekor v2 entry body. A hashedrekord v0.0.2 body must be exactly the canonical JSON a
/// log writes for its values (Log/Entries/CanonicalBody: protojson, then RFC 8785), with a digest
/// of its algorithm's length, a signature and a key or certificate that parse. A dsse v0.0.2 body
/// (older servers logged them) is read for its payload hash and verifiers, without the
/// canonical-form check. Anything else is a <see cref="FormatException"/> saying why, naming the
/// JSON path of what is wrong.
/// </summary>
internal static class LoggedEntryParser
{
    public const string HashedRekord = "hashedrekord";
    public const string Dsse = "dsse";
    private const string ApiVersion = "0.0.2";

    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = 16 };

    /// <exception cref="FormatException">The body is not a hashedrekord or dsse v0.0.2 entry.</exception>
    public static LoggedEntry Parse(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var json = JsonDocument.Parse(body, Strict);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new FormatException("the body is not an object");
            string kind = Member(root, "", "kind", JsonValueKind.String).GetString()!;
            string apiVersion = Member(root, "", "apiVersion", JsonValueKind.String).GetString()!;
            var spec = Member(root, "", "spec", JsonValueKind.Object);
            return (kind, apiVersion) switch
            {
                (HashedRekord, ApiVersion) => ParseHashedRekord(Member(spec, "spec", "hashedRekordV002", JsonValueKind.Object), body.Span),
                (Dsse, ApiVersion) => ParseDsse(Member(spec, "spec", "dsseV002", JsonValueKind.Object)),
                _ => throw new FormatException($"kind {BoundedText.Of(kind, 40)} {BoundedText.Of(apiVersion, 20)} is neither hashedrekord nor dsse {ApiVersion}"),
            };
        }
        catch (JsonException e)
        {
            throw new FormatException($"not JSON: {e.Message}", e);
        }
    }

    private static LoggedEntry ParseHashedRekord(JsonElement spec, ReadOnlySpan<byte> body)
    {
        const string Path = "spec.hashedRekordV002";
        var (algorithm, digest) = ReadHashOutput(Member(spec, Path, "data", JsonValueKind.Object), Path + ".data");
        var (signer, signature) = ReadSignature(Member(spec, Path, "signature", JsonValueKind.Object), Path + ".signature");
        var data = new HashOutput { Algorithm = algorithm.Proto, Digest = UnsafeByteOperations.UnsafeWrap(digest) };
        if (!body.SequenceEqual(CanonicalBody.Build(data, signature)))
            throw new FormatException("not in canonical form (protojson with RFC 8785 key order, as a log writes it)");
        return new LoggedEntry(HashedRekord, new EntryDigest(algorithm.Name, digest), [signer]);
    }

    private static LoggedEntry ParseDsse(JsonElement spec)
    {
        const string Path = "spec.dsseV002";
        var (algorithm, digest) = ReadHashOutput(Member(spec, Path, "payloadHash", JsonValueKind.Object), Path + ".payloadHash");
        var signatures = Member(spec, Path, "signatures", JsonValueKind.Array);
        if (signatures.GetArrayLength() == 0)
            throw new FormatException($"{Path}.signatures is empty");
        var signers = new List<EntrySigner>();
        int i = 0;
        foreach (var signature in signatures.EnumerateArray())
        {
            string where = $"{Path}.signatures[{i++}]";
            if (signature.ValueKind != JsonValueKind.Object)
                throw new FormatException($"{where} is not an object");
            signers.Add(ReadSignature(signature, where).Signer);
        }
        return new LoggedEntry(Dsse, new EntryDigest(algorithm.Name, digest), signers);
    }

    /// <summary>A HashOutput message: a known algorithm and a digest of its length.</summary>
    private static (EntryDigestAlgorithm Algorithm, byte[] Digest) ReadHashOutput(JsonElement hashOutput, string path)
    {
        string name = Member(hashOutput, path, "algorithm", JsonValueKind.String).GetString()!;
        var algorithm = EntryDigestAlgorithm.FromProtoName(name)
            ?? throw new FormatException($"{path}.algorithm {BoundedText.Of(name, 40)} is not a known hash algorithm");
        byte[] digest = Bytes(hashOutput, path, "digest");
        if (digest.Length != algorithm.Size)
            throw new FormatException($"{path}.digest is {digest.Length} bytes, not the {algorithm.Size} of {algorithm.Name}");
        return (algorithm, digest);
    }

    /// <summary>A Signature message: its content and verifier, as the signer and as the proto value.</summary>
    private static (EntrySigner Signer, Signature Proto) ReadSignature(JsonElement signature, string path)
    {
        byte[] content = Bytes(signature, path, "content");
        string where = path + ".verifier";
        var verifier = Member(signature, path, "verifier", JsonValueKind.Object);
        var proto = new Verifier { KeyDetails = KeyDetails(verifier, where) };
        EntrySigner signer;
        if (verifier.TryGetProperty("publicKey", out _))
        {
            byte[] spki = Bytes(Member(verifier, where, "publicKey", JsonValueKind.Object), where + ".publicKey", "rawBytes");
            CheckSubjectPublicKeyInfo(spki, where);
            proto.PublicKey = new PublicKey { RawBytes = UnsafeByteOperations.UnsafeWrap(spki) };
            signer = new EntrySigner(SHA256.HashData(spki), null);
        }
        else if (verifier.TryGetProperty("x509Certificate", out _))
        {
            byte[] der = Bytes(Member(verifier, where, "x509Certificate", JsonValueKind.Object), where + ".x509Certificate", "rawBytes");
            proto.X509Certificate = new Protos.CommonV1.X509Certificate { RawBytes = UnsafeByteOperations.UnsafeWrap(der) };
            signer = new EntrySigner(SHA256.HashData(CertificateKey(der, where).Span), CertificateIdentity.Read(der));
        }
        else
        {
            throw new FormatException($"{where} has neither publicKey nor x509Certificate");
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
            throw new FormatException($"{where}.x509Certificate: {e.Message}", e);
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
            throw new FormatException($"{where}.publicKey is not a DER SubjectPublicKeyInfo: {e.Message}", e);
        }
    }

    /// <summary>keyDetails by name, or by number as protojson writes a value it does not know; absent is unspecified.</summary>
    private static PublicKeyDetails KeyDetails(JsonElement verifier, string where)
    {
        if (!verifier.TryGetProperty("keyDetails", out var value))
            return PublicKeyDetails.Unspecified;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number))
            return (PublicKeyDetails)number;
        if (value.ValueKind == JsonValueKind.String && KeyDetailsNames.Find(value.GetString()) is { } known)
            return known;
        throw new FormatException($"{where}.keyDetails is not a known key type");
    }

    /// <summary>The member <paramref name="name"/> of <paramref name="parent"/> (at <paramref name="path"/>), of that kind.</summary>
    private static JsonElement Member(JsonElement parent, string path, string name, JsonValueKind kind)
    {
        if (parent.TryGetProperty(name, out var value) && value.ValueKind == kind)
            return value;
        // The path is spelled out only for the message: this runs for every member of every entry.
        string at = path.Length == 0 ? name : $"{path}.{name}";
        if (value.ValueKind == JsonValueKind.Undefined)
            throw new FormatException($"{at} is missing");
        throw new FormatException($"{at} is not {kind switch { JsonValueKind.Object => "an object", JsonValueKind.Array => "an array", _ => "a string" }}");
    }

    /// <summary>A non-empty standard base64 value, as protojson writes bytes.</summary>
    private static byte[] Bytes(JsonElement parent, string path, string name)
    {
        var value = Member(parent, path, name, JsonValueKind.String);
        if (!value.TryGetBytesFromBase64(out var bytes) || bytes.Length == 0)
            throw new FormatException($"{path}.{name} is not non-empty base64");
        return bytes;
    }
}
