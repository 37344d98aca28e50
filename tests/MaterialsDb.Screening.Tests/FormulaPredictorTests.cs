using MaterialsDb.Features;
using MaterialsDb.Screening.Prediction;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Screening.Tests;

/// <summary>
/// Long lists are predicted block by block on every core (a million rows in one ONNX Runtime run took more than 24 GB):
/// each row's prediction, σ and error must be what the formula alone gets, wherever the block edges fall.
/// </summary>
public sealed class FormulaPredictorTests
{
    private static readonly string[] Metals = ["Li", "Na", "Mg", "Al", "Ti", "Fe", "Co", "Ni", "Cu", "Zn", "Zr", "Nb"];

    [Fact]
    public async Task ALongListGivesEachFormulaWhatItGetsAlone()
    {
        var ct = TestContext.Current.CancellationToken;
        using var predictor = await FormulaPredictor.LoadAsync(Path.Combine(SharedFiles.RepositoryRoot, "models", "formation-energy"), SharedFiles.MirrorStore(), ct);

        // 5,000 rows: four whole blocks and a partial one, with bad rows inside blocks and at the very end.
        var formulas = new string?[5000];
        for (var i = 0; i < formulas.Length; i++)
        {
            formulas[i] = $"{Metals[i % Metals.Length]}{1 + (i % 3)}{Metals[(i / 12) % Metals.Length]}{1 + (i % 5)}O{1 + (i % 7)}";
        }

        (formulas[1023], formulas[1024], formulas[2500], formulas[^1]) = ("Xx2O", null, "Fe2(O", "");
        var all = predictor.Predict(formulas, ct);
        Assert.True(FormulaPredictor.BlockRows < formulas.Length / 4);

        foreach (var i in new[] { 0, 1, 1022, 1023, 1024, 1025, 2047, 2048, 2500, 3071, 4095, 4096, 4998, 4999 })
        {
            var alone = predictor.Predict([formulas[i]], ct);
            Assert.Equal(alone.Errors[0], all.Errors[i]);
            Assert.Equal(BitConverter.SingleToInt32Bits(alone.Mean[0]), BitConverter.SingleToInt32Bits(all.Mean[i]));
            Assert.Equal(BitConverter.SingleToInt32Bits(alone.Std[0]), BitConverter.SingleToInt32Bits(all.Std[i]));
        }

        Assert.Equal([1023, 1024, 2500, 4999], Enumerable.Range(0, formulas.Length).Where(i => all.Errors[i] is not null));
        Assert.All(Enumerable.Range(0, formulas.Length).Where(i => all.Errors[i] is null), i => Assert.True(float.IsFinite(all.Mean[i]) && all.Std[i] >= 0));
    }

    [Fact]
    public async Task OnnxModelPredictSpansItsBlocksRowForRow()
    {
        var ct = TestContext.Current.CancellationToken;
        using var predictor = await FormulaPredictor.LoadAsync(Path.Combine(SharedFiles.RepositoryRoot, "models", "formation-energy"), SharedFiles.MirrorStore(), ct);
        var rows = Models.Packages.OnnxModel.PredictBlockRows + 1500;
        var batch = new Chemistry.CompositionBatch(rows);
        for (var i = 0; i < rows; i++)
        {
            Assert.True(batch.TryAdd($"{Metals[i % Metals.Length]}{1 + (i % 4)}S{1 + (i % 9)}", out _));
        }

        var width = predictor.Featurizer.FeatureLabels.Count;
        var features = new float[rows * width];
        BatchFeaturizer.Featurize(predictor.Featurizer, batch, features, cancellationToken: ct);
        var (mean, std) = (new float[rows], new float[rows]);
        predictor.Model.Predict(features, rows, mean, std);
        foreach (var i in new[] { 0, Models.Packages.OnnxModel.PredictBlockRows - 1, Models.Packages.OnnxModel.PredictBlockRows, rows - 1 })
        {
            var (one, oneStd) = (new float[1], new float[1]);
            predictor.Model.Predict(features.AsSpan(i * width, width), 1, one, oneStd);
            Assert.Equal((one[0], oneStd[0]), (mean[i], std[i]));
        }
    }
}
