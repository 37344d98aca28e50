using System.Globalization;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Cli.Tests;

/// <summary>The property-model example screenings run as shipped, and every ranked row keeps their constraints (read with DuckDB).</summary>
public sealed class PropertyExampleTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<string> ScreenAsync(string example)
    {
        var output = _dir.File(example + ".parquet");
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "screen", Path.Combine(SharedFiles.RepositoryRoot, "examples", example + ".yaml"), "-o", output, "-q");
        Assert.True(exit == 0, stderr);
        return DuckDb.Literal(output);
    }

    private static double[] Row(string sql) => [.. DuckDb.Rows(sql)[0].Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture))];

    [Fact]
    public async Task TinyPredictionsPrintWithTheirSignificantDigits()
    {
        // A thermal expansion of ~5e-5 1/K would print as 0.00005 with six decimals; below 1e-3 a value keeps six significant digits.
        var (exit, stdout, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "predict", "-m", "thermal-expansion", "Al", "NaCl");
        Assert.True(exit == 0, stderr);
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var text = line.Split('\t')[1];
            Assert.Contains("e-", text, StringComparison.Ordinal);
            Assert.InRange(double.Parse(text, CultureInfo.InvariantCulture), 1e-6, 1e-3);
        }
    }

    [Fact]
    public async Task HardCoatingsAreStiffAndNearTheHull()
    {
        var file = await ScreenAsync("hard-coatings");
        var r = Row($"SELECT count(*), min(shear_modulus_aflow), min(bulk_modulus_aflow), max(e_above_hull), count(*) FILTER (WHERE formula LIKE '%B%' OR formula LIKE '%C%' OR formula LIKE '%N%') FROM {file}");
        Assert.Equal(200, r[0]);
        Assert.True(r[1] >= 150, $"min shear {r[1]}");
        Assert.True(r[2] >= 200, $"min bulk {r[2]}");
        Assert.True(r[3] <= 0.05, $"max e_above_hull {r[3]}");
        Assert.Equal(r[0], r[4]);

        // Ranked stiffest first.
        var top = DuckDb.Rows($"SELECT shear_modulus_aflow FROM {file} ORDER BY rank LIMIT 2");
        Assert.True(Convert.ToDouble(top[0][0], CultureInfo.InvariantCulture) >= Convert.ToDouble(top[1][0], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task ThermoelectricsConductLittleAreSemiconductorsAndCountTheNonMetalProbability()
    {
        var file = await ScreenAsync("thermoelectrics");
        var r = Row($"SELECT count(*), max(thermal_conductivity), min(thermal_conductivity), min(band_gap_pbe), max(band_gap_pbe), max(is_metal), max(p_constraints - (1 - is_metal)) FROM {file}");
        Assert.Equal(200, r[0]);
        Assert.True(r[1] <= 2.0 && r[2] > 0, $"κ in ({r[2]}, {r[1]}]");
        Assert.True(r[3] >= 0.05 && r[4] <= 1.0, $"gap in [{r[3]}, {r[4]}]");
        Assert.True(r[5] <= 0.3, $"max P(metal) {r[5]}");

        // p_constraints multiplies P(non-metal) with the other constraints' probabilities, so it never exceeds it.
        Assert.True(r[6] <= 1e-9, $"p_constraints exceeds 1 − P(metal) by {r[6]}");
    }
}
