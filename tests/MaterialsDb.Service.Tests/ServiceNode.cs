using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MaterialsDb.Models.Packages;
using MaterialsDb.Service;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;
using Microsoft.AspNetCore.Builder;

namespace MaterialsDb.Service.Tests;

/// <summary>A real API node on a free loopback port, with an HTTP client.</summary>
public sealed class ServiceNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServiceNode(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public IServiceStore Store => (IServiceStore)_app.Services.GetService(typeof(IServiceStore))!;

    /// <summary>The node's results folder.</summary>
    public string Results => ((ServiceOptions)_app.Services.GetService(typeof(ServiceOptions))!).ResultsFolder;

    /// <summary>The node's services (the sweeper, Hangfire's storage).</summary>
    public IServiceProvider Services => _app.Services;

    public static ModelRegistry Registry => new(Path.Combine(SharedFiles.RepositoryRoot, "models"));

    public static async Task<ServiceNode> StartAsync(ServiceOptions options, IServiceStore? store = null)
    {
        var app = ServiceHost.BuildServer(options with { Urls = "http://127.0.0.1:0" }, SharedFiles.MirrorStore(), Registry, store);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new ServiceNode(app, new Uri(app.Urls.First()));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string? key, string? body = null, string contentType = "application/yaml")
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, contentType);
        }

        return request;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, string? body = null, string contentType = "application/yaml") =>
        await Http.SendAsync(Request(method, path, key, body, contentType), TestContext.Current.CancellationToken);

    /// <summary>Submits a spec; returns its id.</summary>
    public async Task<Guid> SubmitAsync(string spec, string key, string contentType = "application/yaml")
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/v1/screenings", key, spec, contentType);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, body);
        Assert.NotNull(response.Headers.Location);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    /// <summary>The response body as JSON.</summary>
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

    /// <summary>Asserts an RFC 9457 problem of the given status and type slug; returns its body.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, System.Net.HttpStatusCode status, string slug)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal("/api/v1/problems/" + slug, body.GetProperty("type").GetString());
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("detail").GetString()));
        return body;
    }

    /// <summary>Polls until the screening is in a final state (or the timeout passes, or <paramref name="giveUp"/> says so); returns its status document.</summary>
    public async Task<JsonElement> WaitAsync(Guid id, string key, TimeSpan? timeout = null, Func<bool>? giveUp = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (true)
        {
            var status = await Http.SendAsync(Request(HttpMethod.Get, $"/api/v1/screenings/{id}", key), TestContext.Current.CancellationToken);
            var doc = (await status.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("summary");
            if (States.IsFinal(doc.GetProperty("state").GetString()!) || DateTime.UtcNow > deadline || giveUp?.Invoke() == true)
            {
                return doc;
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }
}
