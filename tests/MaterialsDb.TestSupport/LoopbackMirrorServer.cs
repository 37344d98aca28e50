using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace MaterialsDb.TestSupport;

/// <summary>
/// A real HTTP server on 127.0.0.1 that serves a mirror folder, with switches to corrupt a byte, drop the
/// connection half-way or answer an error, so that the downloader meets each failure for real.
/// </summary>
public sealed class LoopbackMirrorServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _root;
    private readonly Task _loop;
    private readonly ConcurrentDictionary<string, int> _requests = new();

    public LoopbackMirrorServer(string root)
    {
        _root = root;
        // HttpListener cannot bind port 0; take a free port from the OS first.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUrl = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(BaseUrl);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string BaseUrl { get; }

    /// <summary>Flip one byte of every response body.</summary>
    public bool CorruptByte { get; set; }

    /// <summary>Send half the body, then abort the connection, for this many requests.</summary>
    public int DropConnections { get; set; }

    /// <summary>Answer this status code instead of the file, when set.</summary>
    public HttpStatusCode? FailWith { get; set; }

    /// <summary>Delay before the body, to make concurrent requests overlap.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Requests seen for a path (after the base URL).</summary>
    public int RequestsFor(string relativePath) => _requests.GetValueOrDefault(relativePath);

    public int TotalRequests => _requests.Values.Sum();

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (HttpListenerException)
        {
            // Stopping the listener ends the loop this way.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var relative = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath).TrimStart('/');
        _requests.AddOrUpdate(relative, 1, (_, n) => n + 1);
        var response = context.Response;
        try
        {
            if (FailWith is { } status)
            {
                response.StatusCode = (int)status;
                response.Close();
                return;
            }

            var path = Path.Combine(_root, relative);
            if (!File.Exists(path))
            {
                response.StatusCode = 404;
                response.Close();
                return;
            }

            var body = await File.ReadAllBytesAsync(path).ConfigureAwait(false);
            if (CorruptByte)
            {
                body[body.Length / 2] ^= 0x5A;
            }

            await Task.Delay(Delay).ConfigureAwait(false);
            response.ContentLength64 = body.Length;
            if (DropConnections > 0)
            {
                DropConnections--;
                await response.OutputStream.WriteAsync(body.AsMemory(0, body.Length / 2)).ConfigureAwait(false);
                await response.OutputStream.FlushAsync().ConfigureAwait(false);
                response.Abort();
                return;
            }

            await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away; nothing to serve.
        }
    }
}
