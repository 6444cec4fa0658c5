using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace RekorPosix.Log.Files;

/// <summary>
/// Runs a handful of blocking file calls at once (a batch's writes and fsyncs) on threads of its
/// own, the caller's thread taking its share. Not the thread pool: under load its queue holds
/// thousands of requests waiting to be verified, and work queued behind them held up the whole
/// batch (a 220-entry integration took 53 ms on average, its sequencer thread idle the while).
/// The caller always works too, so a call finishes even when every helper is busy elsewhere.
/// </summary>
internal static class BlockingFanOut
{
    /// <summary>Helper threads: a batch touches a few directories and up to about eight files.</summary>
    private const int Helpers = 7;

    private static readonly BlockingCollection<Job> s_jobs = new(new ConcurrentQueue<Job>());
    private static readonly Lazy<bool> s_started = new(StartHelpers);

    /// <summary>Calls <paramref name="body"/> for 0 ≤ i &lt; <paramref name="count"/>, several at once,
    /// and returns once all returned; rethrows the first exception after all ended.</summary>
    public static void For(int count, Action<int> body)
    {
        if (count <= 0)
            return;
        var job = new Job(count, body);
        if (count > 1)
        {
            _ = s_started.Value;
            for (int i = 0; i < Math.Min(count - 1, Helpers); i++)
                s_jobs.Add(job);
        }
        job.Help();
        job.Wait();
    }

    private static bool StartHelpers()
    {
        for (int i = 0; i < Helpers; i++)
            new Thread(Serve) { IsBackground = true, Name = $"file-io-{i}" }.Start();
        return true;
    }

    private static void Serve()
    {
        foreach (var job in s_jobs.GetConsumingEnumerable())
            job.Help();
    }

    private sealed class Job(int count, Action<int> body)
    {
        private readonly int _count = count;
        private int _next = -1;
        private int _unfinished = count;
        private Exception? _error;
        private readonly ManualResetEventSlim _done = new(false);

        /// <summary>Takes items until none is left; a helper arriving late finds none and leaves.</summary>
        public void Help()
        {
            int i;
            while ((i = Interlocked.Increment(ref _next)) < _count)
            {
                try
                {
                    body(i);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _error, e, null);
                }
                if (Interlocked.Decrement(ref _unfinished) == 0)
                    _done.Set();
            }
        }

        public void Wait()
        {
            // Not disposed: the last helper may still be inside Set, and no kernel handle is ever made.
            _done.Wait();
            if (_error is not null)
                ExceptionDispatchInfo.Capture(_error).Throw();
        }
    }
}
