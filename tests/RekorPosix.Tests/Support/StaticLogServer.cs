using System.Collections.Concurrent;
using System.Net;

namespace RekorPosix.Tests.Support;

/// <summary>
/// A log directory served as plain static files over HTTP (as nginx or a CDN would: whatever is on
/// disk, no published-only rule), recording each request path. <see cref="Fault"/> may answer a
/// path with another status instead, to stand for a failing server.
/// </summary>
public sealed class StaticLogServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _root;
    private readonly Task _serving;

    public StaticLogServer(string root)
    {
        _root = root;
        int port = FreePorts.Take(1)[0];
        Url = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public string Url { get; }

    /// <summary>Every path asked for, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>A status to answer a path with instead of its file (null: serve it).</summary>
    public Func<string, int?> Fault { get; set; } = _ => null;

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            Answer(context);
        }
    }

    private void Answer(HttpListenerContext context)
    {
        string path = context.Request.Url!.AbsolutePath;
        Requests.Enqueue(path);
        using var response = context.Response;
        string file = Path.Combine(_root, path.TrimStart('/'));
        if (Fault(path) is { } status)
            response.StatusCode = status;
        else if (!path.Contains("..", StringComparison.Ordinal) && File.Exists(file))
            response.OutputStream.Write(File.ReadAllBytes(file));
        else
            response.StatusCode = 404;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _serving.Wait(HangGuard.Timeout);
    }
}
