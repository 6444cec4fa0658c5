namespace RekorPosix.Tests.Support;

/// <summary>The base of the token tests: a fake token endpoint and metadata server, a directory for
/// credential files, and an HTTP client, all made fresh for each test.</summary>
public abstract class FakeTokenServerTest : IAsyncLifetime
{
    protected TempDir Dir { get; } = new();

    protected HttpClient Http { get; } = new();

    protected FakeTokenServer Server { get; private set; } = null!;

    public virtual async Task InitializeAsync() => Server = await FakeTokenServer.StartAsync();

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Http.Dispose();
        Dir.Dispose();
    }
}
