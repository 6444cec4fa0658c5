using Microsoft.AspNetCore.Http;
using RekorPosix.Http.ReadPath;

namespace RekorPosix.Http;

/// <summary>Checkpoint history on the API port: the note kept for a tree size.</summary>
internal static class CheckpointHistoryRoute
{
    public const string Prefix = "/api/v2/checkpoints/";

    /// <summary>
    /// <c>GET /api/v2/checkpoints/{size}</c> (decimal, no sign, no leading zeros): the note kept for
    /// that size, as <c>/api/v2/checkpoint</c> serves the latest, but cacheable for good since a kept
    /// note never changes. The latest checkpoint's size is answered from the latest note when
    /// history does not hold it (then revalidated, as <c>/api/v2/checkpoint</c>).
    /// </summary>
    public static async Task HandleAsync(HttpContext context, ServedProofs served, string rawPath)
    {
        // Matched on the decoded path; only the canonical spelling is served.
        if (!rawPath.StartsWith(Prefix, StringComparison.Ordinal))
            throw ApiErrors.NotFound();
        if (context.Request.QueryString.HasValue)
            throw ApiErrors.Invalid("this route takes no query");
        long size = ParseSize(rawPath.AsSpan(Prefix.Length));
        var cancel = context.RequestAborted;
        var latest = await served.LatestAsync(cancel).ConfigureAwait(false);
        if (size > latest.Size)
            throw ApiErrors.NotFound($"no checkpoint of size {size} is published (the latest is of size {latest.Size})");
        var kept = await served.KeptAsync(size, cancel).ConfigureAwait(false);
        if (kept is null && size != latest.Size)
            throw ApiErrors.NotKept(size);
        var response = context.Response;
        response.Headers.CacheControl = kept is null ? ReadHeaders.CheckpointCache : ReadHeaders.TileCache;
        response.Headers.AccessControlAllowOrigin = ReadHeaders.AllowOrigin;
        await ResponseBody.WriteAsync(context, 200, ReadHeaders.CheckpointType, (kept ?? latest).Note).ConfigureAwait(false);
    }

    /// <summary>A tree size in the path: one spelling per size, like tile paths.</summary>
    private static long ParseSize(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.Length > 19 || text.ContainsAnyExceptInRange('0', '9') || (text[0] == '0' && text.Length > 1)
            || !long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long size))
            throw ApiErrors.Invalid("the size must be a decimal number without sign or leading zeros");
        return size;
    }
}
