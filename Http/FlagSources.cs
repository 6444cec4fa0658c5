namespace RekorPosix.Http;

/// <summary>
/// Lets every <c>serve</c> flag also come from the environment (<c>REKOR_</c> + the flag name in
/// upper case with '_' for '-', e.g. <c>REKOR_HTTP_PORT</c>) or from a config file
/// (<c>--config FILE</c> or <c>REKOR_CONFIG</c>; lines <c>name = value</c> or <c>name: value</c>,
/// <c>#</c> comments). The command line wins over the environment, which wins over the file.
/// Sources are turned into ordinary command-line tokens, so every value is parsed and checked by
/// the same option definitions.
/// </summary>
public static class FlagSources
{
    public const string ConfigFlag = "--config";
    public const string ConfigVariable = "REKOR_CONFIG";

    /// <summary>The arguments with the flags missing from them added from the environment and the config file.</summary>
    public static string[] Expand(string[] args, IReadOnlyCollection<string> flagNames, Func<string, string?> environment)
    {
        var given = new HashSet<string>(args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).Select(a => a.Split('=', 2)[0]));
        var result = args.Where((a, i) => a != ConfigFlag && (i == 0 || args[i - 1] != ConfigFlag) && !a.StartsWith(ConfigFlag + "=", StringComparison.Ordinal)).ToList();
        string? configPath = ConfigPath(args) ?? environment(ConfigVariable);
        var file = configPath is null ? new Dictionary<string, string>() : ReadConfig(configPath);
        foreach (var unknown in file.Keys.Where(k => !flagNames.Contains("--" + k)))
            throw new FormatException($"{configPath}: unknown setting \"{unknown}\"");
        foreach (string flag in flagNames)
        {
            if (given.Contains(flag))
                continue;
            string? value = environment(VariableName(flag)) ?? file.GetValueOrDefault(flag[2..]);
            if (value is not null)
                result.Add($"{flag}={value}");
        }
        return [.. result];
    }

    /// <summary><c>--http-port</c> → <c>REKOR_HTTP_PORT</c>.</summary>
    public static string VariableName(string flag) => "REKOR_" + flag.TrimStart('-').Replace('-', '_').ToUpperInvariant();

    private static string? ConfigPath(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == ConfigFlag)
                return i + 1 < args.Length ? args[i + 1] : throw new FormatException($"{ConfigFlag} needs a file name");
            if (args[i].StartsWith(ConfigFlag + "=", StringComparison.Ordinal))
                return args[i][(ConfigFlag.Length + 1)..];
        }
        return null;
    }

    private static Dictionary<string, string> ReadConfig(string path)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"cannot read config file {path}: {e.Message}", e);
        }
        for (int n = 0; n < lines.Length; n++)
        {
            string line = lines[n].Trim();
            if (line.Length == 0 || line[0] == '#')
                continue;
            int split = line.IndexOfAny(['=', ':']);
            if (split <= 0)
                throw new FormatException($"{path}:{n + 1}: expected \"name = value\"");
            string name = line[..split].Trim().TrimStart('-');
            string value = line[(split + 1)..].Trim();
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
                value = value[1..^1];
            if (!settings.TryAdd(name, value))
                throw new FormatException($"{path}:{n + 1}: \"{name}\" is set twice");
        }
        return settings;
    }
}
