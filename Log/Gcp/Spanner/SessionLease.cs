namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>A session of a <see cref="SessionPool"/> in use; disposing gives it back, unless
/// <see cref="Discard"/> said Spanner has dropped it.</summary>
internal sealed class SessionLease(SessionPool pool, string name) : IDisposable
{
    private bool _done;

    /// <summary><c>projects/…/databases/D/sessions/S</c>.</summary>
    public string Name { get; } = name;

    public void Discard()
    {
        if (_done)
            return;
        _done = true;
        pool.Discard(Name);
    }

    public void Dispose()
    {
        if (_done)
            return;
        _done = true;
        pool.Return(Name);
    }
}
