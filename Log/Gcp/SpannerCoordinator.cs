using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RekorPosix.Log.Cloud;
using RekorPosix.Log.Gcp.Spanner;
using RekorPosix.Protos.Spanner;
using static RekorPosix.Log.Gcp.SpannerSchema;
using Keys = RekorPosix.Log.Gcp.Spanner.SpannerKeys;
using Values = RekorPosix.Log.Gcp.Spanner.SpannerValues;

namespace RekorPosix.Log.Gcp;

/// <summary>
/// The log's coordination in Spanner, tessera's GCP driver schema (compatibility version 1) as
/// rekor-tiles' Go server leaves it, so that either server can continue the other's database
/// (spec gcp-spanner-flavour.md §3, §4). Each step is one read-write transaction whose body may
/// run again after ABORTED; the coordinating reads take exclusive locks, and the lock footprint
/// is tessera HEAD's (§4.11): integration reads SeqCoord and publication reads IntCoord by single
/// reads outside their transactions, so neither holds a lock another step waits for.
/// </summary>
internal sealed class SpannerCoordinator(SpannerClient client, SpannerDatabaseAdmin admin)
{
    public const long CompatibilityVersion = 1;

    /// <summary>Index key space one integration takes, as tessera (a row that starts inside it is
    /// read whole, so up to one batch more).</summary>
    public const long MaxEntriesPerIntegration = 20480;

    /// <summary>The RFC 6962 root of the empty tree, SHA-256("").</summary>
    private static readonly byte[] EmptyRoot = Convert.FromHexString("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    private static readonly Value Zero = Values.Int64(0);

    private static KeySet Row0 => Keys.Of(Keys.Key(Zero));

    public SpannerDatabaseName Database => client.Database;

    /// <summary>Creates the tables that are missing, migrates PubCoord, inserts the initial rows
    /// without ever resetting a log, and refuses another compatibility version (§3.4).</summary>
    public async Task InitAsync(CancellationToken cancel)
    {
        await admin.EnsureDdlAsync(client.Database, CreateTables, cancel).ConfigureAwait(false);
        foreach (string migration in Migrations)
            await IgnoringAlreadyExists(() => admin.EnsureDdlAsync(client.Database, [migration], cancel)).ConfigureAwait(false);
        Mutation[] initialRows =
        [
            SpannerMutations.Insert("Tessera", TesseraColumns, Zero, Values.Int64(CompatibilityVersion)),
            SpannerMutations.Insert("SeqCoord", SeqCoordColumns, Zero, Zero),
            SpannerMutations.Insert("IntCoord", IntCoordColumns, Zero, Zero, Values.Bytes(EmptyRoot)),
            SpannerMutations.Insert("PubCoord", PubCoordColumns, Zero, Values.Timestamp(new Timestamp()), Zero),
            SpannerMutations.Insert("GCCoord", GcCoordColumns, Zero, Zero),
        ];
        foreach (var row in initialRows)
            await IgnoringAlreadyExists(() => client.ApplyAsync([row], cancel)).ConfigureAwait(false);
        var rows = await client.ReadAsync("Tessera", ["compatibilityVersion"], Row0, cancel).ConfigureAwait(false);
        long version = rows.Count == 1 ? rows[0].Int64(0) : throw NoRow("Tessera");
        if (version != CompatibilityVersion)
            throw new LogStateException($"the database's Tessera.compatibilityVersion is {version}; this build only understands {CompatibilityVersion}");
    }

    private static async Task IgnoringAlreadyExists(Func<Task> change)
    {
        try
        {
            await change().ConfigureAwait(false);
        }
        catch (SpannerException e) when (e.Code == StatusCode.AlreadyExists)
        {
            // There already: a log is never reset.
        }
    }

    /// <summary>The integrated tree (IntCoord), a single strong read.</summary>
    public async Task<TreeHead> ReadIntegratedAsync(CancellationToken cancel) =>
        IntCoordOf(await client.ReadAsync("IntCoord", ["seq", "rootHash"], Row0, cancel).ConfigureAwait(false));

    /// <summary>PubCoord's row as a sequencer read it. Every publication changes it, and a forced
    /// one (a freeze's among them) always moves publishedAt (see <see cref="PublishAsync"/>).</summary>
    public sealed record PublicationMark(Timestamp PublishedAt, long? Size);

    /// <summary>
    /// Assigns the batch its indices under the SeqCoord lock and stores it as Seq rows (<paramref
    /// name="rows"/>: each row's offset in the batch and its gob blob; several when the batch is
    /// larger than a cell, §4.10), committed with SeqCoord.next; durable once this returns (§4.2).
    /// Refused with <see cref="PushbackException"/> when more than <paramref name="maxOutstanding"/>
    /// entries wait for integration. <paramref name="throwIfFrozen"/> gets PubCoord's row as
    /// committed when the lock was granted: read by a single read then, which sees any freeze that
    /// committed before (a freeze holds SeqCoord until it commits) and takes no lock publication
    /// would wait for.
    /// </summary>
    public async Task<long> SequenceAsync(int count, IReadOnlyList<(int Offset, byte[] Blob)> rows, long maxOutstanding,
        Func<PublicationMark, CancellationToken, Task> throwIfFrozen, CancellationToken cancel)
    {
        long integrated = (await ReadIntegratedAsync(cancel).ConfigureAwait(false)).Size;
        return await client.RunTransactionAsync(async (tx, token) =>
        {
            long next = Single(await tx.ReadExclusiveAsync("SeqCoord", ["next"], Row0, token).ConfigureAwait(false), "SeqCoord").Int64(0);
            await throwIfFrozen(await ReadPublicationMarkAsync(token).ConfigureAwait(false), token).ConfigureAwait(false);
            if (next - integrated > maxOutstanding)
                throw new PushbackException($"{next - integrated} entries wait for integration (at most {maxOutstanding})");
            foreach (var (offset, blob) in rows)
                tx.Buffer(SpannerMutations.Insert("Seq", SeqColumns, Zero, Values.Int64(next + offset), Values.Bytes(blob)));
            tx.Buffer(SpannerMutations.Update("SeqCoord", SeqCoordColumns, Zero, Values.Int64(next + count)));
            return next;
        }, cancel).ConfigureAwait(false);
    }

    private async Task<PublicationMark> ReadPublicationMarkAsync(CancellationToken cancel)
    {
        var row = Single(await client.ReadAsync("PubCoord", ["publishedAt", "size"], Row0, cancel).ConfigureAwait(false), "PubCoord");
        return new PublicationMark(row.Timestamp(0), row.NullableInt64(1));
    }

    /// <summary>
    /// Integrates the sequenced batches in order under the IntCoord lock (§4.3): <paramref
    /// name="integrate"/> writes their tiles and bundles to the bucket and returns the new head;
    /// only then are IntCoord and the deletes of the consumed Seq rows committed together. A crash
    /// or an abort before the commit leaves both as they were, and the next run writes the same
    /// bytes again. Returns the integrated head; with nothing sequenced, forced or not, it writes nothing.
    /// </summary>
    public async Task<TreeHead> ConsumeAsync(Func<TreeHead, IReadOnlyList<byte[]>, Task<TreeHead>> integrate, CancellationToken cancel)
    {
        long next = await ReadNextAsync(cancel).ConfigureAwait(false);
        return await client.RunTransactionAsync(async (tx, token) =>
        {
            var head = IntCoordOf(await tx.ReadExclusiveAsync("IntCoord", ["seq", "rootHash"], Row0, token).ConfigureAwait(false));
            return await IntegrateUpToAsync(tx, head, next, integrate, token).ConfigureAwait(false);
        }, cancel).ConfigureAwait(false);
    }

    private async Task<long> ReadNextAsync(CancellationToken cancel) =>
        Single(await client.ReadAsync("SeqCoord", ["next"], Row0, cancel).ConfigureAwait(false), "SeqCoord").Int64(0);

    /// <summary>Inside a transaction holding IntCoord at <paramref name="head"/>: reads the Seq rows
    /// from there up to <paramref name="next"/> (at most <see cref="MaxEntriesPerIntegration"/> of key
    /// space), checks that they follow on one another, integrates them and buffers the commit.</summary>
    private static async Task<TreeHead> IntegrateUpToAsync(SpannerTransaction tx, TreeHead head, long next,
        Func<TreeHead, IReadOnlyList<byte[]>, Task<TreeHead>> integrate, CancellationToken cancel)
    {
        if (next <= head.Size)
            return head;
        long end = Math.Min(next, head.Size + MaxEntriesPerIntegration);
        var rows = await tx.ReadAsync("Seq", ["seq", "v"],
            Keys.HalfOpenRange(Keys.Key(Zero, Values.Int64(head.Size)), Keys.Key(Zero, Values.Int64(end))), cancel).ConfigureAwait(false);
        long orderCheck = head.Size;
        var blobs = new List<byte[]>(rows.Count);
        var consumed = new List<ListValue>(rows.Count);
        foreach (var row in rows)
        {
            long seq = row.Int64(0);
            if (seq != orderCheck)
                throw new LogStateException($"Seq: integrity fail - expected seq {orderCheck}, but found {seq}");
            byte[] blob = row.NullableBytes(1) ?? [];
            orderCheck += DecodedCount(blob, seq);
            blobs.Add(blob);
            consumed.Add(Keys.Key(Zero, Values.Int64(seq)));
        }
        if (orderCheck < end)
            throw new LogStateException($"Seq: integrity fail - SeqCoord.next is {next}, yet the rows from {head.Size} end at {orderCheck}");
        var grown = await integrate(head, blobs).ConfigureAwait(false);
        if (grown.Size != orderCheck)
            throw new LogStateException($"Seq: the rows from {head.Size} hold entries up to {orderCheck}, yet integrating them gave size {grown.Size}");
        tx.Buffer(SpannerMutations.Update("IntCoord", IntCoordColumns, Zero, Values.Int64(grown.Size), Values.Bytes(grown.Root)));
        tx.Buffer(SpannerMutations.Delete("Seq", Keys.Of(consumed)));
        return grown;
    }

    private static int DecodedCount(byte[] blob, long seq)
    {
        try
        {
            return SequencedBatch.Decode(blob).Length;
        }
        catch (FormatException e)
        {
            throw new LogStateException($"Seq row {seq}: failed to deserialise v: {e.Message}", e);
        }
    }

    /// <summary>
    /// One publication attempt under the PubCoord lock, so that at most one checkpoint per interval
    /// is published across every server (§4.5, with HEAD's footprint and stale-view check): when
    /// due, <paramref name="publish"/> makes and stores the checkpoint for the integrated tree, then
    /// publishedAt and size are committed. publishedAt is the publisher's clock, a TIMESTAMP; a
    /// forced publication writes it past the last one, so that PubCoord's row changes even when
    /// the clock has not moved: the sequencers trust an unchanged row to mean "no freeze since".
    /// When the commit is aborted after the checkpoint was stored and PubCoord is still as that
    /// attempt found it, the re-run commits what was stored instead of making another (no second
    /// signature, no second write of the object, which GCS throttles to about one a second).
    /// Returns whether it published, when the next attempt may, and PubCoord.size as found under
    /// the lock (what another server published while this one waited).
    /// </summary>
    public Task<(bool Published, DateTimeOffset NextAttempt, long? PublishedSize)> PublishAsync(PublicationPace pace, Func<TreeHead, Task> publish,
        CancellationToken cancel)
    {
        (DateTimeOffset At, long? Size)? storedOver = null;
        long storedSize = 0;
        return client.RunTransactionAsync<(bool, DateTimeOffset, long?)>(async (tx, token) =>
        {
            var (last, size) = PubCoordOf(await tx.ReadExclusiveAsync("PubCoord", ["publishedAt", "size"], Row0, token).ConfigureAwait(false));
            if (storedOver == (last, size))
            {
                tx.Buffer(PublishedMutation(pace, last, storedSize));
                return (true, pace.Now + pace.Interval, storedSize);
            }
            var age = pace.Now - last;
            if (!pace.Force && age < pace.Interval)
                return (false, last + pace.Interval, size);
            var head = await ReadIntegratedAsync(token).ConfigureAwait(false);
            if (size is { } published && head.Size < published)
                return (false, pace.Now + pace.Interval, size);
            bool due = pace.Force || size is null || head.Size > size || age >= pace.RepublishInterval;
            if (!due)
                return (false, pace.Now + pace.Interval, size);
            await publish(head).ConfigureAwait(false);
            (storedOver, storedSize) = ((last, size), head.Size);
            tx.Buffer(PublishedMutation(pace, last, head.Size));
            return (true, pace.Now + pace.Interval, head.Size);
        }, cancel);
    }

    private static Mutation PublishedMutation(PublicationPace pace, DateTimeOffset last, long size)
    {
        var at = pace.Force && pace.Now <= last ? last.AddTicks(10) : pace.Now;
        return SpannerMutations.Update("PubCoord", PubCoordColumns, Zero, Values.Timestamp(Timestamp.FromDateTimeOffset(at)), Values.Int64(size));
    }

    /// <summary>What a freeze found and did.</summary>
    public sealed record FreezeSteps(TreeHead Head, bool Published);

    /// <summary>
    /// Ends the log in one transaction that holds SeqCoord, IntCoord and PubCoord (the emulator runs
    /// one transaction per database at a time, so a freeze cannot hold SeqCoord in one while it
    /// integrates and publishes in others, as the MySQL driver does): integrates what is sequenced,
    /// then <paramref name="publishFinal"/> stores the final checkpoint for that head (false when
    /// the log was frozen already), and all is committed together. Null when another server is
    /// busy with the log: the locks not granted within <paramref name="lockWait"/>, or the attempt
    /// aborted before they were (the emulator aborts a transaction that meets an active one at
    /// once, and then lets the retry take over the other's locks after a moment).
    /// </summary>
    public async Task<FreezeSteps?> TryFreezeAsync(Func<TreeHead, IReadOnlyList<byte[]>, Task<TreeHead>> integrate,
        Func<TreeHead, Task<bool>> publishFinal, TimeSpan lockWait, CancellationToken cancel)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        waiting.CancelAfter(lockWait);
        bool begun = false, locked = false;
        try
        {
            return await client.RunTransactionAsync(async (tx, token) =>
            {
                if (begun && !locked)
                    throw new LocksBusyException();
                begun = true;
                long next = Single(await tx.ReadExclusiveAsync("SeqCoord", ["next"], Row0, token).ConfigureAwait(false), "SeqCoord").Int64(0);
                var head = IntCoordOf(await tx.ReadExclusiveAsync("IntCoord", ["seq", "rootHash"], Row0, token).ConfigureAwait(false));
                var (last, _) = PubCoordOf(await tx.ReadExclusiveAsync("PubCoord", ["publishedAt", "size"], Row0, token).ConfigureAwait(false));
                // Every lock held: the rest may take as long as the transaction may.
                locked = true;
                waiting.CancelAfter(Timeout.InfiniteTimeSpan);
                var grown = await IntegrateUpToAsync(tx, head, next, integrate, token).ConfigureAwait(false);
                bool published = await publishFinal(grown).ConfigureAwait(false);
                if (published)
                    tx.Buffer(PublishedMutation(new PublicationPace(TimeSpan.Zero, TimeSpan.Zero, DateTimeOffset.UtcNow, Force: true), last, grown.Size));
                return new FreezeSteps(grown, published);
            }, waiting.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LocksBusyException || (e is OperationCanceledException && !cancel.IsCancellationRequested))
        {
            return null;
        }
    }

    /// <summary>A freeze met another transaction before it held its locks.</summary>
    private sealed class LocksBusyException : Exception
    {
        public LocksBusyException()
            : base("another transaction holds the coordination rows")
        {
        }
    }

    /// <summary>
    /// Under the GCCoord lock (§4.6): hands each entry bundle from GCCoord.fromSize on that
    /// <paramref name="publishedSize"/> covers in full to <paramref name="collect"/> (which deletes
    /// the partials it completed), at most <paramref name="maxBundles"/>, and advances fromSize past
    /// them. True when more is left.
    /// </summary>
    public Task<bool> CollectGarbageAsync(long publishedSize, int maxBundles, Func<long, Task> collect, CancellationToken cancel) =>
        client.RunTransactionAsync(async (tx, token) =>
        {
            long from = Single(await tx.ReadExclusiveAsync("GCCoord", ["fromSize"], Row0, token).ConfigureAwait(false), "GCCoord").Int64(0);
            var (to, moreLeft) = await GarbageWalk.RunAsync(from, publishedSize, maxBundles, collect).ConfigureAwait(false);
            if (to > from)
                tx.Buffer(SpannerMutations.Update("GCCoord", GcCoordColumns, Zero, Values.Int64(to)));
            return moreLeft;
        }, cancel);

    private static TreeHead IntCoordOf(IReadOnlyList<SpannerRow> rows)
    {
        var row = Single(rows, "IntCoord");
        return new TreeHead(row.Int64(0), row.NullableBytes(1) ?? throw new LogStateException("IntCoord.rootHash is NULL"));
    }

    private static (DateTimeOffset PublishedAt, long? Size) PubCoordOf(IReadOnlyList<SpannerRow> rows)
    {
        var row = Single(rows, "PubCoord");
        return (row.Timestamp(0).ToDateTimeOffset(), row.NullableInt64(1));
    }

    private static SpannerRow Single(IReadOnlyList<SpannerRow> rows, string table) =>
        rows.Count == 1 ? rows[0] : throw NoRow(table);

    /// <summary>A coordination table without its one row: the schema was never initialised here.</summary>
    private static LogStateException NoRow(string table) => new($"{table} has no row: the schema was not initialised");
}
