namespace RekorPosix.Log.Posix;

/// <summary>Where things live in a log directory; the same names as tessera's POSIX driver,
/// so an existing tessera or rekor-tiles directory is opened and continued as it is.</summary>
internal sealed class StatePaths(string root)
{
    /// <summary>Tessera's storage compatibility version: a different value refuses to start.</summary>
    public const string CompatibilityVersion = "1";

    public string Root { get; } = Path.GetFullPath(root);
    public string Checkpoint => Path.Combine(Root, "checkpoint");
    public string TileDir => Path.Combine(Root, "tile");
    public string StateDir => Path.Combine(Root, ".state");
    public string TreeState => Path.Combine(StateDir, "treeState");
    public string TreeStateLock => Path.Combine(StateDir, "treeState.lock");
    public string PublishLock => Path.Combine(StateDir, "publish.lock");
    public string GcState => Path.Combine(StateDir, "gcState");
    public string GcStateLock => Path.Combine(StateDir, "gcState.lock");
    public string Version => Path.Combine(StateDir, "version");

    public string Of(Tiles.TileAddress address) => Path.Combine(Root, address.ToPath());

    /// <summary>Relative path for messages, so an operator sees which file is at fault.</summary>
    public string Relative(string path) => Path.GetRelativePath(Root, path);
}
