using System.Text;
using Microsoft.AspNetCore.Http;
using RekorPosix.Http.ReadPath;
using RekorPosix.Tiles;

namespace RekorPosix.Http;

/// <summary>
/// The online proofs, read-only and always on, answered from tiles with the checkpoint they are
/// valid for (Rekor v1 served proofs; Rekor v2 left clients to walk the tiles):
/// <c>GET /api/v2/proof/inclusion?index=N|leaf_hash=HEX[&amp;tree_size=S]</c> and
/// <c>GET /api/v2/proof/consistency?first=M[&amp;second=N]</c>. Without a size they are against
/// the latest published checkpoint; a smaller size must be a kept one (checkpoint history).
/// Every proof is verified before it is answered (RFC 9162 §2.1.3.2 and §2.1.4.2).
/// </summary>
internal static class ProofRoutes
{
    public const string InclusionPath = "/api/v2/proof/inclusion";
    public const string ConsistencyPath = "/api/v2/proof/consistency";

    public const string NoLeafLookup = "lookup by leaf hash needs the search index (--search-index)";

    public static async Task HandleInclusionAsync(HttpContext context, ServedProofs served)
    {
        var query = ProofQuery.Of(context.Request, "index", "leaf_hash", "tree_size");
        if (query.Has("index") == query.Has("leaf_hash"))
            throw ApiErrors.Invalid("give either index or leaf_hash (exactly one)");
        long? index = query.OptionalNumber("index");
        byte[]? leafHash = query.OptionalHash("leaf_hash");
        long? treeSize = query.OptionalNumber("tree_size");
        var cancel = context.RequestAborted;
        var latest = await served.LatestAsync(cancel).ConfigureAwait(false);
        var at = treeSize is { } size ? await served.PublishedAtAsync("tree_size", size, latest, cancel).ConfigureAwait(false) : latest;
        index ??= await FindLeafAsync(served, leafHash!, cancel).ConfigureAwait(false);
        if (index >= at.Size)
            throw ApiErrors.NotFound($"index {index} is beyond the checkpoint of size {at.Size}");
        var proof = await served.Proofs.ProveAsync(leafHash, index.Value, at, cancel, latest.Size).ConfigureAwait(false)
            ?? throw ApiErrors.ProofFailed();
        await WriteAsync(context, ProofJson.Inclusion(index.Value, proof)).ConfigureAwait(false);
    }

    public static async Task HandleConsistencyAsync(HttpContext context, ServedProofs served)
    {
        var query = ProofQuery.Of(context.Request, "first", "second");
        long first = query.Number("first");
        long? second = query.OptionalNumber("second");
        if (first > second)
            throw ApiErrors.Invalid($"first ({first}) is larger than second ({second})");
        var cancel = context.RequestAborted;
        var latest = await served.LatestAsync(cancel).ConfigureAwait(false);
        if (second is null && first > latest.Size)
            throw ApiErrors.Invalid($"first {first} is beyond the latest checkpoint (size {latest.Size})");
        var at = second is { } size ? await served.PublishedAtAsync("second", size, latest, cancel).ConfigureAwait(false) : latest;
        // The client brings its old root; the kept note of that size, if any, is handed back too.
        var kept = first == at.Size ? at : await served.KeptAsync(first, cancel).ConfigureAwait(false);
        var proof = await served.Proofs.ProveConsistencyAsync(first, kept?.Body().RootHash, at, cancel, latest.Size).ConfigureAwait(false)
            ?? throw ApiErrors.ProofFailed();
        string? firstNote = kept is null ? null : Encoding.UTF8.GetString(kept.Note);
        await WriteAsync(context, ProofJson.Consistency(proof, firstNote)).ConfigureAwait(false);
    }

    /// <summary>The index the search index gives for a leaf hash (the proof then checks the leaf).</summary>
    private static async Task<long> FindLeafAsync(ServedProofs served, byte[] leafHash, CancellationToken cancel)
    {
        var leaves = served.Leaves ?? throw ApiErrors.NotFound(NoLeafLookup);
        return await leaves.FindLeafAsync(leafHash, cancel).ConfigureAwait(false)
            ?? throw ApiErrors.NotFound($"no entry with leaf hash {Convert.ToHexStringLower(leafHash)} is known");
    }

    /// <summary>A proof is valid for good, yet the answer without a size changes with each checkpoint.</summary>
    internal static Task WriteAsync(HttpContext context, byte[] json)
    {
        context.Response.Headers.CacheControl = ReadHeaders.CheckpointCache;
        context.Response.Headers.AccessControlAllowOrigin = ReadHeaders.AllowOrigin;
        return ResponseBody.WriteAsync(context, 200, "application/json", json);
    }
}
