using System.Text;
using Google.Protobuf;
using RekorPosix.Log.Entries;
using RekorPosix.Protos.CommonV1;
using RekorPosix.Protos.RekorV2;
using RekorPosix.Signing.ClientSignatures;
using static RekorPosix.Tests.Log.Entries.TestRequests;

namespace RekorPosix.Tests.Log.Entries;

public class CanonicalBodyTests
{
    private static readonly HashedRekordValidator Validator = new(AllowedAlgorithms.Default);

    private static byte[] Golden(string name) => File.ReadAllBytes($"testdata/entries/{name}");

    private static byte[] BodyOf(string json) =>
        Validator.Validate(CreateEntryRequestDecoder.FromJson(Encoding.UTF8.GetBytes(json))).CanonicalBody;

    [Fact]
    public void WorkedExample_MatchesTheGoldenFileByteForByte()
    {
        var body = CanonicalBody.Build(
            new HashOutput { Algorithm = HashAlgorithm.Sha2256, Digest = ByteString.FromBase64(WorkedDigest) },
            WorkedExample().HashedRekordRequestV002.Signature);
        Assert.Equal(Golden("worked-example.body.json"), body);
        Assert.Equal(489, body.Length);
    }

    [Theory]
    [InlineData("\"PKIX_ECDSA_P256_SHA_256\"")]
    [InlineData("5")]
    [InlineData("5.0")]
    public void KeyDetailsSpellings_AllGiveTheNameInTheBody(string keyDetails)
    {
        Assert.Equal(Golden("worked-example.body.json"), BodyOf(WorkedExampleJson(keyDetails)));
    }

    [Fact]
    public void ProtoNamesAndOtherBase64_GiveTheSameBody()
    {
        var json = WorkedExampleJson().Replace("keyDetails", "key_details").Replace("rawBytes", "raw_bytes")
            .Replace(WorkedDigest, WorkedDigest.TrimEnd('=')).Replace(WorkedSignature, WorkedSignature.Replace('+', '-').Replace('/', '_'));
        Assert.Equal(Golden("worked-example.body.json"), BodyOf(json));
    }

    [Theory]
    [InlineData("\"PKIX_ECDSA_P384_SHA_256\"")]
    [InlineData("19")]
    public void MismatchedKeyDetails_IsKeptByName(string keyDetails)
    {
        Assert.Equal(Golden("p384-sha256-keydetails.body.json"), BodyOf(WorkedExampleJson(keyDetails)));
    }

    [Fact]
    public void Certificate_IsKeptAsACertificate()
    {
        Assert.Equal(Golden("certificate.body.json"), BodyOf(File.ReadAllText("testdata/entries/certificate.request.json")));
    }

    [Fact]
    public void FieldOrder_FollowsJcsSorting()
    {
        var body = Encoding.ASCII.GetString(Golden("certificate.body.json"));
        string[] keys = ["\"apiVersion\"", "\"kind\"", "\"spec\"", "\"hashedRekordV002\"", "\"data\"", "\"algorithm\"", "\"digest\"",
            "\"signature\"", "\"content\"", "\"verifier\"", "\"keyDetails\"", "\"x509Certificate\"", "\"rawBytes\""];
        var positions = keys.Select(key => body.IndexOf(key, StringComparison.Ordinal)).ToArray();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);
    }

    [Fact]
    public void UndefinedEnumNumber_IsWrittenAsANumber()
    {
        var signature = WorkedExample().HashedRekordRequestV002.Signature;
        signature.Verifier.KeyDetails = (PublicKeyDetails)99;
        var body = Encoding.ASCII.GetString(CanonicalBody.Build(new HashOutput { Algorithm = HashAlgorithm.Sha2256 }, signature));
        Assert.Contains("\"keyDetails\":99,", body);
    }

    [Fact]
    public void DefaultValues_AreLeftOutLikeProtojson()
    {
        var body = Encoding.ASCII.GetString(CanonicalBody.Build(new HashOutput(), new Signature { Verifier = new Verifier() }));
        Assert.Equal("{\"apiVersion\":\"0.0.2\",\"kind\":\"hashedrekord\",\"spec\":{\"hashedRekordV002\":{\"data\":{},"
                     + "\"signature\":{\"verifier\":{}}}}}", body);
    }

    [Fact]
    public void Base64_IsStandardAndPadded()
    {
        var signature = new Signature
        {
            Content = ByteString.CopyFrom(0xFB, 0xFF),
            Verifier = new Verifier { PublicKey = new PublicKey { RawBytes = ByteString.CopyFrom(0xFF) } },
        };
        var body = Encoding.ASCII.GetString(CanonicalBody.Build(new HashOutput { Digest = ByteString.CopyFrom(0xFB, 0xEF, 0xFF) }, signature));
        Assert.Contains("\"digest\":\"++//\"", body);
        Assert.Contains("\"content\":\"+/8=\"", body);
        Assert.Contains("\"rawBytes\":\"/w==\"", body);
    }

    [Fact]
    public void LeafHashAndIdentity_OfTheWorkedExample()
    {
        var body = Golden("worked-example.body.json");
        Assert.Equal("Uym3efeSrMCTH0BDFLAnqwbi1GjOYfydlkHmJc5gw9o=", Convert.ToBase64String(CanonicalBody.LeafHash(body)));
        Assert.Equal("a16d95bf6a15440bf4baf283711ee57d8d8f435378f12ad1bcc9aefe85109e31",
            Convert.ToHexStringLower(CanonicalBody.Identity(body)));
    }

    [Fact]
    public void OversizedBody_IsLongerThanABundleEntry()
    {
        var small = ValidatedEntry.FromCanonicalBody(Golden("worked-example.body.json"));
        Assert.True(small.Length <= RekorPosix.Tiles.EntryBundle.MaxEntrySize);
        var signature = WorkedExample().HashedRekordRequestV002.Signature;
        signature.Verifier.X509Certificate = new X509Certificate { RawBytes = ByteString.CopyFrom(new byte[50_000]) };
        var large = ValidatedEntry.FromCanonicalBody(CanonicalBody.Build(new HashOutput { Algorithm = HashAlgorithm.Sha2256 }, signature));
        Assert.True(large.Length > RekorPosix.Tiles.EntryBundle.MaxEntrySize);
        Assert.Equal(65535, RekorPosix.Tiles.EntryBundle.MaxEntrySize);
    }
}
