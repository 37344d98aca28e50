using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MaterialsDb.Database.Filters;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Service.Tests;

/// <summary>
/// The OPTIMADE provider through real HTTP in both modes: the info endpoints, the envelope, errors as JSON:API,
/// views by key, and a client that follows links.next through a whole result while the database changes.
/// </summary>
public sealed class OptimadeServiceTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    public static TheoryData<string> Modes => ["embedded", "postgres"];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task AClientPagesThroughAFilterAndSeesOnlyItsView(string mode)
    {
        var ct = TestContext.Current.CancellationToken;
        using var results = new TempDirectory();
        var (store, options) = await postgres.ModeAsync(mode, results.Path);
        options = options with { Workers = 0 };

        var (_, acme) = await ApiKeys.CreateAsync(store, "acme", Role.Member, ct);
        await using var node = await ServiceNode.StartAsync(options, store);
        using (var contributed = await node.SendAsync(HttpMethod.Post, "/api/v1/materials?scheme=mp2020&licence=CC-BY-4.0&reference=doi:10.0/acme", acme, "formula,e_form_per_atom\nLi5O3,-1.2\n", "text/csv"))
        {
            Assert.Equal(HttpStatusCode.Created, contributed.StatusCode);
        }

        const string Filter = "elements HAS ALL \"Li\",\"O\" AND nelements = 2";
        var all = await GetAsync(node, $"/optimade/v1/structures?filter={Uri.EscapeDataString(Filter)}&page_limit=1000", acme);
        var expected = all.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();
        Assert.Equal(expected.Count, all.GetProperty("meta").GetProperty("data_returned").GetInt32());
        Assert.True(expected.Count > 10);
        Assert.All(all.GetProperty("data").EnumerateArray(), e => Assert.Equal(["Li", "O"], e.GetProperty("attributes").GetProperty("elements").EnumerateArray().Select(x => x.GetString())));
        Assert.Contains(all.GetProperty("data").EnumerateArray(), e => e.GetProperty("attributes").GetProperty("_mdb_owner").GetString() == "acme");

        // The client follows links.next; a change made meanwhile does not shift the pages (they are pinned to the
        // version of the first), so every entry comes exactly once and the last page has no next link.
        var seen = new List<string>();
        var url = $"/optimade/v1/structures?filter={Uri.EscapeDataString(Filter)}&page_limit=7&response_fields=elements";
        var pages = 0;
        while (url is not null)
        {
            var page = await GetAsync(node, url, acme);
            Assert.Equal(expected.Count, page.GetProperty("meta").GetProperty("data_returned").GetInt32());
            seen.AddRange(page.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()!));
            var more = page.GetProperty("meta").GetProperty("more_data_available").GetBoolean();
            url = page.GetProperty("links").TryGetProperty("next", out var next) ? next.GetString() : null;
            Assert.Equal(more, url is not null);
            if (pages++ == 0)
            {
                using var meanwhile = await node.SendAsync(HttpMethod.Post, "/api/v1/materials?scheme=mp2020&licence=CC-BY-4.0&reference=doi:10.0/acme", acme, "formula,e_form_per_atom\nLi7O4,-1.1\nLi3O,-1.0\n", "text/csv");
                Assert.Equal(HttpStatusCode.Created, meanwhile.StatusCode);
            }
        }

        Assert.Equal(expected, seen);
        Assert.Equal((expected.Count + 6) / 7, pages);

        // Anonymous readers see public entries only: acme's private one is neither listed nor readable.
        var anonymous = await GetAsync(node, $"/optimade/v1/structures?filter={Uri.EscapeDataString("_mdb_owner = \"acme\"")}", null);
        Assert.Equal(0, anonymous.GetProperty("meta").GetProperty("data_returned").GetInt32());
        var mine = await GetAsync(node, $"/optimade/v1/structures?filter={Uri.EscapeDataString("chemical_formula_reduced = \"Li5O3\"")}&response_fields=_mdb_formation_energy_per_atom,_mdb_e_above_hull", acme);
        var id = mine.GetProperty("data")[0].GetProperty("id").GetString()!;
        await AssertErrorAsync(node, $"/optimade/v1/structures/{id}", null, 404, "visible");
        var single = await GetAsync(node, $"/optimade/v1/structures/{id}", acme);
        Assert.Equal("Li5O3", single.GetProperty("data").GetProperty("attributes").GetProperty("chemical_formula_reduced").GetString());
        Assert.Equal(JsonValueKind.Null, single.GetProperty("data").GetProperty("attributes").GetProperty("lattice_vectors").ValueKind);
        Assert.Equal(0, single.GetProperty("data").GetProperty("attributes").GetProperty("structure_features").GetArrayLength());

        // The energy above hull is the caller's hull's: the same figure /hull gives.
        var hull = await (await node.SendAsync(HttpMethod.Get, "/api/v1/hull/Li-O?scheme=mp2020", acme)).Content.ReadFromJsonAsync<JsonElement>(ct);
        var placed = hull.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);
        Assert.Equal(placed.GetProperty("e_above_hull").GetDouble(), mine.GetProperty("data")[0].GetProperty("attributes").GetProperty("_mdb_e_above_hull").GetDouble(), 12);
    }

    [Fact]
    public async Task InfoEnvelopeAndErrorsFollowTheSpecification()
    {
        var ct = TestContext.Current.CancellationToken;
        using var results = new TempDirectory();
        var store = new MemoryStore();
        var (_, key) = await ApiKeys.CreateAsync(store, "acme", Role.Member, ct);
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { ResultsFolder = results.Path, Workers = 0 }, store);

        using (var versions = await node.SendAsync(HttpMethod.Get, "/optimade/versions", null))
        {
            Assert.Equal("text/csv; header=present; charset=utf-8", versions.Content.Headers.ContentType?.ToString());
            Assert.Equal("version\n1\n", await versions.Content.ReadAsStringAsync(ct));
        }

        var info = await GetAsync(node, "/optimade/v1/info", null);
        var attributes = info.GetProperty("data").GetProperty("attributes");
        Assert.Equal("1.2.0", attributes.GetProperty("api_version").GetString());
        Assert.Equal(["info", "links", "structures"], attributes.GetProperty("available_endpoints").EnumerateArray().Select(e => e.GetString()));
        Assert.EndsWith("/optimade/v1", attributes.GetProperty("available_api_versions")[0].GetProperty("url").GetString(), StringComparison.Ordinal);
        foreach (var required in new[] { "api_version", "more_data_available", "time_stamp", "provider", "query" })
        {
            Assert.True(info.GetProperty("meta").TryGetProperty(required, out _), required);
        }

        var properties = (await GetAsync(node, "/optimade/v1/info/structures", null)).GetProperty("data").GetProperty("properties");
        foreach (var field in EntryFields.All)
        {
            var definition = properties.GetProperty(field.Name);
            Assert.False(string.IsNullOrEmpty(definition.GetProperty("description").GetString()));
            Assert.False(string.IsNullOrEmpty(definition.GetProperty("type").GetString()));
        }

        Assert.Equal("eV/atom", properties.GetProperty("_mdb_formation_energy_per_atom").GetProperty("unit").GetString());
        Assert.Equal("root", (await GetAsync(node, "/optimade/v1/links", null)).GetProperty("data")[0].GetProperty("attributes").GetProperty("link_type").GetString());
        Assert.Equal("1.2.0", (await GetAsync(node, "/optimade/v1.2/info", null)).GetProperty("meta").GetProperty("api_version").GetString());

        // The default page, with the filter echoed in meta.query.
        var page = await GetAsync(node, "/optimade/v1/structures?filter=nelements%3D3", null);
        Assert.Equal(20, page.GetProperty("data").GetArrayLength());
        Assert.Equal("/structures?filter=nelements%3D3", page.GetProperty("meta").GetProperty("query").GetProperty("representation").GetString());
        Assert.True(page.GetProperty("meta").GetProperty("more_data_available").GetBoolean());

        // Other providers' fields: unknown, with a warning; unknown parameters too.
        var other = await GetAsync(node, "/optimade/v1/structures?filter=" + Uri.EscapeDataString("_exmpl_x > 1") + "&colour=red", null);
        Assert.Equal(0, other.GetProperty("meta").GetProperty("data_returned").GetInt32());
        Assert.Equal(2, other.GetProperty("meta").GetProperty("warnings").GetArrayLength());

        await AssertErrorAsync(node, "/optimade/v2/info", null, 553, "v2");
        await AssertErrorAsync(node, "/optimade/v1/references", null, 404, "references");
        await AssertErrorAsync(node, "/optimade/v1/structures?page_limit=1001", null, 403, "maximum of 1000");
        await AssertErrorAsync(node, "/optimade/v1/structures?page_limit=0", null, 400, "page_limit");
        await AssertErrorAsync(node, "/optimade/v1/structures?page_above=abc", null, 400, "page_above");
        await AssertErrorAsync(node, "/optimade/v1/structures?filter=nelements%3D", null, 400, "syntax error");
        await AssertErrorAsync(node, "/optimade/v1/structures?filter=colour%3D1", null, 400, "Unknown property 'colour'");
        await AssertErrorAsync(node, "/optimade/v1/structures?filter=a%3Db", null, 501, "another property");
        await AssertErrorAsync(node, "/optimade/v1/structures?sort=nelements", null, 501, "sort");
        await AssertErrorAsync(node, "/optimade/v1/structures?response_format=xml", null, 400, "json");
        await AssertErrorAsync(node, "/optimade/v1/structures?response_fields=colour", null, 400, "colour");
        await AssertErrorAsync(node, "/optimade/v1/structures?filter=a%3D1&filter=b%3D1", null, 400, "once");
        await AssertErrorAsync(node, "/optimade/v1/structures?_mdb_database_version=999999", null, 400, "does not exist");
        await AssertErrorAsync(node, "/optimade/v1/structures?filter=" + Uri.EscapeDataString("x = \"" + new string('a', 5000) + "\""), null, 400, "at most 4096");
        await AssertErrorAsync(node, "/optimade/v1/structures/mdb-999999", null, 404, "mdb-999999");
        await AssertErrorAsync(node, "/optimade/v1/info", "mdb_wrong", 401, "API key");
        await AssertErrorAsync(node, "/optimade/v1/info", key[..^1] + (key[^1] == 'A' ? 'B' : 'A'), 401, "invalid or revoked");
        Assert.Equal(HttpStatusCode.OK, (await node.SendAsync(HttpMethod.Get, "/optimade/v1/info", key)).StatusCode);
    }

    private static async Task<JsonElement> GetAsync(ServiceNode node, string url, string? key)
    {
        using var response = await node.SendAsync(HttpMethod.Get, url, key);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/vnd.api+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement;
    }

    private static async Task AssertErrorAsync(ServiceNode node, string url, string? key, int status, string detail)
    {
        using var response = await node.SendAsync(HttpMethod.Get, url, key);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True((int)response.StatusCode == status, $"{url}: {(int)response.StatusCode} {text}");
        var error = JsonDocument.Parse(text).RootElement.GetProperty("errors")[0];
        Assert.Equal(status.ToString(System.Globalization.CultureInfo.InvariantCulture), error.GetProperty("status").GetString());
        Assert.Contains(detail, error.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
