using System.CommandLine;
using RekorPosix.Http;
using RekorPosix.Signing;

namespace RekorPosix.Commands;

/// <summary>
/// Flags that several commands take with the same name, meaning and default (serve's, from
/// <see cref="ServeSettings.Defaults"/>). Each call makes a new option, so every command owns its own.
/// </summary>
internal static class SharedOptions
{
    /// <summary>For every command that loads the signer key (serve, add, freeze).</summary>
    public static Option<string> SignerPassword() =>
        new("--signer-password") { Description = "Password of an encrypted signer key.", DefaultValueFactory = _ => ServeSettings.Defaults.SignerPassword };

    /// <summary>For every command that loads the signer key (serve, add, freeze).</summary>
    public static Option<bool> AllowInsecureKeyPermissions() =>
        new(SignerKeyFile.AllowInsecureFlag) { Description = "Only warn, instead of refusing to start, when the signer key file is accessible by group or others." };

    /// <summary>For every command that appends (serve, add).</summary>
    public static Option<int> BatchMaxSize() =>
        new("--batch-max-size") { Description = "Most entries in one integration batch.", DefaultValueFactory = _ => ServeSettings.Defaults.Append.BatchMaxSize };

    /// <summary>For every command that runs a server (serve, witness): rekor-tiles' level names.</summary>
    public static Option<string> LogLevel()
    {
        var option = new Option<string>("--log-level") { Description = "Least severity logged.", DefaultValueFactory = _ => ServeSettings.Defaults.LogLevel };
        option.AcceptOnlyFromAmong("debug", "info", "warn", "error");
        return option;
    }
}
