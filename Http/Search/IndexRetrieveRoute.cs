using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RekorPosix.Log.Search;

namespace RekorPosix.Http.Search;

/// <summary>
/// <c>POST /api/v2/index/retrieve</c> (JSON body) and <c>GET</c> (query parameters): the indices
/// of the entries that match, ascending, paged, only among those the latest published checkpoint
/// covers. The answer says how far that is indexed (<c>indexedSize</c>) against the checkpoint's
/// size (<c>treeSize</c>), so a client knows when results may be incomplete.
/// </summary>
/// <param name="search">The index; null when the server keeps none (404).</param>
/// <param name="publishedSize">The size of the latest published checkpoint.</param>
internal sealed class IndexRetrieveRoute(SearchIndex? search, Func<long> publishedSize)
{
    public const string Path = "/api/v2/index/retrieve";

    public async Task HandleAsync(HttpContext context, Func<Task<byte[]?>> readBody)
    {
        if (search is null)
            throw ApiErrors.NoSearchIndex();
        IndexRetrieveRequest request;
        if (HttpMethods.IsPost(context.Request.Method))
        {
            byte[] body = await readBody().ConfigureAwait(false) ?? throw ApiErrors.Invalid("http: request body too large");
            request = IndexRetrieveRequest.FromJson(body);
        }
        else
        {
            request = IndexRetrieveRequest.FromQuery(context.Request.Query);
        }
        long treeSize = publishedSize();
        long indexed = Math.Min(search.NextIndex, treeSize);
        // One more than the page: a full page says whether another follows without an empty last page.
        var found = await search.FindAsync(request.Query, new SearchPage(request.After, treeSize, request.PageSize + 1), context.RequestAborted).ConfigureAwait(false);
        await ResponseBody.WriteAsync(context, 200, "application/json", Render(found, request.PageSize, indexed, treeSize)).ConfigureAwait(false);
    }

    /// <summary>{"logIndexes":["3","17"],"nextPageToken":"17","indexedSize":"40","treeSize":"40"}: int64 as strings, as protojson.</summary>
    private static byte[] Render(IReadOnlyList<long> found, int pageSize, long indexedSize, long treeSize)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("logIndexes");
            int count = Math.Min(found.Count, pageSize);
            for (int i = 0; i < count; i++)
                json.WriteStringValue(Text(found[i]));
            json.WriteEndArray();
            if (found.Count > pageSize)
                json.WriteString("nextPageToken", Text(found[pageSize - 1]));
            json.WriteString("indexedSize", Text(indexedSize));
            json.WriteString("treeSize", Text(treeSize));
            json.WriteEndObject();
        }
        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
