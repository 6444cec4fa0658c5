using System.Text;
using RekorPosix.Signing;

namespace RekorPosix.Tests.Signing;

public class SignedNoteTests
{
    private const string RekorOrigin = "rekor-local";
    private const string RekorVkey = "rekor-local+d80b4420+AURLycjWRo1+gdwwCLg9wU4PayMFdNBmPF4ORVPiBQ1E";
    private const string TesseraOrigin = "example.com/log/testdata";
    private const string TesseraVkey = "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx";

    // The example of c2sp.org/signed-note.
    private const string C2spVkey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
    private const string C2spNote =
        "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

    private static string TestData(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "testdata", .. parts]);

    private static LogSigningKey RekorKey() => LogSigningKey.Load(TestData("rekor-tiles-pki", "ed25519-priv-key.pem"));

    public static TheoryData<string> TesseraCheckpoints()
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(TestData("tessera-log"), "checkpoint*").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    [Theory]
    [InlineData(
        "rekor-local\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
        "— rekor-local 2AtEIMW9FcaEMSaxW3Q+uG1WCwP65vde3Rllsrhb+D06rjMtNKEhhkLXmkJ4lkyWpuZpiNC29calCGi2lS9Y8iCbmQg=\n")]
    [InlineData(
        "rekor-local\n1\nUym3efeSrMCTH0BDFLAnqwbi1GjOYfydlkHmJc5gw9o=\n",
        "— rekor-local 2AtEIEto2rjdlosAMG1UeQxPSPDLPF/diOZaxmBU6ZUumCnIXhVrKnLhLCmYJhYatg4p1t4CBmp+m+w3CAOtQkysKwo=\n")]
    public void Sign_RekorTestKey_MatchesKnownCheckpoint(string text, string signatureLine)
    {
        using LogSigningKey key = RekorKey();

        string note = SignedNote.Sign(text, [key.CreateNoteSigner(RekorOrigin)]);

        Assert.Equal(text + "\n" + signatureLine, note);
        Assert.Equal(text, SignedNote.Open(note, [NoteVerifiers.FromVerifierKey(RekorVkey)]));
    }

    [Theory]
    [MemberData(nameof(TesseraCheckpoints))]
    public void TesseraCheckpoint_OpensWithVkey_AndResignsByteForByte(string file)
    {
        byte[] original = File.ReadAllBytes(TestData("tessera-log", file));
        using LogSigningKey key = LogSigningKey.Load(TestData("tessera-log-key.pem"));

        string text = SignedNote.Open(original, [NoteVerifiers.FromVerifierKey(TesseraVkey)]);
        string resigned = SignedNote.Sign(text, [key.CreateNoteSigner(TesseraOrigin)]);

        Assert.StartsWith(TesseraOrigin + "\n", text, StringComparison.Ordinal);
        Assert.Equal(original, Encoding.UTF8.GetBytes(resigned));
    }

    [Theory]
    [InlineData("log/checkpoint")]
    [InlineData("checkpoint.1000")]
    public void XmodCheckpoint_OpensWithItsVkey(string path)
    {
        string vkey = File.ReadAllText(TestData("xmod-log", "vkey")).Trim();
        byte[] note = File.ReadAllBytes(TestData(["xmod-log", .. path.Split('/')]));

        string text = SignedNote.Open(note, [NoteVerifiers.FromVerifierKey(vkey)]);

        Assert.StartsWith("xmod.example/testlog\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void C2spExample_Opens()
    {
        Assert.Equal("This is an example message.\n", SignedNote.Open(C2spNote, [NoteVerifiers.FromVerifierKey(C2spVkey)]));
    }

    [Fact]
    public void Parse_SplitsAtLastBlankLine()
    {
        string note = "a\n\nb\n\n— x AAAAAAA=\n— y/z AQIDBAU=\n";

        NoteEnvelope envelope = SignedNote.Parse(note);

        Assert.Equal("a\n\nb\n", envelope.Text);
        Assert.Equal(2, envelope.Signatures.Count);
        Assert.Equal("x", envelope.Signatures[0].Name);
        Assert.Equal(0u, envelope.Signatures[0].KeyId);
        Assert.Equal(new byte[] { 0 }, envelope.Signatures[0].Signature);
        Assert.Equal("y/z", envelope.Signatures[1].Name);
        Assert.Equal(0x01020304u, envelope.Signatures[1].KeyId);
        Assert.Equal(new byte[] { 5 }, envelope.Signatures[1].Signature);
    }

    [Fact]
    public void SignThenParse_TextWithBlankLinesAndTrailingBlankLine_RoundTrips()
    {
        using LogSigningKey key = LogSigningKey.GenerateEd25519();
        string text = "origin\n\nmiddle\n\n";

        string note = SignedNote.Sign(text, [key.CreateNoteSigner("origin")]);

        Assert.Equal(text, SignedNote.Parse(note).Text);
        Assert.Equal(text, SignedNote.Open(note, [key.PublicKey.CreateNoteVerifier("origin")]));
    }

    [Theory]
    [InlineData("text\n", "no blank line")]
    [InlineData("text\n\n", "no signatures")]
    [InlineData("text\n\n— a AAAAAAA=", "newline")]
    [InlineData("text\n\n- a AAAAAAA=\n", "em dash")]
    [InlineData("text\n\n—a AAAAAAA=\n", "em dash")]
    [InlineData("text\n\n— aAAAAAAA=\n", "no space")]
    [InlineData("text\n\n— a+b AAAAAAA=\n", "invalid key name")]
    [InlineData("text\n\n—  AAAAAAA=\n", "invalid key name")]
    [InlineData("text\n\n— a \n", "base64")]
    [InlineData("text\n\n— a AAAA AAA=\n", "base64")]
    [InlineData("text\n\n— a AAAAAAA\n", "base64")]
    [InlineData("text\n\n— a AAAA!AA=\n", "base64")]
    [InlineData("text\n\n— a AAAAAA==\n", "shorter")]
    [InlineData("te\txt\n\n— a AAAAAAA=\n", "control character")]
    [InlineData("text\r\n\n— a AAAAAAA=\n", "control character")]
    public void Parse_Malformed_Throws(string note, string expected)
    {
        FormatException e = Assert.Throws<FormatException>(() => SignedNote.Parse(note));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LoneSurrogate_Throws()
    {
        string note = "te" + (char)0xd800 + "xt\n\n— a AAAAAAA=\n";
        FormatException e = Assert.Throws<FormatException>(() => SignedNote.Parse(note));
        Assert.Contains("surrogate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidUtf8Bytes_Throws()
    {
        byte[] note = [.. "text"u8, 0xff, .. "\n\n— a AAAAAAA=\n"u8];
        FormatException e = Assert.Throws<FormatException>(() => SignedNote.Parse(note));
        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HundredSignatures_Accepted_HundredAndOne_Rejected()
    {
        string line = "— a AAAAAAA=\n";
        string hundred = "text\n\n" + string.Concat(Enumerable.Repeat(line, 100));

        Assert.Equal(100, SignedNote.Parse(hundred).Signatures.Count);
        FormatException e = Assert.Throws<FormatException>(() => SignedNote.Parse(hundred + line));
        Assert.Contains("more than 100", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_UnknownKeysIgnored_KnownKeyVerifies()
    {
        using LogSigningKey known = LogSigningKey.GenerateEd25519();
        using LogSigningKey other = LogSigningKey.GenerateEd25519();
        using LogSigningKey sameNameOtherKey = LogSigningKey.GenerateEd25519();
        string text = "log\n1\nAAAA\n";
        string note = SignedNote.Sign(text, [other.CreateNoteSigner("other"), known.CreateNoteSigner("log")]);

        // A signature line claiming the known name with another key ID is from an unknown key.
        note += SignedNote.Sign(text, [sameNameOtherKey.CreateNoteSigner("log")])[(text.Length + 1)..];

        Assert.Equal(text, SignedNote.Open(note, [known.PublicKey.CreateNoteVerifier("log")]));
    }

    [Fact]
    public void Open_SameKeyUnderAnotherName_IsUnknown()
    {
        using LogSigningKey key = LogSigningKey.GenerateEd25519();
        string note = SignedNote.Sign("log\n", [key.CreateNoteSigner("log")]);

        var e = Assert.Throws<NoteVerificationException>(
            () => SignedNote.Open(note, [key.PublicKey.CreateNoteVerifier("other")]));
        Assert.Contains("no signature from a known key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NoKnownKey_Throws()
    {
        using LogSigningKey key = LogSigningKey.GenerateEd25519();
        string note = SignedNote.Sign("log\n", [key.CreateNoteSigner("log")]);

        var e = Assert.Throws<NoteVerificationException>(() => SignedNote.Open(note, [NoteVerifiers.FromVerifierKey(C2spVkey)]));
        Assert.Contains($"log+{key.KeyId("log"):x8}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_KnownKeyBadSignature_ThrowsEvenIfAnotherKnownKeyIsGood()
    {
        using LogSigningKey good = LogSigningKey.GenerateEd25519();
        using LogSigningKey bad = LogSigningKey.GenerateEd25519();
        string text = "log\n1\nAAAA\n";
        string badLine = TamperLastSignatureByte(SignedNote.Sign(text, [bad.CreateNoteSigner("bad")]))[(text.Length + 1)..];
        string note = SignedNote.Sign(text, [good.CreateNoteSigner("good")]) + badLine;

        Assert.Equal(text, SignedNote.Open(note, [good.PublicKey.CreateNoteVerifier("good")]));
        var e = Assert.Throws<NoteVerificationException>(() => SignedNote.Open(
            note, [good.PublicKey.CreateNoteVerifier("good"), bad.PublicKey.CreateNoteVerifier("bad")]));
        Assert.Contains($"invalid signature for key bad+{bad.KeyId("bad"):x8}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_DuplicateBadLineFromKnownKey_Throws()
    {
        using LogSigningKey key = LogSigningKey.GenerateEd25519();
        string note = SignedNote.Sign("log\n", [key.CreateNoteSigner("log")]);
        string tampered = TamperLastSignatureByte(note);

        Assert.Throws<NoteVerificationException>(() => SignedNote.Open(
            note + tampered[("log\n".Length + 1)..], [key.PublicKey.CreateNoteVerifier("log")]));
    }

    [Fact]
    public void Open_FlippedBitInText_Throws()
    {
        using LogSigningKey key = RekorKey();
        string note = SignedNote.Sign("rekor-local\n5\nAAAA\n", [key.CreateNoteSigner(RekorOrigin)]);
        string tampered = note.Replace("\n5\n", "\n4\n", StringComparison.Ordinal);

        Assert.Throws<NoteVerificationException>(() => SignedNote.Open(tampered, [NoteVerifiers.FromVerifierKey(RekorVkey)]));
    }

    [Fact]
    public void Open_FlippedBitInSignature_Throws()
    {
        using LogSigningKey key = RekorKey();
        string note = SignedNote.Sign("rekor-local\n5\nAAAA\n", [key.CreateNoteSigner(RekorOrigin)]);

        Assert.Throws<NoteVerificationException>(
            () => SignedNote.Open(TamperLastSignatureByte(note), [NoteVerifiers.FromVerifierKey(RekorVkey)]));
    }

    [Fact]
    public void Open_TruncatedSignature_Throws()
    {
        using LogSigningKey key = RekorKey();
        string note = SignedNote.Sign("rekor-local\n5\nAAAA\n", [key.CreateNoteSigner(RekorOrigin)]);
        NoteEnvelope envelope = SignedNote.Parse(note);
        byte[] payload = [0xd8, 0x0b, 0x44, 0x20, .. envelope.Signatures[0].Signature[..63]];
        string truncated = envelope.Text + "\n— rekor-local " + Convert.ToBase64String(payload) + "\n";

        Assert.Throws<NoteVerificationException>(() => SignedNote.Open(truncated, [NoteVerifiers.FromVerifierKey(RekorVkey)]));
    }

    [Fact]
    public void Open_NoVerifiers_Throws()
    {
        Assert.Throws<NoteVerificationException>(() => SignedNote.Open(C2spNote, []));
    }

    [Fact]
    public void Open_MalformedNote_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => SignedNote.Open("text\n", [NoteVerifiers.FromVerifierKey(C2spVkey)]));
    }

    [Fact]
    public void Sign_SeveralSigners_OneLineEachInOrder()
    {
        using LogSigningKey a = LogSigningKey.GenerateEd25519();
        using LogSigningKey b = LogSigningKey.GenerateEd25519();

        string note = SignedNote.Sign("t\n", [a.CreateNoteSigner("a"), b.CreateNoteSigner("b")]);

        NoteEnvelope envelope = SignedNote.Parse(note);
        Assert.Equal(["a", "b"], envelope.Signatures.Select(s => s.Name));
        Assert.Equal([a.KeyId("a"), b.KeyId("b")], envelope.Signatures.Select(s => s.KeyId));
        Assert.All(envelope.Signatures, s => Assert.Equal(64, s.Signature.Length));
    }

    [Theory]
    [InlineData("no newline")]
    [InlineData("")]
    [InlineData("tab\there\n")]
    [InlineData("cr\r\n")]
    [InlineData("del\u007f\n")]
    [InlineData("c1\u0085\n")]
    public void Sign_InvalidText_Throws(string text)
    {
        using LogSigningKey key = LogSigningKey.GenerateEd25519();
        Assert.Throws<ArgumentException>(() => SignedNote.Sign(text, [key.CreateNoteSigner("a")]));
    }

    [Fact]
    public void Sign_LoneSurrogate_Throws()
    {
        // Built here: xunit would replace a lone surrogate in InlineData before the test sees it.
        string text = "lone " + (char)0xd800 + " surrogate\n";
        using LogSigningKey key = LogSigningKey.GenerateEd25519();
        Assert.Throws<ArgumentException>(() => SignedNote.Sign(text, [key.CreateNoteSigner("a")]));
    }

    [Fact]
    public void Sign_NonAsciiText_SignsUtf8()
    {
        using LogSigningKey key = LogSigningKey.GenerateEd25519();
        string text = "ünïcödé — 🌳\n";

        string note = SignedNote.Sign(text, [key.CreateNoteSigner("a")]);

        Assert.Equal(text, SignedNote.Open(Encoding.UTF8.GetBytes(note), [key.PublicKey.CreateNoteVerifier("a")]));
    }

    [Fact]
    public void Sign_NoSigners_Throws()
    {
        Assert.Throws<ArgumentException>(() => SignedNote.Sign("t\n", []));
    }

    [Fact]
    public void Sign_SameKeyTwice_Throws()
    {
        using LogSigningKey key = LogSigningKey.GenerateEd25519();
        Assert.Throws<ArgumentException>(() => SignedNote.Sign("t\n", [key.CreateNoteSigner("a"), key.CreateNoteSigner("a")]));
    }

    [Theory]
    [InlineData("a+b")]
    [InlineData("a b")]
    [InlineData("a\u00a0b")]
    [InlineData("")]
    public void Sign_InvalidSignerName_Throws(string name)
    {
        Assert.Throws<ArgumentException>(() => SignedNote.Sign("t\n", [new FixedSigner(name)]));
    }

    private static string TamperLastSignatureByte(string note)
    {
        NoteEnvelope envelope = SignedNote.Parse(note);
        NoteSignature last = envelope.Signatures[^1];
        byte[] payload = new byte[4 + last.Signature.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(payload, last.KeyId);
        last.Signature.CopyTo(payload, 4);
        payload[^1] ^= 0x01;
        string original = note[..^1];
        int space = original.LastIndexOf(' ');
        return original[..(space + 1)] + Convert.ToBase64String(payload) + "\n";
    }

    private sealed class FixedSigner(string name) : INoteSigner
    {
        public string Name => name;

        public uint KeyId => 1;

        public byte[] Sign(ReadOnlySpan<byte> message) => [1];
    }
}
