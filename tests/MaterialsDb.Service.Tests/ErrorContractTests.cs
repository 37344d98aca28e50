using System.Net;
using System.Text;
using System.Text.Json;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Service.Tests;

/// <summary>One error contract: every failure of every endpoint, the framework's included, is RFC 9457 problem details.</summary>
public sealed class ErrorContractTests(EmbeddedFixture fixture) : IClassFixture<EmbeddedFixture>
{
    private ServiceNode Node => fixture.Node;

    [Theory]
    [InlineData("GET", "/api/v1/no-such-thing", null, null, HttpStatusCode.NotFound, "not-found")]
    [InlineData("PUT", "/api/v1/models", null, null, HttpStatusCode.MethodNotAllowed, "method-not-allowed")]
    [InlineData("POST", "/api/v1/predict", "<predict/>", "text/xml", HttpStatusCode.UnsupportedMediaType, "unsupported-media-type")]
    [InlineData("POST", "/api/v1/predict", "{\"model\": \"formation-energy\", \"formulas\": [", "application/json", HttpStatusCode.BadRequest, "malformed-body")]
    [InlineData("POST", "/api/v1/screenings", "a=b", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, "unsupported-media-type")]
    [InlineData("GET", "/api/v1/screenings?limit=abc", null, null, HttpStatusCode.BadRequest, "invalid-request")]
    [InlineData("GET", "/api/v1/screenings?limit=0", null, null, HttpStatusCode.BadRequest, "invalid-request")]
    [InlineData("GET", "/api/v1/screenings?state=Done", null, null, HttpStatusCode.BadRequest, "invalid-request")]
    [InlineData("GET", "/api/v1/screenings?created_min=yesterday", null, null, HttpStatusCode.BadRequest, "invalid-request")]
    [InlineData("GET", "/api/v1/screenings/not-a-guid", null, null, HttpStatusCode.NotFound, "not-found")]
    [InlineData("GET", "/api/v1/screenings/00000000-0000-0000-0000-000000000001", null, null, HttpStatusCode.NotFound, "not-found")]
    [InlineData("GET", "/api/v1/materials?formula=Li2O&fields=reducedFormula", null, null, HttpStatusCode.BadRequest, "invalid-request")]
    [InlineData("GET", "/api/v1/materials?chemsys=Li-Qq", null, null, HttpStatusCode.BadRequest, "invalid-request")]
    [InlineData("GET", "/api/v1/materials?formula=Li2O&e_form_per_atom_min=x", null, null, HttpStatusCode.BadRequest, "invalid-request")]
    [InlineData("POST", "/api/v1/predict", "{\"model\": \"formation-energy\", \"formulas\": []}", "application/json", HttpStatusCode.BadRequest, "invalid-request")]
    [InlineData("POST", "/api/v1/predict", "{\"model\": \"../../models/formation-energy\", \"formulas\": [\"NaCl\"]}", "application/json", HttpStatusCode.BadRequest, "invalid-request")]
    [InlineData("POST", "/api/v1/predict", "{\"model\": \"formation-energy\", \"formulas\": [\"NaCl\", null]}", "application/json", HttpStatusCode.BadRequest, "invalid-request")]
    [InlineData("GET", "/api/v1/problems/no-such-problem", null, null, HttpStatusCode.NotFound, "not-found")]
    public async Task EveryFailureIsProblemDetails(string method, string path, string? body, string? contentType, HttpStatusCode status, string slug)
    {
        using var response = await Node.SendAsync(new HttpMethod(method), path, fixture.Acme, body, contentType ?? "application/json");
        var problem = await ServiceNode.AssertProblemAsync(response, status, slug);
        Assert.Equal(path.Split('?')[0], problem.GetProperty("instance").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("trace_id").GetString()));
        if (status == HttpStatusCode.BadRequest && slug == "invalid-request")
        {
            Assert.NotEmpty(problem.GetProperty("errors").EnumerateObject());
        }

        // The problem type is documented.
        using var type = await Node.SendAsync(HttpMethod.Get, problem.GetProperty("type").GetString()!, null);
        Assert.Equal(HttpStatusCode.OK, type.StatusCode);
    }

    [Fact]
    public async Task AnUnknownModelIdNamesTheKnownOnesAndNoServerPath()
    {
        using var response = await Node.SendAsync(HttpMethod.Post, "/api/v1/predict", fixture.Acme, """{"model": "nope", "formulas": ["NaCl"]}""", "application/json");
        var problem = await ServiceNode.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-request");
        var detail = problem.GetProperty("errors").GetProperty("model")[0].GetString()!;
        Assert.Contains("formation-energy", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(SharedFiles.RepositoryRoot, problem.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("/models", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Ökologie 材料")]
    [InlineData("say \"hi\"; name=evil.exe")]
    [InlineData("../../etc/passwd")]
    public async Task DownloadsOfAnyNameAreWellFormedAttachments(string name)
    {
        var spec = "{\"name\": " + JsonSerializer.Serialize(name) + ", \"candidates\": {\"formulas\": [\"NaCl\", \"LiCl\"]}, \"predict\": [\"band-gap-pbe\"]}";
        var id = await Node.SubmitAsync(spec, fixture.Acme, "application/json");
        Assert.Equal(States.Succeeded, (await Node.WaitAsync(id, fixture.Acme)).GetProperty("state").GetString());
        foreach (var format in new[] { "parquet", "csv", "json" })
        {
            using var response = await Node.SendAsync(HttpMethod.Get, $"/api/v1/screenings/{id}/results?format={format}", fixture.Acme);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var disposition = response.Content.Headers.ContentDisposition!;
            Assert.Equal("attachment", disposition.DispositionType);
            var fileName = disposition.FileNameStar ?? disposition.FileName!.Trim('"');
            Assert.EndsWith("." + format, fileName, StringComparison.Ordinal);
            Assert.DoesNotContain('/', fileName);
            Assert.Single(response.Content.Headers.GetValues("Content-Disposition"));
        }

        using var named = await Node.SendAsync(HttpMethod.Get, $"/api/v1/screenings/{id}/results", fixture.Acme);
        if (name.StartsWith('Ö'))
        {
            Assert.Equal("Ökologie 材料.parquet", named.Content.Headers.ContentDisposition!.FileNameStar);
        }
    }

    [Theory]
    [InlineData("a\r\nSet-Cookie: x=1")]
    [InlineData("a\u0000b")]
    public async Task NamesThatWouldInjectHeadersAreRefused(string name)
    {
        var spec = "{\"name\": " + JsonSerializer.Serialize(name) + ", \"candidates\": {\"formulas\": [\"NaCl\"]}}";
        using var response = await Node.SendAsync(HttpMethod.Post, "/api/v1/screenings", fixture.Acme, spec, "application/json");
        var problem = await ServiceNode.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-spec");
        Assert.True(problem.GetProperty("errors").TryGetProperty("name", out _));
    }

    [Fact]
    public async Task ListsShareOneEnvelopeWithFieldsAndRangeFilters()
    {
        using var response = await Node.SendAsync(HttpMethod.Get, "/api/v1/materials?chemsys=Li-Mn-O&nelements_min=3&e_form_per_atom_max=-1.5&fields=reduced_formula,e_form_per_atom&limit=5", fixture.Acme);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ServiceNode.JsonAsync(response);
        var items = page.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(5, items.Length);
        Assert.All(items, m =>
        {
            Assert.Equal(["reduced_formula", "e_form_per_atom"], m.EnumerateObject().Select(p => p.Name));
            Assert.True(m.GetProperty("e_form_per_atom").GetDouble() <= -1.5);
        });
        Assert.Equal(5, page.GetProperty("meta").GetProperty("returned").GetInt32());

        // Following links.next pages through the rest, each entry once.
        var seen = new List<string>();
        string? next = "/api/v1/materials?chemsys=Li-Mn-O&nelements_min=3&e_form_per_atom_max=-1.5&fields=reduced_formula,e_form_per_atom&limit=5";
        var all = 0;
        while (next is not null)
        {
            var p = await ServiceNode.JsonAsync(await Node.SendAsync(HttpMethod.Get, next, fixture.Acme));
            var data = p.GetProperty("data").EnumerateArray().ToArray();
            all += data.Length;
            seen.AddRange(data.Select(d => d.ToString()));
            next = p.GetProperty("links").GetProperty("next").ValueKind == JsonValueKind.Null ? null : p.GetProperty("links").GetProperty("next").GetString();
        }

        using var whole = await Node.SendAsync(HttpMethod.Get, "/api/v1/materials?chemsys=Li-Mn-O&nelements_min=3&e_form_per_atom_max=-1.5&fields=reduced_formula,e_form_per_atom&limit=1000", fixture.Acme);
        Assert.Equal((await ServiceNode.JsonAsync(whole)).GetProperty("data").EnumerateArray().Select(d => d.ToString()), seen);
        Assert.InRange(all, 6, 999);

        // Every list has the same envelope.
        foreach (var list in new[] { "/api/v1/models", "/api/v1/datasets", "/api/v1/screenings" })
        {
            var envelope = await ServiceNode.JsonAsync(await Node.SendAsync(HttpMethod.Get, list, fixture.Acme));
            Assert.Equal(JsonValueKind.Array, envelope.GetProperty("data").ValueKind);
            Assert.True(envelope.GetProperty("meta").TryGetProperty("returned", out _));
            Assert.True(envelope.GetProperty("links").TryGetProperty("next", out _));
        }
    }

    [Fact]
    public async Task JsonIsSnakeCaseEverywhere()
    {
        foreach (var path in new[] { "/api/v1/materials?formula=Li2O", "/api/v1/models", "/api/v1/datasets", "/api/v1/health", "/api/v1/session" })
        {
            var text = await (await Node.SendAsync(HttpMethod.Get, path, fixture.Acme)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            foreach (var name in PropertyNames(JsonDocument.Parse(text).RootElement).Where(n => !n.Contains('-', StringComparison.Ordinal) && !n.Contains(' ', StringComparison.Ordinal)))
            {
                // Map keys (model metrics, ids) may be anything; object fields are lower snake case.
                Assert.True(name.All(c => !char.IsUpper(c)) || path.Contains("models", StringComparison.Ordinal), $"{path}: field '{name}'");
            }
        }

        static IEnumerable<string> PropertyNames(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.Object => e.EnumerateObject().SelectMany(p => PropertyNames(p.Value).Prepend(p.Name)),
            JsonValueKind.Array => e.EnumerateArray().SelectMany(PropertyNames),
            _ => [],
        };
    }

    [Fact]
    public async Task PredictionsAreBoundedPerNode()
    {
        // One slot and no queue: a second prediction while the first runs is told to come back.
        using var results = new TempDirectory();
        var store = new MemoryStore();
        var (_, key) = await ApiKeys.CreateAsync(store, "busy", Role.Member, TestContext.Current.CancellationToken);
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { ResultsFolder = results.Path, Workers = 0, PredictConcurrency = 1, PredictQueue = 0 }, store);
        var body = "{\"model\": \"formation-energy-accurate\", \"formulas\": [" + string.Join(',', Enumerable.Range(1, 5000).Select(i => $"\"Li{i % 7 + 1}Fe{i % 5 + 1}O{i % 9 + 2}\"")) + "]}";
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => node.SendAsync(HttpMethod.Post, "/api/v1/predict", key, body, "application/json")));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        var busy = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToArray();
        Assert.NotEmpty(busy);
        foreach (var r in busy)
        {
            await ServiceNode.AssertProblemAsync(r, HttpStatusCode.ServiceUnavailable, "busy");
            Assert.NotNull(r.Headers.RetryAfter);
        }

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable));
    }

    [Fact]
    public async Task OversizedMultipartUploadsAre413()
    {
        using var results = new TempDirectory();
        var store = new MemoryStore();
        var (_, key) = await ApiKeys.CreateAsync(store, "big", Role.Member, TestContext.Current.CancellationToken);
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { ResultsFolder = results.Path, Workers = 0, MaxBodyBytes = 10_000, MaxUploadBytes = 50_000 }, store);
        using var content = new MultipartFormDataContent
        {
            { new StringContent("name: u\ncandidates: {list: big.csv}\n"), "spec" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes("formula\n" + string.Concat(Enumerable.Repeat("NaCl\n", 20_000)))), "candidates", "big.csv" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/screenings") { Content = content };
        request.Headers.Add("X-Api-Key", key);
        await ServiceNode.AssertProblemAsync(await node.Http.SendAsync(request, TestContext.Current.CancellationToken), HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Assert.DoesNotContain(Directory.EnumerateFiles(results.Path, "*", SearchOption.AllDirectories), f => !f.Contains(".keys", StringComparison.Ordinal));
    }
}
