using System.Text;
using RekorPosix.Http.TileServer;

namespace RekorPosix.Tests.Http.TileServer;

public class HttpDateTests
{
    [Fact]
    public void TheLine_IsRfc9110Format_AndFollowsTheSecond()
    {
        var date = new HttpDate();
        date.Update(new DateTime(1994, 11, 6, 8, 49, 37, DateTimeKind.Utc));
        Assert.Equal("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n", Encoding.ASCII.GetString(date.Line));
        date.Update(new DateTime(1994, 11, 6, 8, 49, 37, 900, DateTimeKind.Utc));
        Assert.Equal("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n", Encoding.ASCII.GetString(date.Line));
        date.Update(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        Assert.Equal("Date: Fri, 02 Jan 2026 03:04:05 GMT\r\n", Encoding.ASCII.GetString(date.Line));
    }
}
