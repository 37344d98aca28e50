using MaterialsDb.Data.Tables;
using MaterialsDb.Models.Packages;
using MaterialsDb.Screening.Enumeration;
using MaterialsDb.Screening.Output;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Cli.Tests;

public sealed class ScreenCommandTests : IDisposable
{
    private const string Spec = """
        name: cli-test
        candidates:
          enumerate:
            elements: [Li, Mg, O, S, Cl]
            n_elements: [2, 3]
            max_coefficient: 4
        predict: [band-gap-pbe]
        stability: {reference: mp_e_form, model: formation-energy}
        constraints:
          e_above_hull: {max: 0.5}
        rank: {by: [e_above_hull]}
        top: 25
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task WritesARankedParquetWithFixedColumnsUnitsAndProvenance()
    {
        var spec = _dir.File("spec.yaml");
        await File.WriteAllTextAsync(spec, Spec, TestContext.Current.CancellationToken);
        var output = _dir.File("out.parquet");

        var (exit, stdout, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "screen", spec, "-o", output);

        Assert.True(exit == 0, stderr);
        Assert.Contains("ranked rows written", stdout, StringComparison.Ordinal);
        var (table, metadata) = await ParquetTableReader.ReadAsync(output, TestContext.Current.CancellationToken);
        var expectedColumns = ResultTable.FixedColumns.Take(5).Concat(["band_gap_pbe", "band_gap_pbe_std", "formation_energy", "formation_energy_std"]).Concat(ResultTable.FixedColumns.Skip(5));
        Assert.Equal(expectedColumns, table.Columns.Select(c => c.Name));
        Assert.Equal(25, table.RowCount);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), ((LongColumn)table["rank"]).Values);
        var eAbove = table.GetDoubles("e_above_hull");
        Assert.Equal(eAbove.Order(), eAbove);
        Assert.All(eAbove, v => Assert.True(v <= 0.5));
        Assert.Contains("\"e_above_hull\":\"eV/atom\"", metadata[ResultTable.UnitsKey], StringComparison.Ordinal);
        Assert.Contains("\"band_gap_pbe\":\"eV\"", metadata[ResultTable.UnitsKey], StringComparison.Ordinal);
        Assert.Contains("\"band_gap_pbe\":\"band-gap-pbe\"", metadata[ResultTable.ModelsKey], StringComparison.Ordinal);
        Assert.Equal("eV/atom", metadata[ResultTable.UnitKeyPrefix + "formation_energy"]);
        // e_above_hull_std is the formation energy's σ rescaled by what the discovery protocol measured on held-out systems.
        var manifest = ModelManifest.Read(Path.Combine(SharedFiles.RepositoryRoot, "models", "formation-energy", "manifest.json"));
        var factor = (float)((manifest.StabilityUncertaintyScale ?? manifest.UncertaintyScale ?? 1) / (manifest.UncertaintyScale ?? 1));
        Assert.NotEqual(1f, factor);
        Assert.Equal(table.GetDoubles("formation_energy_std").Select(v => v * factor), table.GetDoubles("e_above_hull_std"));
        Assert.Equal(Spec, metadata[ResultTable.SpecKey]);
        Assert.Contains("\"formation-energy\"", metadata[ResultTable.ProvenanceKey], StringComparison.Ordinal);

        // Known compounds are flagged with their reference energy: Li2O is in mp_e_form.
        var formulas = table.GetStrings("formula");
        var known = ((BoolColumn)table["known"]).Values;
        var li2o = Array.IndexOf(formulas, "Li2O");
        if (li2o >= 0)
        {
            Assert.True(known[li2o]);
            Assert.False(double.IsNaN(table.GetDoubles("known_e_form")[li2o]));
        }

        // Same spec, models and data → the same rows, whatever the threads and tile size (CSV has the same columns).
        var again = _dir.File("again.csv");
        Assert.Equal(0, (await CliRunner.RunAsync(SharedFiles.MirrorStore(), "screen", spec, "-o", again, "-q", "--threads", "1", "--tile-size", "100")).Exit);
        var csv = CsvTableReader.Read(again, ["formula", "chemsys", "fractions", "decomposition", "source_formula", "known"]);
        Assert.Equal(table.Columns.Select(c => c.Name), csv.Columns.Select(c => c.Name));
        Assert.Equal(formulas, csv.GetStrings("formula"));
        Assert.Equal(table.GetStrings("decomposition"), csv.GetStrings("decomposition"));
        Assert.Equal(table.GetDoubles("band_gap_pbe"), csv.GetDoubles("band_gap_pbe"));

        var (showExit, shown, _) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "results", "show", output, "-n", "5", "--format", "table");
        Assert.Equal(0, showExit);
        Assert.Contains("cli-test:", shown, StringComparison.Ordinal);
        Assert.Contains("(5 of 25 rows)", shown, StringComparison.Ordinal);
        Assert.Contains(formulas[0]!, shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRunCountsTheSpaceExactly()
    {
        var spec = _dir.File("spec.yaml");
        await File.WriteAllTextAsync(spec, Spec, TestContext.Current.CancellationToken);
        var (exit, stdout, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "screen", spec, "--dry-run");
        Assert.True(exit == 0, stderr);

        // 5 elements: C(5,2)·S(2,4) + C(5,3)·S(3,4) reduced compositions.
        var raw = (10 * SpaceCounter.ReducedTuples(2, 4)) + (10 * SpaceCounter.ReducedTuples(3, 4));
        Assert.Contains($"Space: {raw:N0} reduced compositions", stdout, StringComparison.Ordinal);
        Assert.Contains("Estimate:", stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.File("cli-test.parquet")));
    }

    [Theory]
    [InlineData("name: x\ncandidates: {enumerate: {elements: [Li, Qq]}}\n", "candidates.enumerate.elements")]
    [InlineData("name: x\ncandidates: {list: c.csv}\npredict: [nope]\n", "predict[0]")]
    [InlineData("name: [unclosed\n", "(document)")]
    public async Task BadSpecsAreOneLineErrorsNamingTheField(string text, string field)
    {
        var spec = _dir.File("bad.yaml");
        await File.WriteAllTextAsync(spec, text, TestContext.Current.CancellationToken);
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "screen", spec, "-o", _dir.File("o.parquet"));
        Assert.Equal(1, exit);
        Assert.Contains(field, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.False(File.Exists(_dir.File("o.parquet")));
    }

    [Fact]
    public async Task ListErrorsGoToAnErrorsFile()
    {
        await File.WriteAllTextAsync(_dir.File("c.csv"), "formula\nLiCl\nNotAFormula\nMgO\n", TestContext.Current.CancellationToken);
        var spec = _dir.File("list.yaml");
        await File.WriteAllTextAsync(spec, "name: l\ncandidates: {list: c.csv}\npredict: [band-gap-pbe]\n", TestContext.Current.CancellationToken);
        var output = _dir.File("l.csv");
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "screen", spec, "-o", output, "-q");
        Assert.True(exit == 0, stderr);
        Assert.Contains("1 candidate(s) could not be read", stderr, StringComparison.Ordinal);
        var errors = CsvTableReader.Read(_dir.File("l.errors.csv"), ["formula"]);
        Assert.Equal("NotAFormula", Assert.Single(errors.GetStrings("formula")));
        Assert.Equal(2, CsvTableReader.Read(output, ["formula"]).RowCount);
    }
}
