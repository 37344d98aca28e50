using System.Globalization;
using MaterialsDb.Chemistry;
using MaterialsDb.Features;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Features.Tests;

/// <summary>Every feature of every row of the matminer reference files, SIMD and scalar paths.</summary>
public sealed class MatminerReferenceTests(MagpieSourceFixture magpie) : IClassFixture<MagpieSourceFixture>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MagpieMatchesMatminer(bool simd)
    {
        var (labels, formulas, expected) = ReadReference("magpie_dev.csv");
        var featurizer = new ElementPropertyFeaturizer("magpie", magpie.Imputed, ElementPropertyFeaturizer.MagpieProperties, ElementPropertyFeaturizer.MagpieStatistics) { UseSimd = simd };
        Assert.Equal(labels, featurizer.FeatureLabels);
        AssertMatches(featurizer, formulas, expected);
    }

    [Fact]
    public void StoichiometryAndValenceMatchMatminer()
    {
        var (labels, formulas, expected) = ReadReference("stoich_valence_dev.csv");
        var featurizer = new CompositeFeaturizer("sv", new StoichiometryFeaturizer(), new ValenceOrbitalFeaturizer(magpie.Imputed));
        Assert.Equal(labels, featurizer.FeatureLabels);
        AssertMatches(featurizer, formulas, expected);
    }

    [Fact]
    public void Ward2016IsMagpieThenStoichiometryThenValence()
    {
        var (magpieLabels, _, _) = ReadReference("magpie_dev.csv");
        var (svLabels, _, _) = ReadReference("stoich_valence_dev.csv");
        var ward = FeaturizerPresets.Create("ward2016", magpie.Imputed);
        Assert.Equal([.. magpieLabels, .. svLabels], ward.FeatureLabels);
        Assert.Equal(146, ward.FeatureLabels.Count);
    }

    private static void AssertMatches(ICompositionFeaturizer featurizer, string[] formulas, double[][] expected)
    {
        var batch = new CompositionBatch();
        foreach (var f in formulas)
        {
            Assert.True(batch.TryAdd(f, out var error), $"{f}: {error}");
        }

        var width = featurizer.FeatureLabels.Count;
        var actual = new float[batch.Count * width];
        BatchFeaturizer.Featurize(featurizer, batch, actual, cancellationToken: TestContext.Current.CancellationToken);
        var failures = new List<string>();
        for (var r = 0; r < formulas.Length; r++)
        {
            for (var c = 0; c < width; c++)
            {
                var want = expected[r][c];
                double got = actual[(r * width) + c];
                var ok = double.IsNaN(want) ? double.IsNaN(got) : Math.Abs(got - want) <= Math.Max(1e-5 * Math.Abs(want), 1e-6);
                if (!ok && failures.Count < 20)
                {
                    failures.Add($"{formulas[r]} / {featurizer.FeatureLabels[c]}: ours {got:R}, matminer {want:R}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private static (string[] Labels, string[] Formulas, double[][] Values) ReadReference(string name)
    {
        var lines = File.ReadAllLines(SharedFiles.Reference(name));
        var labels = lines[0].Split(',')[1..];
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.True(rows.Length >= 3000, $"{name}: expected the full reference file");
        return (labels, [.. rows.Select(r => r[0])], [.. rows.Select(r => r[1..].Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())]);
    }
}
