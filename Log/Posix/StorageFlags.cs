using System.CommandLine;

namespace RekorPosix.Log;

/// <summary>Where the posix flavour keeps its log: serve's one storage setting.</summary>
public sealed record StorageSettings
{
    /// <summary>Log directory; null: ./rekor-data/log (systemd's StateDirectory when run as a unit).</summary>
    public string? StorageDir { get; init; }
}

/// <summary>The posix flavour's own serve flags, as rekor-tiles' rekor-server-posix names them.</summary>
internal sealed class StorageFlags
{
    private readonly Option<string?> _storageDir = new("--storage-dir") { Description = "Log directory (tiles, checkpoint, .state/). Default: ./rekor-data/log, created on first start." };

    public IReadOnlyList<Option> Options => [_storageDir];

    public StorageSettings Read(ParseResult parse) => new() { StorageDir = parse.GetValue(_storageDir) };
}
