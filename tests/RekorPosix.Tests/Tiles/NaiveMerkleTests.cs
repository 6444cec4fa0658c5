using System.Security.Cryptography;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Tiles;

/// <summary>
/// RFC 9162 §2.1 written out literally over a list of leaf hashes (MTH, PATH, SUBPROOF), with its own
/// SHA-256 calls, as an independent reference for the tile-based code. MTH results are memoised by
/// range only so that exhaustive comparisons stay fast; the definitions are unchanged.
/// </summary>
internal sealed class NaiveMerkle(IReadOnlyList<byte[]> leafHashes)
{
    private readonly Dictionary<(int, int), byte[]> _memo = [];

    public IReadOnlyList<byte[]> Leaves => leafHashes;

    public static byte[] Leaf(byte[] entry) => SHA256.HashData([0x00, .. entry]);

    public static byte[] Node(byte[] left, byte[] right) => SHA256.HashData([0x01, .. left, .. right]);

    /// <summary>Synthetic leaf hashes for big trees: the leaf hash of the index as text.</summary>
    public static byte[][] SyntheticLeaves(int count) =>
        Enumerable.Range(0, count).Select(i => Leaf(System.Text.Encoding.ASCII.GetBytes($"leaf {i}"))).ToArray();

    /// <summary>Largest power of two strictly below n.</summary>
    public static int K(int n)
    {
        int k = 1;
        while (k * 2 < n)
            k *= 2;
        return k;
    }

    public byte[] Mth(int start, int end)
    {
        if (end == start)
            return SHA256.HashData([]);
        if (_memo.TryGetValue((start, end), out var known))
            return known;
        byte[] hash = end - start == 1
            ? leafHashes[start]
            : Node(Mth(start, start + K(end - start)), Mth(start + K(end - start), end));
        _memo[(start, end)] = hash;
        return hash;
    }

    public byte[] Root(int size) => Mth(0, size);

    /// <summary>PATH(m, D[start:end]).</summary>
    public List<byte[]> Path(int m, int start, int end)
    {
        int n = end - start;
        if (n == 1)
            return [];
        int k = K(n);
        if (m < k)
            return [.. Path(m, start, start + k), Mth(start + k, end)];
        return [.. Path(m - k, start + k, end), Mth(start, start + k)];
    }

    public List<byte[]> Inclusion(int index, int size) => Path(index, 0, size);

    /// <summary>PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true).</summary>
    public List<byte[]> Consistency(int m, int size) =>
        m == 0 || m == size ? [] : SubProof(m, 0, size, true);

    private List<byte[]> SubProof(int m, int start, int end, bool b)
    {
        int n = end - start;
        if (m == n)
            return b ? [] : [Mth(start, end)];
        int k = K(n);
        if (m <= k)
            return [.. SubProof(m, start, start + k, b), Mth(start + k, end)];
        return [.. SubProof(m - k, start + k, end, false), Mth(start, start + k)];
    }
}

public class NaiveMerkleTests
{
    // The certificate-transparency / transparency-dev RFC 6962 test vectors.
    internal static readonly byte[][] CtEntries =
    [
        [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        Convert.FromHexString("606162636465666768696a6b6c6d6e6f"),
    ];

    internal static readonly string[] CtRoots =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    internal static NaiveMerkle CtTree() => new(CtEntries.Select(NaiveMerkle.Leaf).ToArray());

    internal static string Hex(byte[] hash) => Convert.ToHexString(hash).ToLowerInvariant();

    [Fact]
    public void RootsMatchCtVectors()
    {
        var tree = CtTree();
        for (int size = 1; size <= 8; size++)
            Assert.Equal(CtRoots[size - 1], Hex(tree.Root(size)));
    }

    [Theory]
    [InlineData(0, 8, new[] {
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" })]
    [InlineData(5, 8, new[] {
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" })]
    [InlineData(0, 1, new string[0])]
    public void InclusionMatchesCtVectors(int index, int size, string[] expected) =>
        Assert.Equal(expected, CtTree().Inclusion(index, size).Select(Hex));

    [Theory]
    [InlineData(1, 8, new[] {
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" })]
    [InlineData(6, 8, new[] {
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" })]
    [InlineData(2, 5, new[] {
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" })]
    [InlineData(1, 1, new string[0])]
    public void ConsistencyMatchesCtVectors(int oldSize, int size, string[] expected) =>
        Assert.Equal(expected, CtTree().Consistency(oldSize, size).Select(Hex));
}
