using System.Net;
using System.Text;
using MaterialsDb.Data.Tables;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Service.Tests;

/// <summary>What a tenant may name in a spec: catalog ids, registered models, and its own candidates — never a server path.</summary>
public sealed class SubmissionTests(EmbeddedFixture fixture) : IClassFixture<EmbeddedFixture>
{
    private ServiceNode Node => fixture.Node;

    [Theory]
    [InlineData("stability: {reference: /etc/passwd}", "stability.reference")]
    [InlineData("stability: {reference: ../../../etc/hosts}", "stability.reference")]
    [InlineData("predict: [/work/models/formation-energy]", "predict[0]")]
    [InlineData("predict: [formation-energy, ../models/band-gap-pbe]", "predict[1]")]
    [InlineData("stability: {model: /tmp/model}", "stability.model")]
    [InlineData("predict: [no-such-model]", "predict[0]")]
    public async Task ServerPathsAndUnknownIdsAre400NamingTheField(string line, string field)
    {
        var spec = "name: p\ncandidates: {formulas: [NaCl]}\n" + line + "\n";
        using var response = await Node.SendAsync(HttpMethod.Post, "/api/v1/screenings", fixture.Acme, spec);
        var problem = await ServiceNode.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-spec");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.DoesNotContain(SharedFiles.RepositoryRoot, problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStabilityModelMustBeAFormationEnergyModel()
    {
        using var response = await Node.SendAsync(HttpMethod.Post, "/api/v1/screenings", fixture.Acme, "name: p\ncandidates: {formulas: [NaCl]}\nstability: {model: band-gap-pbe}\n");
        var problem = await ServiceNode.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-spec");
        Assert.Contains("eV/atom", problem.GetProperty("errors").GetProperty("stability.model")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InlineFormulasAreScreenedLikeALocalList()
    {
        var spec = "name: inline\ncandidates: {formulas: [NaCl, LiFePO4, Xx, 'K4[Fe(CN)6]', MgO]}\npredict: [band-gap-pbe]\nrank: {by: [-band-gap-pbe]}\n";
        var id = await Node.SubmitAsync(spec, fixture.Acme);
        var status = await Node.WaitAsync(id, fixture.Acme);
        Assert.Equal(States.Succeeded, status.GetProperty("state").GetString());
        Assert.Equal(5, status.GetProperty("processed").GetInt64());
        var served = await LocalScreening.ReadParquetAsync(await (await Node.SendAsync(HttpMethod.Get, $"/api/v1/screenings/{id}/results", fixture.Acme)).Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(["K4Fe(CN)6", "LiFePO4", "MgO", "NaCl"], served.GetStrings("formula").Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(".csv")]
    [InlineData(".parquet")]
    public async Task AnUploadedCandidateListIsScreened(string extension)
    {
        using var dir = new TempDirectory();
        var file = dir.File("mine" + extension);
        await TableWriter.WriteAsync(new ColumnTable([new StringColumn("formula", ["NaCl", "KBr", "LiF", "Qq", "CaO"]), new StringColumn("note", ["a", "b", "c", "d", "e"])]), file, cancellationToken: TestContext.Current.CancellationToken);
        using var response = await UploadAsync($"name: up\ncandidates: {{list: mine{extension}}}\npredict: [band-gap-pbe]\n", ("candidates", "mine" + extension, await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken)));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var id = (await ServiceNode.JsonAsync(response)).GetProperty("id").GetGuid();
        var status = await Node.WaitAsync(id, fixture.Acme);
        Assert.Equal(States.Succeeded, status.GetProperty("state").GetString());
        Assert.Equal(5, status.GetProperty("processed").GetInt64());
        var served = await LocalScreening.ReadParquetAsync(await (await Node.SendAsync(HttpMethod.Get, $"/api/v1/screenings/{id}/results", fixture.Acme)).Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(["CaO", "KBr", "LiF", "NaCl"], served.GetStrings("formula").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task BadUploadsAre400NamingTheList()
    {
        var csv = "formula\nNaCl\n"u8.ToArray();
        var cases = new (string Spec, (string Name, string File, byte[] Bytes)[] Parts, string Field)[]
        {
            ("name: u\ncandidates: {list: a.csv}\n", [("candidates", "other.csv", csv)], "candidates.list"),
            ("name: u\ncandidates: {list: a.txt}\n", [("candidates", "a.txt", csv)], "candidates.list"),
            ("name: u\ncandidates: {list: a.csv}\n", [("candidates", "a.csv", "name\nNaCl\n"u8.ToArray())], "candidates.list"),
            ("name: u\ncandidates: {list: a.csv}\n", [("candidates", "a.csv", []) ], "candidates.list"),
            ("name: u\ncandidates: {list: a.csv}\n", [("candidates", "a.csv", csv), ("more", "b.csv", csv)], "(body)"),
            ("name: u\ncandidates: {formulas: [NaCl]}\n", [("candidates", "a.csv", csv)], "candidates.list"),
        };
        foreach (var (spec, parts, field) in cases)
        {
            using var response = await UploadAsync(spec, parts);
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{spec} {parts[0].File}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            if (field != "(body)")
            {
                Assert.Contains(field, text, StringComparison.Ordinal);
            }
        }

        // Nothing is left of the refused uploads.
        Assert.False(Directory.Exists(Path.Combine(Node.Results, ".incoming")) && Directory.EnumerateFileSystemEntries(Path.Combine(Node.Results, ".incoming")).Any());
    }

    [Fact]
    public async Task AMultipartBodyWithoutASpecIsRefused()
    {
        using var response = await UploadAsync(null, [("candidates", "a.csv", "formula\nNaCl\n"u8.ToArray())]);
        var problem = await ServiceNode.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-request");
        Assert.True(problem.GetProperty("errors").TryGetProperty("spec", out _));
    }

    private async Task<HttpResponseMessage> UploadAsync(string? spec, params (string Name, string File, byte[] Bytes)[] files)
    {
        using var content = new MultipartFormDataContent();
        if (spec is not null)
        {
            content.Add(new StringContent(spec, Encoding.UTF8, "application/yaml"), "spec");
        }

        foreach (var (name, file, bytes) in files)
        {
            content.Add(new ByteArrayContent(bytes), name, file);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/screenings") { Content = content };
        request.Headers.Add("X-Api-Key", fixture.Acme);
        return await Node.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
