using System.Diagnostics;
using System.Text;
using RekorPosix.Signing;
using RekorPosix.Tiles;

namespace RekorPosix.Log;

/// <summary>
/// Audits a tlog-tiles log from what its reader serves, of any flavour: verifies the checkpoint's
/// signature, streams every entry bundle up to the checkpoint's size, recomputes every hash tile
/// (full tiles and the partials the checkpoint implies) and compares each with the stored one
/// byte for byte, then compares the root. Memory stays O(levels) whatever the log's size.
/// </summary>
public sealed class LogAuditor
{
    private readonly ILogReader _reader;
    private readonly INoteVerifier _verifier;
    private readonly Action<long, long>? _progress;
    private readonly Func<TreeHead?>? _integrated;
    private readonly ICheckpointHistory? _history;

    /// <param name="progress">Called now and then with (entries checked, total).</param>
    /// <param name="integrated">The integrated tree head from the driver's private state, when the
    /// audit can see it (null: a copy of the public files only).</param>
    /// <param name="history">Checkpoint history, whose kept notes are checked too.</param>
    public LogAuditor(ILogReader reader, INoteVerifier verifier, Action<long, long>? progress = null, Func<TreeHead?>? integrated = null,
        ICheckpointHistory? history = null)
    {
        _reader = reader;
        _verifier = verifier;
        _progress = progress;
        _integrated = integrated;
        _history = history;
    }

    /// <summary>Runs the audit; the result names the first problem found, if any.</summary>
    public async Task<AuditResult> RunAsync(CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        Checkpoint checkpoint;
        try
        {
            byte[] note = await _reader.ReadCheckpointAsync(cancel).ConfigureAwait(false) ?? throw new AuditFailure("checkpoint: missing");
            string text = SignedNote.Open(Encoding.UTF8.GetString(note), [_verifier]);
            checkpoint = Checkpoint.Parse(text);
        }
        catch (AuditFailure e)
        {
            return AuditResult.Bad(e.Message);
        }
        catch (Exception e) when (e is FormatException or NoteVerificationException)
        {
            return AuditResult.Bad($"checkpoint: {e.Message}");
        }
        try
        {
            var (bundles, tiles) = await CheckTreeAsync(checkpoint, cancel).ConfigureAwait(false);
            var integrated = CheckIntegrated(checkpoint);
            long kept = await CheckHistoryAsync(checkpoint, integrated, cancel).ConfigureAwait(false);
            return AuditResult.Good(checkpoint, bundles, tiles, clock.Elapsed, kept);
        }
        catch (AuditFailure e)
        {
            return AuditResult.Bad(e.Message, checkpoint);
        }
    }

    private async Task<(long Bundles, long Tiles)> CheckTreeAsync(Checkpoint checkpoint, CancellationToken cancel)
    {
        long size = checkpoint.Size;
        var builder = TileTreeBuilder.Empty();
        long bundleCount = (size + TileMath.TileWidth - 1) / TileMath.TileWidth;
        long tilesChecked = 0;
        var reportEvery = Stopwatch.StartNew();
        for (long b = 0; b < bundleCount; b++)
        {
            var address = new TileAddress(0, b, TileMath.EntryBundleWidth(b, size), IsEntries: true);
            var bundle = await ReadAsync(address, cancel).ConfigureAwait(false);
            List<ReadOnlyMemory<byte>> entries;
            try
            {
                entries = EntryBundle.Parse(bundle);
            }
            catch (FormatException e)
            {
                throw new AuditFailure($"{address.ToPath()}: {e.Message}");
            }
            if (entries.Count != address.Width)
                throw new AuditFailure($"{address.ToPath()}: holds {entries.Count} entries, expected {address.Width}");
            byte[] hashes = new byte[entries.Count * Rfc6962.HashSize];
            for (int i = 0; i < entries.Count; i++)
                Rfc6962.LeafHash(entries[i].Span, hashes.AsSpan(i * Rfc6962.HashSize, Rfc6962.HashSize));
            foreach (var tile in builder.Append(hashes))
            {
                // Only the final state of each tile at this size is stored; growing partials are skipped.
                if (tile.Address.Width != TileMath.WidthAt(tile.Address.Level, tile.Address.Index, size))
                    continue;
                var stored = await ReadAsync(tile.Address, cancel).ConfigureAwait(false);
                if (!stored.Span.SequenceEqual(tile.Data.Span))
                    throw new AuditFailure(DescribeMismatch(tile, stored));
                tilesChecked++;
            }
            if (_progress is not null && (reportEvery.ElapsedMilliseconds >= 1000 || b == bundleCount - 1))
            {
                _progress(Math.Min((b + 1) * TileMath.TileWidth, size), size);
                reportEvery.Restart();
            }
        }
        byte[] root = builder.Root();
        if (!root.AsSpan().SequenceEqual(checkpoint.RootHash))
            throw new AuditFailure(
                $"checkpoint: claims root {Convert.ToBase64String(checkpoint.RootHash)} at size {size}, the tiles give {Convert.ToBase64String(root)}");
        return (bundleCount, tilesChecked);
    }

    private async Task<long> CheckHistoryAsync(Checkpoint checkpoint, TreeHead? integrated, CancellationToken cancel)
    {
        if (_history is null)
            return 0;
        var (kept, problem) = await new CheckpointHistoryAudit(_history, _reader, _verifier).RunAsync(checkpoint, integrated, cancel).ConfigureAwait(false);
        return problem is null ? kept : throw new AuditFailure(problem);
    }

    /// <summary>Checks the integrated head against the checkpoint and returns it (null when unseen).</summary>
    private TreeHead? CheckIntegrated(Checkpoint checkpoint)
    {
        TreeHead? integrated;
        try
        {
            integrated = _integrated?.Invoke();
        }
        catch (LogStateException e)
        {
            throw new AuditFailure(e.Message);
        }
        if (integrated is not { } state)
            return null; // a log served from a copy without its private state is still auditable
        if (state.Size < checkpoint.Size)
            throw new AuditFailure($"integrated tree: size {state.Size} is behind the published checkpoint at {checkpoint.Size}");
        if (state.Size == checkpoint.Size && !state.Root.AsSpan().SequenceEqual(checkpoint.RootHash))
            throw new AuditFailure($"integrated tree: root differs from the checkpoint's at size {state.Size}");
        return state;
    }

    private async Task<ReadOnlyMemory<byte>> ReadAsync(TileAddress address, CancellationToken cancel)
    {
        try
        {
            return address.IsEntries
                ? await _reader.ReadEntryBundleAsync(address, cancel).ConfigureAwait(false)
                : await _reader.ReadTileAsync(address, cancel).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            throw new AuditFailure($"{address.ToPath()}: missing");
        }
        catch (LogStateException e)
        {
            throw new AuditFailure(e.Message);
        }
    }

    private static string DescribeMismatch(TileWrite expected, ReadOnlyMemory<byte> memory)
    {
        string path = expected.Address.ToPath();
        var stored = memory.Span;
        var computed = expected.Data.Span;
        if (stored.Length != computed.Length)
            return $"{path}: {stored.Length} bytes, expected {expected.Data.Length}";
        int i = 0;
        while (stored[i] == computed[i])
            i++;
        int hash = i / Rfc6962.HashSize;
        return $"{path}: hash {hash} is {Convert.ToHexString(stored.Slice(hash * 32, 32)).ToLowerInvariant()}, " +
               $"expected {Convert.ToHexString(computed.Slice(hash * 32, 32)).ToLowerInvariant()}";
    }

    private sealed class AuditFailure(string message) : Exception(message);
}

/// <summary>What an audit found: OK with counts, or the first problem.</summary>
public sealed record AuditResult(bool Ok, string Message, Checkpoint? Checkpoint, long Bundles, long Tiles, TimeSpan Elapsed)
{
    /// <param name="kept">Notes of checkpoint history checked (named only when there are some).</param>
    public static AuditResult Good(Checkpoint c, long bundles, long tiles, TimeSpan elapsed, long kept = 0) =>
        new(true, $"log {c.Origin} size {c.Size} root {Convert.ToBase64String(c.RootHash)}: {bundles} entry bundles and {tiles} tiles match" +
            (kept > 0 ? $", and {kept} kept checkpoints" : ""), c, bundles, tiles, elapsed);

    public static AuditResult Bad(string message, Checkpoint? c = null) => new(false, message, c, 0, 0, TimeSpan.Zero);
}
