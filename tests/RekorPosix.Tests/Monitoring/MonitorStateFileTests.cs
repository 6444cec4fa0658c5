using RekorPosix.Monitoring;
using RekorPosix.Signing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Monitoring;

public class MonitorStateFileTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly INoteVerifier _log = TestLogKey.Verifier();

    public void Dispose() => _dir.Dispose();

    private static byte[] TesseraCheckpoint => File.ReadAllBytes(TestData.PathOf("tessera-log/checkpoint"));

    [Fact]
    public void NoFile_IsTheFirstRun()
    {
        Assert.Null(new MonitorStateFile(_dir["state"]).Load(_log));
    }

    [Fact]
    public void Saved_LoadsBack_ByteForByte_InADirectoryMadeForIt()
    {
        var state = new MonitorStateFile(_dir["sub/state"]);
        state.Save(VerifiedCheckpoint.Verify(TesseraCheckpoint, _log));

        Assert.Equal(TesseraCheckpoint, File.ReadAllBytes(_dir["sub/state"]));
        var loaded = state.Load(_log)!;
        Assert.Equal(15, loaded.Size);
        Assert.Equal("rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=", loaded.RootText);
        Assert.Empty(Directory.GetFiles(_dir["sub"], ".tmp.*"));
    }

    public static TheoryData<string, byte[]> Damaged() => new()
    {
        { "empty", [] },
        { "garbage", "not a checkpoint\n"u8.ToArray() },
        { "truncated", TesseraCheckpoint[..40] },
        { "another log's", File.ReadAllBytes(TestData.PathOf("xmod-log/checkpoint.1000")) },
        { "with a bad signature", Flip(TesseraCheckpoint, ^5) },
    };

    private static byte[] Flip(byte[] data, Index at)
    {
        var copy = (byte[])data.Clone();
        copy[at] ^= 0x01;
        return copy;
    }

    [Theory]
    [MemberData(nameof(Damaged))]
    public void ADamagedOrForeignFile_IsAnInputError_NeverAFreshStart_AndIsLeftAlone(string what, byte[] content)
    {
        File.WriteAllBytes(_dir["state"], content);
        var error = Assert.Throws<MonitorInputException>(() => new MonitorStateFile(_dir["state"]).Load(_log));
        Assert.Contains($"--state {_dir["state"]} is damaged or belongs to another log", error.Message);
        Assert.Contains("move it away", error.Message);
        Assert.True(content.AsSpan().SequenceEqual(File.ReadAllBytes(_dir["state"])), what);
    }

    [Fact]
    public void AnUnreadableFile_IsAnInputError()
    {
        Directory.CreateDirectory(_dir["state"]);
        var error = Assert.Throws<MonitorInputException>(() => new MonitorStateFile(_dir["state"]).Load(_log));
        Assert.StartsWith($"--state {_dir["state"]}: ", error.Message);
    }

    [Fact]
    public void ASecondHolderOfTheLock_IsRefused_UntilTheFirstLetsGo()
    {
        var state = new MonitorStateFile(_dir["state"]);
        using (state.Lock())
        {
            var error = Assert.Throws<MonitorInputException>(() => new MonitorStateFile(_dir["state"]).Lock());
            Assert.Contains("another monitor is using it", error.Message);
        }
        using (new MonitorStateFile(_dir["state"]).Lock())
        {
        }
    }
}
