using System.Text;
using RekorPosix.Log.Posix;

namespace RekorPosix.Tests.Log.Posix;

public class TreeStateTests
{
    [Fact]
    public void Encode_MatchesTesseraBytes()
    {
        var root = Convert.FromBase64String("rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=");
        Assert.Equal("{\"size\":15,\"root\":\"rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=\"}",
            Encoding.UTF8.GetString(new TreeState(15, root).Encode()));
    }

    [Fact]
    public void Decode_ReadsTesseraFile()
    {
        var state = TreeState.Decode(File.ReadAllBytes(Support.TestData.PathOf("tessera-log/.state/treeState")));
        Assert.Equal(15, state.Size);
        Assert.Equal("rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=", Convert.ToBase64String(state.Root));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("{\"size\":1}")]
    [InlineData("{\"size\":-1,\"root\":\"rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=\"}")]
    [InlineData("{\"size\":1,\"root\":\"AAAA\"}")]
    [InlineData("{\"size\":1.5,\"root\":\"rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=\"}")]
    [InlineData("{\"size\":1,\"root\":\"rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=\"} x")]
    [InlineData("[1]")]
    public void Decode_RejectsMalformed(string json)
    {
        Assert.Throws<FormatException>(() => TreeState.Decode(Encoding.UTF8.GetBytes(json)));
    }
}
