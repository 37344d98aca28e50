using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Service.Tests;

/// <summary>
/// Design campaigns through real HTTP in both modes: rounds as jobs, results reported as CSV, batches downloaded,
/// tenants isolated, bad requests answered with the right problem.
/// </summary>
public sealed class CampaignServiceTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Spec = """
        name: steel-service
        seed: 4
        space:
          continuous:
            basis: weight
            unit: percent
            balance: Fe
            elements: {Ni: [0, 20], Co: [0, 15], Mo: [0, 6], Ti: [0, 2]}
            step: 0.01
        objectives: [{property: yield_strength, goal: max, units: MPa}]
        observations: {csv: first.csv}
        surrogate: {members: 4, trees: 30, featurizer: fractions}
        acquisition: {function: ei, batch: 4}
        """;

    public static TheoryData<string> Modes => ["embedded", "postgres"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Thirty alloys of Fe–Ni–Co with a strength that rises with Ni and Co: the first observations, uploaded.
    private static byte[] FirstObservations()
    {
        var lines = new List<string> { "formula,yield_strength" };
        for (var i = 0; i < 30; i++)
        {
            var (ni, co) = (0.01 * (i % 6) * 3, 0.01 * (i / 6) * 2);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"Fe{1 - ni - co:0.##}Ni{ni + 0.01:0.##}Co{co + 0.01:0.##},{800 + (3000 * ni) + (4000 * co)}"));
        }

        return Encoding.UTF8.GetBytes(string.Join('\n', lines));
    }

    private static async Task<HttpResponseMessage> StartAsync(ServiceNode node, string key, string spec, byte[]? upload)
    {
        using var content = new MultipartFormDataContent { { new StringContent(spec, Encoding.UTF8, "application/yaml"), "spec" } };
        if (upload is not null)
        {
            content.Add(new ByteArrayContent(upload), "file", "first.csv");
        }

        using var request = node.Request(HttpMethod.Post, "/api/v1/campaigns", key);
        request.Content = content;
        return await node.Http.SendAsync(request, Ct);
    }

    private static async Task<JsonElement> WaitAsync(ServiceNode node, Guid id, string key)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var doc = await ServiceNode.JsonAsync(await node.SendAsync(HttpMethod.Get, $"/api/v1/campaigns/{id}", key));
            var state = doc.GetProperty("campaign").GetProperty("state").GetString();
            if (state is "ready" or "failed" || DateTime.UtcNow > deadline)
            {
                return doc;
            }

            await Task.Delay(200, Ct);
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ACampaignRunsAsJobsAndIsIsolatedByTenant(string mode)
    {
        using var results = new TempDirectory();
        var (store, options) = await postgres.ModeAsync(mode, results.Path);
        var (_, acme) = await ApiKeys.CreateAsync(store, "acme", Role.Member, Ct);
        var (_, beta) = await ApiKeys.CreateAsync(store, "beta", Role.Member, Ct);
        await using var node = await ServiceNode.StartAsync(options with { Workers = 2 }, store);

        using var started = await StartAsync(node, acme, Spec, FirstObservations());
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await ServiceNode.JsonAsync(started)).GetProperty("id").GetGuid();
        var detail = await WaitAsync(node, id, acme);
        Assert.Equal("ready", detail.GetProperty("campaign").GetProperty("state").GetString());
        Assert.Equal(1, detail.GetProperty("rounds").GetArrayLength());

        var round = await ServiceNode.JsonAsync(await node.SendAsync(HttpMethod.Get, $"/api/v1/campaigns/{id}/rounds/1", acme));
        var proposals = round.GetProperty("proposals").EnumerateArray().ToList();
        Assert.Equal(4, proposals.Count);
        Assert.Equal(30, round.GetProperty("observations").GetInt32());
        Assert.All(proposals, p => Assert.True(p.GetProperty("std").GetProperty("yield_strength").GetDouble() > 0));
        var csv = await (await node.SendAsync(HttpMethod.Get, $"/api/v1/campaigns/{id}/rounds/1/batch?format=csv", acme)).Content.ReadAsStringAsync(Ct);
        Assert.StartsWith("rank,formula,weight_percent_Ni,", csv, StringComparison.Ordinal);
        var parquet = await LocalScreening.ReadParquetAsync(await (await node.SendAsync(HttpMethod.Get, $"/api/v1/campaigns/{id}/rounds/1/batch", acme)).Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(4, parquet.RowCount);

        // Results for two proposals.
        var body = "formula,yield_strength\n" + string.Join('\n', proposals.Take(2).Select(p => $"{p.GetProperty("formula").GetString()},1500"));
        using (var reported = await node.SendAsync(HttpMethod.Post, $"/api/v1/campaigns/{id}/results", acme, body, "text/csv"))
        {
            Assert.Equal(HttpStatusCode.OK, reported.StatusCode);
            var summary = await ServiceNode.JsonAsync(reported);
            Assert.Equal((2, 2), (summary.GetProperty("added").GetInt32(), summary.GetProperty("matched").GetInt32()));
        }

        await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Post, $"/api/v1/campaigns/{id}/results", acme, body, "text/csv"), HttpStatusCode.Conflict, "conflict");
        var bad = await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Post, $"/api/v1/campaigns/{id}/results", acme, "formula,yield_strength\nFe,NaN\n", "text/csv"), HttpStatusCode.BadRequest, "invalid-request");
        Assert.Contains("row 1: yield_strength 'NaN' is not a number", bad.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(results.Path, bad.ToString(), StringComparison.Ordinal);
        await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Post, $"/api/v1/campaigns/{id}/results", acme, body, "application/json"), HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");

        using (var next = await node.SendAsync(HttpMethod.Post, $"/api/v1/campaigns/{id}/next", acme))
        {
            Assert.Equal(HttpStatusCode.Accepted, next.StatusCode);
            Assert.Equal(2, (await ServiceNode.JsonAsync(next)).GetProperty("round").GetInt32());
        }

        detail = await WaitAsync(node, id, acme);
        Assert.Equal("ready", detail.GetProperty("campaign").GetProperty("state").GetString());
        Assert.Equal(2, detail.GetProperty("rounds").GetArrayLength());
        Assert.Equal(3, detail.GetProperty("history").GetArrayLength());
        Assert.Equal(32, detail.GetProperty("rounds")[1].GetProperty("observations").GetInt32());
        var second = await ServiceNode.JsonAsync(await node.SendAsync(HttpMethod.Get, $"/api/v1/campaigns/{id}/rounds/2", acme));
        var first = proposals.Select(p => p.GetProperty("formula").GetString()).ToHashSet();
        Assert.All(second.GetProperty("proposals").EnumerateArray(), p => Assert.DoesNotContain(p.GetProperty("formula").GetString(), first));

        // The two results go into the shared materials database as the tenant's entries, once.
        var contribute = $"/api/v1/campaigns/{id}/contributions";
        await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Post, contribute, beta, """{"scheme": "experiment", "licence": "CC-BY-4.0"}""", "application/json"), HttpStatusCode.NotFound, "not-found");
        var publish = await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Post, contribute, acme, """{"scheme": "experiment", "licence": "CC-BY-4.0", "visibility": "public"}""", "application/json"), HttpStatusCode.BadRequest, "invalid-contribution");
        Assert.Contains("visibility", publish.ToString(), StringComparison.Ordinal);
        var dft = await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Post, contribute, acme, """{"scheme": "mp2020", "licence": "CC-BY-4.0"}""", "application/json"), HttpStatusCode.BadRequest, "invalid-contribution");
        Assert.Contains("observation 31 (", dft.ToString(), StringComparison.Ordinal);
        await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Post, contribute, acme, "scheme=experiment", "text/plain"), HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        string[] ids;
        using (var contributed = await node.SendAsync(HttpMethod.Post, contribute, acme, """{"scheme": "experiment", "licence": "CC-BY-4.0", "visibility": "cluster", "reference": "doi:10.0/lab"}""", "application/json"))
        {
            Assert.Equal(HttpStatusCode.Created, contributed.StatusCode);
            ids = [.. (await ServiceNode.JsonAsync(contributed)).GetProperty("ids").EnumerateArray().Select(i => i.GetString()!)];
        }

        Assert.Equal(2, ids.Length);
        var entry = await ServiceNode.JsonAsync(await node.SendAsync(HttpMethod.Get, $"/api/v1/materials/{ids[0]}", beta));
        Assert.Equal(1500, entry.GetProperty("properties").GetProperty("yield_strength").GetProperty("value").GetDouble());
        Assert.Equal("MPa", entry.GetProperty("properties").GetProperty("yield_strength").GetProperty("unit").GetString());
        Assert.Equal(("acme", "experiment"), (entry.GetProperty("owner").GetString(), entry.GetProperty("scheme").GetString()));
        Assert.Equal("steel-service", entry.GetProperty("method").GetProperty("settings").GetProperty("campaign").GetString());
        await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Post, contribute, acme, """{"scheme": "experiment", "licence": "CC-BY-4.0"}""", "application/json"), HttpStatusCode.Conflict, "conflict");

        // Another tenant's campaign starts from them and one measurement of its own (a JSON contribution with no
        // formation energy): its job reads the shared database in that tenant's view.
        using (var own = await node.SendAsync(HttpMethod.Post, "/api/v1/materials", beta, """{"entries": [{"formula": "Fe0.8Ni0.2", "properties": {"yield_strength": {"value": 1200, "unit": "MPa"}}}], "scheme": "experiment", "licence": "CC-BY-4.0", "label": "beta lab"}""", "application/json"))
        {
            Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        }

        using (var fromDatabase = await StartAsync(node, beta, Spec.Replace("observations: {csv: first.csv}", "observations: {database: {scheme: experiment, elements: [Fe]}}", StringComparison.Ordinal), null))
        {
            Assert.Equal(HttpStatusCode.Accepted, fromDatabase.StatusCode);
            var other = (await ServiceNode.JsonAsync(fromDatabase)).GetProperty("id").GetGuid();
            var otherDetail = await WaitAsync(node, other, beta);
            Assert.True(otherDetail.GetProperty("campaign").GetProperty("state").GetString() == "ready", otherDetail.ToString());
            Assert.Equal(3, otherDetail.GetProperty("rounds")[0].GetProperty("observations").GetInt32());
        }

        // Another tenant sees nothing of it.
        await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Get, $"/api/v1/campaigns/{id}", beta), HttpStatusCode.NotFound, "not-found");
        await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Get, $"/api/v1/campaigns/{id}/rounds/1/batch", beta), HttpStatusCode.NotFound, "not-found");
        await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Post, $"/api/v1/campaigns/{id}/results", beta, body, "text/csv"), HttpStatusCode.NotFound, "not-found");
        await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Post, $"/api/v1/campaigns/{id}/next", beta), HttpStatusCode.NotFound, "not-found");
        var betas = (await ServiceNode.JsonAsync(await node.SendAsync(HttpMethod.Get, "/api/v1/campaigns", beta))).GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetGuid()).ToList();
        Assert.Single(betas);
        Assert.DoesNotContain(id, betas);
        Assert.Equal(1, (await ServiceNode.JsonAsync(await node.SendAsync(HttpMethod.Get, "/api/v1/campaigns", acme))).GetProperty("data").GetArrayLength());
        await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Get, $"/api/v1/campaigns/{id}/rounds/9", acme), HttpStatusCode.NotFound, "not-found");
        await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Get, "/api/v1/campaigns", null), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task BadSubmissionsAreRefusedWithTheirFields()
    {
        using var results = new TempDirectory();
        var (store, options) = await postgres.ModeAsync("embedded", results.Path);
        var (_, acme) = await ApiKeys.CreateAsync(store, "acme", Role.Member, Ct);
        await using var node = await ServiceNode.StartAsync(options with { Workers = 1 }, store);

        var invalid = await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Post, "/api/v1/campaigns", acme, Spec.Replace("goal: max", "goal: up", StringComparison.Ordinal)), HttpStatusCode.BadRequest, "invalid-spec");
        Assert.Contains("objectives[0].goal", invalid.ToString(), StringComparison.Ordinal);
        // The spec names a file that was not uploaded: the service never reads a path of its own.
        var missing = await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Post, "/api/v1/campaigns", acme, Spec.Replace("first.csv", "/etc/passwd", StringComparison.Ordinal)), HttpStatusCode.BadRequest, "invalid-spec");
        Assert.Contains("observations.csv", missing.ToString(), StringComparison.Ordinal);
        await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Post, "/api/v1/campaigns", acme, new string('[', 200_000)), HttpStatusCode.BadRequest, "invalid-spec");

        // A campaign whose round fails for its own reason (nothing in the space is allowed) says so and stays usable.
        using var started = await StartAsync(node, acme, Spec.Replace("objectives:", "constraints: {hhi_production: {max: 10}}\nobjectives:", StringComparison.Ordinal), FirstObservations());
        var id = (await ServiceNode.JsonAsync(started)).GetProperty("id").GetGuid();
        var detail = await WaitAsync(node, id, acme);
        Assert.Equal("failed", detail.GetProperty("campaign").GetProperty("state").GetString());
        Assert.Contains("no candidate of the space is feasible", detail.GetProperty("campaign").GetProperty("error").GetString(), StringComparison.Ordinal);
        await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Get, $"/api/v1/campaigns/{id}/rounds/1", acme), HttpStatusCode.NotFound, "not-found");
        await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Post, $"/api/v1/campaigns/{id}/contributions", acme, """{"scheme": "experiment", "licence": "CC-BY-4.0"}""", "application/json"), HttpStatusCode.Conflict, "conflict");
        await ServiceNode.AssertProblemAsync(await node.SendAsync(HttpMethod.Get, $"/api/v1/campaigns/{Guid.NewGuid()}", acme), HttpStatusCode.NotFound, "not-found");
    }
}
