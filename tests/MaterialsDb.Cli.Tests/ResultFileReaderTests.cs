using System.Globalization;
using System.Text.Json;
using MaterialsDb.Data.Tables;
using MaterialsDb.Screening.Output;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Cli.Tests;

/// <summary>
/// Result files read by a third-party engine (DuckDB), as scientists read them: missing values are NULL (so count,
/// avg and IS NULL are right), columns are usable unquoted, fractions and decompositions are native nested types.
/// </summary>
public sealed class ResultFileReaderTests : IDisposable
{
    private const string Spec = """
        name: duckdb-test
        candidates:
          enumerate:
            elements: [Li, Mg, Zn, O, S, Cl]
            n_elements: [2, 3]
            max_coefficient: 4
        predict: [band-gap-pbe]
        stability: {reference: mp_e_form, model: formation-energy}
        constraints:
          e_above_hull: {max: 0.6}
        rank: {by: [e_above_hull]}
        top: 300
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<string> ScreenAsync(string extension)
    {
        var spec = _dir.File("spec.yaml");
        await File.WriteAllTextAsync(spec, Spec, TestContext.Current.CancellationToken);
        var output = _dir.File("result" + extension);
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "screen", spec, "-o", output, "-q");
        Assert.True(exit == 0, stderr);
        return output;
    }

    [Fact]
    public async Task DuckDbCountsAveragesAndFindsNullsInAScreeningResult()
    {
        var path = await ScreenAsync(".parquet");
        var file = DuckDb.Literal(path);
        var (table, _) = await ParquetTableReader.ReadAsync(path, TestContext.Current.CancellationToken);
        var known = table.GetDoubles("known_e_form");
        var present = known.Where(double.IsFinite).ToArray();
        Assert.NotEmpty(present);
        Assert.True(present.Length < known.Length, "the test needs both known and unknown candidates");

        var row = DuckDb.Rows($"SELECT count(known_e_form), avg(known_e_form), count(*) FILTER (WHERE known_e_form IS NULL), count(*) FROM {file}")[0];
        Assert.Equal(present.Length, Convert.ToInt64(row[0], CultureInfo.InvariantCulture));
        Assert.Equal(present.Average(), Convert.ToDouble(row[1], CultureInfo.InvariantCulture), 12);
        Assert.Equal(known.Length - present.Length, Convert.ToInt64(row[2], CultureInfo.InvariantCulture));
        Assert.Equal(known.Length, Convert.ToInt64(row[3], CultureInfo.InvariantCulture));

        // NaN stays nowhere: every double column's missing values are NULLs.
        Assert.Equal(0L, Convert.ToInt64(DuckDb.Scalar($"SELECT count(*) FROM {file} WHERE isnan(known_e_form) OR isnan(band_gap_pbe) OR isnan(e_above_hull)"), CultureInfo.InvariantCulture));

        // Model columns are plain identifiers; the model id is in the footer.
        var top = DuckDb.Rows($"SELECT formula, band_gap_pbe, band_gap_pbe_std, formation_energy, e_above_hull FROM {file} ORDER BY rank LIMIT 1")[0];
        Assert.Equal(table.GetStrings("formula")[0], top[0]);
        Assert.Equal(table.GetDoubles("band_gap_pbe")[0], Convert.ToDouble(top[1], CultureInfo.InvariantCulture));
        var models = (string)DuckDb.Scalar($"SELECT decode(value) FROM parquet_kv_metadata({file}) WHERE decode(key) = '{ResultTable.ModelsKey}'");
        Assert.Equal("band-gap-pbe", JsonDocument.Parse(models).RootElement.GetProperty("band_gap_pbe").GetString());
    }

    [Fact]
    public async Task FractionsAreAMapAndDecompositionsAListOfStructs()
    {
        var path = await ScreenAsync(".parquet");
        var file = DuckDb.Literal(path);
        var types = DuckDb.Rows($"DESCRIBE SELECT fractions, decomposition FROM {file}").ToDictionary(r => (string)r[0], r => (string)r[1]);
        Assert.Equal("MAP(VARCHAR, DOUBLE)", types["fractions"]);
        Assert.Equal("STRUCT(formula VARCHAR, fraction DOUBLE)[]", types["decomposition"]);

        // Without parsing strings: the Li fraction of every Li compound, and decompositions that add up to one.
        var (table, _) = await ParquetTableReader.ReadAsync(path, TestContext.Current.CancellationToken);
        var fractions = (PairsColumn)table["fractions"];
        var liRows = DuckDb.Rows($"SELECT rank, fractions['Li'] FROM {file} WHERE fractions['Li'] IS NOT NULL ORDER BY rank");
        Assert.NotEmpty(liRows);
        foreach (var r in liRows)
        {
            var rank = Convert.ToInt32(r[0], CultureInfo.InvariantCulture);
            Assert.Equal(fractions.Values[rank - 1]!.Single(p => p.Key == "Li").Value, Convert.ToDouble(r[1], CultureInfo.InvariantCulture));
        }

        var sums = DuckDb.Rows($"SELECT list_sum(list_transform(decomposition, x -> x.fraction)) FROM {file} WHERE decomposition IS NOT NULL");
        Assert.NotEmpty(sums);
        Assert.All(sums, s => Assert.Equal(1.0, Convert.ToDouble(s[0], CultureInfo.InvariantCulture), 9));
        Assert.Equal(0L, Convert.ToInt64(DuckDb.Scalar($"SELECT count(*) FROM {file} WHERE cardinality(fractions) <> n_elements"), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task CsvResultsHaveEmptyFieldsForMissingValues()
    {
        var path = await ScreenAsync(".csv");
        var text = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
        Assert.DoesNotContain("NaN", text, StringComparison.Ordinal);
        var file = DuckDb.Literal(path);
        var row = DuckDb.Rows($"SELECT count(known_e_form), count(*) FILTER (WHERE known_e_form IS NULL), count(*) FROM read_csv_auto({file})")[0];
        Assert.True(Convert.ToInt64(row[0], CultureInfo.InvariantCulture) > 0);
        Assert.True(Convert.ToInt64(row[1], CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task FeaturizeOutputHasNullRowsForBadFormulasAndItsFeaturizerInTheFooter()
    {
        var input = _dir.File("in.csv");
        await File.WriteAllTextAsync(input, "formula\nNaCl\nXx2\nFe2O3\n", TestContext.Current.CancellationToken);
        var output = _dir.File("features.parquet");
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "featurize", "-i", input, "-o", output, "--preset", "magpie");
        Assert.True(exit == 0, stderr);
        var file = DuckDb.Literal(output);
        var row = DuckDb.Rows($"SELECT count(\"MagpieData mean Number\"), count(*) FILTER (WHERE \"MagpieData mean Number\" IS NULL), count(error) FROM {file}")[0];
        Assert.Equal(2L, Convert.ToInt64(row[0], CultureInfo.InvariantCulture));
        Assert.Equal(1L, Convert.ToInt64(row[1], CultureInfo.InvariantCulture));
        Assert.Equal(1L, Convert.ToInt64(row[2], CultureInfo.InvariantCulture));

        var featurizer = JsonDocument.Parse((string)DuckDb.Scalar($"SELECT decode(value) FROM parquet_kv_metadata({file}) WHERE decode(key) = 'materialsdb.featurizer'")).RootElement;
        Assert.Equal("magpie", featurizer.GetProperty("preset").GetString());
        Assert.Equal(132, featurizer.GetProperty("feature_count").GetInt32());
        Assert.True(featurizer.GetProperty("impute_missing").GetBoolean());
        var labels = DuckDb.Rows($"DESCRIBE SELECT * FROM {file}").Select(r => (string)r[0]).Skip(1).Take(132);
        Assert.Equal(Models.Packages.ModelManifest.HashLabels(labels), featurizer.GetProperty("labels_sha256").GetString());
    }

    [Fact]
    public async Task FeaturizeOutputKeepsEachRowsValuesInItsRowAroundBadFormulas()
    {
        // A column holds only the rows with values (plus one definition level per row): a slip would shift every later
        // row's values. LinO has mean atomic number (3n + 8) / (n + 1), so every row can be checked on its own.
        var formulas = Enumerable.Range(1, 100).Select(n => n % 7 == 3 ? $"Xx{n}" : $"Li{n}O").ToArray();
        var input = _dir.File("rows.csv");
        await File.WriteAllTextAsync(input, "formula\n" + string.Join('\n', formulas) + "\n", TestContext.Current.CancellationToken);
        var output = _dir.File("rows.parquet");
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "featurize", "-i", input, "-o", output, "--preset", "magpie");
        Assert.True(exit == 0, stderr);
        var rows = DuckDb.Rows($"SELECT formula, \"MagpieData mean Number\" FROM {DuckDb.Literal(output)}");
        Assert.Equal(formulas, rows.Select(r => (string)r[0]));
        for (var i = 0; i < formulas.Length; i++)
        {
            var n = i + 1;
            if (n % 7 == 3)
            {
                Assert.Equal(DBNull.Value, rows[i][1]);
            }
            else
            {
                Assert.Equal((3.0 * n + 8) / (n + 1), Convert.ToDouble(rows[i][1], CultureInfo.InvariantCulture), tolerance: 1e-5);
            }
        }
    }

    [Fact]
    public async Task CompositionAndStabilityOutputsAreReadableToo()
    {
        var input = _dir.File("q.csv");
        await File.WriteAllTextAsync(input, "formula,e_form_per_atom\nLi2O,-2.1\nXx,1\nLiCoO2,-1.5\n", TestContext.Current.CancellationToken);
        var composition = _dir.File("c.parquet");
        var stability = _dir.File("s.parquet");
        Assert.Equal(0, (await CliRunner.RunAsync(SharedFiles.MirrorStore(), "composition", "-i", input, "-o", composition)).Exit);
        Assert.Equal(0, (await CliRunner.RunAsync(SharedFiles.MirrorStore(), "stability", "-i", input, "-o", stability)).Exit);
        Assert.Equal(0.5, Convert.ToDouble(DuckDb.Scalar($"SELECT fractions['O'] FROM {DuckDb.Literal(composition)} WHERE formula = 'LiCoO2'"), CultureInfo.InvariantCulture), 12);
        Assert.Equal(DBNull.Value, DuckDb.Scalar($"SELECT fractions FROM {DuckDb.Literal(composition)} WHERE formula = 'Xx'"));
        var s = DuckDb.Rows($"SELECT count(e_above_hull), count(decomposition), count(error) FROM {DuckDb.Literal(stability)}")[0];
        Assert.Equal([2L, 2L, 1L], s.Select(v => Convert.ToInt64(v, CultureInfo.InvariantCulture)));

        // Each row's numbers stay in its row around the bad one (a number column holds only the rows that have one).
        var placed = DuckDb.Rows($"SELECT formula, e_form_per_atom, hull_energy IS NULL FROM {DuckDb.Literal(stability)}");
        Assert.Equal(["Li2O", "Xx", "LiCoO2"], placed.Select(r => (string)r[0]));
        Assert.Equal(-2.1, Convert.ToDouble(placed[0][1], CultureInfo.InvariantCulture));
        Assert.Equal(-1.5, Convert.ToDouble(placed[2][1], CultureInfo.InvariantCulture));
        Assert.Equal([false, true, false], placed.Select(r => (bool)r[2]));
    }
}
