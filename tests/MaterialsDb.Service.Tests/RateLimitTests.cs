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
        await ServiceNode.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, "rate-limited");
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
        await ServiceNode.AssertProblemAsync(third, HttpStatusCode.TooManyRequests, "too-many-active-screenings");
        Assert.NotNull(third.Headers.RetryAfter);
    }

    [Fact]
    public async Task ASpaceOverTheClosedFormLimitsIs400AtOnce()
    {
        using var results = new TempDirectory();
        var store = new MemoryStore();
        var (_, key) = await ApiKeys.CreateAsync(store, "big", Role.Member, TestContext.Current.CancellationToken);
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { ResultsFolder = results.Path, Workers = 0, MaxCandidates = 100, MaxRawCompositions = 1_000 }, store);

        // Without chemical filters the closed-form count is exact.
        var alloys = "name: a\ncandidates: {enumerate: {elements: [Fe, Ni, Cr, Mo], n_elements: [2, 3], max_coefficient: 4, charge_neutral: false}}\n";
        var body = await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Post, "/api/v1/screenings", key, alloys), HttpStatusCode.BadRequest, "space-too-large");
        Assert.Contains("candidates; the limit is 100", body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // With them, the count before the filters bounds what counting could cost: 32 elements, 2 to 8, coefficients to 20
        // (the space that used to keep a core busy after the client left) is refused from its closed form.
        var huge = "name: h\ncandidates: {enumerate: {elements: [H, Li, Be, B, C, N, O, F, Na, Mg, Al, Si, P, S, Cl, K, Ca, Sc, Ti, V, Cr, Mn, Fe, Co, Ni, Cu, Zn, Ga, Ge, As, Se, Br], n_elements: [2, 8], max_coefficient: 20}}\n";
        body = await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Post, "/api/v1/screenings", key, huge), HttpStatusCode.BadRequest, "space-too-large");
        Assert.Contains("reduced compositions before the chemical filters", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await store.ListActiveAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ASpaceOverTheFilteredLimitFailsInItsPlanJob()
    {
        using var results = new TempDirectory();
        var store = new MemoryStore();
        var (_, key) = await ApiKeys.CreateAsync(store, "big", Role.Member, TestContext.Current.CancellationToken);
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { ResultsFolder = results.Path, Workers = 1, MaxCandidates = 100 }, store);
        var id = await node.SubmitAsync(LocalScreening.Spec, key);
        var status = await node.WaitAsync(id, key);
        Assert.Equal(States.Failed, status.GetProperty("state").GetString());
        Assert.Contains("space too large: more than 100 candidates", status.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
