using Google.Protobuf.WellKnownTypes;
using RekorPosix.Protos.Spanner;

namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>
/// Mutations of one row, applied by Commit (spec gcp-spanner-flavour.md §6.6). Insert fails the
/// commit with ALREADY_EXISTS on an existing key, Update with NOT_FOUND on a missing one; an
/// update changes only the columns it lists, which must include the key columns.
/// </summary>
internal static class SpannerMutations
{
    public static Mutation Insert(string table, IReadOnlyList<string> columns, params IReadOnlyList<Value> row) =>
        new() { Insert = Write(table, columns, row) };

    public static Mutation Update(string table, IReadOnlyList<string> columns, params IReadOnlyList<Value> row) =>
        new() { Update = Write(table, columns, row) };

    public static Mutation InsertOrUpdate(string table, IReadOnlyList<string> columns, params IReadOnlyList<Value> row) =>
        new() { InsertOrUpdate = Write(table, columns, row) };

    /// <summary>Deletes the rows of <paramref name="keys"/>; a missing row is no error.</summary>
    public static Mutation Delete(string table, KeySet keys) =>
        new() { Delete = new Mutation.Types.Delete { Table = table, KeySet = keys } };

    private static Mutation.Types.Write Write(string table, IReadOnlyList<string> columns, IReadOnlyList<Value> row)
    {
        if (row.Count != columns.Count)
            throw new ArgumentException($"{row.Count} values for the {columns.Count} columns of {table}", nameof(row));
        var write = new Mutation.Types.Write { Table = table };
        write.Columns.Add(columns);
        var values = new ListValue();
        values.Values.Add(row);
        write.Values.Add(values);
        return write;
    }
}
