using System.Numerics;
using MaterialsDb.Chemistry;
using MaterialsDb.Features;

namespace MaterialsDb.Features.Tests;

/// <summary>The SIMD kernel against its scalar twin: bit-identical on random and real compositions.</summary>
public sealed class SimdTwinTests(MagpieSourceFixture magpie) : IClassFixture<MagpieSourceFixture>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SimdEqualsScalarOnRandomCompositions(bool imputed)
    {
        var source = imputed ? magpie.Imputed : magpie.Strict;
        var batch = RandomBatch(seed: 7, rows: 5000);
        var simd = Run(new ElementPropertyFeaturizer("magpie", source, ElementPropertyFeaturizer.MagpieProperties, ElementPropertyFeaturizer.MagpieStatistics) { UseSimd = true }, batch);
        var scalar = Run(new ElementPropertyFeaturizer("magpie", source, ElementPropertyFeaturizer.MagpieProperties, ElementPropertyFeaturizer.MagpieStatistics) { UseSimd = false }, batch);
        AssertBitwiseEqual(scalar, simd);
        if (!imputed)
        {
            Assert.Contains(simd, float.IsNaN);
        }
    }

    [Fact]
    public void EveryPropertyCountAndOffsetMatches()
    {
        // Property counts 1..22 exercise every padding of the last vector block.
        var properties = ElementPropertyFeaturizer.MagpieProperties;
        var batch = RandomBatch(seed: 11, rows: 300);
        for (var n = 1; n <= properties.Count; n++)
        {
            var chosen = properties.Skip(properties.Count - n).ToArray();
            var simd = new ElementPropertyFeaturizer("t", magpie.Strict, chosen, ElementPropertyFeaturizer.MagpieStatistics) { UseSimd = true };
            var scalar = simd.FeatureLabels.Count == 0 ? null : new ElementPropertyFeaturizer("t", magpie.Strict, chosen, ElementPropertyFeaturizer.MagpieStatistics) { UseSimd = false };
            for (var offset = 0; offset < 3; offset++)
            {
                var a = new float[(batch.Count - offset) * simd.FeatureLabels.Count];
                var b = new float[a.Length];
                simd.Featurize(batch, offset, batch.Count - offset, a);
                scalar!.Featurize(batch, offset, batch.Count - offset, b);
                AssertBitwiseEqual(b, a);
            }
        }
    }

    [Fact]
    public void ResultsDoNotDependOnThreadCount()
    {
        var batch = RandomBatch(seed: 3, rows: 3 * BatchFeaturizer.BlockRows + 17);
        var featurizer = FeaturizerPresets.Create("ward2016", magpie.Imputed);
        var one = new float[batch.Count * featurizer.FeatureLabels.Count];
        var all = new float[one.Length];
        BatchFeaturizer.Featurize(featurizer, batch, one, maxDegreeOfParallelism: 1, TestContext.Current.CancellationToken);
        BatchFeaturizer.Featurize(featurizer, batch, all, cancellationToken: TestContext.Current.CancellationToken);
        AssertBitwiseEqual(one, all);
    }

    [Fact]
    public void ReportsTheVectorPathInUse() =>
        Assert.True(Vector<double>.Count >= 1 && (Vector.IsHardwareAccelerated || Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0"));

    internal static CompositionBatch RandomBatch(int seed, int rows)
    {
        var random = new Random(seed);
        var batch = new CompositionBatch(rows);
        var z = new List<Element>();
        for (var r = 0; r < rows; r++)
        {
            // 1 to 14 elements (the steels have 14), amounts integer or fractional, ties on purpose.
            var count = random.Next(1, 15);
            z.Clear();
            while (z.Count < count)
            {
                var e = PeriodicTable.FromZ(random.Next(1, 119));
                if (!z.Contains(e))
                {
                    z.Add(e);
                }
            }

            var tie = random.Next(2) == 0;
            batch.Add(Composition.FromAmounts(z.Select((e, i) => new KeyValuePair<Element, double>(e, tie && i < 2 ? 2.0 : random.Next(3) == 0 ? random.NextDouble() * 5 + 1e-3 : random.Next(1, 9)))));
        }

        return batch;
    }

    private static float[] Run(ICompositionFeaturizer featurizer, CompositionBatch batch)
    {
        var output = new float[batch.Count * featurizer.FeatureLabels.Count];
        BatchFeaturizer.Featurize(featurizer, batch, output, cancellationToken: TestContext.Current.CancellationToken);
        return output;
    }

    private static void AssertBitwiseEqual(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]) && !(expected[i] == actual[i]))
            {
                Assert.Fail($"value {i}: scalar {expected[i]:R}, SIMD {actual[i]:R}");
            }
        }
    }
}
