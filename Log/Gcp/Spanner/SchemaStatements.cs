using System.Text.RegularExpressions;

namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>
/// Which of tessera's idempotent schema statements a database still needs, judged from the schema
/// as Spanner prints it (GetDatabaseDdl: <c>CREATE TABLE Name (\n  column TYPE,\n …) PRIMARY KEY(…)</c>).
/// Sending only those matters beyond saving a call: Spanner runs one schema change at a time per
/// database (and the emulator none while a read-write transaction is open, as after a killed
/// server's), so a server restarting on a ready database must not need one (spec
/// gcp-spanner-flavour.md §10 item 5). Statements of another form are always needed.
/// </summary>
internal static partial class SchemaStatements
{
    [GeneratedRegex(@"^CREATE TABLE IF NOT EXISTS (\w+)\s*\(", RegexOptions.CultureInvariant)]
    private static partial Regex CreateTableIfNotExists();

    [GeneratedRegex(@"^ALTER TABLE (\w+) ADD COLUMN IF NOT EXISTS (\w+)\s", RegexOptions.CultureInvariant)]
    private static partial Regex AddColumnIfNotExists();

    [GeneratedRegex(@"^CREATE TABLE (\w+) \(", RegexOptions.CultureInvariant)]
    private static partial Regex PrintedTable();

    /// <summary>The statements of <paramref name="wanted"/> that <paramref name="printed"/> does not
    /// already satisfy, in their order.</summary>
    public static IReadOnlyList<string> Missing(IReadOnlyList<string> wanted, IReadOnlyList<string> printed)
    {
        var tables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string statement in printed)
        {
            if (PrintedTable().Match(statement) is { Success: true } m)
                tables[m.Groups[1].Value] = statement;
        }
        return wanted.Where(statement => !Satisfied(statement, tables)).ToList();
    }

    private static bool Satisfied(string statement, Dictionary<string, string> tables)
    {
        if (CreateTableIfNotExists().Match(statement) is { Success: true } create)
            return tables.ContainsKey(create.Groups[1].Value);
        if (AddColumnIfNotExists().Match(statement) is { Success: true } add)
            return tables.TryGetValue(add.Groups[1].Value, out string? table) && table.Contains($"\n  {add.Groups[2].Value} ", StringComparison.Ordinal);
        return false;
    }
}
