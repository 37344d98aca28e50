using System.Net;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Service.Tests;

public sealed class RateLimitTests
{
    [Fact]
    public async Task TooManyRequestsPerKeyAre429WithRetryAfter()
    {
        using var results = new TempDirectory();
        var store = new MemoryStore();
        var (_, key) = await ApiKeys.CreateAsync(store, "busy", Role.Member, TestContext.Current.CancellationToken);
        var (_, other) = await ApiKeys.CreateAsync(store, "calm", Role.Member, TestContext.Current.CancellationToken);
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { ResultsFolder = results.Path, Workers = 0, RequestsPerMinute = 5 }, store);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await node.SendAsync(HttpMethod.Get, "/api/v1/models", key)).StatusCode);
        }

        using var refused = await node.SendAsync(HttpMethod.Get, "/api/v1/models", key);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter is not null);

        // Limits are per key: another key is unaffected.
        Assert.Equal(HttpStatusCode.OK, (await node.SendAsync(HttpMethod.Get, "/api/v1/models", other)).StatusCode);
    }

    [Fact]
    public async Task ATenantsActiveScreeningsAreCapped()
    {
        using var results = new TempDirectory();
        var store = new MemoryStore();
        var (_, key) = await ApiKeys.CreateAsync(store, "capped", Role.Member, TestContext.Current.CancellationToken);
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { ResultsFolder = results.Path, Workers = 0, MaxActivePerTenant = 2 }, store);
        const string Spec = "name: c\ncandidates: {enumerate: {elements: [Na, Cl], n_elements: [2, 2], max_coefficient: 2}}\n";
        await node.SubmitAsync(Spec, key);
        await node.SubmitAsync(Spec, key);
        using var third = await node.SendAsync(HttpMethod.Post, "/api/v1/screenings", key, Spec);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
    }

    [Fact]
    public async Task AnOversizedSpaceIs400()
    {
        using var results = new TempDirectory();
        var store = new MemoryStore();
        var (_, key) = await ApiKeys.CreateAsync(store, "big", Role.Member, TestContext.Current.CancellationToken);
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { ResultsFolder = results.Path, Workers = 0, MaxCandidates = 100 }, store);
        using var response = await node.SendAsync(HttpMethod.Post, "/api/v1/screenings", key, LocalScreening.Spec);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("limit is 100", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
