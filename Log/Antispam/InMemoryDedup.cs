namespace RekorPosix.Log.Antispam;

/// <summary>
/// Tessera's in-memory antispam: an LRU of identities whose values are the tasks of the first add
/// of each, in flight or finished. A repeat gets that same task, so it learns the first entry's
/// index even while the first is still being integrated. When the first add fails (pushback
/// included) its identity is forgotten before the failure is seen, so a retry starts afresh.
/// </summary>
internal sealed class InMemoryDedup
{
    private readonly int _capacity;
    private readonly Lock _gate = new();
    private readonly Dictionary<IdentityKey, Node> _nodes;
    // Most recently used first; an intrusive list needs no node objects beside ours.
    private Node? _newest;
    private Node? _oldest;

    public InMemoryDedup(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _nodes = new Dictionary<IdentityKey, Node>(Math.Min(capacity, 4096));
    }

    public int Count
    {
        get { lock (_gate) return _nodes.Count; }
    }

    /// <summary>
    /// The task of the earlier add of <paramref name="key"/> with <paramref name="found"/> = true;
    /// otherwise starts <paramref name="add"/> (outside the lock) and returns a task that ends as it
    /// does, with <paramref name="found"/> = false.
    /// </summary>
    public Task<LogIndex> GetOrAdd<TState>(IdentityKey key, Func<TState, Task<LogIndex>> add, TState state, out bool found)
    {
        var done = new TaskCompletionSource<LogIndex>(TaskCreationOptions.RunContinuationsAsynchronously);
        Node node;
        lock (_gate)
        {
            if (_nodes.TryGetValue(key, out var existing))
            {
                MoveToFront(existing);
                found = true;
                return existing.Pending ?? Task.FromResult(existing.Result);
            }
            node = new Node(key) { Pending = done.Task };
            _nodes.Add(key, node);
            PushFront(node);
            if (_nodes.Count > _capacity)
                Remove(_oldest!);
        }
        found = false;
        Task<LogIndex> first;
        try
        {
            first = add(state);
        }
        catch (Exception e)
        {
            first = Task.FromException<LogIndex>(e);
        }
        _ = Forward(node, first, done);
        return done.Task;
    }

    private async Task Forward(Node node, Task<LogIndex> first, TaskCompletionSource<LogIndex> done)
    {
        try
        {
            var result = await first.ConfigureAwait(false);
            // Keep the answer, not the task: a finished task costs as much again as its node.
            lock (_gate)
            {
                node.Result = result;
                node.Pending = null;
            }
            done.SetResult(result);
        }
        catch (Exception e)
        {
            // Forget first, so whoever sees the failure and retries is not handed it again.
            lock (_gate)
            {
                if (_nodes.TryGetValue(node.Key, out var current) && current == node)
                    Remove(node);
            }
            if (e is OperationCanceledException cancelled)
                done.SetCanceled(cancelled.CancellationToken);
            else
                done.SetException(e);
        }
    }

    private void PushFront(Node node)
    {
        node.Older = _newest;
        node.Newer = null;
        if (_newest is not null)
            _newest.Newer = node;
        _newest = node;
        _oldest ??= node;
    }

    private void Unlink(Node node)
    {
        if (node.Newer is not null)
            node.Newer.Older = node.Older;
        else
            _newest = node.Older;
        if (node.Older is not null)
            node.Older.Newer = node.Newer;
        else
            _oldest = node.Newer;
        node.Newer = node.Older = null;
    }

    private void MoveToFront(Node node)
    {
        if (node == _newest)
            return;
        Unlink(node);
        PushFront(node);
    }

    private void Remove(Node node)
    {
        _nodes.Remove(node.Key);
        Unlink(node);
    }

    private sealed class Node(IdentityKey key)
    {
        public IdentityKey Key { get; } = key;
        /// <summary>The first add while it runs; null once it succeeded.</summary>
        public Task<LogIndex>? Pending { get; set; }
        public LogIndex Result { get; set; }
        public Node? Newer { get; set; }
        public Node? Older { get; set; }
    }
}
