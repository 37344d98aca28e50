using System.Globalization;
using System.Text.Json;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Cli.Tests;

/// <summary><c>materialsdb design</c>: the loop on the command line, the benchmark's table and JSON, usage errors.</summary>
public sealed class DesignCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task TheSteelLoopWithAModelStandingInForTheLab()
    {
        var store = SharedFiles.MirrorStore();
        var spec = Path.Combine(SharedFiles.RepositoryRoot, "examples", "design", "steel-yield.yaml");
        var folder = _dir.File("steel");
        var models = Path.Combine(SharedFiles.RepositoryRoot, "models");
        var start = await CliRunner.RunAsync(store, "design", "start", spec, "-o", folder);
        Assert.True(start.Exit == 0, start.Error);
        Assert.Contains("Round 1: 8 proposals", start.Output, StringComparison.Ordinal);

        var measured = _dir.File("measured.csv");
        var predict = await CliRunner.RunAsync(store, "predict", "-m", Path.Combine(models, "yield-strength"), "-i", Path.Combine(folder, "round-001.csv"), "-o", measured);
        Assert.True(predict.Exit == 0, predict.Error);
        var report = await CliRunner.RunAsync(store, "design", "report", folder, measured, "--column", "yield_strength=prediction");
        Assert.True(report.Exit == 0, report.Error);
        Assert.Contains("Added 8 observation(s), 8 answering proposals. Ignored columns: std, error", report.Output, StringComparison.Ordinal);

        // The results (a model's, so scheme ml) go into the embedded shared database once, as the campaign's.
        var results = _dir.File("service-results");
        var contributed = await CliRunner.RunAsync(store, "design", "contribute", folder, "--scheme", "ml", "--licence", "CC-BY-4.0", "--results", results);
        Assert.True(contributed.Exit == 0, contributed.Error);
        Assert.Contains("8 result(s) contributed as database version 1: mdb-1 to mdb-8.", contributed.Output, StringComparison.Ordinal);
        var twice = await CliRunner.RunAsync(store, "design", "contribute", folder, "--scheme", "ml", "--licence", "CC-BY-4.0", "--results", results);
        Assert.Equal(1, twice.Exit);
        Assert.Contains("Nothing new to contribute", twice.Error, StringComparison.Ordinal);
        Assert.Equal(2, (await CliRunner.RunAsync(store, "design", "contribute", folder, "--unit", "MPa", "--results", results)).Exit);
        using (var database = new MaterialsDb.Database.MemoryMaterialsStore(Path.Combine(results, ".database")))
        {
            await database.InitializeAsync(TestContext.Current.CancellationToken);
            var entry = await new MaterialsDb.Database.MaterialsDatabase(database).GetAsync("mdb-8", new MaterialsDb.Database.Viewer("local"), cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal("MPa", entry.Properties["yield_strength"].Unit);
            Assert.Equal(MaterialsDb.Database.SourceKind.Ml, entry.SourceKind);
        }

        // The next campaign starts from them: observations queried from the same database.
        var fromDatabase = _dir.File("from-database.yaml");
        var steel = await File.ReadAllTextAsync(spec, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(fromDatabase, steel.Replace("  dataset: steels_yield            # its 'target' column becomes yield_strength\n  sample: 40", "  database: {scheme: ml, elements: [Fe]}", StringComparison.Ordinal), TestContext.Current.CancellationToken);
        var second = await CliRunner.RunAsync(store, "design", "start", fromDatabase, "-o", _dir.File("second"), "--results", results);
        Assert.True(second.Exit == 0, second.Error);
        Assert.Contains("Observations: 8 from the shared database at version 1.", second.Output, StringComparison.Ordinal);

        var next = await CliRunner.RunAsync(store, "design", "next", folder);
        Assert.True(next.Exit == 0, next.Error);
        Assert.Contains("Round 2: 8 proposals", next.Output, StringComparison.Ordinal);
        var show = await CliRunner.RunAsync(store, "design", "show", folder, "--format", "tsv");
        var lines = show.Output.Trim().Split('\n');
        Assert.Equal("round\tproposed\treported\tobservations\tbest yield_strength\tyield_strength MAE\tyield_strength within 1σ", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("1\t8\t8\t48\t", lines[2], StringComparison.Ordinal);

        var again = await CliRunner.RunAsync(store, "design", "report", folder, measured, "--column", "yield_strength=prediction");
        Assert.Equal(1, again.Exit);
        Assert.Contains("was reported already", again.Error, StringComparison.Ordinal);
        var badColumn = await CliRunner.RunAsync(store, "design", "report", folder, measured, "--column", "yield_strength");
        Assert.Equal(2, badColumn.Exit);
    }

    [Fact]
    public async Task TheBenchmarkPrintsEveryAcquisitionAndWritesJson()
    {
        // A smooth function of Fe–Ni–Co fractions on a 5 % grid, its maximum at Fe0.5Ni0.3Co0.2.
        var rows = new List<string> { "formula,strength" };
        for (var ni = 0; ni <= 20; ni++)
        {
            for (var co = 0; co + ni <= 20; co++)
            {
                var fe = 20 - ni - co;
                var value = 100 - (400 * (Math.Pow((ni / 20.0) - 0.3, 2) + Math.Pow((co / 20.0) - 0.2, 2)));
                var formula = string.Concat(new[] { ("Fe", fe), ("Ni", ni), ("Co", co) }.Where(x => x.Item2 > 0).Select(x => $"{x.Item1}{x.Item2}"));
                rows.Add(string.Create(CultureInfo.InvariantCulture, $"{formula},{value}"));
            }
        }

        var csv = _dir.File("grid.csv");
        await File.WriteAllLinesAsync(csv, rows, TestContext.Current.CancellationToken);
        var json = _dir.File("bench.json");
        var run = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "-q", "design", "benchmark", "--dataset", csv, "--target", "strength", "--goal", "max", "--top-percent", "5",
            "--initial", "15", "--batch", "4", "--rounds", "5", "--seeds", "3", "--acquisition", "ei,ucb", "--featurizer", "fractions", "--members", "4", "--trees", "30", "--json", json);
        Assert.True(run.Exit == 0, run.Error);
        Assert.Contains("grid:strength, goal max (top 5%): 231 candidates", run.Output, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
        var results = document.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["random", "ei", "ucb", "greedy"], results.Select(r => r.GetProperty("acquisition").GetString()));
        foreach (var r in results)
        {
            Assert.InRange(r.GetProperty("median_evaluations_to_first_hit").GetDouble(), 1, 21);
            Assert.InRange(r.GetProperty("discovery_yield").GetDouble(), 0, 1);
            Assert.True(r.GetProperty("acceleration_factor").GetDouble() > 0);
        }

        // The linear surrogate through the same command: a quadratic optimum inside the grid is no place for a linear
        // law, but the run completes and reports every function.
        var linear = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "-q", "design", "benchmark", "--dataset", csv, "--target", "strength", "--goal", "max", "--top-percent", "5",
            "--initial", "15", "--batch", "4", "--rounds", "3", "--seeds", "3", "--acquisition", "ucb", "--featurizer", "fractions", "--surrogate", "linear", "--focus", "2");
        Assert.True(linear.Exit == 0, linear.Error);
        Assert.Contains("\nucb\t", linear.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--goal", "up")]
    [InlineData("--goal", "window:2..1")]
    [InlineData("--acquisition", "magic")]
    [InlineData("--top-percent", "0")]
    [InlineData("--initial", "1")]
    [InlineData("--surrogate", "gp")]
    [InlineData("--focus", "9")]
    public async Task BenchmarkUsageErrors(string option, string value)
    {
        var run = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "design", "benchmark", "--dataset", "steels_yield", option, value);
        Assert.Equal(2, run.Exit);
        Assert.StartsWith("materialsdb: error: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABadSpecNamesItsFields()
    {
        var spec = _dir.File("bad.yaml");
        await File.WriteAllTextAsync(spec, "name: x\nspace: {continuous: {balance: Fe, elements: {Ni: [0, 2]}}}\nobjectives: [{property: gap, goal: up}]", TestContext.Current.CancellationToken);
        var run = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "design", "start", spec, "-o", _dir.File("c"));
        Assert.Equal(1, run.Exit);
        Assert.Contains("space.continuous.elements.Ni: must be [min, max] with 0 ≤ min ≤ max ≤ 1", run.Error, StringComparison.Ordinal);
        Assert.Contains("objectives[0].goal: 'up' must be max, min or window", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.File("c")));
    }
}
