using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Service.Tests;

/// <summary>
/// The OpenAPI document as third parties use it: complete (ids, tags, schemas, problems, security), valid for Redocly's
/// linter, and good enough for a generated TypeScript client to type-check real responses of a real server.
/// </summary>
public sealed class OpenApiTests(EmbeddedFixture fixture) : IClassFixture<EmbeddedFixture>
{
    private static readonly string Tools = Path.Combine(SharedFiles.RepositoryRoot, "tests", "openapi");

    private ServiceNode Node => fixture.Node;

    [Fact]
    public async Task EveryOperationIsDocumentedWithItsResponsesAndSecurity()
    {
        var document = await DocumentAsync();
        var root = document.RootElement;
        Assert.StartsWith("3.1", root.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var schemes = root.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("X-Api-Key", schemes.GetProperty("ApiKey").GetProperty("name").GetString());
        Assert.Equal("header", schemes.GetProperty("ApiKey").GetProperty("in").GetString());
        var ids = new HashSet<string>();
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var op = operation.Value;
                var where = $"{operation.Name} {path.Name}";
                Assert.True(ids.Add(op.GetProperty("operationId").GetString()!), where);
                Assert.NotEmpty(op.GetProperty("tags").EnumerateArray());
                Assert.False(string.IsNullOrEmpty(op.GetProperty("summary").GetString()), where);
                var responses = op.GetProperty("responses").EnumerateObject().ToDictionary(r => r.Name, r => r.Value);
                Assert.Contains(responses.Keys, k => k.StartsWith('2'));
                Assert.True(op.TryGetProperty("security", out _), where);
                foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
                {
                    Assert.True(response.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{where} {status}");
                }

                if (responses.TryGetValue("429", out var limited))
                {
                    Assert.True(limited.GetProperty("headers").TryGetProperty("Retry-After", out _), where);
                }
            }
        }

        var submit = root.GetProperty("paths").GetProperty("/api/v1/screenings").GetProperty("post");
        var bodies = submit.GetProperty("requestBody").GetProperty("content").EnumerateObject().Select(c => c.Name).ToArray();
        Assert.Equal(["application/json", "application/yaml", "multipart/form-data"], bodies);
        Assert.True(submit.GetProperty("responses").GetProperty("202").TryGetProperty("content", out _));
    }

    [Fact]
    public async Task TheSpecSchemaIsServedAndMatchesTheParsersFields()
    {
        using var response = await Node.SendAsync(HttpMethod.Get, "/api/v1/schemas/screening-spec.json", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/schema+json", response.Content.Headers.ContentType?.MediaType);
        var schema = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal(Screening.Spec.SpecFields.TopLevel, schema.GetProperty("properties").EnumerateObject().Select(p => p.Name));
        Assert.False(schema.GetProperty("additionalProperties").GetBoolean());
        var enumerate = schema.GetProperty("properties").GetProperty("candidates").GetProperty("properties").GetProperty("enumerate").GetProperty("properties");
        Assert.Equal(Screening.Spec.SpecFields.Enumerate, enumerate.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task TheApiReferencePageIsServedWithItsAssetsFromThisServer()
    {
        using var page = await Node.SendAsync(HttpMethod.Get, "/api/docs/", null);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        // Scalar resolves the document against the site root: "api/v1/openapi.json" is /api/v1/openapi.json.
        Assert.Contains("api/v1/openapi.json", html, StringComparison.Ordinal);
        var scripts = System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]+src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            Assert.False(script.StartsWith("http", StringComparison.Ordinal), $"{script} is loaded from another site");
            using var asset = await Node.SendAsync(HttpMethod.Get, script.StartsWith('/') ? script : "/api/docs/" + script, null);
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        }
    }

    [Fact]
    public async Task RedoclyFindsNoErrors()
    {
        using var dir = new TempDirectory();
        var file = dir.File("openapi.json");
        await File.WriteAllTextAsync(file, (await DocumentAsync()).RootElement.GetRawText(), TestContext.Current.CancellationToken);
        var (exit, output) = await RunToolAsync("redocly", "lint", file);
        Assert.True(exit == 0, output);
        Assert.Contains("valid", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGeneratedTypeScriptClientTypeChecksAgainstRealResponses()
    {
        using var dir = new TempDirectory();
        var file = dir.File("openapi.json");
        await File.WriteAllTextAsync(file, (await DocumentAsync()).RootElement.GetRawText(), TestContext.Current.CancellationToken);
        var (exit, output) = await RunToolAsync("openapi-typescript", file, "-o", dir.File("schema.d.ts"));
        Assert.True(exit == 0, output);

        // Real answers of a real server, each assigned to the type the client generated for it: a missing, extra or
        // mistyped field fails the type check.
        var id = await Node.SubmitAsync(LocalScreening.Spec, fixture.Acme);
        await Node.WaitAsync(id, fixture.Acme);
        var cases = new List<(string Type, string Json)>();
        async Task Add(string path, string method, int status, string? body = null, string? key = null, string contentType = "application/json", string? media = null, Guid? other = null)
        {
            using var response = await Node.SendAsync(new HttpMethod(method), path.Replace("{id}", (other ?? id).ToString(), StringComparison.Ordinal), key ?? fixture.Acme, body, contentType);
            Assert.Equal(status, (int)response.StatusCode);
            var template = path.Split('?')[0];
            media ??= response.Content.Headers.ContentType!.MediaType!;
            cases.Add(($"paths[\"{template}\"][\"{method.ToLowerInvariant()}\"][\"responses\"][{status}][\"content\"][\"{media}\"]", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
        }

        await Add("/api/v1/health", "GET", 200);
        await Add("/api/v1/models", "GET", 200);
        await Add("/api/v1/datasets", "GET", 200);
        await Add("/api/v1/materials?formula=Li2O", "GET", 200);
        await Add("/api/v1/screenings", "GET", 200);
        await Add("/api/v1/screenings/{id}", "GET", 200);
        await Add("/api/v1/screenings/{id}/results?format=json&top=3", "GET", 200);
        await Add("/api/v1/screenings", "POST", 202, "name: t\ncandidates: {formulas: [NaCl]}\n", contentType: "application/yaml");
        await Add("/api/v1/predict", "POST", 200, """{"model": "band-gap-pbe", "formulas": ["NaCl", "Xx"]}""");
        await Add("/api/v1/session", "GET", 200);
        await Add("/api/v1/problems", "GET", 200);
        await Add("/api/v1/workers", "GET", 200, key: fixture.Operator);
        await Add("/api/v1/screenings/{id}", "DELETE", 409);
        await Add("/api/v1/screenings/{id}", "GET", 404, other: Guid.Empty);
        await Add("/api/v1/screenings?limit=0", "GET", 400);
        await Add("/api/v1/screenings", "POST", 400, "name: x\ncandidates: {formulas: []}\n", contentType: "application/yaml");
        await Add("/api/v1/models", "GET", 401, key: "mdb_" + new string('z', 43));
        await Add("/api/v1/workers", "GET", 403);

        var ts = new StringBuilder("import type { paths } from \"./schema\";\n\n");
        foreach (var (type, json, n) in cases.Select((c, n) => (c.Type, c.Json, n)))
        {
            ts.Append(CultureInvariant($"export const r{n}: {type} = {json};\n"));
        }

        await File.WriteAllTextAsync(dir.File("responses.ts"), ts.ToString(), TestContext.Current.CancellationToken);
        (exit, output) = await RunToolAsync("tsc", "--noEmit", "--strict", "--skipLibCheck", "--target", "es2022", "--module", "es2022", "--moduleResolution", "bundler", dir.File("responses.ts"));
        Assert.True(exit == 0, output + "\n" + ts);
    }

    private static string CultureInvariant(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<JsonDocument> DocumentAsync()
    {
        using var response = await Node.SendAsync(HttpMethod.Get, "/api/v1/openapi.json", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    // The npm tools of tests/openapi (installed by `npm ci` there, as .ci/run does); skipped locally without them, a failure in CI.
    private static async Task<(int Exit, string Output)> RunToolAsync(string tool, params string[] args)
    {
        var binary = Path.Combine(Tools, "node_modules", ".bin", tool);
        if (!File.Exists(binary))
        {
            if (SharedFiles.InCi)
            {
                throw new InvalidOperationException($"{binary} is missing; .ci/run must run 'npm ci' in tests/openapi.");
            }

            Assert.Skip($"{tool} is not installed (run 'npm ci' in tests/openapi).");
        }

        var info = new ProcessStartInfo(binary, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Tools };
        info.Environment["REDOCLY_TELEMETRY"] = "off";
        info.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }
}
