using MaterialsDb.Chemistry;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Tables;
using MaterialsDb.Features;
using MaterialsDb.Models.Packages;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Training.Tests;

/// <summary>
/// Gated models (<c>--zero-gate</c>) on expt_gap (4,604 experimental gaps, 53 % of them metals at exactly 0): the
/// joined classifier + regressor graph is one ONNX member per fold, equals its trainers, and beats the plain regressor.
/// </summary>
public sealed class GatedTrainingTests : IDisposable
{
    private static readonly LightGbmOptions Small = new() { Iterations = 100, Leaves = 15, LearningRate = 0.1, MinimumRowsPerLeaf = 5 };
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AGatedEnsembleBeatsThePlainOneOnGapsWithManyZeros()
    {
        var (featurizer, features, targets) = await MatbenchData.LoadAsync("expt_gap", "magpie");
        var description = new EnsembleTrainer.Description("gap", "gap expt", "eV", new TrainingDataset("expt_gap", "x"), "test");
        var plain = EnsembleTrainer.Train(Path.Combine(_dir.Path, "plain"), featurizer, features, targets, description, Small, calibrate: false);
        var folder = Path.Combine(_dir.Path, "gated");
        // Training itself checks every member's ONNX graph against its trainers on the held-out rows.
        var gated = EnsembleTrainer.Train(folder, featurizer, features, targets, description, Small with { ZeroGate = true }, calibrate: false);

        Assert.True(gated.CrossValidation.MaeMean < plain.CrossValidation.MaeMean - 0.03, $"gated {gated.CrossValidation.MaeMean} vs plain {plain.CrossValidation.MaeMean}");

        using var model = OnnxModel.Load(folder, featurizer);
        using var onnx = OnnxModel.Load(folder, featurizer, InferenceEngine.OnnxRuntime);
        Assert.Equal(InferenceEngine.Native, model.Engine);   // the native evaluator runs the gate too
        Assert.Equal("true", model.Manifest.Hyperparameters!["zeroGate"]);
        var thresholds = model.Manifest.Hyperparameters["gateThresholds"].Split(',').Select(t => double.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(5, thresholds.Length);
        Assert.All(thresholds, t => Assert.InRange(t, 0.05, 0.95));

        // Metals the gate is sure of get exactly 0 from every member; the card explains the gate.
        var rows = targets.Length;
        var (mean, std) = (new float[rows], new float[rows]);
        model.Predict(features, rows, mean, std);
        var (expected, expectedStd) = (new float[rows], new float[rows]);
        onnx.Predict(features, rows, expected, expectedStd);
        Assert.Equal(expected, mean);
        Assert.Equal(expectedStd, std);
        var exactZeros = mean.Count(v => v == 0);
        Assert.InRange(exactZeros, rows / 10, rows * 6 / 10);
        Assert.All(mean, v => Assert.True(v >= 0, $"negative gap {v}"));
        var card = await File.ReadAllTextAsync(Path.Combine(folder, ModelCard.FileName), TestContext.Current.CancellationToken);
        Assert.Contains("gated members", card, StringComparison.Ordinal);
        Assert.Contains(GatedGraph.GateName, card, StringComparison.Ordinal);
    }

    [Fact]
    public void AGateNeedsBothZeroAndNonZeroTargets()
    {
        var features = Enumerable.Range(0, 400).Select(i => (float)i).ToArray();
        var targets = Enumerable.Repeat(1f, 200).ToArray();
        var e = Assert.Throws<MaterialsDbException>(() => GatedRegressor.Train(features, 2, targets, [.. Enumerable.Range(0, 150)], [.. Enumerable.Range(150, 50)], Small));
        Assert.Contains("zero target", e.Message, StringComparison.Ordinal);
    }
}
