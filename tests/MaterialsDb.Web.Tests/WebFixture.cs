using System.Net.Http.Json;
using System.Text.Json;
using MaterialsDb.Models.Packages;
using MaterialsDb.Service;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace MaterialsDb.Web.Tests;

/// <summary>
/// A real API node (embedded mode) on a loopback port with keys for two tenants and an admin, and headless Chromium
/// (Debian's <c>chromium</c>, driven by Playwright). Screenshots of key steps go to <see cref="Screenshots"/>.
/// </summary>
public sealed class WebFixture : IAsyncLifetime
{
    private readonly TempDirectory _results = new();
    private WebApplication? _app;
    private IPlaywright? _playwright;

    public Uri Address { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public IServiceStore Store { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string Acme { get; private set; } = null!;

    public string Other { get; private set; } = null!;

    public string Admin { get; private set; } = null!;

    /// <summary>Where screenshots go: MATERIALSDB_SCREENSHOTS (CI keeps it), else TestResults/screenshots.</summary>
    public static string Screenshots { get; } = Environment.GetEnvironmentVariable("MATERIALSDB_SCREENSHOTS") is { Length: > 0 } s ? s : Path.Combine(SharedFiles.RepositoryRoot, "TestResults", "screenshots");

    /// <summary>The browser: MATERIALSDB_CHROMIUM, else Debian's.</summary>
    public static string ChromiumPath { get; } = Environment.GetEnvironmentVariable("MATERIALSDB_CHROMIUM") is { Length: > 0 } c ? c : "/usr/bin/chromium";

    public async ValueTask InitializeAsync()
    {
        var store = new MemoryStore();
        Store = store;
        Acme = (await ApiKeys.CreateAsync(store, "acme", Role.Member)).Key;
        Other = (await ApiKeys.CreateAsync(store, "other", Role.Member)).Key;
        Admin = (await ApiKeys.CreateAsync(store, "root", Role.Admin)).Key;
        _app = await StartNodeAsync(new ServiceOptions { ResultsFolder = _results.Path, Workers = 2 }, store);
        Address = new Uri(_app.Urls.First());
        Http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        Directory.CreateDirectory(Screenshots);
        if (!File.Exists(ChromiumPath))
        {
            // CI installs it (.ci/run); elsewhere the browser tests say what is missing.
            return;
        }

        // Generous: CI machines are slow and busy (Plotly alone is 4.8 MB of script to parse); a wait ends as soon as its condition holds.
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox"] });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        _results.Dispose();
    }

    /// <summary>An API node on a free loopback port.</summary>
    public static async Task<WebApplication> StartNodeAsync(ServiceOptions options, IServiceStore store)
    {
        var app = ServiceHost.BuildServer(options with { Urls = "http://127.0.0.1:0" }, SharedFiles.MirrorStore(), new ModelRegistry(Path.Combine(SharedFiles.RepositoryRoot, "models")), store);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    /// <summary>A fresh browser context (its own cookies) at 1280 px, accepting downloads; fails where no browser is installed.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280)
    {
        if (Browser is null)
        {
            Assert.Fail($"no browser at {ChromiumPath}: install Debian's chromium (apt-get install -y chromium) or set MATERIALSDB_CHROMIUM");
        }

        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Address.ToString(), AcceptDownloads = true, ViewportSize = new ViewportSize { Width = width, Height = 900 } });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();

        // Anything the pages log as an error fails the test that saw it (see AssertNoConsoleErrors).
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                errors.Add($"{m.Text} ({m.Location})");
            }
        };
        page.PageError += (_, e) => errors.Add(e);
        ConsoleErrors[page] = errors;
        return page;
    }

    public Dictionary<IPage, List<string>> ConsoleErrors { get; } = [];

    /// <summary>Signs in through the sign-in form.</summary>
    public static async Task SignInAsync(IPage page, string key, string returnUrl = "/")
    {
        await page.GotoAsync("/signin?return_url=" + Uri.EscapeDataString(returnUrl));
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = false });

    /// <summary>An API call with a key, as a script would make it.</summary>
    public async Task<HttpResponseMessage> GetAsync(string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(ApiKeys.Header, key);
        return await Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public async Task<JsonElement> GetJsonAsync(string path, string key)
    {
        using var response = await GetAsync(path, key);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Submits a spec through the API and waits until it is final; returns its id.</summary>
    public async Task<Guid> ScreenAsync(string spec, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/screenings") { Content = new StringContent(spec, System.Text.Encoding.UTF8, "application/yaml") };
        request.Headers.Add(ApiKeys.Header, key);
        using var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        var id = body.GetProperty("id").GetGuid();
        for (var i = 0; i < 600; i++)
        {
            var state = (await GetJsonAsync($"/api/v1/screenings/{id}", key)).GetProperty("summary").GetProperty("state").GetString();
            if (state is "Succeeded" or "Failed" or "Cancelled")
            {
                Assert.Equal("Succeeded", state);
                return id;
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"screening {id} did not finish");
    }
}
