using System.Text;
using RekorPosix.Log;
using RekorPosix.Signing;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Log;

public class CheckpointSignerTests
{
    private const string Origin = TestData.TesseraOrigin;

    private static readonly TreeHead s_head = new(300, Rfc6962.LeafHash("some root"u8));

    // A fixed instant: the frozen line is compared, never the clock.
    private static readonly DateTimeOffset s_when = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    /// <summary>The checkpoint body, after checking the note's signature with the test log's key.</summary>
    private static Checkpoint Verified(byte[] note) =>
        Checkpoint.Parse(SignedNote.Open(Encoding.UTF8.GetString(note), [TestLogKey.Verifier()]));

    private static PublishedCheckpoint Stored(byte[] note) => PublishedCheckpoint.FromNote(note);

    /// <summary>The same origin, signed with a key of its own: another log at the same name.</summary>
    private static CheckpointSigner OtherKey() => CheckpointSigner.For(LogSigningKey.GenerateEd25519(), Origin);

    /// <summary>The test key, another origin: the same key given another --hostname.</summary>
    private static CheckpointSigner OtherOrigin() => CheckpointSigner.For(TestLogKey.Load(), "example.com/another/log");

    [Fact]
    public void Sign_GivesANoteThatVerifies_AndParsesBackToTheHead()
    {
        var checkpoint = Verified(TestLogKey.Signer().Sign(s_head));
        Assert.Equal(Origin, checkpoint.Origin);
        Assert.Equal(s_head.Size, checkpoint.Size);
        Assert.Equal(s_head.Root, checkpoint.RootHash);
        Assert.Empty(checkpoint.Extensions);
    }

    [Fact]
    public void Sign_KeepsExtensionLinesInOrder()
    {
        var checkpoint = Verified(TestLogKey.Signer().Sign(s_head, ["first line", "second line"]));
        Assert.Equal(new[] { "first line", "second line" }, checkpoint.Extensions);
        Assert.Equal(s_head.Size, checkpoint.Size);
    }

    [Fact]
    public void Sign_TheEmptyTree()
    {
        var checkpoint = Verified(TestLogKey.Signer().Sign(TreeHead.Empty));
        Assert.Equal(0, checkpoint.Size);
        Assert.Equal(Rfc6962.EmptyRoot, checkpoint.RootHash);
    }

    [Fact]
    public void AnotherKeysNote_DoesNotVerifyWithTheTestKey()
    {
        // Shows Verified() can fail, so the tests above rest on the signature.
        Assert.Throws<NoteVerificationException>(() => Verified(OtherKey().Sign(s_head)));
    }

    [Fact]
    public async Task Maker_SignsTheHead_WhateverIsStored()
    {
        var maker = TestLogKey.Signer().Maker();
        PublishedCheckpoint?[] currents =
        [
            null,
            Stored(OtherOrigin().Sign(s_head)),
            Stored(OtherKey().Sign(TreeHead.Empty)),
            new PublishedCheckpoint(5, Encoding.UTF8.GetBytes("not a note at all")),
        ];
        foreach (var current in currents)
        {
            var checkpoint = Verified(await maker(s_head, current, CancellationToken.None));
            Assert.Equal(new Checkpoint(Origin, s_head.Size, s_head.Root), checkpoint);
        }
    }

    [Fact]
    public async Task FinalMaker_AddsTheFrozenLine_OverNoCheckpoint()
    {
        var note = await TestLogKey.Signer().FinalMaker(s_when)(s_head, null, CancellationToken.None);
        var checkpoint = Verified(note);
        Assert.Equal(new[] { FrozenCheckpoint.Line(s_when) }, checkpoint.Extensions);
        Assert.True(FrozenCheckpoint.IsFrozen(checkpoint));
        Assert.Equal(s_head.Root, checkpoint.RootHash);
    }

    [Fact]
    public async Task FinalMaker_AddsTheFrozenLine_OverItsOwnCheckpoint()
    {
        var signer = TestLogKey.Signer();
        var current = Stored(signer.Sign(s_head with { Size = 299 }));
        var checkpoint = Verified(await signer.FinalMaker(s_when)(s_head, current, CancellationToken.None));
        Assert.Equal(s_head.Size, checkpoint.Size);
        Assert.Equal("Log frozen \u2014 Wed Mar  4 05:06:07 UTC 2026", Assert.Single(checkpoint.Extensions));
    }

    [Fact]
    public async Task FinalMaker_RefusesAnotherOriginsCheckpoint()
    {
        var current = Stored(OtherOrigin().Sign(s_head));
        var error = await Assert.ThrowsAsync<LogStateException>(
            () => TestLogKey.Signer().FinalMaker(s_when)(s_head, current, CancellationToken.None));
        Assert.Contains("--hostname", error.Message);
    }

    [Fact]
    public async Task FinalMaker_RefusesAnotherKeysCheckpoint()
    {
        var current = Stored(OtherKey().Sign(s_head));
        var error = await Assert.ThrowsAsync<LogStateException>(
            () => TestLogKey.Signer().FinalMaker(s_when)(s_head, current, CancellationToken.None));
        Assert.Contains("--signer-filepath", error.Message);
    }

    [Fact]
    public void CheckSameLog_AcceptsItsOwnCheckpoint() =>
        TestLogKey.Signer().CheckSameLog(Stored(TestLogKey.Signer().Sign(s_head, ["an extension"])));

    [Fact]
    public void CheckSameLog_NamesBothOrigins_AndHostname()
    {
        var error = Assert.Throws<LogStateException>(() => TestLogKey.Signer().CheckSameLog(Stored(OtherOrigin().Sign(s_head))));
        Assert.Contains("'example.com/another/log'", error.Message);
        Assert.Contains($"'{Origin}'", error.Message);
        Assert.Contains("--hostname", error.Message);
        Assert.DoesNotContain("--signer-filepath", error.Message);
    }

    [Fact]
    public void CheckSameLog_NamesTheKey_AndSignerFilepath()
    {
        var error = Assert.Throws<LogStateException>(() => TestLogKey.Signer().CheckSameLog(Stored(OtherKey().Sign(s_head))));
        // The verifier this signer expected, as name+keyid.
        Assert.Contains($"{Origin}+{TestLogKey.Load().KeyId(Origin):x8}", error.Message);
        Assert.Contains("--signer-filepath", error.Message);
        Assert.DoesNotContain("--hostname", error.Message);
    }

    [Fact]
    public void CheckSameLog_RefusesItsOwnKeysNote_WhenTheTextWasChanged()
    {
        string note = Encoding.UTF8.GetString(TestLogKey.Signer().Sign(s_head));
        string tampered = note.Replace("\n300\n", "\n301\n", StringComparison.Ordinal);
        Assert.NotEqual(note, tampered);
        var error = Assert.Throws<LogStateException>(() => TestLogKey.Signer().CheckSameLog(Stored(Encoding.UTF8.GetBytes(tampered))));
        Assert.Contains("--signer-filepath", error.Message);
    }

    [Fact]
    public void CheckSameLog_WithoutAVerifier_ChecksOnlyTheOrigin()
    {
        var unverified = new CheckpointSigner(Origin, TestLogKey.SignNote(), verifier: null);
        unverified.CheckSameLog(Stored(OtherKey().Sign(s_head)));
        var error = Assert.Throws<LogStateException>(() => unverified.CheckSameLog(Stored(OtherOrigin().Sign(s_head))));
        Assert.Contains("--hostname", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("has+plus")]
    public void AnInvalidOriginIsRefused(string origin) =>
        Assert.Throws<ArgumentException>(() => new CheckpointSigner(origin, TestLogKey.SignNote(), null));
}
