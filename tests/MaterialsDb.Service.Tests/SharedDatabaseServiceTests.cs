using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MaterialsDb.Data.Tables;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Service.Tests;

/// <summary>
/// The shared database through real HTTP in both modes: the worked example (the computing center contributes DFT
/// results for a screening's top candidates; the rerun sees them) and isolation (another tenant's private entries
/// change nothing a tenant can observe).
/// </summary>
public sealed class SharedDatabaseServiceTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Spec = """
        name: database-reference
        candidates:
          enumerate:
            elements: [Li, Mg, O, S, Cl]
            n_elements: [2, 3]
            max_coefficient: 4
        stability: {reference: database, scheme: mp2020, model: formation-energy}
        constraints:
          e_above_hull: {max: 0.5}
        rank: {by: [e_above_hull]}
        top: 40
        """;

    public static TheoryData<string> Modes => ["embedded", "postgres"];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task PrivateEntriesLeakNothingAndContributionsFlowIntoTheNextScreening(string mode)
    {
        var ct = TestContext.Current.CancellationToken;
        using var results = new TempDirectory();
        var (store, options) = await postgres.ModeAsync(mode, results.Path);
        options = options with { Workers = 2, ChunkSize = 500 };

        var (_, center) = await ApiKeys.CreateAsync(store, "center", Role.Member, ct);
        var (_, beta) = await ApiKeys.CreateAsync(store, "beta", Role.Member, ct);
        await using var node = await ServiceNode.StartAsync(options, store);

        // What beta observes: a screening on the database, a hull, a stability batch, a materials query.
        async Task<(ColumnTable Screening, string Hull, string Stability, string Materials, string Optimade)> ObserveAsync(string key)
        {
            var id = await node.SubmitAsync(Spec, key);
            Assert.Equal(States.Succeeded, (await node.WaitAsync(id, key)).GetProperty("state").GetString());
            var table = await LocalScreening.ReadParquetAsync(await (await node.SendAsync(HttpMethod.Get, $"/api/v1/screenings/{id}/results", key)).Content.ReadAsByteArrayAsync(ct));
            var hull = await (await node.SendAsync(HttpMethod.Get, "/api/v1/hull/Li-Mg-S?scheme=mp2020", key)).Content.ReadAsStringAsync(ct);
            using var stability = await node.SendAsync(HttpMethod.Post, "/api/v1/stability", key, """{"scheme": "mp2020", "entries": [{"formula": "Li2MgS2", "e_form_per_atom": -1.2}, {"formula": "MgS", "e_form_per_atom": -1.5}]}""", "application/json");
            Assert.Equal(HttpStatusCode.OK, stability.StatusCode);
            var materials = await (await node.SendAsync(HttpMethod.Get, "/api/v1/materials?chemsys=Li-Mg-S", key)).Content.ReadAsStringAsync(ct);

            // OPTIMADE: the entries, their count and energies above hull (the envelope's time stamp aside).
            var optimade = await (await node.SendAsync(HttpMethod.Get, "/optimade/v1/structures?filter=" + Uri.EscapeDataString("elements HAS ANY \"Li\",\"Mg\" AND elements HAS \"S\" AND nelements <= 3") + "&response_fields=chemical_formula_reduced,_mdb_formation_energy_per_atom,_mdb_e_above_hull&page_limit=1000", key)).Content.ReadFromJsonAsync<JsonElement>(ct);
            var seen = $"{optimade.GetProperty("data")} {optimade.GetProperty("meta").GetProperty("data_returned")} {optimade.GetProperty("meta").GetProperty("_mdb_database_version")}";
            return (table, hull, await stability.Content.ReadAsStringAsync(ct), materials, seen);
        }

        var before = await ObserveAsync(beta);
        Assert.Contains("\"stable\":", before.Hull, StringComparison.Ordinal);

        // The center computes a new ternary far below the hull and keeps it private.
        const string NewPhase = "Li2MgS2";
        var csv = $"formula,e_form_per_atom,code,functional\n{NewPhase},-1.9,VASP 6.4,PBE+U\n";
        using (var contributed = await node.SendAsync(HttpMethod.Post, "/api/v1/materials?scheme=mp2020&licence=CC-BY-4.0&reference=doi:10.0/center&visibility=private", center, csv, "text/csv"))
        {
            Assert.Equal(HttpStatusCode.Created, contributed.StatusCode);
        }

        var after = await ObserveAsync(beta);
        LocalScreening.AssertSameRows(before.Screening, after.Screening);
        Assert.Equal(before.Hull, after.Hull);
        Assert.Equal(before.Stability, after.Stability);
        Assert.Equal(before.Materials, after.Materials);
        Assert.Equal(before.Optimade, after.Optimade);

        // The center's own view changed: its hull holds the new phase.
        var centerHull = await (await node.SendAsync(HttpMethod.Get, "/api/v1/hull/Li-Mg-S", center)).Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Contains(centerHull.GetProperty("stable").EnumerateArray(), e => e.GetProperty("reduced_formula").GetString() == NewPhase);

        // Shared with the cluster: beta's next screening knows it, scores it against it, and records the new version.
        var id = (await (await node.SendAsync(HttpMethod.Get, "/api/v1/materials?formula=Li2MgS2", center)).Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("data")[0].GetProperty("id").GetString();
        using (var shared = await node.SendAsync(HttpMethod.Patch, $"/api/v1/materials/{id}", center, """{"visibility": "cluster"}""", "application/json"))
        {
            Assert.Equal(HttpStatusCode.OK, shared.StatusCode);
        }

        using (var notOwner = await node.SendAsync(HttpMethod.Delete, $"/api/v1/materials/{id}", beta))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notOwner.StatusCode);
        }

        var rerun = await ObserveAsync(beta);
        Assert.NotEqual(before.Hull, rerun.Hull);
        Assert.Contains($"\"chemical_formula_reduced\":\"{NewPhase}\",\"_mdb_formation_energy_per_atom\":-1.9,\"_mdb_e_above_hull\":", rerun.Optimade, StringComparison.Ordinal);
        var formulas = rerun.Screening.GetStrings("formula");
        var row = Array.IndexOf(formulas, NewPhase);
        if (row >= 0)
        {
            Assert.True(((BoolColumn)rerun.Screening["known"]).Values[row]);
            Assert.Equal(-1.9, rerun.Screening.GetDoubles("known_e_form")[row], 9);
        }

        var before2 = before.Screening.GetStrings("formula");
        var oldRow = Array.IndexOf(before2, NewPhase);
        Assert.True(oldRow < 0 || !((BoolColumn)before.Screening["known"]).Values[oldRow]);
        var rerunHull = JsonDocument.Parse(rerun.Hull).RootElement;
        Assert.Contains(rerunHull.GetProperty("stable").EnumerateArray(), e => e.GetProperty("reduced_formula").GetString() == NewPhase);
        Assert.True(rerunHull.GetProperty("database_version").GetInt64() > JsonDocument.Parse(before.Hull).RootElement.GetProperty("database_version").GetInt64());

        // Anonymous readers see public entries only.
        var anonymous = await (await node.SendAsync(HttpMethod.Get, "/api/v1/materials?formula=Li2MgS2", null)).Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal(0, anonymous.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task ParquetContributionsLandAndVisibilityChangesShowInHistory()
    {
        var ct = TestContext.Current.CancellationToken;
        using var results = new TempDirectory();
        var store = new MemoryStore();
        var (_, acme) = await ApiKeys.CreateAsync(store, "acme", Role.Member, ct);
        var (_, beta) = await ApiKeys.CreateAsync(store, "beta", Role.Member, ct);
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { ResultsFolder = results.Path, Workers = 0 }, store);

        // A Parquet file written by the project's own table writer, read back by the API.
        var path = Path.Combine(results.Path, "batch.parquet");
        await TableWriter.WriteAsync(new ColumnTable([
            new StringColumn("formula", ["Li3N", "Li2O2"]),
            new DoubleColumn("e_form_per_atom", [-0.45, -1.65]),
            new DoubleColumn("band_gap", [1.1, double.NaN]),
            new StringColumn("visibility", ["private", "cluster"]),
        ]), path, cancellationToken: ct);
        string[] ids;
        using (var request = node.Request(HttpMethod.Post, "/api/v1/materials?scheme=mp2020&licence=CC-BY-4.0&label=parquet-batch", acme))
        {
            request.Content = new ByteArrayContent(await File.ReadAllBytesAsync(path, ct));
            request.Content.Headers.ContentType = new("application/vnd.apache.parquet");
            using var response = await node.Http.SendAsync(request, ct);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
            ids = [.. body.GetProperty("ids").EnumerateArray().Select(e => e.GetString()!)];
        }

        Assert.Equal(2, ids.Length);
        var nitride = await (await node.SendAsync(HttpMethod.Get, $"/api/v1/materials/{ids[0]}", acme)).Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal((1.1, "private"), (nitride.GetProperty("band_gap").GetDouble(), nitride.GetProperty("visibility").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await node.SendAsync(HttpMethod.Get, $"/api/v1/materials/{ids[0]}", beta)).StatusCode);

        // Shared, then taken back: each change is a revision; another tenant's history shows only what it may see.
        foreach (var visibility in new[] { "cluster", "private" })
        {
            using var changed = await node.SendAsync(HttpMethod.Patch, $"/api/v1/materials/{ids[0]}", acme, $$"""{"visibility": "{{visibility}}"}""", "application/json");
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        }

        var history = await (await node.SendAsync(HttpMethod.Get, $"/api/v1/materials/{ids[0]}/history", acme)).Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal(["private", "cluster", "private"], history.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("visibility").GetString()));
        Assert.Equal([1, 2, 3], history.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("revision").GetInt32()));
        using (var theirs = await node.SendAsync(HttpMethod.Get, $"/api/v1/materials/{ids[0]}/history", beta))
        {
            var visible = await theirs.Content.ReadFromJsonAsync<JsonElement>(ct);
            Assert.Equal(HttpStatusCode.OK, theirs.StatusCode);
            Assert.Equal([2], visible.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("revision").GetInt32()));
        }

        Assert.Equal(HttpStatusCode.NotFound, (await node.SendAsync(HttpMethod.Get, $"/api/v1/materials/{ids[0]}", beta)).StatusCode);
    }

    [Fact]
    public async Task ContributionsAreCheckedWholeAndRetriesAreSafe()
    {
        var ct = TestContext.Current.CancellationToken;
        using var results = new TempDirectory();
        var store = new MemoryStore();
        var (_, key) = await ApiKeys.CreateAsync(store, "acme", Role.Member, ct);
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { ResultsFolder = results.Path, Workers = 0 }, store);

        const string Bad = "formula,e_form_per_atom\nLi2O,-2.0\nLi2Qq,-1\nNaCl,NaN\nKCl,-40\n";
        using (var refused = await node.SendAsync(HttpMethod.Post, "/api/v1/materials?scheme=mp2020&licence=CC-BY-4.0&label=batch-1", key, Bad, "text/csv"))
        {
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(ct);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.EndsWith("invalid-contribution", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
            Assert.Equal(["row 2: formula", "row 3: e_form_per_atom", "row 4: e_form_per_atom"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        }

        const string Good = """{"scheme": "mp2020", "licence": "CC-BY-4.0", "reference": "doi:10.0/x", "entries": [{"formula": "Li2O", "e_form_per_atom": -2.0, "method": {"code": "VASP", "hubbard_u": {"Li": 0}}}, {"formula": "Li2S", "e_form_per_atom": -1.4}]}""";
        HttpRequestMessage Send()
        {
            var request = node.Request(HttpMethod.Post, "/api/v1/materials", key, Good, "application/json");
            request.Headers.Add("Idempotency-Key", "upload-1");
            return request;
        }

        using var first = await node.Http.SendAsync(Send(), ct);
        using var second = await node.Http.SendAsync(Send(), ct);
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        var (a, b) = (await first.Content.ReadFromJsonAsync<JsonElement>(ct), await second.Content.ReadFromJsonAsync<JsonElement>(ct));
        Assert.Equal(a.GetProperty("ids").GetRawText(), b.GetProperty("ids").GetRawText());
        Assert.True(b.GetProperty("replayed").GetBoolean());

        var id = a.GetProperty("ids")[0].GetString();
        var history = await (await node.SendAsync(HttpMethod.Get, $"/api/v1/materials/{id}/history", key)).Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal(1, history.GetProperty("data").GetArrayLength());
        Assert.Equal("VASP", history.GetProperty("data")[0].GetProperty("method").GetProperty("code").GetString());

        using (var wrongType = await node.SendAsync(HttpMethod.Post, "/api/v1/materials", key, "x", "application/yaml"))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        }

        using (var badHeader = await node.SendAsync(HttpMethod.Post, "/api/v1/materials?scheme=mp2020", key, "formula,energy\nLi2O,-2\n", "text/csv"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badHeader.StatusCode);
            Assert.Contains("unknown column 'energy'", await badHeader.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        using (var empty = await node.SendAsync(HttpMethod.Post, "/api/v1/materials", key, string.Empty, "text/csv"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        }

        using (var anonymous = await node.SendAsync(HttpMethod.Post, "/api/v1/materials", null, Good, "application/json"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var missing = await node.SendAsync(HttpMethod.Get, "/api/v1/materials/mdb-999999999", key))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using (var badSystem = await node.SendAsync(HttpMethod.Get, "/api/v1/hull/Li-Qq", key))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badSystem.StatusCode);
        }

        using (var notDft = await node.SendAsync(HttpMethod.Get, "/api/v1/hull/Li-O?scheme=experiment", key))
        {
            Assert.Equal(HttpStatusCode.BadRequest, notDft.StatusCode);
        }

        using (var future = await node.SendAsync(HttpMethod.Get, "/api/v1/hull/Li-O?database_version=999999", key))
        {
            Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);
        }

        var schemes = await (await node.SendAsync(HttpMethod.Get, "/api/v1/schemes", null)).Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Contains(schemes.GetProperty("data").EnumerateArray(), s => s.GetProperty("name").GetString() == "mp2020" && s.GetProperty("hulls").GetBoolean());
    }
}
