using System.Diagnostics;
using RekorPosix.Http.ReadPath;
using RekorPosix.Log;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Http.ReadPath;

public class StoredCheckpointTests
{
    private static readonly TimeSpan Long = TimeSpan.FromHours(1);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(50);

    private static readonly CheckpointSigner s_signer = TestLogKey.Signer();

    private static byte[] NoteOf(long size) => s_signer.Sign(new TreeHead(size, Rfc6962.LeafHash(BitConverter.GetBytes(size))));

    private static async Task<long?> SizeAsync(StoredCheckpoint checkpoint) => (await checkpoint.CurrentAsync(default))?.Size;

    /// <summary>Asks, as requests do, until the reader has been read <paramref name="reads"/> times
    /// and that read has ended (the reader answers at once unless gated). A checkpoint is known
    /// already, so no caller may wait.</summary>
    private static async Task AskUntilReadAsync(StoredCheckpoint checkpoint, ScriptedLogReader reader, int reads)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var asked = checkpoint.CurrentAsync(default).AsTask();
            Assert.True(asked.IsCompleted, "a caller waited although a checkpoint was known");
            Assert.NotNull(await asked);
            if (reader.CheckpointReads >= reads)
                break;
            Assert.True(waited.Elapsed < HangGuard.Timeout, $"hang guard: the checkpoint was read {reader.CheckpointReads} times, not {reads}");
            await Task.Delay(5);
        }
        Assert.Equal(reads, reader.CheckpointReads);
    }

    /// <summary>Asks, as requests do, until the checkpoint served has <paramref name="size"/>.</summary>
    private static async Task ServedEventuallyAsync(StoredCheckpoint checkpoint, long size)
    {
        var waited = Stopwatch.StartNew();
        while (await SizeAsync(checkpoint) != size)
        {
            Assert.True(waited.Elapsed < HangGuard.Timeout, $"hang guard: size {size} was never served");
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task TheFirstCaller_WaitsForTheStoredCheckpoint()
    {
        byte[] note = NoteOf(300);
        var reader = new ScriptedLogReader { Checkpoint = note };
        var release = reader.HoldCheckpointReads();
        var checkpoint = new StoredCheckpoint(reader, Long);
        var first = checkpoint.CurrentAsync(default).AsTask();
        Assert.False(first.IsCompleted);
        release.SetResult();
        var published = await first;
        Assert.NotNull(published);
        Assert.Equal(300, published.Size);
        Assert.Same(note, published.Note);
        Assert.Equal(1, reader.CheckpointReads);
    }

    [Fact]
    public async Task CallersArrivingBeforeTheFirstRead_ShareIt()
    {
        var reader = new ScriptedLogReader { Checkpoint = NoteOf(300) };
        var release = reader.HoldCheckpointReads();
        var checkpoint = new StoredCheckpoint(reader, Short);
        var callers = Enumerable.Range(0, 4).Select(_ => checkpoint.CurrentAsync(default).AsTask()).ToList();
        Assert.All(callers, c => Assert.False(c.IsCompleted));
        release.SetResult();
        var answers = await Task.WhenAll(callers);
        Assert.All(answers, a => Assert.Same(answers[0], a));
        Assert.Equal(300, answers[0]!.Size);
        Assert.Equal(1, reader.CheckpointReads);
    }

    [Fact]
    public async Task NoneStored_IsNull_AndNotReadAgainWithinTheRecheck()
    {
        var reader = new ScriptedLogReader();
        var checkpoint = new StoredCheckpoint(reader, Long);
        Assert.Null(await checkpoint.CurrentAsync(default));
        reader.Checkpoint = NoteOf(1);
        Assert.Null(await checkpoint.CurrentAsync(default));
        Assert.Equal(1, reader.CheckpointReads);
    }

    [Fact]
    public async Task WithinTheRecheck_TheStoredOneIsNotReadAgain()
    {
        var reader = new ScriptedLogReader { Checkpoint = NoteOf(300) };
        var checkpoint = new StoredCheckpoint(reader, Long);
        var first = await checkpoint.CurrentAsync(default);
        reader.Checkpoint = NoteOf(400);
        for (int i = 0; i < 10; i++)
            Assert.Same(first, await checkpoint.CurrentAsync(default));
        Assert.Equal(1, reader.CheckpointReads);
    }

    [Fact]
    public async Task AfterTheRecheck_ANewerOneIsPickedUp()
    {
        var reader = new ScriptedLogReader { Checkpoint = NoteOf(300) };
        var checkpoint = new StoredCheckpoint(reader, Short);
        Assert.Equal(300, await SizeAsync(checkpoint));
        byte[] newer = NoteOf(301);
        reader.Checkpoint = newer;
        await ServedEventuallyAsync(checkpoint, 301);
        Assert.Same(newer, (await checkpoint.CurrentAsync(default))!.Note);
    }

    [Fact]
    public async Task AfterNoneStored_TheFirstPublicationIsPickedUp()
    {
        var reader = new ScriptedLogReader();
        var checkpoint = new StoredCheckpoint(reader, Short);
        Assert.Null(await checkpoint.CurrentAsync(default));
        reader.Checkpoint = NoteOf(1);
        await ServedEventuallyAsync(checkpoint, 1);
    }

    [Fact]
    public async Task WhileARefreshRuns_CallersGetTheLastGoodOneAtOnce()
    {
        var reader = new ScriptedLogReader { Checkpoint = NoteOf(300) };
        var checkpoint = new StoredCheckpoint(reader, Short);
        var known = await checkpoint.CurrentAsync(default);
        var release = reader.HoldCheckpointReads();
        reader.Checkpoint = NoteOf(400);
        await AskUntilReadAsync(checkpoint, reader, 2);
        // The refresh is held: callers neither wait for it nor start another.
        for (int i = 0; i < 3; i++)
        {
            var asked = checkpoint.CurrentAsync(default).AsTask();
            Assert.True(asked.IsCompleted);
            Assert.Same(known, await asked);
        }
        await Task.Delay(Short * 2);
        Assert.Same(known, await checkpoint.CurrentAsync(default));
        Assert.Equal(2, reader.CheckpointReads);
        release.SetResult();
        await ServedEventuallyAsync(checkpoint, 400);
    }

    [Fact]
    public async Task ASmallerOne_IsIgnored()
    {
        var reader = new ScriptedLogReader { Checkpoint = NoteOf(300) };
        var checkpoint = new StoredCheckpoint(reader, Short);
        var known = await checkpoint.CurrentAsync(default);
        reader.Checkpoint = NoteOf(299); // a lagging replica
        await AskUntilReadAsync(checkpoint, reader, 2);
        Assert.Same(known, await checkpoint.CurrentAsync(default));
        reader.Checkpoint = NoteOf(302);
        await ServedEventuallyAsync(checkpoint, 302);
    }

    [Fact]
    public async Task ReaderFailures_KeepTheLastGoodOne()
    {
        var reader = new ScriptedLogReader { Checkpoint = NoteOf(300) };
        var checkpoint = new StoredCheckpoint(reader, Short);
        var known = await checkpoint.CurrentAsync(default);
        reader.CheckpointFailure = new IOException("connection reset by peer");
        await AskUntilReadAsync(checkpoint, reader, 2);
        Assert.Same(known, await checkpoint.CurrentAsync(default));
        reader.CheckpointFailure = null;
        reader.Checkpoint = "not a checkpoint"u8.ToArray(); // a LogStateException from the parse
        await AskUntilReadAsync(checkpoint, reader, 3);
        Assert.Same(known, await checkpoint.CurrentAsync(default));
        reader.Checkpoint = null; // gone from the bucket: still the last good one
        await AskUntilReadAsync(checkpoint, reader, 4);
        Assert.Same(known, await checkpoint.CurrentAsync(default));
        reader.Checkpoint = NoteOf(301);
        await ServedEventuallyAsync(checkpoint, 301);
    }

    [Fact]
    public async Task AFailedFirstRead_IsNull()
    {
        var reader = new ScriptedLogReader { CheckpointFailure = new IOException("no route to host") };
        var checkpoint = new StoredCheckpoint(reader, Short);
        Assert.Null(await checkpoint.CurrentAsync(default));
        reader.CheckpointFailure = null;
        reader.Checkpoint = NoteOf(5);
        await ServedEventuallyAsync(checkpoint, 5);
    }

    [Fact]
    public async Task AFirstCallerGivingUp_DoesNotCancelTheRead()
    {
        var reader = new ScriptedLogReader { Checkpoint = NoteOf(300) };
        var release = reader.HoldCheckpointReads();
        var checkpoint = new StoredCheckpoint(reader, Long);
        using var leaving = new CancellationTokenSource();
        var left = checkpoint.CurrentAsync(leaving.Token).AsTask();
        var staying = checkpoint.CurrentAsync(default).AsTask();
        leaving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => left);
        Assert.False(staying.IsCompleted);
        release.SetResult();
        Assert.Equal(300, (await staying)?.Size);
        Assert.Equal(300, await SizeAsync(checkpoint));
        Assert.Equal(1, reader.CheckpointReads);
    }
}
