using RekorPosix.Log.Gcp.Auth;
using RekorPosix.Log.Gcp.Spanner;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Gcp.Auth;

/// <summary>Caching until shortly before expiry, one refresh at a time, a fresh token after a 401,
/// and failures not remembered.</summary>
public sealed class CachedTokenSourceTests
{
    private readonly ManualClock _clock = new(DateTimeOffset.FromUnixTimeSeconds(1796558400));

    /// <summary>token-1, token-2, … each living <see cref="Lifetime"/>; a fetch waits for <see cref="Gate"/>
    /// when one is set, and throws once when <see cref="FailNext"/> is.</summary>
    private sealed class ScriptedFlow : ITokenFlow
    {
        public int Fetches;
        public TimeSpan Lifetime = TimeSpan.FromHours(1);
        public TaskCompletionSource? Gate;
        public bool FailNext;

        public string Source => "a scripted flow";

        public async Task<AccessToken> FetchAsync(CancellationToken cancel)
        {
            int n = Interlocked.Increment(ref Fetches);
            if (Gate is { } gate)
                await gate.Task.WaitAsync(cancel);
            if (FailNext)
            {
                FailNext = false;
                throw new CredentialsException("scripted failure", isTransient: true);
            }
            return new AccessToken($"token-{n}", Lifetime);
        }
    }

    private CachedTokenSource Source(ScriptedFlow flow) => new(flow, _clock, new AuthSettings { RefreshMargin = TimeSpan.FromMinutes(5) });

    [Fact]
    public async Task AToken_IsKeptUntilTheMarginBeforeExpiry_ThenReplaced()
    {
        var flow = new ScriptedFlow();
        using var source = Source(flow);

        Assert.Equal("token-1", await source.GetAccessTokenAsync(CancellationToken.None));
        _clock.Advance(TimeSpan.FromMinutes(54));
        Assert.Equal("token-1", await source.GetAccessTokenAsync(CancellationToken.None));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("token-2", await source.GetAccessTokenAsync(CancellationToken.None));
        Assert.Equal(2, flow.Fetches);
    }

    [Fact]
    public async Task AShortLivedToken_IsReplacedHalfwayThroughItsLife()
    {
        var flow = new ScriptedFlow { Lifetime = TimeSpan.FromMinutes(4) };
        using var source = Source(flow);

        Assert.Equal("token-1", await source.GetAccessTokenAsync(CancellationToken.None));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("token-1", await source.GetAccessTokenAsync(CancellationToken.None));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("token-2", await source.GetAccessTokenAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ConcurrentCallers_ShareOneFetch()
    {
        var flow = new ScriptedFlow { Gate = new TaskCompletionSource() };
        using var source = Source(flow);

        var callers = Enumerable.Range(0, 8).Select(_ => source.GetAccessTokenAsync(CancellationToken.None).AsTask()).ToList();
        await Eventually.True(() => flow.Fetches == 1, "the first caller fetches");
        flow.Gate.SetResult();

        Assert.All(await Task.WhenAll(callers), token => Assert.Equal("token-1", token));
        Assert.Equal(1, flow.Fetches);
    }

    [Fact]
    public async Task ARejectedToken_IsReplacedOnce_NotAgainForASecondCallerRejectingIt()
    {
        var flow = new ScriptedFlow();
        using var source = Source(flow);
        IAccessTokenSource tokens = source;

        string first = await tokens.GetAccessTokenAsync(CancellationToken.None);
        Assert.Equal("token-2", await tokens.GetFreshAccessTokenAsync(first, CancellationToken.None));
        Assert.Equal("token-2", await tokens.GetFreshAccessTokenAsync(first, CancellationToken.None));
        Assert.Equal("token-2", await tokens.GetAccessTokenAsync(CancellationToken.None));
        Assert.Equal(2, flow.Fetches);
    }

    [Fact]
    public async Task AFailedFetch_IsNotRemembered()
    {
        var flow = new ScriptedFlow { FailNext = true };
        using var source = Source(flow);

        var failure = await Assert.ThrowsAsync<CredentialsException>(() => source.GetAccessTokenAsync(CancellationToken.None).AsTask());
        Assert.Equal("scripted failure", failure.Message);
        Assert.Equal("token-2", await source.GetAccessTokenAsync(CancellationToken.None));
    }
}
