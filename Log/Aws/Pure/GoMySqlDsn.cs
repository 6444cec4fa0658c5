using System.Globalization;
using System.Text;

namespace RekorPosix.Log.Aws;

/// <summary>TLS as the Go DSN's <c>tls</c> parameter asks for it, named as MySqlConnector's SslMode.</summary>
internal enum DsnTlsMode
{
    /// <summary><c>tls=false</c>, and Go's default when <c>tls</c> is absent: no TLS.</summary>
    None,
    /// <summary><c>tls=preferred</c>: TLS when the server offers it, certificate not checked.</summary>
    Preferred,
    /// <summary><c>tls=skip-verify</c>: TLS, certificate not checked.</summary>
    Required,
    /// <summary><c>tls=true</c>: TLS with the certificate and host name checked.</summary>
    VerifyFull,
}

/// <summary>
/// A go-sql-driver/mysql DSN, <c>[user[:password]@][protocol[(address)]]/dbname[?param=value&amp;…]</c>, as
/// rekor-tiles takes it in <c>--aws-mysql-dsn</c> and <c>--gcp-cloudsql-dsn</c> (spec cloud-flavours.md
/// §2.8), and its MySqlConnector equivalent. Parsed as Go does: the database name follows the last '/',
/// the user part ends at the last '@' before it and the password runs from the first ':' of the user
/// part, so a password may hold ':', '@' and '/' unescaped; the user, password and address are taken
/// literally; the database name and parameter values are percent-decoded. Messages about a bad DSN
/// name the part at fault and never repeat the password (nor <see cref="ToString"/>).
/// </summary>
internal sealed record GoMySqlDsn
{
    public const int DefaultPort = 3306;
    public const string DefaultHost = "127.0.0.1";
    public const string DefaultSocketPath = "/tmp/mysql.sock";

    /// <summary>Parameters that change nothing for tessera's statements (spec §2.8), so they are not reported.</summary>
    private static readonly string[] NoEffectParameters = ["parseTime", "loc", "multiStatements", "interpolateParams", "charset", "collation"];

    /// <summary>Parameters this class maps.</summary>
    private static readonly string[] MappedParameters = ["tls", "timeout"];

    public string User { get; init; } = "";

    public string Password { get; init; } = "";

    /// <summary>The TCP host (an IPv6 literal without brackets); null for a unix socket.</summary>
    public string? Host { get; init; }

    /// <summary>The TCP port; 0 for a unix socket.</summary>
    public int Port { get; init; }

    /// <summary>The unix socket's path; null for TCP.</summary>
    public string? SocketPath { get; init; }

    public string Database { get; init; } = "";

    public DsnTlsMode TlsMode { get; init; } = DsnTlsMode.None;

    /// <summary>The <c>timeout</c> parameter (dial timeout); null when absent. Zero means no limit, as in Go.</summary>
    public TimeSpan? ConnectTimeout { get; init; }

    /// <summary>Every parameter in the order given, values percent-decoded (a repeated key: the last one counts).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; init; } = [];

    public bool IsUnixSocket => SocketPath is not null;

    public static GoMySqlDsn Parse(string dsn)
    {
        ArgumentNullException.ThrowIfNull(dsn);
        int slash = dsn.LastIndexOf('/');
        if (slash < 0)
            throw Error("there is no '/' before the database name (the syntax is [user[:password]@][protocol[(address)]]/dbname[?param=value&...])");
        string tail = dsn[(slash + 1)..];
        // An '@' after the last '/' means the split went wrong: most likely the database name is
        // missing and the last '/' is inside the password. Say nothing of the text, it may be the password's.
        if (tail.Contains('@'))
            throw Error("'@' after the last '/': the DSN must end in /dbname (a password with '/' needs the database name after the address; escape '@' in parameter values as %40)");

        string head = dsn[..slash];
        int at = head.LastIndexOf('@');
        string user = "", password = "";
        if (at >= 0)
        {
            string userInfo = head[..at];
            int colon = userInfo.IndexOf(':');
            user = colon < 0 ? userInfo : userInfo[..colon];
            password = colon < 0 ? "" : userInfo[(colon + 1)..];
        }

        string protocolAndAddress = head[(at + 1)..];
        string protocol;
        string? address = null;
        int open = protocolAndAddress.IndexOf('(');
        if (open >= 0)
        {
            if (!protocolAndAddress.EndsWith(')'))
            {
                throw Error(protocolAndAddress.AsSpan(open + 1).Contains(')')
                    ? "the address in parentheses is not followed by /dbname: a parameter value or the database name holds an unescaped '/' (write it as %2F)"
                    : "the address in parentheses must end with ')' right before /dbname");
            }
            protocol = protocolAndAddress[..open];
            address = protocolAndAddress[(open + 1)..^1];
        }
        else
        {
            protocol = protocolAndAddress;
        }

        string? host = null, socketPath = null;
        int port = 0;
        switch (protocol)
        {
            case "" or "tcp":
                (host, port) = ParseTcpAddress(address);
                break;
            case "unix":
                socketPath = string.IsNullOrEmpty(address) ? DefaultSocketPath : address;
                break;
            default:
                // Not repeated: when the DSN lacks its address and database, this part is a piece of the password.
                throw Error("the protocol is not tcp or unix: write tcp(host:port) or unix(/socket/path) before /dbname");
        }

        int question = tail.IndexOf('?');
        string rawDatabase = question < 0 ? tail : tail[..question];
        string database = PercentDecode(rawDatabase, plusIsSpace: false, "the database name");
        if (database.Length == 0)
            throw Error("no database name after the '/' (tessera needs one, and it must exist)");

        var parameters = new List<KeyValuePair<string, string>>();
        var tls = DsnTlsMode.None;
        TimeSpan? timeout = null;
        if (question >= 0)
        {
            foreach (string pair in tail[(question + 1)..].Split('&'))
            {
                if (pair.Length == 0)
                    continue;
                int equals = pair.IndexOf('=');
                if (equals < 0)
                    throw Error($"parameter '{pair}' has no '=value'");
                string key = pair[..equals];
                string value = PercentDecode(pair[(equals + 1)..], plusIsSpace: true, $"the value of parameter '{key}'");
                parameters.Add(new(key, value));
                if (key == "tls")
                    tls = ParseTls(value);
                else if (key == "timeout")
                    timeout = ParseTimeout(value);
            }
        }

        return new GoMySqlDsn
        {
            User = user,
            Password = password,
            Host = host,
            Port = port,
            SocketPath = socketPath,
            Database = database,
            TlsMode = tls,
            ConnectTimeout = timeout,
            Parameters = parameters,
        };
    }

    /// <summary>MySqlConnector's Maximum Pool Size when none is given.</summary>
    public const int DefaultMaximumPoolSize = 100;

    /// <summary>
    /// The MySqlConnector connection-string keys and values (spec §2.8's mapping), in order. The values
    /// are raw: give them to a connection-string builder, do not join them with ';' by hand. SslMode is
    /// always given, because Go's default (no TLS) is not MySqlConnector's (Preferred).
    /// <paramref name="maxOpenConnections"/> &gt; 0 (<c>--aws-max-open-conns</c>) sets the pool size;
    /// otherwise MySqlConnector's default stays (100).
    /// <paramref name="maxIdleConnections"/> &gt; 0 (<c>--aws-max-idle-conns</c>) becomes the pool's
    /// minimum size, capped at its maximum as Go caps idle at open. Go's pool keeps at most that many
    /// idle connections and closes the rest at once; MySqlConnector's keeps at least that many open
    /// and closes the others after <c>Connection Idle Timeout</c> (180 s): it has no upper bound on
    /// idle ones, so the flag's connections stay warm and the surplus goes a little later. At 0, Go
    /// keeps none and reconnects for every query; here the pool's default stays instead, since the
    /// spec asks for real pooling (§8.18) and a connection per statement cost the sequencer its pace.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToConnectionStringParts(int maxOpenConnections = 0, int maxIdleConnections = 0)
    {
        var parts = new List<KeyValuePair<string, string>>();
        if (User.Length > 0)
            parts.Add(new("User ID", User));
        if (Password.Length > 0)
            parts.Add(new("Password", Password));
        if (SocketPath is not null)
        {
            parts.Add(new("Server", SocketPath));
            parts.Add(new("Protocol", "Unix"));
        }
        else
        {
            parts.Add(new("Server", Host ?? DefaultHost));
            parts.Add(new("Port", Port.ToString(CultureInfo.InvariantCulture)));
        }
        parts.Add(new("Database", Database));
        parts.Add(new("SslMode", TlsMode.ToString()));
        if (ConnectTimeout is { } timeout)
        {
            double seconds = Math.Ceiling(timeout.TotalSeconds);
            int whole = seconds >= int.MaxValue ? int.MaxValue : (int)seconds;
            parts.Add(new("Connection Timeout", whole.ToString(CultureInfo.InvariantCulture)));
        }
        if (maxOpenConnections > 0)
            parts.Add(new("Maximum Pool Size", maxOpenConnections.ToString(CultureInfo.InvariantCulture)));
        if (maxIdleConnections > 0)
        {
            int most = maxOpenConnections > 0 ? maxOpenConnections : DefaultMaximumPoolSize;
            parts.Add(new("Minimum Pool Size", Math.Min(maxIdleConnections, most).ToString(CultureInfo.InvariantCulture)));
        }
        return parts;
    }

    /// <summary>
    /// The parameter names, each once in order of appearance, that neither map to MySqlConnector nor are
    /// known to change nothing for tessera (parseTime, loc, multiStatements, interpolateParams, charset,
    /// collation): Go would have applied them, this server ignores them, so the caller should warn.
    /// </summary>
    public IReadOnlyList<string> UnknownParameters()
    {
        var unknown = new List<string>();
        foreach (var (key, _) in Parameters)
        {
            if (!MappedParameters.Contains(key) && !NoEffectParameters.Contains(key) && !unknown.Contains(key))
                unknown.Add(key);
        }
        return unknown;
    }

    /// <summary>The DSN in Go syntax with the password replaced by <c>***</c>, for logs.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (User.Length > 0 || Password.Length > 0)
            text.Append(User).Append(Password.Length > 0 ? ":***" : "").Append('@');
        if (SocketPath is not null)
            text.Append("unix(").Append(SocketPath).Append(')');
        else
            text.Append("tcp(").Append(Host is not null && Host.Contains(':') ? $"[{Host}]" : Host).Append(':').Append(Port).Append(')');
        text.Append('/').Append(Database);
        for (int i = 0; i < Parameters.Count; i++)
            text.Append(i == 0 ? '?' : '&').Append(Parameters[i].Key).Append('=').Append(Parameters[i].Value);
        return text.ToString();
    }

    private static (string Host, int Port) ParseTcpAddress(string? address)
    {
        if (string.IsNullOrEmpty(address))
            return (DefaultHost, DefaultPort);
        string host;
        string? port = null;
        if (address.StartsWith('['))
        {
            int close = address.IndexOf(']');
            if (close < 0)
                throw Error($"tcp address '{address}': '[' without ']'");
            host = address[1..close];
            string after = address[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':')
                    throw Error($"tcp address '{address}': expected ':port' after ']'");
                port = after[1..];
            }
        }
        else
        {
            int colon = address.IndexOf(':');
            if (colon >= 0 && address.IndexOf(':', colon + 1) < 0)
            {
                host = address[..colon];
                port = address[(colon + 1)..];
            }
            else
            {
                host = address; // no ':' or an IPv6 literal without brackets: Go adds the default port
            }
        }
        if (host.Length == 0)
            host = DefaultHost; // Go dials ":port" on the local system
        if (port is null)
            return (host, DefaultPort);
        if (port.Length == 0 || port.Length > 5 || !port.All(char.IsAsciiDigit)
            || int.Parse(port, CultureInfo.InvariantCulture) is < 1 or > 65535)
            throw Error($"tcp address '{address}': port '{port}' is not a number from 1 to 65535");
        return (host, int.Parse(port, CultureInfo.InvariantCulture));
    }

    private static DsnTlsMode ParseTls(string value) => value switch
    {
        "true" or "True" or "TRUE" or "1" => DsnTlsMode.VerifyFull,
        "false" or "False" or "FALSE" or "0" => DsnTlsMode.None,
        _ when value.Equals("skip-verify", StringComparison.OrdinalIgnoreCase) => DsnTlsMode.Required,
        _ when value.Equals("preferred", StringComparison.OrdinalIgnoreCase) => DsnTlsMode.Preferred,
        _ => throw Error($"parameter 'tls': '{value}' is not true, false, skip-verify or preferred (a TLS config registered by name in Go has no equivalent here)"),
    };

    private static TimeSpan ParseTimeout(string value)
    {
        if (!Http.GoDuration.TryParse(value, out TimeSpan duration, out string? problem))
            throw Error($"parameter 'timeout': '{value}' is not a Go duration such as 30s, 1m30s or 500ms ({problem})");
        if (duration < TimeSpan.Zero)
            throw Error($"parameter 'timeout': '{value}' is negative");
        return duration;
    }

    /// <summary>
    /// %XX escapes decoded to UTF-8 (and '+' to a space for parameter values, as Go's QueryUnescape).
    /// </summary>
    private static string PercentDecode(string text, bool plusIsSpace, string what)
    {
        if (!text.Contains('%') && !(plusIsSpace && text.Contains('+')))
            return text;
        var bytes = new List<byte>(text.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
                    throw Error($"{what}: '%' at position {i} is not followed by two hex digits");
                bytes.Add(byte.Parse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
            else if (c == '+' && plusIsSpace)
            {
                bytes.Add((byte)' ');
            }
            else
            {
                int length = char.IsSurrogatePair(text, i)
                    ? new Rune(text[i], text[++i]).EncodeToUtf8(utf8)
                    : Rune.TryCreate(c, out Rune rune) ? rune.EncodeToUtf8(utf8) : throw Error($"{what}: a lone surrogate at position {i}");
                for (int b = 0; b < length; b++)
                    bytes.Add(utf8[b]);
            }
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString([.. bytes]);
        }
        catch (DecoderFallbackException)
        {
            throw Error($"{what}: the percent-escapes are not UTF-8");
        }
    }

    private static FormatException Error(string problem) => new($"invalid MySQL DSN: {problem}");
}
