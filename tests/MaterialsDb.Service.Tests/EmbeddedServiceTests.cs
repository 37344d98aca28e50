using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Service.Tests;

/// <summary>The embedded mode over real HTTP on loopback: submit, poll, download, and everything that must be refused.</summary>
public sealed class EmbeddedServiceTests(EmbeddedFixture fixture) : IClassFixture<EmbeddedFixture>
{
    private ServiceNode Node => fixture.Node;

    [Fact]
    public async Task SubmitPollDownloadEqualsTheLocalScreen()
    {
        var id = await Node.SubmitAsync(LocalScreening.Spec, fixture.Acme);
        var status = await Node.WaitAsync(id, fixture.Acme);
        Assert.Equal(States.Succeeded, status.GetProperty("state").GetString());
        Assert.Equal(4, status.GetProperty("chunks").GetInt32());   // 210 candidates in chunks of 60
        Assert.Equal(210, status.GetProperty("candidates").GetInt64());
        Assert.Equal(210, status.GetProperty("processed").GetInt64());

        using var response = await Node.SendAsync(HttpMethod.Get, $"/api/v1/screenings/{id}/results", fixture.Acme);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var served = await LocalScreening.ReadParquetAsync(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        LocalScreening.AssertSameRows(await LocalScreening.RunAsync(LocalScreening.Spec), served);

        // The other formats carry the same rows.
        var json = await Node.Http.SendAsync(Node.Request(HttpMethod.Get, $"/api/v1/screenings/{id}/results?format=json&top=3", fixture.Acme), TestContext.Current.CancellationToken);
        var rows = await json.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(3, rows.GetProperty("data").GetArrayLength());
        Assert.Equal(served.GetStrings("formula")[0], rows.GetProperty("data")[0].GetProperty("formula").GetString());
        Assert.Equal("band-gap-pbe", rows.GetProperty("meta").GetProperty("models").GetProperty("band_gap_pbe").GetString());
        Assert.Equal("eV/atom", rows.GetProperty("meta").GetProperty("units").GetProperty("e_above_hull").GetString());
        var csv = await (await Node.SendAsync(HttpMethod.Get, $"/api/v1/screenings/{id}/results?format=csv", fixture.Acme)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith("rank,formula,chemsys", csv, StringComparison.Ordinal);
        Assert.Equal(26, csv.Trim().Split('\n').Length);

        // Progress and stage counts are reported.
        var detail = await (await Node.SendAsync(HttpMethod.Get, $"/api/v1/screenings/{id}", fixture.Acme)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(210, detail.GetProperty("stages")[0].GetProperty("passed").GetInt64());
        Assert.Equal(4, detail.GetProperty("progress").GetProperty("chunks_done").GetInt32());
    }

    [Fact]
    public async Task ALargeResultStreamsRowGroupByRowGroupWithTheSameRowsAsTheWholeTable()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = await Node.SubmitAsync(LocalScreening.Spec, fixture.Acme);
        Assert.Equal(States.Succeeded, (await Node.WaitAsync(id, fixture.Acme)).GetProperty("state").GetString());

        // The result replaced by one of 150,000 rows (its own rows repeated, ranks renumbered): three row groups.
        var path = Path.Combine(Node.Results, id.ToString("N"), "result.parquet");
        var (small, metadata) = await Data.Tables.ParquetTableReader.ReadAsync(path, ct);
        var rows = Enumerable.Range(0, 150_000).Select(i => i % small.RowCount).ToArray();
        var big = new Data.Tables.ColumnTable(small.Columns.Select(c => c switch
        {
            Data.Tables.LongColumn { Name: "rank" } => new Data.Tables.LongColumn("rank", [.. Enumerable.Range(1, rows.Length).Select(r => (long)r)]),
            Data.Tables.StringColumn s => new Data.Tables.StringColumn(c.Name, [.. rows.Select(r => s.Values[r])]),
            Data.Tables.DoubleColumn d => new Data.Tables.DoubleColumn(c.Name, [.. rows.Select(r => d.Values[r])]) { NaNIsValue = d.NaNIsValue },
            Data.Tables.LongColumn l => new Data.Tables.LongColumn(c.Name, [.. rows.Select(r => l.Values[r])]),
            Data.Tables.BoolColumn b => new Data.Tables.BoolColumn(c.Name, [.. rows.Select(r => b.Values[r])]),
            Data.Tables.PairsColumn p => (Data.Tables.Column)new Data.Tables.PairsColumn(c.Name, [.. rows.Select(r => p.Values[r])], p.Layout, p.KeyName, p.ValueName),
            _ => throw new InvalidOperationException(c.GetType().Name),
        }));
        await Data.Tables.TableWriter.WriteAsync(big, path, metadata, ct);
        var (_, total, groups) = await Data.Tables.ParquetTableReader.ReadGroupsAsync(path, ct);
        Assert.Equal(150_000, total);
        var sizes = await groups.Select(g => g.RowCount).ToArrayAsync(ct);
        Assert.Equal(new[] { 65_536, 65_536, 18_928 }, sizes);

        async Task<string> GetAsync(string query) => await (await Node.SendAsync(HttpMethod.Get, $"/api/v1/screenings/{id}/results?{query}", fixture.Acme)).Content.ReadAsStringAsync(ct);

        // Streamed (the whole file, or its first rows) against the explorer's subset, which holds the whole table:
        // a range every rank passes selects every row in file order.
        var streamed = await GetAsync("format=csv");
        Assert.Equal(150_001, streamed.TrimEnd('\n').Split('\n').Length);
        Assert.Equal(await GetAsync("format=csv&range=rank:0:1000000"), streamed);
        Assert.Equal(await GetAsync("format=csv&range=rank:0:1000000&top=70000"), await GetAsync("format=csv&top=70000"));
        var text = await GetAsync("format=json&top=65537");
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal(65_537, json.GetProperty("data").GetArrayLength());
        Assert.Equal(65_537, json.GetProperty("data")[65_536].GetProperty("rank").GetInt64());
        Assert.Equal(small.GetStrings("formula")[65_536 % small.RowCount], json.GetProperty("data")[65_536].GetProperty("formula").GetString());
        Assert.Equal((65_537, 150_000), (json.GetProperty("meta").GetProperty("returned").GetInt64(), json.GetProperty("meta").GetProperty("total_rows").GetInt64()));
        Assert.Equal(await GetAsync("format=json&range=rank:0:1000000&top=65537"), text);

        // A Parquet cut reads the row groups it needs and joins them: the same rows as the explorer's cut.
        async Task<Data.Tables.ColumnTable> ParquetAsync(string query)
        {
            var file = Path.Combine(Path.GetTempPath(), $"materialsdb-test-cut-{Guid.NewGuid():N}.parquet");
            try
            {
                await File.WriteAllBytesAsync(file, await (await Node.SendAsync(HttpMethod.Get, $"/api/v1/screenings/{id}/results?{query}", fixture.Acme)).Content.ReadAsByteArrayAsync(ct), ct);
                return (await Data.Tables.ParquetTableReader.ReadAsync(file, ct)).Table;
            }
            finally
            {
                File.Delete(file);
            }
        }

        var joined = await ParquetAsync("format=parquet&top=70000");
        var explorerCut = await ParquetAsync("format=parquet&range=rank:0:1000000&top=70000");
        Assert.Equal(70_000, joined.RowCount);
        Assert.Equal(explorerCut.Columns.Select(c => c.Name), joined.Columns.Select(c => c.Name));
        foreach (var column in joined.Columns.Select(c => c.Name))
        {
            Assert.Equal(
                Enumerable.Range(0, explorerCut.RowCount).Select(r => Data.Tables.TableWriter.Cell(explorerCut[column], r)),
                Enumerable.Range(0, joined.RowCount).Select(r => Data.Tables.TableWriter.Cell(joined[column], r)));
        }
    }

    [Fact]
    public async Task ASelfConsistentScreeningInChunksEqualsOneProcess()
    {
        var id = await Node.SubmitAsync(LocalScreening.SelfConsistentSpec, fixture.Acme);
        var status = await Node.WaitAsync(id, fixture.Acme);
        Assert.Equal(States.Succeeded, status.GetProperty("state").GetString());
        Assert.Equal(4, status.GetProperty("chunks").GetInt32());
        using var response = await Node.SendAsync(HttpMethod.Get, $"/api/v1/screenings/{id}/results", fixture.Acme);
        var served = await LocalScreening.ReadParquetAsync(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        var local = await LocalScreening.RunAsync(LocalScreening.SelfConsistentSpec);
        LocalScreening.AssertSameRows(local, served);
        // Candidates did compete: some decomposition names another candidate.
        Assert.Contains(served.GetStrings("decomposition_candidates"), c => !string.IsNullOrEmpty(c));
        // The first pass's file went with the parts.
        Assert.Empty(Directory.GetFiles(Node.Results, "candidate-hull*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task AJsonSpecWorksLikeYaml()
    {
        var json = """{"name": "json-spec", "candidates": {"enumerate": {"elements": ["Na", "Cl", "O"], "n_elements": [2, 2], "max_coefficient": 3}}, "predict": ["band-gap-pbe"], "top": 5}""";
        var id = await Node.SubmitAsync(json, fixture.Acme, "application/json");
        Assert.Equal(States.Succeeded, (await Node.WaitAsync(id, fixture.Acme)).GetProperty("state").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("mdb_not-a-real-key")]
    [InlineData("' OR 1=1 --")]
    public async Task MissingOrWrongKeysAre401(string? key)
    {
        using var response = await Node.SendAsync(HttpMethod.Get, "/api/v1/screenings", key);
        await ServiceNode.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Contains("X-Api-Key", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARevokedKeyStopsWorking()
    {
        var (record, key) = await ApiKeys.CreateAsync(Node.Store, "acme", Role.Member, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, (await Node.SendAsync(HttpMethod.Get, "/api/v1/models", key)).StatusCode);
        Assert.True(await Node.Store.RevokeKeyAsync(record.Id.ToString(), TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Node.SendAsync(HttpMethod.Get, "/api/v1/models", key)).StatusCode);
    }

    [Fact]
    public async Task AnotherTenantsScreeningIsNotFound()
    {
        var id = await Node.SubmitAsync(LocalScreening.Spec, fixture.Acme);
        foreach (var (method, path) in new[] { (HttpMethod.Get, $"/api/v1/screenings/{id}"), (HttpMethod.Get, $"/api/v1/screenings/{id}/results"), (HttpMethod.Delete, $"/api/v1/screenings/{id}") })
        {
            using var response = await Node.SendAsync(method, path, fixture.Other);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        var list = await (await Node.SendAsync(HttpMethod.Get, "/api/v1/screenings", fixture.Other)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.DoesNotContain(list.GetProperty("data").EnumerateArray(), s => s.GetProperty("id").GetGuid() == id);
        await Node.WaitAsync(id, fixture.Acme);
    }

    [Fact]
    public async Task MembersCannotUseOperatorEndpoints()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await Node.SendAsync(HttpMethod.Get, "/api/v1/workers", fixture.Acme)).StatusCode);
        using var ok = await Node.SendAsync(HttpMethod.Get, "/api/v1/workers", fixture.Operator);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("servers", await ok.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        // The dashboard is for admins: it shows and can requeue every tenant's jobs.
        await ServiceNode.AssertProblemAsync(await Node.SendAsync(HttpMethod.Get, "/hangfire", fixture.Acme), HttpStatusCode.Forbidden, "forbidden");
        await ServiceNode.AssertProblemAsync(await Node.SendAsync(HttpMethod.Get, "/hangfire", fixture.Operator), HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.OK, (await Node.SendAsync(HttpMethod.Get, "/hangfire", fixture.Admin)).StatusCode);
    }

    [Theory]
    [InlineData("name: [unclosed", "(document)")]
    [InlineData("name: x\ncandidates: {enumerate: {elements: [Li, Qq], n_elements: [2, 2]}}\n", "candidates.enumerate.elements")]
    [InlineData("name: x\ncandidates: {enumerate: {elements: [Li, O]}}\npredict: [no-such-model]\n", "predict[0]")]
    [InlineData("name: x\ncandidates: {list: /etc/passwd}\n", "candidates.list")]
    [InlineData("{\"name\": \"x\", \"candidates\": 5}", "candidates")]
    public async Task BadSpecsAre400NamingTheField(string spec, string field)
    {
        using var response = await Node.SendAsync(HttpMethod.Post, "/api/v1/screenings", fixture.Acme, spec);
        var body = await ServiceNode.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-spec");
        Assert.True(body.GetProperty("errors").TryGetProperty(field, out var messages), body.ToString());
        Assert.NotEqual(0, messages.GetArrayLength());
    }

    [Fact]
    public async Task OversizedBodiesAre413()
    {
        var spec = LocalScreening.Spec + "\n# " + new string('x', 30_000);
        using var response = await Node.SendAsync(HttpMethod.Post, "/api/v1/screenings", fixture.Acme, spec);
        await ServiceNode.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
    }

    [Theory]
    [InlineData("/api/v1/materials?formula=Li2O'%3B%20DROP%20TABLE%20materials%3B--")]
    [InlineData("/api/v1/materials?chemsys=Fe-O%27%20OR%20%271%27%3D%271")]
    [InlineData("/api/v1/materials?elements=Fe,O&chemsys=Fe-O")]
    [InlineData("/api/v1/screenings?cursor=not-a-cursor")]
    [InlineData("/api/v1/screenings?queue=x")]
    public async Task SqlLookingAndMalformedQueriesAre400(string path)
    {
        var method = path.Contains("queue", StringComparison.Ordinal) ? HttpMethod.Post : HttpMethod.Get;
        using var response = await Node.SendAsync(method, path, fixture.Acme, method == HttpMethod.Post ? LocalScreening.Spec : null);
        var body = await ServiceNode.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-request");
        Assert.NotEmpty(body.GetProperty("errors").EnumerateObject());
    }

    [Fact]
    public async Task MaterialsPredictModelsDatasetsAndOpenApi()
    {
        var materials = await (await Node.SendAsync(HttpMethod.Get, "/api/v1/materials?formula=Li2O", fixture.Acme)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.All(materials.GetProperty("data").EnumerateArray(), m => Assert.Equal("Li2O", m.GetProperty("reduced_formula").GetString()));
        Assert.NotEqual(0, materials.GetProperty("data").GetArrayLength());

        using var predict = await Node.SendAsync(HttpMethod.Post, "/api/v1/predict", fixture.Acme, """{"model": "formation-energy", "formulas": ["NaCl", "Xx2"]}""", "application/json");
        var p = await predict.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.InRange(p.GetProperty("predictions")[0].GetProperty("prediction").GetDouble(), -2.6, -1.6);
        Assert.Contains("Xx", p.GetProperty("predictions")[1].GetProperty("error").GetString(), StringComparison.Ordinal);

        var tooMany = "{\"model\": \"formation-energy\", \"formulas\": [" + string.Join(',', Enumerable.Repeat("\"NaCl\"", 10_001)) + "]}";
        var bigNode = Node; // the body limit (20 kB here) refuses it before the count does
        Assert.NotEqual(HttpStatusCode.OK, (await bigNode.SendAsync(HttpMethod.Post, "/api/v1/predict", fixture.Acme, tooMany, "application/json")).StatusCode);

        var models = await (await Node.SendAsync(HttpMethod.Get, "/api/v1/models", fixture.Acme)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Contains(models.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == "formation-energy" && m.GetProperty("column").GetString() == "formation_energy" && m.GetProperty("task").GetString() == "regression");
        Assert.Contains(models.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == "is-metal" && m.GetProperty("task").GetString() == "classification" && m.GetProperty("metrics").TryGetProperty("roc_auc_mean", out _));
        Assert.Equal(HttpStatusCode.OK, (await Node.SendAsync(HttpMethod.Get, "/api/v1/datasets", fixture.Acme)).StatusCode);
        var openApi = await (await Node.SendAsync(HttpMethod.Get, "/api/v1/openapi.json", null)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("/api/v1/screenings", openApi, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await Node.SendAsync(HttpMethod.Get, "/api/v1/health", null)).StatusCode);
    }

    [Fact]
    public async Task ListingsPageWithACursor()
    {
        var (_, key) = await ApiKeys.CreateAsync(Node.Store, "pager", Role.Member, TestContext.Current.CancellationToken);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await Node.SubmitAsync("name: p\ncandidates: {enumerate: {elements: [Na, Cl], n_elements: [2, 2], max_coefficient: 2}}\n", key));
        }

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await (await Node.SendAsync(HttpMethod.Get, "/api/v1/screenings?limit=2" + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor)), key)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            seen.AddRange(page.GetProperty("data").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()));
            Assert.Equal(page.GetProperty("data").GetArrayLength(), page.GetProperty("meta").GetProperty("returned").GetInt32());
            var next = page.GetProperty("links").GetProperty("next");
            cursor = next.ValueKind == JsonValueKind.Null ? null : System.Web.HttpUtility.ParseQueryString(new Uri(Node.Address, next.GetString()).Query)["cursor"];
        }
        while (cursor is not null);

        Assert.Equal(ids.AsEnumerable().Reverse(), seen);
    }

    [Fact]
    public async Task CancelStopsAScreening()
    {
        // A bigger space in many small chunks, so that it is still running when cancelled.
        var spec = "name: big\ncandidates: {enumerate: {elements: [Li, Na, K, Mg, Ca, Al, O, S, Cl, N], n_elements: [2, 4], max_coefficient: 6}}\npredict: [band-gap-pbe]\n";
        var id = await Node.SubmitAsync(spec, fixture.Acme);
        using var cancel = await Node.SendAsync(HttpMethod.Delete, $"/api/v1/screenings/{id}", fixture.Acme);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var status = await Node.WaitAsync(id, fixture.Acme);
        Assert.Equal(States.Cancelled, status.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await Node.SendAsync(HttpMethod.Get, $"/api/v1/screenings/{id}/results", fixture.Acme)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Node.SendAsync(HttpMethod.Delete, $"/api/v1/screenings/{id}", fixture.Acme)).StatusCode);
    }
}
