using System.CommandLine;
using RekorPosix.Commands;
using RekorPosix.Tests.Support;
using RekorPosix.Tests.Verification;
using RekorPosix.Verification;

namespace RekorPosix.Tests.Commands;

public class BundleCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Bundle_WritesTheBundleOfAnEntry()
    {
        var stdout = new MemoryStream();
        int code = new BundleCommand(stdout, new StringWriter()).Command.Parse(["--entry", WorkedExample.ResponsePath]).Invoke();
        Assert.Equal(0, code);
        Assert.Equal(LogEntryBundle.FromResponse(File.ReadAllBytes(WorkedExample.ResponsePath)), stdout.ToArray());
        Assert.Equal(0, new BundleCommand(null, new StringWriter()).Command.Parse(["--entry", WorkedExample.ResponsePath, "--output", _dir["b.json"]]).Invoke());
        Assert.Equal(stdout.ToArray(), File.ReadAllBytes(_dir["b.json"]));
    }

    [Theory]
    [InlineData("missing", "bundle: ")]
    [InlineData("not-an-entry", "the entry is not JSON")]
    public void Bundle_OfWhatIsNotAnEntry_ExitsTwo(string file, string why)
    {
        File.WriteAllText(_dir["not-an-entry"], "<html>");
        var stderr = new StringWriter();
        Assert.Equal(2, new BundleCommand(new MemoryStream(), stderr).Command.Parse(["--entry", _dir[file]]).Invoke());
        Assert.Contains(why, stderr.ToString());
    }
}
