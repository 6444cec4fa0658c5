namespace RekorPosix.Log.Witnessing;

/// <summary>Witness sizes kept for the process's life only (tests, and a log with no state of its own).</summary>
public sealed class MemoryWitnessSizes : IWitnessSizes
{
    private IReadOnlyDictionary<string, long> _sizes = new Dictionary<string, long>();

    public int Saves { get; private set; }

    public Task<IReadOnlyDictionary<string, long>> LoadAsync(CancellationToken cancel) => Task.FromResult(_sizes);

    public Task SaveAsync(IReadOnlyDictionary<string, long> sizes, CancellationToken cancel)
    {
        _sizes = new Dictionary<string, long>(sizes);
        Saves++;
        return Task.CompletedTask;
    }
}
