namespace RekorPosix.Http.ReadPath;

/// <summary>
/// The header values of the read path, the same on both ports and in the nginx site: types set
/// explicitly (a bundle of printable entries must never be sniffed as text), tiles and bundles
/// immutable (the width is in the path, and only published ones are served), the checkpoint
/// revalidated on every use (it changes with each publication), and CORS open (public data,
/// read by browser monitors).
/// </summary>
internal static class ReadHeaders
{
    public const string CheckpointType = "text/plain; charset=utf-8";
    public const string TileType = "application/octet-stream";
    public const string CheckpointCache = "no-cache";
    public const string TileCache = "public, max-age=31536000, immutable";
    public const string AllowOrigin = "*";
}
