using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using RekorPosix.Log.Entries;
using RekorPosix.Signing;
using RekorPosix.Tests.Http;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;
using Xunit.Abstractions;

namespace RekorPosix.Tests.Http.ReadPath;

/// <summary>
/// Clients reading the checkpoint, tiles and bundles over HTTP from both read ports while several
/// writers post entries: everything they see must verify (signatures, roots from tiles and from
/// bundles, inclusion and consistency proofs built from what they fetched), and so must every 201.
/// </summary>
public class ReadsWhileWritingTests(ITestOutputHelper output)
{
    private const int Writers = 8;
    private const int ReadersPerPort = 2;
    // Past the first full bundle and tile, so that partials get collected while readers read.
    private const int MinEntries = 300;
    // Distinct checkpoint sizes each port's readers must see while writes land: the overlap.
    private const int MinSizesPerPort = 5;
    // A guard by count: writers stop here even if readers never saw enough sizes (the test fails).
    private const int MaxEntries = 5000;

    private readonly ConcurrentQueue<Acked> _acked = new();
    private readonly ConcurrentDictionary<(string Source, long Size), FetchedTree> _trees = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<long, bool>> _sizesWhileWriting = new();
    private readonly object _signing = new();
    private long _stamp;
    private int _posted;
    private volatile bool _writersDone;
    private volatile bool _failed;

    /// <summary>An entry a writer got 201 for, as the answer gave it.</summary>
    private sealed record Acked(long Index, byte[] Body, string Envelope, long TreeSize, byte[] RootHash, List<byte[]> Hashes, long Stamp);

    [Fact]
    public async Task ReadersOnBothPorts_WhileEntriesLand_SeeOnlyVerifiableTreesAndProofs()
    {
        using var dir = new TempDir();
        // Frequent garbage collection: partials go while readers read, and before an old tree is read again.
        await using var server = await RunningServer.StartAsync(dir.Path,
            s => s with { Append = s.Append with { GcInterval = TimeSpan.FromMilliseconds(50) } });
        using var tileHttp = new HttpClient { BaseAddress = server.TilesAddress, Timeout = TimeSpan.FromSeconds(60) };
        var verifier = TestLogKey.Verifier();
        var readers = new List<HttpLogReader>();
        for (int i = 0; i < ReadersPerPort; i++)
        {
            readers.Add(new HttpLogReader("tiles port", tileHttp, "/", verifier));
            readers.Add(new HttpLogReader("api port", server.Http, "/api/v2/", verifier));
        }

        await RunAsync(server, readers);
        foreach (var reader in readers.DistinctBy(r => r.Source))
            Keep(await reader.FetchAsync(NextStamp()) ?? throw new InvalidOperationException("no checkpoint after the writes"), final: true);
        await RereadAnOldTreeAsync(dir, readers);

        Report(readers);
        AssertOverlap();
        AssertAckedEntries(verifier);
        AssertInclusionInLaterTrees();
        AssertTreesConsistent();
    }

    /// <summary>Writers and readers at once; readers stop once the writers are done.</summary>
    private async Task RunAsync(RunningServer server, List<HttpLogReader> readers)
    {
        var reading = readers.Select(r => Task.Run(() => GuardAsync(() => ReadAsync(r)))).ToList();
        var writing = Enumerable.Range(0, Writers).Select(_ => Task.Run(() => GuardAsync(() => WriteAsync(server)))).ToList();
        try
        {
            await Task.WhenAll(writing).WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            _writersDone = true;
        }
        await Task.WhenAll(reading).WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>A failure anywhere stops every loop, so the test ends with the first error.</summary>
    private async Task GuardAsync(Func<Task> loop)
    {
        try
        {
            await loop();
        }
        catch
        {
            _failed = true;
            throw;
        }
    }

    private long NextStamp() => Interlocked.Increment(ref _stamp);

    private bool Enough() =>
        _failed || _posted >= MaxEntries
        || (_acked.Count >= MinEntries && new[] { "tiles port", "api port" }.All(s => SizesSeen(s) >= MinSizesPerPort));

    private int SizesSeen(string source) => _sizesWhileWriting.TryGetValue(source, out var sizes) ? sizes.Count : 0;

    private async Task WriteAsync(RunningServer server)
    {
        while (!Enough())
        {
            Interlocked.Increment(ref _posted);
            string json;
            // The shared test signing key promises no thread safety.
            lock (_signing)
                json = WriteApiRequests.NewJson();
            using var response = await server.Http.PostAsync("/api/v2/log/entries", WriteApiRequests.Content(json));
            string text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST: {(int)response.StatusCode} {text}");
            _acked.Enqueue(ParseAcked(text, NextStamp()));
        }
    }

    private async Task ReadAsync(HttpLogReader reader)
    {
        while (!_writersDone && !_failed)
        {
            var tree = await reader.FetchAsync(NextStamp());
            if (tree is null)
                continue;
            tree.AssertRootsMatch();
            // Counted only if the whole fetch happened before the writers were done.
            if (!_writersDone)
                _sizesWhileWriting.GetOrAdd(reader.Source, _ => new()).TryAdd(tree.Size, true);
            Keep(tree, final: false);
        }
    }

    /// <summary>
    /// A client verifying an old checkpoint once the log has grown and the partials of the first
    /// bundle and tile are collected: through the writer's ports (which may have them cached) and
    /// through a read-only server without a cache, which can only serve the full ones, whose
    /// prefixes must give the old root.
    /// </summary>
    private async Task RereadAnOldTreeAsync(TempDir dir, List<HttpLogReader> readers)
    {
        var old = _trees.Values.Where(t => t.Size is > 0 and < TileMath.TileWidth).MinBy(t => t.Size);
        Assert.True(old is not null, "no checkpoint below the first tile boundary was read");
        await Eventually.True(() => !Directory.Exists(dir["tile/entries/000.p"]) && !Directory.Exists(dir["tile/0/000.p"]),
            "the partials of the first bundle and tile are collected");
        await using var uncached = await RunningServer.StartAsync(dir.Path, s => s with { ReadOnly = true, TilesCacheBytes = 0 });
        using var tileHttp = new HttpClient { BaseAddress = uncached.TilesAddress, Timeout = TimeSpan.FromSeconds(60) };
        var verifier = TestLogKey.Verifier();
        HttpLogReader[] uncachedReaders =
        [
            new("uncached tiles port", tileHttp, "/", verifier),
            new("uncached api port", uncached.Http, "/api/v2/", verifier),
        ];
        foreach (var reader in readers.DistinctBy(r => r.Source).Concat(uncachedReaders))
        {
            // The old checkpoint's own stamp: it was fetched before the later 201s.
            var tree = await reader.FetchTreeAsync(old.Checkpoint, old.Stamp);
            tree.AssertRootsMatch();
            _trees[($"{reader.Source}, old checkpoint read again", tree.Size)] = tree;
        }
        output.WriteLine($"the tree of size {old.Size} read again; {string.Join(", ", uncachedReaders.Select(r => $"{r.Source}: {r.Fallbacks} partials read from their full tile"))}");
        Assert.All(uncachedReaders, r => Assert.True(r.Fallbacks == 2, $"{r.Source}: {r.Fallbacks} partials read from full tiles, not 2"));
    }

    /// <summary>One tree per port and size is kept for the proofs; the reads after the writes
    /// replace theirs, so that every entry has a tree fetched after its 201.</summary>
    private void Keep(FetchedTree tree, bool final)
    {
        if (final)
        {
            tree.AssertRootsMatch();
            _trees[(tree.Source, tree.Size)] = tree;
        }
        else
        {
            _trees.TryAdd((tree.Source, tree.Size), tree);
        }
    }

    private static Acked ParseAcked(string text, long stamp)
    {
        var tle = JsonDocument.Parse(text).RootElement;
        var proof = tle.GetProperty("inclusionProof");
        return new Acked(
            long.Parse(tle.GetProperty("logIndex").GetString()!),
            Convert.FromBase64String(tle.GetProperty("canonicalizedBody").GetString()!),
            proof.GetProperty("checkpoint").GetProperty("envelope").GetString()!,
            long.Parse(proof.GetProperty("treeSize").GetString()!),
            Convert.FromBase64String(proof.GetProperty("rootHash").GetString()!),
            proof.GetProperty("hashes").EnumerateArray().Select(h => Convert.FromBase64String(h.GetString()!)).ToList(),
            stamp);
    }

    private void Report(List<HttpLogReader> readers) =>
        output.WriteLine($"{_acked.Count} entries by {Writers} writers; distinct sizes seen while writing: tiles port {SizesSeen("tiles port")}, "
            + $"api port {SizesSeen("api port")}; {_trees.Count} trees kept; {readers.Sum(r => r.Fallbacks)} partials read from their full tile on the writer's ports");

    private void AssertOverlap()
    {
        Assert.False(_failed);
        Assert.True(_acked.Count >= MinEntries, $"only {_acked.Count} entries acknowledged");
        foreach (string source in new[] { "tiles port", "api port" })
            Assert.True(SizesSeen(source) >= MinSizesPerPort,
                $"the {source} readers saw {SizesSeen(source)} checkpoint sizes while writes landed, not {MinSizesPerPort}");
    }

    /// <summary>Each 201: its checkpoint is signed by the log, its proof places its body in it,
    /// and the indexes are exactly 0..n-1 (no other writer).</summary>
    private void AssertAckedEntries(INoteVerifier verifier)
    {
        foreach (var acked in _acked)
        {
            var checkpoint = Checkpoint.Parse(SignedNote.Open(acked.Envelope, [verifier]));
            Assert.Equal(checkpoint.Size, acked.TreeSize);
            Assert.Equal(checkpoint.RootHash, acked.RootHash);
            Assert.True(MerkleProof.VerifyInclusion(CanonicalBody.LeafHash(acked.Body), acked.Index, checkpoint.Size, acked.Hashes, checkpoint.RootHash),
                $"the 201 for index {acked.Index} carries a proof that does not verify against its checkpoint");
        }
        Assert.Equal(Enumerable.Range(0, _acked.Count).Select(i => (long)i), _acked.Select(a => a.Index).Order());
    }

    /// <summary>Each acknowledged entry is in every tree fetched after its 201 (at least the
    /// final ones): the bundle holds its body, and a proof from the fetched tiles verifies.</summary>
    private void AssertInclusionInLaterTrees()
    {
        foreach (var acked in _acked)
        {
            var later = _trees.Values.Where(t => t.Stamp > acked.Stamp).ToList();
            Assert.NotEmpty(later);
            byte[] leaf = CanonicalBody.LeafHash(acked.Body);
            foreach (var tree in later)
            {
                Assert.True(acked.Index < tree.Size, $"{tree.Source}: a tree of size {tree.Size} fetched after the 201 lacks index {acked.Index}");
                Assert.Equal(acked.Body, tree.Entries[(int)acked.Index]);
                Assert.True(MerkleProof.VerifyInclusion(leaf, acked.Index, tree.Size, tree.Proofs.Inclusion(acked.Index), tree.Checkpoint.RootHash),
                    $"{tree.Source}: inclusion of {acked.Index} in the fetched tree of size {tree.Size} does not verify");
            }
        }
    }

    /// <summary>Every pair of fetched trees, across ports, with the proof built from the larger's tiles.</summary>
    private void AssertTreesConsistent()
    {
        var trees = _trees.Values.OrderBy(t => t.Size).ToList();
        for (int i = 0; i < trees.Count; i++)
        {
            for (int j = i + 1; j < trees.Count; j++)
            {
                var (small, large) = (trees[i], trees[j]);
                var proof = large.Proofs.Consistency(small.Size);
                Assert.True(MerkleProof.VerifyConsistency(small.Size, large.Size, small.Checkpoint.RootHash, large.Checkpoint.RootHash, proof),
                    $"{small.Source} size {small.Size} and {large.Source} size {large.Size} are not consistent");
            }
        }
    }
}
