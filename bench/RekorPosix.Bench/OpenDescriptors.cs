namespace RekorPosix.Bench;

/// <summary>What a process's open descriptors point at, counted by kind (sockets, pipes, epoll and
/// other anonymous inodes, files by directory), so that descriptors left over after a run can be told apart.</summary>
public static class OpenDescriptors
{
    public static string Describe(int pid)
    {
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        try
        {
            foreach (string fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                string? target = new FileInfo(fd).LinkTarget;
                if (target is null)
                    continue; // closed since it was listed
                string kind = target.StartsWith('/') ? Path.GetDirectoryName(target) + "/" : target.Split('[', ':')[0];
                kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "(gone)";
        }
        return string.Join(", ", kinds.Select(k => $"{k.Key} {k.Value}"));
    }
}
