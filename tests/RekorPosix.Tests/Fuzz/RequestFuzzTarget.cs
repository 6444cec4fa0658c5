using Google.Protobuf;
using RekorPosix.Log.Entries;
using RekorPosix.Protos.CommonV1;
using RekorPosix.Protos.RekorV2;
using RekorPosix.Signing.ClientSignatures;
using RekorPosix.Tests.Signing.ClientSignatures;
using RekorPosix.Tests.Log.Entries;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Fuzz;

/// <summary>
/// The CreateEntry path as the server runs it: the protojson (HTTP) or protobuf (gRPC) decoder,
/// then the hashedrekord validator. The only documented failures are RequestDecodeException and
/// InvalidEntryException; anything else would be a 500 the spec does not assign.
/// </summary>
public static class RequestFuzzTarget
{
    private static readonly HashedRekordValidator Validator = new(AllowedAlgorithms.Default);
    private static readonly Lazy<IReadOnlyList<CreateEntryRequest>> SeedRequests = new(MakeSeeds);

    public static IReadOnlyList<byte[]> JsonSeeds() =>
    [
        .. SeedRequests.Value.Select(r => System.Text.Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(r))),
        System.Text.Encoding.UTF8.GetBytes(TestRequests.WorkedExampleJson()),
        System.Text.Encoding.UTF8.GetBytes(TestRequests.WorkedExampleJson("5")),
        File.ReadAllBytes(TestData.PathOf("entries/certificate.request.json")),
        .. FuzzCorpus.Load("request-json"),
    ];

    public static IReadOnlyList<byte[]> ProtoSeeds() =>
    [
        .. SeedRequests.Value.Select(r => r.ToByteArray()),
        .. FuzzCorpus.Load("request-proto"),
    ];

    public static void Json(byte[] body)
    {
        CreateEntryRequest request;
        try
        {
            request = CreateEntryRequestDecoder.FromJson(body);
        }
        catch (RequestDecodeException)
        {
            return;
        }
        Validate(request);
    }

    public static void Proto(byte[] message)
    {
        CreateEntryRequest request;
        try
        {
            request = CreateEntryRequestDecoder.FromProto(message);
        }
        catch (RequestDecodeException)
        {
            return;
        }
        Validate(request);
    }

    private static void Validate(CreateEntryRequest request)
    {
        try
        {
            Validator.Validate(request);
        }
        catch (InvalidEntryException)
        {
        }
    }

    private static IReadOnlyList<CreateEntryRequest> MakeSeeds() =>
    [
        TestRequests.WorkedExample(),
        TestRequests.Signed(TestSigner.Shared("P-256"), PublicKeyDetails.PkixEcdsaP256Sha256, DigestAlgorithmSize.Sha256),
        TestRequests.Signed(TestSigner.Shared("P-256"), PublicKeyDetails.PkixEcdsaP256Sha256, DigestAlgorithmSize.Sha256, certificate: true),
        TestRequests.Signed(TestSigner.Shared("P-384"), PublicKeyDetails.PkixEcdsaP384Sha384, DigestAlgorithmSize.Sha384),
        TestRequests.Signed(TestSigner.Shared("P-521"), PublicKeyDetails.PkixEcdsaP521Sha512, DigestAlgorithmSize.Sha512, p1363: true),
        TestRequests.Signed(TestSigner.Shared("RSA-2048"), PublicKeyDetails.PkixRsaPkcs1V152048Sha256, DigestAlgorithmSize.Sha256),
        TestRequests.Signed(TestSigner.Shared("RSA-2048"), PublicKeyDetails.PkixRsaPkcs1V152048Sha256, DigestAlgorithmSize.Sha256, certificate: true),
        TestRequests.Signed(TestSigner.Shared("Ed25519"), PublicKeyDetails.PkixEd25519Ph, DigestAlgorithmSize.Sha512),
        new CreateEntryRequest { DsseRequestV002 = new DSSERequestV002() },
    ];
}
