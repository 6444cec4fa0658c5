using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using RekorPosix.Log.Gcp.Spanner;
using RekorPosix.Log.Witnessing;
using Keys = RekorPosix.Log.Gcp.Spanner.SpannerKeys;
using Values = RekorPosix.Log.Gcp.Spanner.SpannerValues;

namespace RekorPosix.Log.Gcp;

/// <summary>
/// The witnesses' last cosigned sizes in the log's Spanner database, table
/// <c>RekorPosixWitnessSizes</c> (ours, as the aws flavour's in MySQL: tessera keeps no such state,
/// and a Go server sharing the database ignores it; the antispam database stays tessera's alone).
/// Keyed by SHA-256 of the witness URL; the URL is kept as UTF-8 bytes. A failed load is an
/// <see cref="IOException"/>: a size is a hint, and losing one costs a 409 round trip.
/// <para>
/// Saves are written in the background, the latest first and only: the witnesses are asked inside
/// the publication's read-write transaction, and a second transaction from in there would wait for
/// that one to end (the emulator's one-at-a-time rule, <see cref="SpannerSettings.OneTransactionAtATime"/>)
/// or, on the emulator without it, be aborted until then. A failed write is logged.
/// </para>
/// <para>
/// The table is made at start (<see cref="CreateAsync"/>), never from a load: the first load comes
/// from inside the first publication's transaction, and the emulator refuses a schema change while
/// a read-write transaction holds locks.
/// </para>
/// </summary>
internal sealed class WitnessSizesTable(SpannerClient client, ILogger logger) : IWitnessSizes
{
    private readonly Lock _lock = new();
    private IReadOnlyDictionary<string, long>? _pending;
    private Task _writer = Task.CompletedTask;

    private const string Table = "RekorPosixWitnessSizes";

    public static readonly string[] Create =
        [$"CREATE TABLE IF NOT EXISTS {Table} (urlHash BYTES(32) NOT NULL, url BYTES(MAX) NOT NULL, size INT64 NOT NULL) PRIMARY KEY (urlHash)"];

    private static readonly string[] Columns = ["urlHash", "url", "size"];

    /// <summary>Creates the table when missing; a failure is the start's (<see cref="IOException"/>).</summary>
    public static async Task CreateAsync(SpannerDatabaseAdmin admin, SpannerDatabaseName database, CancellationToken cancel)
    {
        try
        {
            await admin.EnsureDdlAsync(database, Create, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SpannerException or TimeoutException)
        {
            throw new IOException($"{Table}: {e.Message}", e);
        }
    }

    public async Task<IReadOnlyDictionary<string, long>> LoadAsync(CancellationToken cancel)
    {
        try
        {
            var rows = await client.ReadAsync(Table, ["url", "size"], Keys.All(), cancel).ConfigureAwait(false);
            return rows.ToDictionary(row => Encoding.UTF8.GetString(row.Bytes(0)), row => row.Int64(1), StringComparer.Ordinal);
        }
        catch (Exception e) when (e is SpannerException or TimeoutException or FormatException)
        {
            throw new IOException($"{Table}: {e.Message}", e);
        }
    }

    /// <summary>Queues <paramref name="sizes"/> for the background writer and returns.</summary>
    public Task SaveAsync(IReadOnlyDictionary<string, long> sizes, CancellationToken cancel)
    {
        lock (_lock)
        {
            _pending = sizes;
            if (_writer.IsCompleted)
                _writer = Task.Run(WriteLatestAsync, CancellationToken.None);
        }
        return Task.CompletedTask;
    }

    /// <summary>Completes when what was saved so far is written (or its write failed).</summary>
    public Task WrittenAsync()
    {
        lock (_lock)
            return _writer;
    }

    private async Task WriteLatestAsync()
    {
        while (true)
        {
            IReadOnlyDictionary<string, long> sizes;
            lock (_lock)
            {
                if (_pending is null)
                    return;
                sizes = _pending;
                _pending = null;
            }
            try
            {
                await WriteAsync(sizes).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SpannerException or TimeoutException or ObjectDisposedException)
            {
                WitnessEvents.SizesNotSaved(logger, e);
            }
        }
    }

    /// <summary>One transaction: the old rows go, then the new ones (mutations apply in order).</summary>
    private Task WriteAsync(IReadOnlyDictionary<string, long> sizes) =>
        client.RunTransactionAsync((transaction, _) =>
        {
            transaction.Buffer(SpannerMutations.Delete(Table, Keys.All()));
            foreach (var (url, size) in sizes)
            {
                byte[] bytes = Encoding.UTF8.GetBytes(url);
                transaction.Buffer(SpannerMutations.Insert(Table, Columns, Values.Bytes(SHA256.HashData(bytes)), Values.Bytes(bytes), Values.Int64(size)));
            }
            return Task.FromResult(true);
        }, CancellationToken.None);
}
