using System.Globalization;
using System.Text;
using RekorPosix.Log.Files;
using RekorPosix.Log.Witnessing;

namespace RekorPosix.Log.Posix;

/// <summary>
/// The witnesses' last cosigned sizes in <c>.state/witnessSizes</c>, one "&lt;url&gt; &lt;size&gt;" line
/// each (tessera keeps none; the file is ours). Written whole by the atomic rename, from the
/// checkpoint maker, so under the publication lock: two servers on one directory take turns.
/// </summary>
internal sealed class WitnessSizesFile(string storageDir) : IWitnessSizes
{
    public const string FileName = "witnessSizes";

    private readonly string _path = Path.Combine(new StatePaths(storageDir).StateDir, FileName);

    public async Task<IReadOnlyDictionary<string, long>> LoadAsync(CancellationToken cancel)
    {
        var sizes = new Dictionary<string, long>();
        if (!File.Exists(_path))
            return sizes;
        string[] lines = await File.ReadAllLinesAsync(_path, cancel).ConfigureAwait(false);
        foreach (string line in lines.Where(l => l.Length > 0))
        {
            string[] fields = line.Split(' ');
            if (fields.Length != 2 || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out long size))
                throw new FormatException($"{_path}: \"{line}\" is not \"<url> <size>\"");
            sizes[fields[0]] = size;
        }
        return sizes;
    }

    public Task SaveAsync(IReadOnlyDictionary<string, long> sizes, CancellationToken cancel)
    {
        var text = new StringBuilder();
        foreach (var (url, size) in sizes.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            text.Append(url).Append(' ').Append(size.ToString(CultureInfo.InvariantCulture)).Append('\n');
        AtomicFiles.Overwrite(_path, Encoding.UTF8.GetBytes(text.ToString()));
        return Task.CompletedTask;
    }
}
