using RekorPosix.Log.Search;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Search;

public class EntryKeysTests
{
    /// <summary>One row per line: the 33-byte key in hex, a space, the index.</summary>
    private static string Render(SearchRows rows) => string.Concat(Enumerable.Range(0, rows.Count).Select(i =>
        $"{Convert.ToHexStringLower(SearchRows.KeyOf(rows.Bytes, i))} {SearchRows.IndexOf(rows.Bytes, i)}\n"));

    [Fact]
    public void TheStoredKeysOfAFixedCertificateEntry_AreTheGoldenOnes()
    {
        // The key bytes are stored: a change here makes every existing index wrong.
        var rows = new SearchRows();
        Assert.Null(EntryKeys.Add(File.ReadAllBytes(TestData.PathOf("entries/certificate.body.json")), 7, rows));
        Assert.Equal(File.ReadAllText(TestData.PathOf("search/certificate.keys.txt")), Render(rows));
    }

    [Fact]
    public void TheStoredKeysOfCertificateIdentities_AreTheGoldenOnes()
    {
        foreach (string line in File.ReadAllLines(TestData.PathOf("search/text.keys.txt")))
        {
            string[] parts = line.Split(' ');
            byte[] key = parts[0] switch
            {
                "email" => SearchKey.Email(parts[1]),
                "uri" => SearchKey.Uri(parts[1]),
                _ => SearchKey.OidcIssuer(parts[1]),
            };
            Assert.Equal(parts[2], Convert.ToHexStringLower(key));
        }
    }

    [Fact]
    public void AnEntryThatDoesNotParse_KeepsItsLeafHash_AndSaysWhy()
    {
        var rows = new SearchRows();
        Assert.Contains("apiVersion is missing", EntryKeys.Add(SearchedEntries.NotAnEntry, 4, rows));
        Assert.Equal(1, rows.Count);
        Assert.Equal((byte)SearchKeyType.LeafHash, SearchRows.KeyOf(rows.Bytes, 0)[0]);
        Assert.Equal(RekorPosix.Tiles.Rfc6962.LeafHash(SearchedEntries.NotAnEntry), SearchRows.KeyOf(rows.Bytes, 0)[1..].ToArray());
    }

    [Fact]
    public void EmailsAreFoundWhateverTheirCase_UrisAndIssuersExactly()
    {
        Assert.Equal(SearchKey.Email("alice@example.com"), SearchKey.Email("ALICE@Example.Com"));
        Assert.NotEqual(SearchKey.Uri("https://ci.example/A"), SearchKey.Uri("https://ci.example/a"));
        Assert.NotEqual(SearchKey.Email("a@example.com"), SearchKey.Uri("a@example.com"));
    }
}
