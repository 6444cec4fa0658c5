using System.Text;
using RekorPosix.Log;
using RekorPosix.Signing;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Log;

public class PublishedCheckpointTests
{
    private static readonly TreeHead s_head = new(42, Rfc6962.LeafHash("root of 42"u8));

    private static byte[] SignedNote(TreeHead head, params string[] extensions) => TestLogKey.Signer().Sign(head, extensions);

    [Fact]
    public void FromNote_ReadsTheSize_AndKeepsTheNoteAsStored()
    {
        byte[] note = SignedNote(s_head, "ext");
        var published = PublishedCheckpoint.FromNote(note);
        Assert.Equal(42, published.Size);
        Assert.Same(note, published.Note);
        Assert.Equal(new Checkpoint(TestData.TesseraOrigin, 42, s_head.Root, ["ext"]), published.Body());
    }

    [Fact]
    public void ParseBody_ReadsTheTesseraLogsCheckpoint()
    {
        var body = PublishedCheckpoint.ParseBody(File.ReadAllBytes(TestData.PathOf("tessera-log/checkpoint")));
        Assert.Equal(TestData.TesseraOrigin, body.Origin);
        Assert.Equal(15, body.Size);
        Assert.Equal("rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=", Convert.ToBase64String(body.RootHash));
    }

    [Fact]
    public void ParseBody_DoesNotCheckSignatures()
    {
        // Whose signature it is, is CheckpointSigner's business; here only the body counts.
        byte[] note = CheckpointSigner.For(LogSigningKey.GenerateEd25519(), "other.example/log").Sign(s_head);
        Assert.Equal("other.example/log", PublishedCheckpoint.ParseBody(note).Origin);
    }

    public static TheoryData<string> Garbage() => new()
    {
        "",
        "not a note",
        "\n\n",
        // A checkpoint body without any signature line.
        $"{TestData.TesseraOrigin}\n1\n{Convert.ToBase64String(new byte[32])}\n\n",
        // A well-formed signature line under a body that is no checkpoint.
        "hello\n\n\u2014 name AAAAAAAAAAAA\n",
        // A root that is not 32 bytes.
        $"{TestData.TesseraOrigin}\n1\nAAAA\n\n\u2014 name AAAAAAAAAAAA\n",
        $"{TestData.TesseraOrigin}\n-1\n{Convert.ToBase64String(new byte[32])}\n\n\u2014 name AAAAAAAAAAAA\n",
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public void ParseBody_Garbage_IsALogStateException(string note)
    {
        var error = Assert.Throws<LogStateException>(() => PublishedCheckpoint.ParseBody(Encoding.UTF8.GetBytes(note)));
        Assert.StartsWith("checkpoint:", error.Message);
        Assert.IsType<FormatException>(error.InnerException);
        Assert.Throws<LogStateException>(() => PublishedCheckpoint.FromNote(Encoding.UTF8.GetBytes(note)));
    }

    [Fact]
    public void ParseBody_InvalidUtf8_IsALogStateException()
    {
        byte[] note = SignedNote(s_head);
        note[1] = 0xff;
        Assert.StartsWith("checkpoint:", Assert.Throws<LogStateException>(() => PublishedCheckpoint.ParseBody(note)).Message);
    }

    [Fact]
    public void ParseBody_DamagedNotes_EitherParseOrAreLogStateExceptions()
    {
        // Damage at random places (fixed seed): nothing but a LogStateException may escape.
        byte[] good = SignedNote(s_head, "ext");
        var random = new Random(1234);
        int refused = 0;
        for (int round = 0; round < 2_000; round++)
        {
            byte[] note = (byte[])good.Clone();
            int at = random.Next(note.Length);
            note[at] = random.Next(3) switch
            {
                0 => (byte)'\n',
                1 => (byte)random.Next(0x20, 0x7f),
                _ => (byte)random.Next(256),
            };
            try
            {
                PublishedCheckpoint.ParseBody(note);
            }
            catch (LogStateException e)
            {
                Assert.StartsWith("checkpoint:", e.Message);
                refused++;
            }
        }
        Assert.True(refused > 0, "no damage was ever refused");
    }
}
