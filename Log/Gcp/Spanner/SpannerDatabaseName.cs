using System.Text.RegularExpressions;
using RekorPosix.Verification;

namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>
/// A Spanner database's full resource name, <c>projects/P/instances/I/databases/D</c>, as
/// <c>--gcp-spanner</c> gives it (spec gcp-spanner-flavour.md §2.1, §3.4). Database IDs are 2-30
/// characters: a lowercase letter, then lowercase letters, digits, '_' or '-', not ending in either.
/// </summary>
internal sealed partial record SpannerDatabaseName(string Project, string Instance, string Database)
{
    /// <summary>The full name, as every call names the database.</summary>
    public override string ToString() => $"{InstanceName}/databases/{Database}";

    /// <summary><c>projects/P/instances/I</c>, the parent of its databases.</summary>
    public string InstanceName => $"projects/{Project}/instances/{Instance}";

    /// <summary>Parses a full name; <see cref="FormatException"/> says what is wrong with it.</summary>
    public static SpannerDatabaseName Parse(string name)
    {
        var match = FullName().Match(name);
        if (!match.Success)
            throw new FormatException($"'{BoundedText.Of(name)}' is not a Spanner database name of the form projects/<project>/instances/<instance>/databases/<database>");
        string database = match.Groups["database"].Value;
        if (!DatabaseId().IsMatch(database))
            throw new FormatException($"'{BoundedText.Of(database)}' is not a Spanner database ID: 2-30 characters, a lowercase letter first, then lowercase letters, digits, '_' or '-', not ending in '_' or '-'");
        return new SpannerDatabaseName(match.Groups["project"].Value, match.Groups["instance"].Value, database);
    }

    /// <summary>Another database of the same instance (the antispam index is in &lt;D&gt;-antispam).</summary>
    public SpannerDatabaseName WithDatabase(string database) =>
        DatabaseId().IsMatch(database)
            ? this with { Database = database }
            : throw new FormatException($"'{BoundedText.Of(database)}' is not a Spanner database ID (2-30 characters: a lowercase letter first, then lowercase letters, digits, '_' or '-')");

    [GeneratedRegex("^projects/(?<project>[^/]+)/instances/(?<instance>[^/]+)/databases/(?<database>[^/]+)$")]
    private static partial Regex FullName();

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,28}[a-z0-9]$")]
    private static partial Regex DatabaseId();
}
