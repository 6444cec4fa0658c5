using Grpc.Core;
using Microsoft.Extensions.Logging;
using RekorPosix.Log.Antispam;
using RekorPosix.Log.Following;
using RekorPosix.Log.Gcp.Spanner;
using RekorPosix.Protos.Spanner;
using Keys = RekorPosix.Log.Gcp.Spanner.SpannerKeys;
using Values = RekorPosix.Log.Gcp.Spanner.SpannerValues;

namespace RekorPosix.Log.Gcp;

/// <summary>
/// The gcp flavour's antispam index: tessera's Spanner antispam tables in the database
/// <c>&lt;--gcp-spanner&gt;-antispam</c> (FollowCoord, IDSeq keyed by the entry's SHA-256; no version
/// table; spec gcp-spanner-flavour.md §3.3, §4.9), so that a Go server sharing it finds the same
/// duplicates. Every server runs a follower; they take turns under the FollowCoord lock, and one
/// that finds the position moved on skips ahead. Spanner errors are retried by the follower,
/// never taken for damage.
/// </summary>
/// <remarks>
/// Go writes the IDSeq rows with BatchWrite outside the transaction in production and, under the
/// emulator (which lacks BatchWrite), as inserts inside it, where one hash already present fails
/// every retry of the commit and wedges the follower for good (pitfall 14). Here there is one
/// path, emulator or not: the batch's hashes are read in the same transaction and only the absent
/// ones inserted, a repeat within the batch at its lowest index; so the earliest index wins, as
/// BatchWrite's ALREADY_EXISTS-per-row outcome gives, and a known hash is never an error.
/// </remarks>
internal sealed class SpannerDedupIndex(SpannerClient client, ILogger logger) : IDedupIndex
{
    /// <summary>tessera's antispam batch for this backend when --antispam-max-batch-size is 0.</summary>
    public const int DefaultMaxBatchSize = 1500;

    /// <summary>The suffix of the antispam database's ID (the main ID then has at most 21 characters).</summary>
    public const string DatabaseSuffix = "-antispam";

    private static readonly string[] CreateTables =
    [
        "CREATE TABLE IF NOT EXISTS FollowCoord (id INT64 NOT NULL, nextIdx INT64 NOT NULL) PRIMARY KEY (id)",
        "CREATE TABLE IF NOT EXISTS IDSeq (h BYTES(32) NOT NULL, idx INT64 NOT NULL) PRIMARY KEY (h)",
    ];

    private static readonly string[] FollowCoordColumns = ["id", "nextIdx"];
    private static readonly string[] IdSeqColumns = ["h", "idx"];

    private static KeySet Row0 => Keys.Of(Keys.Key(Values.Int64(0)));

    /// <summary>Creates the tables and the FollowCoord row when missing (never resetting them) in
    /// <paramref name="client"/>'s database, which must exist; one that cannot be used leaves the
    /// log with in-memory dedup (<see cref="DedupIndexUnavailableException"/>).</summary>
    public static Func<ILogger, IDedupIndex> In(SpannerClient client, SpannerDatabaseAdmin admin) => logger =>
    {
        try
        {
            PrepareAsync(client, admin).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is SpannerException or TimeoutException)
        {
            throw new DedupIndexUnavailableException($"the antispam database {client.Database} cannot be used: {e.Message}", e);
        }
        return new SpannerDedupIndex(client, logger);
    };

    private static async Task PrepareAsync(SpannerClient client, SpannerDatabaseAdmin admin)
    {
        await admin.EnsureDdlAsync(client.Database, CreateTables, CancellationToken.None).ConfigureAwait(false);
        try
        {
            await client.ApplyAsync([SpannerMutations.Insert("FollowCoord", FollowCoordColumns, Values.Int64(0), Values.Int64(0))], CancellationToken.None).ConfigureAwait(false);
        }
        catch (SpannerException e) when (e.Code == StatusCode.AlreadyExists)
        {
            // A follower has been here: its position stays.
        }
    }

    public bool SuspectedDamaged => false;

    public bool IsDamage(Exception error) => false;

    /// <summary>A single read of IDSeq; a failed lookup is a miss (dedup is best effort).</summary>
    public async ValueTask<long?> FindAsync(ReadOnlyMemory<byte> identity)
    {
        try
        {
            var rows = await client.ReadAsync("IDSeq", ["idx"], Keys.Of(Keys.Key(Values.Bytes(identity.Span))), CancellationToken.None).ConfigureAwait(false);
            return rows.Count == 1 ? rows[0].Int64(0) : null;
        }
        catch (Exception e) when (e is SpannerException or TimeoutException or FormatException)
        {
            AntispamEvents.LookupFailed(logger, e);
            return null;
        }
    }

    public long ReadNextIndex() => ReadNextIndexAsync().GetAwaiter().GetResult();

    private async Task<long> ReadNextIndexAsync()
    {
        var rows = await client.ReadAsync("FollowCoord", ["nextIdx"], Row0, CancellationToken.None).ConfigureAwait(false);
        return rows.Count == 1 ? rows[0].Int64(0) : throw new LogStateException($"FollowCoord in {client.Database} has no row");
    }

    /// <summary>One transaction on the follower's thread (see the remarks on the inserts).</summary>
    public long Commit(long first, ReadOnlySpan<byte> identities) =>
        CommitAsync(first, AntispamRows.Of(first, identities)).GetAwaiter().GetResult();

    private Task<long> CommitAsync(long first, AntispamRows batch) =>
        client.RunTransactionAsync(async (tx, cancel) =>
        {
            long next = (await tx.ReadExclusiveAsync("FollowCoord", ["nextIdx"], Row0, cancel).ConfigureAwait(false)).Single().Int64(0);
            if (next != first)
                return next; // another server's follower got here first
            if (batch.Rows.Count > 0)
            {
                var present = await tx.ReadAsync("IDSeq", ["h"], Keys.Of(batch.Rows.Select(r => Keys.Key(Values.Bytes(r.Hash)))), cancel).ConfigureAwait(false);
                var known = present.Select(row => Convert.ToHexString(row.Bytes(0))).ToHashSet(StringComparer.Ordinal);
                foreach (var (hash, index) in batch.Rows.Where(r => !known.Contains(Convert.ToHexString(r.Hash))))
                    tx.Buffer(SpannerMutations.Insert("IDSeq", IdSeqColumns, Values.Bytes(hash), Values.Int64(index)));
            }
            tx.Buffer(SpannerMutations.Update("FollowCoord", FollowCoordColumns, Values.Int64(0), Values.Int64(first + batch.Count)));
            return first + batch.Count;
        }, CancellationToken.None);

    /// <summary>Asked for when the index claims more entries than the log has: it is another log's.
    /// The rows go and the followers start over from 0.</summary>
    public void Rebuild(string reason)
    {
        IndexEvents.Rebuilding(logger, "antispam", $"IDSeq in {client.Database}", reason, "(emptied)");
        client.ApplyAsync(
        [
            SpannerMutations.Delete("IDSeq", Keys.All()),
            SpannerMutations.Update("FollowCoord", FollowCoordColumns, Values.Int64(0), Values.Int64(0)),
        ], CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>The client belongs to the flavour's connections, closed after the log.</summary>
    public void Dispose()
    {
    }
}
