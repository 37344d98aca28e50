using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Service.Tests;

/// <summary>Authentication as an attacker and a browser would meet it: path spellings, junk keys, sessions, the dashboard.</summary>
public sealed partial class AuthTests : IAsyncLifetime
{
    private readonly TempDirectory _results = new();
    private CountingStore _store = null!;
    private ServiceNode _node = null!;
    private string _member = null!;
    private string _admin = null!;
    private ApiKeyRecord _memberRecord = null!;

    public async ValueTask InitializeAsync()
    {
        _store = new CountingStore(new MemoryStore());
        (_memberRecord, _member) = await ApiKeys.CreateAsync(_store, "acme", Role.Member);
        _admin = (await ApiKeys.CreateAsync(_store, "root", Role.Admin)).Key;
        _node = await ServiceNode.StartAsync(new ServiceOptions { ResultsFolder = _results.Path, Workers = 0, RequestsPerMinute = 100, FailedKeyLookupsPerMinute = 10 }, _store);
    }

    public async ValueTask DisposeAsync()
    {
        await _node.DisposeAsync();
        _results.Dispose();
    }

    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "/api/v1/models" },
        { "GET", "/api/v1/datasets" },
        { "POST", "/api/v1/materials" },
        { "POST", "/api/v1/predict" },
        { "GET", "/api/v1/screenings" },
        { "POST", "/api/v1/screenings" },
        { "GET", "/api/v1/workers" },
        { "GET", "/api/v1/session" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task NoSpellingOfAProtectedPathGetsPastAuthentication(string method, string route)
    {
        // The hand-written check compared path prefixes, so /API/v1/... answered 200 without a key.
        var (path, query) = route.Contains('?', StringComparison.Ordinal) ? (route[..route.IndexOf('?', StringComparison.Ordinal)], route[route.IndexOf('?', StringComparison.Ordinal)..]) : (route, string.Empty);
        string[] spellings = [path, path.ToUpperInvariant(), "/Api/V1" + path[7..], "/" + path, path.Replace("/v1/", "/v1//", StringComparison.Ordinal), path.Replace("/v1/", "/v1%2F", StringComparison.Ordinal), path + "/.", path + "/", path.Replace("/api/", "/api/./", StringComparison.Ordinal)];
        foreach (var spelling in spellings)
        {
            var body = method == "POST" ? (path.EndsWith("predict", StringComparison.Ordinal) ? """{"model": "formation-energy", "formulas": ["NaCl"]}""" : LocalScreening.Spec) : null;
            // Sent exactly as spelled: no client-side normalisation of "//", "%2F" or "/.".
            var uri = new Uri(_node.Address.GetLeftPart(UriPartial.Authority) + spelling + query, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
            using var request = new HttpRequestMessage(new HttpMethod(method), uri);
            if (body is not null)
            {
                request.Content = new StringContent(body, System.Text.Encoding.UTF8, path.EndsWith("predict", StringComparison.Ordinal) ? "application/json" : "application/yaml");
            }

            using var response = await _node.Http.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.NotFound, $"{method} {spelling}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        // Nothing was submitted by any of them.
        Assert.Empty(await _store.ListActiveAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task JunkKeysShareTheirClientsBudgetAndCostFewLookups()
    {
        // Each random key used to get a fresh rate-limit bucket and a store lookup.
        var before = _store.Lookups;
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 300; i++)
        {
            var junk = "mdb_" + new string('A', 30) + i.ToString("D13", System.Globalization.CultureInfo.InvariantCulture);
            using var response = await _node.SendAsync(HttpMethod.Get, "/api/v1/models", junk);
            statuses.Add(response.StatusCode);
        }

        Assert.True(statuses.Count(s => s == HttpStatusCode.TooManyRequests) >= 190, string.Join(",", statuses.GroupBy(s => s).Select(g => $"{g.Key}:{g.Count()}")));
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests));
        Assert.True(_store.Lookups - before <= 10, $"{_store.Lookups - before} store lookups for 300 junk keys");

        // Malformed keys cost no lookup at all.
        before = _store.Lookups;
        await _node.SendAsync(HttpMethod.Get, "/api/v1/models", "' OR 1=1 --");
        Assert.Equal(before, _store.Lookups);
    }

    [Fact]
    public async Task ASessionCookieStandsInForTheKeyAndGuardsAgainstForgery()
    {
        using var browser = Browser();
        using var signIn = await browser.PostAsJsonAsync("/api/v1/session", new { api_key = _member }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(AuthSetup.SessionCookie + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        var session = await ServiceNode.JsonAsync(signIn);
        Assert.Equal("acme", session.GetProperty("tenant").GetString());
        Assert.Equal("member", session.GetProperty("role").GetString());
        var csrf = session.GetProperty("csrf_token").GetString()!;

        // Reads need only the cookie; writes also the anti-forgery token.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/screenings", TestContext.Current.CancellationToken)).StatusCode);
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/api/v1/screenings") { Content = new StringContent(LocalScreening.Spec, System.Text.Encoding.UTF8, "application/yaml") };
        await ServiceNode.AssertProblemAsync(await browser.SendAsync(forged, TestContext.Current.CancellationToken), HttpStatusCode.BadRequest, "csrf-failed");
        using var genuine = new HttpRequestMessage(HttpMethod.Post, "/api/v1/screenings") { Content = new StringContent(LocalScreening.Spec, System.Text.Encoding.UTF8, "application/yaml") };
        genuine.Headers.Add("X-CSRF-TOKEN", csrf);
        Assert.Equal(HttpStatusCode.Accepted, (await browser.SendAsync(genuine, TestContext.Current.CancellationToken)).StatusCode);

        // Signing out ends it.
        using var signOut = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/session");
        signOut.Headers.Add("X-CSRF-TOKEN", csrf);
        Assert.Equal(HttpStatusCode.NoContent, (await browser.SendAsync(signOut, TestContext.Current.CancellationToken)).StatusCode);
        await ServiceNode.AssertProblemAsync(await browser.GetAsync("/api/v1/screenings", TestContext.Current.CancellationToken), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task ARevokedKeyEndsItsSessions()
    {
        var (record, key) = await ApiKeys.CreateAsync(_store, "acme", Role.Member, TestContext.Current.CancellationToken);
        using var browser = Browser();
        Assert.Equal(HttpStatusCode.OK, (await browser.PostAsJsonAsync("/api/v1/session", new { api_key = key }, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/models", TestContext.Current.CancellationToken)).StatusCode);
        Assert.True(await _store.RevokeKeyAsync(record.Id.ToString(), TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/models", TestContext.Current.CancellationToken)).StatusCode);
        await ServiceNode.AssertProblemAsync(await browser.PostAsJsonAsync("/api/v1/session", new { api_key = key }, TestContext.Current.CancellationToken), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task TheDashboardSignsInWithAFormAndItsAssetsLoadWithoutAKeyInAnyUrl()
    {
        using var browser = Browser();

        // Anonymous: sent to the sign-in page, which comes back here.
        using var anonymous = await browser.GetAsync("/hangfire", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/signin?return_url=%2Fhangfire", anonymous.Headers.Location!.OriginalString.Replace(_node.Address.ToString().TrimEnd('/'), string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);

        // A key in the URL is not a credential any more.
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/hangfire?key=" + _admin, TestContext.Current.CancellationToken)).StatusCode);

        // The form: a wrong key is refused, the admin's key signs in and returns to the dashboard.
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostSignInAsync(browser, "mdb_" + new string('x', 43))).StatusCode);
        using var signedIn = await PostSignInAsync(browser, _admin);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/hangfire", signedIn.Headers.Location!.OriginalString);

        using var dashboard = await browser.GetAsync("/hangfire", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        var html = await dashboard.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var assets = AssetLink().Matches(html).Select(m => m.Groups[1].Value).Distinct().ToArray();
        Assert.NotEmpty(assets);
        foreach (var asset in assets)
        {
            using var response = await browser.GetAsync(WebUtility.HtmlDecode(asset), TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {(int)response.StatusCode}");
        }

        Assert.DoesNotContain("key=", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignInNeverRedirectsOffSite()
    {
        using var browser = Browser();
        foreach (var target in new[] { "https://evil.example/", "//evil.example/x", "/\\evil.example" })
        {
            var page = await (await browser.GetAsync("/signin?return_url=" + Uri.EscapeDataString(target), TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.Contains("name=\"return_url\" value=\"/\"", page, StringComparison.Ordinal);
        }
    }

    private HttpClient Browser() => new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = _node.Address };

    private static async Task<HttpResponseMessage> PostSignInAsync(HttpClient browser, string key)
    {
        var form = await (await browser.GetAsync("/signin?return_url=%2Fhangfire", TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var token = HiddenField().Matches(form).Select(m => (m.Groups[1].Value, WebUtility.HtmlDecode(m.Groups[2].Value))).ToDictionary(x => x.Item1, x => x.Item2);
        token["api_key"] = key;
        return await browser.PostAsync("/signin", new FormUrlEncodedContent(token), TestContext.Current.CancellationToken);
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">")]
    private static partial Regex HiddenField();

    [GeneratedRegex("(?:href|src)=\"(/hangfire/[^\"]+)\"")]
    private static partial Regex AssetLink();

    // Counts the key lookups that reach the store.
    private sealed class CountingStore(IServiceStore inner) : DelegatingStore(inner)
    {
        private long _lookups;

        public long Lookups => Interlocked.Read(ref _lookups);

        public override Task<ApiKeyRecord?> FindKeyAsync(string sha256, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _lookups);
            return base.FindKeyAsync(sha256, cancellationToken);
        }
    }
}
