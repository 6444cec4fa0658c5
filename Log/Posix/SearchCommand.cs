using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Log.Search;

namespace RekorPosix.Log.Posix;

/// <summary>What <c>search</c> looks for: each flag's values, as given.</summary>
public sealed record SearchCriteriaFlags(
    IReadOnlyList<string> Digests, IReadOnlyList<string> PublicKeyFiles, IReadOnlyList<string> Emails,
    IReadOnlyList<string> Uris, IReadOnlyList<string> OidcIssuers, string Operator);

/// <summary>
/// The <c>search</c> command: brings the directory's search index (<c>.state/search.db</c>) up to
/// the integrated tree, creating it if absent (a server on the same directory may run: SQLite
/// locks, and rows already there stay as they are), then prints the matching indices one per line,
/// ascending. Exit 0 (with or without matches), 2 for any problem, named.
/// </summary>
public static class SearchCommand
{
    private const int PageSize = 1000;

    public static async Task<int> RunAsync(string storageDir, SearchCriteriaFlags flags, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        if (!Directory.Exists(storageDir))
            return Fail(stderr, $"{storageDir}: no such directory");
        SearchQuery query;
        try
        {
            query = Query(flags);
        }
        catch (FormatException e)
        {
            return Fail(stderr, e.Message);
        }
        SearchIndex search;
        try
        {
            var index = PersistentSearchIndex.Open(Flavour.SearchIndexPath(storageDir), NullLogger.Instance);
            search = await SearchIndex.CatchUpAsync(index, new PosixReader(new StatePaths(storageDir)), NullLogger.Instance, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SearchIndexUnavailableException or IOException or UnauthorizedAccessException or LogStateException)
        {
            return Fail(stderr, $"{storageDir}: cannot bring the search index up to date: {e.Message}");
        }
        await using (search.ConfigureAwait(false))
        {
            long below = search.NextIndex;
            long after = -1;
            while (true)
            {
                var found = await search.FindAsync(query, new SearchPage(after, below, PageSize), cancel).ConfigureAwait(false);
                foreach (long index in found)
                    await stdout.WriteLineAsync(index.ToString(System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false);
                if (found.Count < PageSize)
                    return 0;
                after = found[^1];
            }
        }
    }

    /// <summary>The keys of the flags' values; <see cref="FormatException"/> names the flag at fault.</summary>
    private static SearchQuery Query(SearchCriteriaFlags flags)
    {
        var keys = new List<byte[]>();
        keys.AddRange(flags.Digests.Select(d => Checked("--digest", () => SearchCriteria.Digest(d))));
        keys.AddRange(flags.PublicKeyFiles.Select(f => Checked("--public-key", () => SearchCriteria.PublicKey(ReadKeyFile(f)))));
        keys.AddRange(flags.Emails.Select(e => Checked("--email", () => SearchCriteria.Email(e))));
        keys.AddRange(flags.Uris.Select(u => Checked("--uri", () => SearchCriteria.Uri(u))));
        keys.AddRange(flags.OidcIssuers.Select(i => Checked("--oidc-issuer", () => SearchCriteria.OidcIssuer(i))));
        if (keys.Count == 0)
            throw new FormatException("give at least one of --digest, --public-key, --email, --uri, --oidc-issuer");
        if (keys.Count > SearchQuery.MaxKeys)
            throw new FormatException($"at most {SearchQuery.MaxKeys} criteria, not {keys.Count}");
        bool matchAll = flags.Operator switch
        {
            "and" => true,
            "or" => false,
            _ => throw new FormatException($"--operator: {Verification.Quote.Bounded(flags.Operator)} is neither and nor or"),
        };
        return new SearchQuery(keys, matchAll);
    }

    private static byte[] ReadKeyFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"{path}: {e.Message}");
        }
    }

    private static byte[] Checked(string flag, Func<byte[]> key)
    {
        try
        {
            return key();
        }
        catch (FormatException e)
        {
            throw new FormatException($"{flag}: {e.Message}", e);
        }
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"search: {message}");
        return 2;
    }
}
