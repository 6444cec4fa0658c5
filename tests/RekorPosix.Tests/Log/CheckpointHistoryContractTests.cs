using System.Text;
using RekorPosix.Log;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Log;

/// <summary>
/// What every driver does with <c>--checkpoint-history</c>, whichever storage it keeps the log in:
/// each published checkpoint (a freeze's final one too) kept under <c>checkpoints/&lt;N&gt;</c>, the
/// first of a size never replaced. Subclassed per storage, as <see cref="DriverContractTests"/>.
/// </summary>
public abstract class CheckpointHistoryContractTests : IDisposable
{
    private static readonly Lazy<CheckpointSigner> s_signer = new(TestLogKey.Signer);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private readonly List<ILogDriver> _drivers = [];

    /// <summary>A new driver over this test's storage that keeps checkpoint history, not opened yet.</summary>
    protected abstract ILogDriver OpenKeepingHistory();

    /// <summary>The storage's history as the read routes read it.</summary>
    protected abstract ICheckpointHistory History();

    /// <summary>The bytes stored at exactly this path or key, or null.</summary>
    protected abstract byte[]? Stored(string path);

    protected virtual void Cleanup()
    {
    }

    public void Dispose()
    {
        foreach (var driver in _drivers)
            driver.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Cleanup();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task EveryPublishedCheckpoint_IsKeptAtItsSizeKey_ExactlyAsPublished()
    {
        var driver = await OpenedAsync();
        var empty = await PublishAsync(driver, Signer.Maker());
        await Guard(driver.SequenceAsync(Entries("kept", 1234), CancellationToken.None));
        await Guard(driver.IntegrateAsync(CancellationToken.None));
        var grown = await PublishAsync(driver, Signer.Maker());

        Assert.Equal(empty.Note, Stored("checkpoints/000"));
        Assert.Equal(grown.Note, Stored("checkpoints/x001/234"));
        Assert.Equal(grown.Note, await driver.Reader.ReadCheckpointAsync(CancellationToken.None));
        Assert.Equal(empty.Note, await History().ReadAsync(0, CancellationToken.None));
        Assert.Null(await History().ReadAsync(1, CancellationToken.None));
    }

    [Fact]
    public async Task ARepublication_AtTheSameSize_KeepsTheFirstNote()
    {
        var driver = await OpenedAsync();
        await Guard(driver.SequenceAsync(Entries("again", 3), CancellationToken.None));
        await Guard(driver.IntegrateAsync(CancellationToken.None));
        var first = await PublishAsync(driver, Marked("first"));
        var second = await PublishAsync(driver, Marked("second"));

        Assert.NotEqual(first.Note, second.Note);
        Assert.Equal(second.Note, await driver.Reader.ReadCheckpointAsync(CancellationToken.None));
        Assert.Equal(first.Note, Stored("checkpoints/003"));
    }

    [Fact]
    public async Task AFreeze_KeepsItsFinalCheckpoint()
    {
        var driver = await OpenedAsync();
        await Guard(driver.SequenceAsync(Entries("final", 5), CancellationToken.None));
        await Guard(driver.IntegrateAsync(CancellationToken.None));
        var outcome = await Guard(driver.TryFreezeAsync(Signer.FinalMaker(DateTimeOffset.UtcNow), CancellationToken.None));

        Assert.True(outcome!.Value.Wrote);
        Assert.Equal(outcome.Value.Final.Note, Stored("checkpoints/005"));
    }

    [Fact]
    public async Task History_KeepsTheFirstNoteOfASize_AndNeverReplacesIt()
    {
        var history = History();
        var head = new TreeHead(0, Rfc6962.EmptyRoot);
        var first = PublishedCheckpoint.FromNote(Signer.Sign(head, ["one"]));
        var second = PublishedCheckpoint.FromNote(Signer.Sign(head, ["two"]));
        await Guard(history.KeepAsync(first, CancellationToken.None));
        await Guard(history.KeepAsync(second, CancellationToken.None));

        Assert.Equal(first.Note, await history.ReadAsync(0, CancellationToken.None));
        Assert.Equal(first.Note, Stored(CheckpointHistoryPath.For(0)));
    }

    private static CheckpointSigner Signer => s_signer.Value;

    private static Task<T> Guard<T>(Task<T> task) => task.WaitAsync(HangGuard.Timeout);

    private static Task Guard(Task task) => task.WaitAsync(HangGuard.Timeout);

    private async Task<ILogDriver> OpenedAsync()
    {
        var driver = OpenKeepingHistory();
        _drivers.Add(driver);
        await Guard(driver.OpenAsync(CancellationToken.None));
        return driver;
    }

    private static async Task<PublishedCheckpoint> PublishAsync(ILogDriver driver, CheckpointMaker make)
    {
        var pace = new PublicationPace(Hour, Hour, DateTimeOffset.UtcNow, Force: true);
        var outcome = await Guard(driver.PublishAsync(pace, make, CancellationToken.None));
        Assert.True(outcome.Wrote, "a forced publication wrote nothing");
        return outcome.Current!;
    }

    /// <summary>A maker whose note carries a mark, so that two notes of one tree differ.</summary>
    private static CheckpointMaker Marked(string mark) => (head, _, _) => Task.FromResult(Signer.Sign(head, [mark]));

    private static List<ReadOnlyMemory<byte>> Entries(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes($"{prefix}-{i}")).ToList();
}
