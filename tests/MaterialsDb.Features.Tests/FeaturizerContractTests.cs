using MaterialsDb.Chemistry;
using MaterialsDb.Features;

namespace MaterialsDb.Features.Tests;

public sealed class FeaturizerContractTests(MagpieSourceFixture magpie) : IClassFixture<MagpieSourceFixture>
{
    public static TheoryData<string, int> Presets => new() { { "magpie", 132 }, { "ward2016", 146 }, { "ward2016-fractions", 249 }, { "magpie-fractions", 235 }, { "fractions", 103 } };

    [Theory]
    [MemberData(nameof(Presets))]
    public void LabelsMatchTheValuesWritten(string preset, int width)
    {
        var featurizer = FeaturizerPresets.Create(preset, magpie.Imputed);
        Assert.Equal(preset, featurizer.Id);
        Assert.Equal(width, featurizer.FeatureLabels.Count);
        Assert.Equal(width, featurizer.FeatureLabels.Distinct().Count());
        Assert.NotEmpty(featurizer.Citations);

        var batch = new CompositionBatch();
        batch.TryAdd("Fe2O3", out _);
        batch.TryAdd("NaCl", out _);

        // One spare value after the rows: it must stay untouched.
        var output = new float[(2 * width) + 1];
        output[^1] = 12345f;
        featurizer.Featurize(batch, 0, 2, output);
        Assert.Equal(12345f, output[^1]);
        Assert.DoesNotContain(output, float.IsNaN);
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void ABlockOfRowsAllocatesAlmostNothing(string preset, int width)
    {
        // The screening engine featurizes blocks of 1,024 rows millions of times: a per-call scratch matrix (hundreds of
        // KB, on the large-object heap) made the garbage collector a visible share of a screening's time.
        var featurizer = FeaturizerPresets.Create(preset, magpie.Imputed);
        var batch = new CompositionBatch();
        var random = new Random(3);
        while (batch.Count < 1024)
        {
            batch.Add([(byte)random.Next(1, 90), (byte)random.Next(90, 95)], [random.Next(1, 6), random.Next(1, 6)]);
        }

        var output = new float[1024 * width];
        featurizer.Featurize(batch, 0, 1024, output);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++)
        {
            featurizer.Featurize(batch, 0, 1024, output);
        }

        Assert.InRange((GC.GetAllocatedBytesForCurrentThread() - before) / 10, 0, 4096);
    }

    [Fact]
    public void EmptyRowsGetNaNAndOthersAreUnaffected()
    {
        var featurizer = FeaturizerPresets.Create("ward2016", magpie.Imputed);
        var width = featurizer.FeatureLabels.Count;
        var batch = new CompositionBatch();
        batch.TryAdd("Fe2O3", out _);
        batch.AddEmpty();
        batch.TryAdd("Fe2O3", out _);
        var output = new float[3 * width];
        featurizer.Featurize(batch, 0, 3, output);
        Assert.All(output.AsSpan(width, width).ToArray(), v => Assert.True(float.IsNaN(v)));
        Assert.Equal(output.AsSpan(0, width).ToArray(), output.AsSpan(2 * width, width).ToArray());
    }

    [Fact]
    public void ComputesTheStatisticsAsDefined()
    {
        // Fe2O3: Number 26 and 8, fractions 0.4 and 0.6.
        var featurizer = new ElementPropertyFeaturizer("t", magpie.Imputed, ["Number"], ElementPropertyFeaturizer.MagpieStatistics);
        var batch = new CompositionBatch();
        batch.TryAdd("Fe2O3", out _);
        var f = new float[6];
        featurizer.Featurize(batch, 0, 1, f);
        var mean = (0.4 * 26) + (0.6 * 8);
        Assert.Equal([8f, 26f, 18f, (float)mean, (float)((0.4 * Math.Abs(26 - mean)) + (0.6 * Math.Abs(8 - mean))), 8f], f);
    }

    [Fact]
    public void ModeBreaksTiesByTheSmallestValue()
    {
        var featurizer = new ElementPropertyFeaturizer("t", magpie.Imputed, ["Number"], [PropertyStatistic.Mode]);
        var batch = new CompositionBatch();
        batch.TryAdd("Fe2O2Na", out _);          // Fe and O tie → min(26, 8)
        batch.TryAdd("Fe2O1.999999Na", out _);    // within numpy's isclose → still a tie
        batch.TryAdd("Fe2O1.99Na", out _);        // clearly fewer O → Fe
        var f = new float[3];
        featurizer.Featurize(batch, 0, 3, f);
        Assert.Equal([8f, 8f, 26f], f);
    }

    [Fact]
    public void StrictModeGivesNaNWhereAValueIsMissing()
    {
        // He has no Electronegativity in the Magpie tables.
        Assert.True(double.IsNaN(magpie.Strict.Get("Electronegativity", 2)));
        Assert.False(double.IsNaN(magpie.Imputed.Get("Electronegativity", 2)));
        var featurizer = new ElementPropertyFeaturizer("t", magpie.Strict, ["Electronegativity", "Number"], ElementPropertyFeaturizer.MagpieStatistics);
        var batch = new CompositionBatch();
        batch.TryAdd("HeNa2", out _);
        var f = new float[12];
        featurizer.Featurize(batch, 0, 1, f);
        Assert.All(f[..5], v => Assert.True(float.IsNaN(v)));
        Assert.False(float.IsNaN(f[5]));                    // mode is Na's value: He is not among the most abundant
        Assert.DoesNotContain(f[6..], float.IsNaN);          // Number is known for both
    }

    [Fact]
    public void ImputedValueIsTheMeanOverKnownElements()
    {
        var strict = magpie.Strict.Values("Electronegativity").ToArray();
        var mean = strict.Where(v => !double.IsNaN(v)).Average();
        Assert.Equal(mean, magpie.Imputed.Get("Electronegativity", 2), 12);
        Assert.Equal(strict[0], magpie.Imputed.Get("Electronegativity", 1));
    }

    [Fact]
    public void RejectsBadArguments()
    {
        var featurizer = FeaturizerPresets.Create("magpie", magpie.Imputed);
        var batch = new CompositionBatch();
        batch.TryAdd("NaCl", out _);
        Assert.Throws<ArgumentOutOfRangeException>(() => featurizer.Featurize(batch, 0, 2, new float[264]));
        Assert.Throws<ArgumentException>(() => featurizer.Featurize(batch, 0, 1, new float[131]));
        var e = Assert.Throws<MaterialsDbException>(() => FeaturizerPresets.Create("magpi", magpie.Imputed));
        Assert.Contains("ward2016", e.Message, StringComparison.Ordinal);
        var k = Assert.Throws<MaterialsDbException>(() => new ElementPropertyFeaturizer("t", magpie.Imputed, ["Numbr"], [PropertyStatistic.Mean]));
        Assert.Contains("Numbr", k.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ElementFractionsAreAtomicFractionsUpToLawrencium()
    {
        var featurizer = new ElementFractionFeaturizer();
        Assert.Equal(103, featurizer.FeatureLabels.Count);
        Assert.Equal("H", featurizer.FeatureLabels[0]);
        Assert.Equal("Lr", featurizer.FeatureLabels[^1]);
        var batch = new CompositionBatch();
        batch.TryAdd("Fe2O3", out _);
        batch.TryAdd("OgO", out _);
        var f = new float[2 * 103];
        featurizer.Featurize(batch, 0, 2, f);
        Assert.Equal(0.4f, f[25]);
        Assert.Equal(0.6f, f[7]);
        Assert.Equal(1f, f[..103].Sum(), 6);
        Assert.Equal(0.5f, f[103 + 7]);
        Assert.Equal(0.5f, f[103..].Sum(), 6);   // Og has no column, as in matminer
    }

    [Fact]
    public void StoichiometryNorms()
    {
        var batch = new CompositionBatch();
        batch.TryAdd("Fe2O3", out _);
        var f = new float[6];
        new StoichiometryFeaturizer().Featurize(batch, 0, 1, f);
        Assert.Equal(2f, f[0]);
        Assert.Equal((float)Math.Sqrt((0.4 * 0.4) + (0.6 * 0.6)), f[1]);
        Assert.Throws<ArgumentException>(() => new StoichiometryFeaturizer([-1]));
    }
}
