using RekorPosix.Log.Aws;

namespace RekorPosix.Tests.Log.Aws;

public class GoMySqlDsnTests
{
    private static string[] Keys(GoMySqlDsn dsn, int maxOpen = 0) => [.. dsn.ToConnectionStringParts(maxOpen).Select(p => p.Key)];

    private static string Part(GoMySqlDsn dsn, string key) => dsn.ToConnectionStringParts().Single(p => p.Key == key).Value;

    [Fact]
    public void SpecExample()
    {
        var dsn = GoMySqlDsn.Parse("rekor:rekorpassword@tcp(mysql:3306)/sequencer?parseTime=true");
        Assert.Equal("rekor", dsn.User);
        Assert.Equal("rekorpassword", dsn.Password);
        Assert.Equal("mysql", dsn.Host);
        Assert.Equal(3306, dsn.Port);
        Assert.Null(dsn.SocketPath);
        Assert.Equal("sequencer", dsn.Database);
        Assert.Equal(DsnTlsMode.None, dsn.TlsMode);
        Assert.Null(dsn.ConnectTimeout);
        Assert.Equal([new("parseTime", "true")], dsn.Parameters);
        Assert.Empty(dsn.UnknownParameters());
        Assert.Equal(
            [new("User ID", "rekor"), new("Password", "rekorpassword"), new("Server", "mysql"), new("Port", "3306"),
             new("Database", "sequencer"), new("SslMode", "None")],
            dsn.ToConnectionStringParts());
    }

    [Theory]
    [InlineData("p:ss")]
    [InlineData("p@ss")]
    [InlineData("p/ss")]
    [InlineData("a:b@c/d)(e?f&g=h%41+")]
    [InlineData("@@//::")]
    [InlineData("ünï cödé")]
    public void Password_MayHoldAnything_TakenLiterally(string password)
    {
        var dsn = GoMySqlDsn.Parse($"user:{password}@tcp(db.example:3307)/log");
        Assert.Equal("user", dsn.User);
        Assert.Equal(password, dsn.Password);
        Assert.Equal("db.example", dsn.Host);
        Assert.Equal(3307, dsn.Port);
        Assert.Equal("log", dsn.Database);
        Assert.Equal(password, Part(dsn, "Password"));
    }

    [Theory]
    [InlineData("u@tcp(h)/db", "u", "", "h", 3306)]
    [InlineData("u:@tcp(h:1)/db", "u", "", "h", 1)]
    [InlineData("tcp(h:65535)/db", "", "", "h", 65535)]
    [InlineData("/db", "", "", "127.0.0.1", 3306)]
    [InlineData("u:p@/db", "u", "p", "127.0.0.1", 3306)]
    [InlineData("u:p@tcp/db", "u", "p", "127.0.0.1", 3306)]
    [InlineData("u:p@tcp()/db", "u", "p", "127.0.0.1", 3306)]
    [InlineData("u:p@(h:5)/db", "u", "p", "h", 5)]
    [InlineData("u:p@tcp(:3307)/db", "u", "p", "127.0.0.1", 3307)]
    [InlineData("u:p@tcp([::1]:3307)/db", "u", "p", "::1", 3307)]
    [InlineData("u:p@tcp([::1])/db", "u", "p", "::1", 3306)]
    [InlineData("u:p@tcp(::1)/db", "u", "p", "::1", 3306)]
    [InlineData("u:p@tcp(10.0.0.7:13306)/db", "u", "p", "10.0.0.7", 13306)]
    public void Tcp_AddressesAndDefaults(string text, string user, string password, string host, int port)
    {
        var dsn = GoMySqlDsn.Parse(text);
        Assert.Equal(user, dsn.User);
        Assert.Equal(password, dsn.Password);
        Assert.Equal(host, dsn.Host);
        Assert.Equal(port, dsn.Port);
        Assert.False(dsn.IsUnixSocket);
        Assert.Equal(host, Part(dsn, "Server"));
        Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), Part(dsn, "Port"));
        Assert.Equal(user.Length > 0, Keys(dsn).Contains("User ID"));
        Assert.Equal(password.Length > 0, Keys(dsn).Contains("Password"));
    }

    [Fact]
    public void UnixSocket()
    {
        var dsn = GoMySqlDsn.Parse("rekor:pw@unix(/run/mysqld/mysqld.sock)/sequencer");
        Assert.True(dsn.IsUnixSocket);
        Assert.Equal("/run/mysqld/mysqld.sock", dsn.SocketPath);
        Assert.Null(dsn.Host);
        Assert.Equal(0, dsn.Port);
        Assert.Equal(
            [new("User ID", "rekor"), new("Password", "pw"), new("Server", "/run/mysqld/mysqld.sock"), new("Protocol", "Unix"),
             new("Database", "sequencer"), new("SslMode", "None")],
            dsn.ToConnectionStringParts());
        Assert.Equal(GoMySqlDsn.DefaultSocketPath, GoMySqlDsn.Parse("u@unix/db").SocketPath);
        Assert.Equal(GoMySqlDsn.DefaultSocketPath, GoMySqlDsn.Parse("unix()/db").SocketPath);
    }

    [Theory]
    [InlineData("u:p@tcp(h:1)/")]
    [InlineData("u:p@tcp(h:1)/?parseTime=true")]
    [InlineData("/")]
    public void MissingDatabase_IsRefused(string text)
    {
        var error = Assert.Throws<FormatException>(() => GoMySqlDsn.Parse(text));
        Assert.Contains("database name", error.Message);
    }

    [Fact]
    public void NoSlash_IsRefused()
    {
        Assert.Contains("no '/'", Assert.Throws<FormatException>(() => GoMySqlDsn.Parse("u:p@tcp(h:1)")).Message);
        Assert.Throws<FormatException>(() => GoMySqlDsn.Parse(""));
    }

    [Theory]
    [InlineData("h:0")]
    [InlineData("h:65536")]
    [InlineData("h:x")]
    [InlineData("h:")]
    [InlineData("h:-1")]
    [InlineData("h:99999999999")]
    [InlineData("h:+1")]
    [InlineData("[::1]:")]
    [InlineData("[::1]x")]
    public void BadPort_IsRefused(string address)
    {
        var error = Assert.Throws<FormatException>(() => GoMySqlDsn.Parse($"u:p@tcp({address})/db"));
        Assert.Contains("port", error.Message);
        Assert.Contains(address, error.Message);
    }

    [Theory]
    [InlineData("u:p@udp(h:1)/db")]
    [InlineData("u:p@tcp4(h:1)/db")]
    [InlineData("u:p@localhost/db")]
    [InlineData("u:p@mysql:3306/db")]
    [InlineData("u:p@TCP(h:1)/db")]
    public void UnknownProtocol_IsRefused(string text)
    {
        var error = Assert.Throws<FormatException>(() => GoMySqlDsn.Parse(text));
        Assert.Contains("tcp or unix", error.Message);
    }

    [Fact]
    public void AddressNotClosed_OrUnescapedSlashInParameters_IsRefused()
    {
        Assert.Contains("must end with ')'", Assert.Throws<FormatException>(() => GoMySqlDsn.Parse("u:p@tcp(h:1/db")).Message);
        Assert.Contains("%2F", Assert.Throws<FormatException>(() => GoMySqlDsn.Parse("u:p@tcp(h:1)/db?ssl-ca=/tmp/ca.pem")).Message);
        Assert.Equal("/tmp/ca.pem", GoMySqlDsn.Parse("u:p@tcp(h:1)/db?ssl-ca=%2Ftmp%2Fca.pem").Parameters[0].Value);
    }

    [Theory]
    [InlineData("", "None")]
    [InlineData("?tls=false", "None")]
    [InlineData("?tls=0", "None")]
    [InlineData("?tls=FALSE", "None")]
    [InlineData("?tls=true", "VerifyFull")]
    [InlineData("?tls=True", "VerifyFull")]
    [InlineData("?tls=1", "VerifyFull")]
    [InlineData("?tls=skip-verify", "Required")]
    [InlineData("?tls=Skip-Verify", "Required")]
    [InlineData("?tls=preferred", "Preferred")]
    [InlineData("?tls=true&tls=false", "None")]
    public void Tls(string query, string expectedName)
    {
        DsnTlsMode expected = Enum.Parse<DsnTlsMode>(expectedName);
        var dsn = GoMySqlDsn.Parse("u:p@tcp(h:1)/db" + query);
        Assert.Equal(expected, dsn.TlsMode);
        Assert.Equal(expected.ToString(), Part(dsn, "SslMode"));
        Assert.Contains(Part(dsn, "SslMode"), new[] { "None", "Preferred", "Required", "VerifyFull" });
        Assert.Empty(dsn.UnknownParameters());
    }

    [Theory]
    [InlineData("custom")]
    [InlineData("yes")]
    [InlineData("")]
    public void Tls_OtherValues_AreRefused(string value)
    {
        var error = Assert.Throws<FormatException>(() => GoMySqlDsn.Parse($"u:p@tcp(h:1)/db?tls={value}"));
        Assert.Contains("tls", error.Message);
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("1m30s", 90)]
    [InlineData("500ms", 1)]
    [InlineData("1.5s", 2)]
    [InlineData("1h", 3600)]
    [InlineData("2000000us", 2)]
    [InlineData("1000000000ns", 1)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("%2B5s", 5)]
    [InlineData(".5m", 30)]
    public void Timeout_GoDurations_InWholeSecondsRoundedUp(string value, int seconds)
    {
        var dsn = GoMySqlDsn.Parse($"u:p@tcp(h:1)/db?timeout={value}");
        Assert.NotNull(dsn.ConnectTimeout);
        Assert.Equal(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), Part(dsn, "Connection Timeout"));
    }

    [Theory]
    [InlineData("30")]
    [InlineData("abc")]
    [InlineData("-1s")]
    [InlineData("5x")]
    [InlineData("")]
    [InlineData("1..5s")]
    [InlineData("s")]
    [InlineData("99999999999999999999h")]
    [InlineData("2562048h")]
    [InlineData("+5s")] // '+' is a space in a query value, as in Go
    public void Timeout_BadValues_AreRefused(string value)
    {
        var error = Assert.Throws<FormatException>(() => GoMySqlDsn.Parse($"u:p@tcp(h:1)/db?timeout={value}"));
        Assert.Contains("timeout", error.Message);
    }

    [Fact]
    public void Timeout_Absent_LeavesMySqlConnectorsDefault()
    {
        Assert.DoesNotContain("Connection Timeout", Keys(GoMySqlDsn.Parse("u:p@tcp(h:1)/db")));
    }

    [Fact]
    public void PercentDecoding_OfParametersAndDatabase()
    {
        var dsn = GoMySqlDsn.Parse("u:p%41@tcp(h:1)/my%2Fdb+x?loc=America%2FNew_York&x=a+b%20c&e=%C3%A9");
        Assert.Equal("p%41", dsn.Password); // taken literally, as Go does
        Assert.Equal("my/db+x", dsn.Database);
        Assert.Equal([new("loc", "America/New_York"), new("x", "a b c"), new("e", "é")], dsn.Parameters);
    }

    [Theory]
    [InlineData("u:p@tcp(h:1)/db?x=%zz", "parameter 'x'")]
    [InlineData("u:p@tcp(h:1)/db?x=%4", "parameter 'x'")]
    [InlineData("u:p@tcp(h:1)/db?x=%ff", "UTF-8")]
    [InlineData("u:p@tcp(h:1)/d%b", "database name")]
    [InlineData("u:p@tcp(h:1)/db?novalue", "'novalue'")]
    public void BadParameters_AreRefused(string text, string named)
    {
        Assert.Contains(named, Assert.Throws<FormatException>(() => GoMySqlDsn.Parse(text)).Message);
    }

    [Fact]
    public void UnknownParameters_AreKeptAndReported_Once_InOrder()
    {
        var dsn = GoMySqlDsn.Parse("u:p@tcp(h:1)/db?parseTime=true&maxAllowedPacket=0&readTimeout=5s&&foo=1&charset=utf8mb4&foo=2&loc=UTC&timeout=3s");
        Assert.Equal(["maxAllowedPacket", "readTimeout", "foo"], dsn.UnknownParameters());
        Assert.Equal(8, dsn.Parameters.Count);
        Assert.Equal(new KeyValuePair<string, string>("foo", "2"), dsn.Parameters[5]);
    }

    [Fact]
    public void MaximumPoolSize_OnlyWhenMaxOpenConnsIsPositive()
    {
        var dsn = GoMySqlDsn.Parse("u:p@tcp(h:1)/db");
        Assert.Equal(new KeyValuePair<string, string>("Maximum Pool Size", "16"), dsn.ToConnectionStringParts(16)[^1]);
        Assert.DoesNotContain("Maximum Pool Size", Keys(dsn, 0));
        Assert.DoesNotContain("Maximum Pool Size", Keys(dsn, -1));
    }

    [Fact]
    public void MaxIdleConns_IsTheMinimumPoolSize_CappedAtTheMaximum()
    {
        var dsn = GoMySqlDsn.Parse("u:p@tcp(h:1)/db");
        string? Minimum(int maxOpen, int maxIdle) =>
            dsn.ToConnectionStringParts(maxOpen, maxIdle).Where(p => p.Key == "Minimum Pool Size").Select(p => p.Value).SingleOrDefault();
        Assert.Equal("8", Minimum(0, 8));
        Assert.Equal("8", Minimum(16, 8));
        // Go lowers maxIdle to maxOpen; MySqlConnector refuses a minimum above the maximum.
        Assert.Equal("16", Minimum(16, 40));
        Assert.Equal(GoMySqlDsn.DefaultMaximumPoolSize.ToString(System.Globalization.CultureInfo.InvariantCulture), Minimum(0, 500));
        Assert.Null(Minimum(16, 0));
        Assert.Null(Minimum(0, -1));
    }

    private const string Secret = "Hunter2:x@y/z";

    public static TheoryData<string> BadDsnsWithThePassword() =>
    [
        $"u:{Secret}",
        $"u:{Secret}@tcp(h:1)",
        $"u:{Secret}@tcp(h:1)/",
        $"u:{Secret}@udp(h:1)/db",
        $"u:{Secret}@tcp(h:0)/db",
        $"u:{Secret}@tcp(h:1/db",
        $"u:{Secret}@tcp(h:1)/db?tls=bogus",
        $"u:{Secret}@tcp(h:1)/db?timeout=forever",
        $"u:{Secret}@tcp(h:1)/db?x=%zz",
        $"u:{Secret}@tcp(h:1)/db?x=/y",
        $"u:{Secret}@localhost/db",
        $"u:{Secret}@tcp(h:1)/d%b",
        $"u:{Secret}@tcp(h:1)/db?noequals",
        $"{Secret}",
        $"u:{Secret}@unix(/s)",
    ];

    [Theory]
    [MemberData(nameof(BadDsnsWithThePassword))]
    public void NoMessage_RepeatsThePassword(string text)
    {
        var error = Assert.Throws<FormatException>(() => GoMySqlDsn.Parse(text));
        foreach (string piece in new[] { "Hunter2", "x@y", "y/z" })
            Assert.DoesNotContain(piece, error.Message);
    }

    [Fact]
    public void ToString_HidesThePassword()
    {
        var dsn = GoMySqlDsn.Parse($"rekor:{Secret}@tcp(mysql:3306)/sequencer?parseTime=true");
        Assert.Equal(Secret, dsn.Password);
        Assert.Equal("rekor:***@tcp(mysql:3306)/sequencer?parseTime=true", dsn.ToString());
        Assert.Equal("unix(/s)/db", GoMySqlDsn.Parse("unix(/s)/db").ToString());
        Assert.Equal("u@tcp([::1]:3306)/db", GoMySqlDsn.Parse("u@tcp(::1)/db").ToString());
    }

    [Fact]
    public void NeverAnotherExceptionType()
    {
        var random = new Random(6_6_2026);
        const string alphabet = "u:p@/()?&=%+[]tcpunix0123456789.hsm-é";
        string[] seeds = ["rekor:rekorpassword@tcp(mysql:3306)/sequencer?parseTime=true&tls=true&timeout=5s", "u@unix(/s)/d?x=%41"];
        for (int i = 0; i < 20_000; i++)
        {
            var text = new System.Text.StringBuilder(seeds[i % seeds.Length]);
            for (int k = random.Next(1, 5); k > 0 && text.Length > 0; k--)
            {
                int at = random.Next(text.Length);
                switch (random.Next(3))
                {
                    case 0: text[at] = alphabet[random.Next(alphabet.Length)]; break;
                    case 1: text.Remove(at, 1); break;
                    default: text.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                }
            }
            try
            {
                GoMySqlDsn dsn = GoMySqlDsn.Parse(text.ToString());
                Assert.NotEmpty(dsn.Database);
                Assert.NotEmpty(dsn.ToConnectionStringParts());
            }
            catch (FormatException)
            {
            }
        }
    }
}
