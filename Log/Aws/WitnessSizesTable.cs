using System.Security.Cryptography;
using System.Text;
using MySqlConnector;
using RekorPosix.Log.Witnessing;

namespace RekorPosix.Log.Aws;

/// <summary>
/// The witnesses' last cosigned sizes in the log's database, table <c>RekorPosixWitnessSizes</c>
/// (ours: tessera keeps no such state, and a Go server sharing the database ignores it). Keyed by
/// SHA-256 of the witness URL, since a URL may be longer than an index allows. MySQL errors come
/// out as <see cref="IOException"/>: a size is a hint, and losing one costs a 409 round trip.
/// </summary>
internal sealed class WitnessSizesTable(MySqlDataSource database) : IWitnessSizes
{
    private const string Create =
        "CREATE TABLE IF NOT EXISTS RekorPosixWitnessSizes (urlHash BINARY(32) NOT NULL, url TEXT NOT NULL, size BIGINT UNSIGNED NOT NULL, PRIMARY KEY(urlHash))";

    public async Task<IReadOnlyDictionary<string, long>> LoadAsync(CancellationToken cancel)
    {
        var sizes = new Dictionary<string, long>();
        try
        {
            await using var connection = await database.OpenConnectionAsync(cancel).ConfigureAwait(false);
            await using (var create = new MySqlCommand(Create, connection))
                await create.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
            await using var select = new MySqlCommand("SELECT url, size FROM RekorPosixWitnessSizes", connection);
            await using var rows = await select.ExecuteReaderAsync(cancel).ConfigureAwait(false);
            while (await rows.ReadAsync(cancel).ConfigureAwait(false))
                sizes[rows.GetString(0)] = (long)rows.GetUInt64(1);
        }
        catch (MySqlException e)
        {
            throw new IOException($"RekorPosixWitnessSizes: {e.Message}", e);
        }
        return sizes;
    }

    public async Task SaveAsync(IReadOnlyDictionary<string, long> sizes, CancellationToken cancel)
    {
        try
        {
            await using var connection = await database.OpenConnectionAsync(cancel).ConfigureAwait(false);
            await using var tx = await connection.BeginTransactionAsync(cancel).ConfigureAwait(false);
            await using (var clear = new MySqlCommand("DELETE FROM RekorPosixWitnessSizes", connection, tx))
                await clear.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
            foreach (var (url, size) in sizes)
            {
                await using var insert = new MySqlCommand(
                    "INSERT INTO RekorPosixWitnessSizes (urlHash, url, size) VALUES (@h, @u, @s)", connection, tx);
                insert.Parameters.AddWithValue("@h", SHA256.HashData(Encoding.UTF8.GetBytes(url)));
                insert.Parameters.AddWithValue("@u", url);
                insert.Parameters.AddWithValue("@s", (ulong)size);
                await insert.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
            }
            await tx.CommitAsync(cancel).ConfigureAwait(false);
        }
        catch (MySqlException e)
        {
            throw new IOException($"RekorPosixWitnessSizes: {e.Message}", e);
        }
    }
}
