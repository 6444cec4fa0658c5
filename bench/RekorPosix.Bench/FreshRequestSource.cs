using System.Security.Cryptography;
using System.Threading.Channels;

namespace RekorPosix.Bench;

/// <summary>
/// An endless supply of unique, validly signed fulcio-style requests for long runs, which need far
/// more than can be prepared up front (each prepared one costs a key and a certificate). A pool of
/// identities is split among background producers; every request signs a fresh random artifact
/// with one of them, so no two are duplicates, and an identity is re-issued before its certificate
/// expires. The producers fill a bounded channel ahead of the consumer.
/// </summary>
public sealed class FreshRequestSource : IAsyncDisposable
{
    private readonly Channel<byte[]> _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _producers;
    private readonly ECDsa _issuer = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public FreshRequestSource(int poolSize, int producers, int capacity)
    {
        _channel = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        Capacity = capacity;
        // Each producer owns its own slice of the pool, so no identity is ever shared between threads.
        int perProducer = Math.Max(1, poolSize / producers);
        _producers = Enumerable.Range(0, producers).Select(_ => Task.Run(() => ProduceAsync(perProducer, _stop.Token))).ToArray();
    }

    public ChannelReader<byte[]> Requests => _channel.Reader;

    public int Capacity { get; }

    /// <summary>Waits until the channel is full, so that a run starts with requests in hand.</summary>
    public async Task FilledAsync()
    {
        while (_channel.Reader.Count < Capacity)
        {
            if (_producers.FirstOrDefault(p => p.IsFaulted) is { } failed)
                await failed.ConfigureAwait(false); // rethrows what stopped it
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private async Task ProduceAsync(int poolSize, CancellationToken stop)
    {
        var pool = new FulcioIdentity[poolSize];
        try
        {
            for (int i = 0; i < poolSize; i++)
                pool[i] = FulcioIdentity.Issue(_issuer);
            var renewBefore = TimeSpan.FromMinutes(1);
            while (!stop.IsCancellationRequested)
            {
                int slot = Random.Shared.Next(poolSize);
                if (pool[slot].NotAfter - DateTimeOffset.UtcNow < renewBefore)
                {
                    pool[slot].Dispose();
                    pool[slot] = FulcioIdentity.Issue(_issuer);
                }
                await _channel.Writer.WriteAsync(pool[slot].SignedRequest(RandomNumberGenerator.GetBytes(32)), stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var identity in pool)
                identity?.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_producers).ConfigureAwait(false);
        _stop.Dispose();
        _issuer.Dispose();
    }
}
