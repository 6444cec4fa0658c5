using RekorPosix.Http;

namespace RekorPosix.Tests.Support;

/// <summary>The posix flavour's <see cref="RunningServer"/>: a log directory.</summary>
public sealed partial class RunningServer
{
    public string StorageDir => Settings.Storage.StorageDir ?? "";

    public static Task<RunningServer> StartAsync(string storageDir, Func<ServeSettings, ServeSettings>? adjust = null) =>
        StartAsync(settings =>
        {
            var posix = settings with { Storage = new() { StorageDir = storageDir } };
            return adjust?.Invoke(posix) ?? posix;
        });
}
