using RekorPosix.Log.Following;

namespace RekorPosix.Log.Search;

/// <summary>
/// The persistent search index a flavour keeps (SQLite in .state/search.db for posix, tables in the
/// log's database for the cloud flavours): (key, index) rows, unique, so that indexing a range
/// again changes nothing, plus the follower's next index. Queries may come from any thread;
/// commits from the follower alone.
/// </summary>
internal interface ISearchIndex : IFollowedIndex
{
    /// <summary>Stores <paramref name="rows"/> (<see cref="SearchRows"/>) of the
    /// <paramref name="count"/> entries from <paramref name="first"/> on and moves the next index
    /// past them, in one transaction; returns the next index now stored (another follower of a
    /// shared index may have moved it further, and then nothing is stored).</summary>
    long Commit(long first, int count, ReadOnlySpan<byte> rows);

    /// <summary>The indices of the entries that match <paramref name="query"/>, within <paramref name="page"/>.</summary>
    ValueTask<IReadOnlyList<long>> FindAsync(SearchQuery query, SearchPage page, CancellationToken cancel);
}

/// <summary>No search index can be opened or created.</summary>
internal sealed class SearchIndexUnavailableException(string message, Exception inner) : Exception(message, inner);
