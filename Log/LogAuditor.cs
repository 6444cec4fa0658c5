using System.Diagnostics;
using System.Text;
using RekorPosix.Signing;
using RekorPosix.Tiles;

namespace RekorPosix.Log;

/// <summary>
/// fsck: audits a tlog-tiles log offline from its files alone. It verifies the checkpoint's
/// signature, streams every entry bundle up to the checkpoint's size, recomputes every hash tile
/// (full tiles and the partials the checkpoint implies) and compares each with the stored file
/// byte for byte, then compares the root. Memory stays O(levels) whatever the log's size.
/// </summary>
public sealed class LogAuditor
{
    private readonly Func<string, byte[]?> _readFile;
    private readonly INoteVerifier _verifier;
    private readonly Action<long, long>? _progress;

    /// <param name="readFile">Returns the bytes at a log-relative path (<c>checkpoint</c>,
    /// <c>tile/...</c>, <c>.state/treeState</c>), or null when there is no such file.</param>
    /// <param name="progress">Called now and then with (entries checked, total).</param>
    public LogAuditor(Func<string, byte[]?> readFile, INoteVerifier verifier, Action<long, long>? progress = null)
    {
        _readFile = readFile;
        _verifier = verifier;
        _progress = progress;
    }

    public static Func<string, byte[]?> DirectoryReader(string root) => relative =>
    {
        try
        {
            return File.ReadAllBytes(Path.Combine(root, relative));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    };

    /// <summary>Runs the audit; the result names the first problem found, if any.</summary>
    public AuditResult Run()
    {
        var clock = Stopwatch.StartNew();
        Checkpoint checkpoint;
        try
        {
            byte[] note = _readFile("checkpoint") ?? throw new AuditFailure("checkpoint: missing");
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
            var (bundles, tiles) = CheckTree(checkpoint);
            CheckTreeState(checkpoint);
            return AuditResult.Good(checkpoint, bundles, tiles, clock.Elapsed);
        }
        catch (AuditFailure e)
        {
            return AuditResult.Bad(e.Message, checkpoint);
        }
    }

    private (long Bundles, long Tiles) CheckTree(Checkpoint checkpoint)
    {
        long size = checkpoint.Size;
        var builder = TileTreeBuilder.Empty();
        long bundleCount = (size + TileMath.TileWidth - 1) / TileMath.TileWidth;
        long tilesChecked = 0;
        var reportEvery = Stopwatch.StartNew();
        for (long b = 0; b < bundleCount; b++)
        {
            var address = new TileAddress(0, b, TileMath.EntryBundleWidth(b, size), IsEntries: true);
            byte[] bundle = Read(address);
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
                byte[] stored = Read(tile.Address);
                if (!stored.AsSpan().SequenceEqual(tile.Data))
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

    private void CheckTreeState(Checkpoint checkpoint)
    {
        byte[]? json = _readFile(".state/treeState");
        if (json is null)
            return; // a log served from a copy without its private state is still auditable
        Posix.TreeState state;
        try
        {
            state = Posix.TreeState.Decode(json);
        }
        catch (FormatException e)
        {
            throw new AuditFailure($".state/treeState: {e.Message}");
        }
        if (state.Size < checkpoint.Size)
            throw new AuditFailure($".state/treeState: size {state.Size} is behind the published checkpoint at {checkpoint.Size}");
        if (state.Size == checkpoint.Size && !state.Root.AsSpan().SequenceEqual(checkpoint.RootHash))
            throw new AuditFailure($".state/treeState: root differs from the checkpoint's at size {state.Size}");
    }

    private byte[] Read(TileAddress address) =>
        _readFile(address.ToPath()) ?? throw new AuditFailure($"{address.ToPath()}: missing");

    private static string DescribeMismatch(TileWrite expected, byte[] stored)
    {
        string path = expected.Address.ToPath();
        if (stored.Length != expected.Data.Length)
            return $"{path}: {stored.Length} bytes, expected {expected.Data.Length}";
        int i = 0;
        while (stored[i] == expected.Data[i])
            i++;
        int hash = i / Rfc6962.HashSize;
        return $"{path}: hash {hash} is {Convert.ToHexString(stored, hash * 32, 32).ToLowerInvariant()}, " +
               $"expected {Convert.ToHexString(expected.Data, hash * 32, 32).ToLowerInvariant()}";
    }

    private sealed class AuditFailure(string message) : Exception(message);
}

/// <summary>What an audit found: OK with counts, or the first problem.</summary>
public sealed record AuditResult(bool Ok, string Message, Checkpoint? Checkpoint, long Bundles, long Tiles, TimeSpan Elapsed)
{
    public static AuditResult Good(Checkpoint c, long bundles, long tiles, TimeSpan elapsed) =>
        new(true, $"log {c.Origin} size {c.Size} root {Convert.ToBase64String(c.RootHash)}: {bundles} entry bundles and {tiles} tiles match", c, bundles, tiles, elapsed);

    public static AuditResult Bad(string message, Checkpoint? c = null) => new(false, message, c, 0, 0, TimeSpan.Zero);
}
