using MaterialsDb.Chemistry;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Tables;
using MaterialsDb.Features;
using MaterialsDb.Models.Packages;
using MaterialsDb.TestSupport;
using MaterialsDb.Training;

namespace MaterialsDb.Training.Tests;

/// <summary>Train and evaluate end to end on steels_yield (312 rows) with the magpie preset.</summary>
public sealed class SteelsTrainingTests : IDisposable
{
    private static readonly LightGbmOptions Small = new() { Iterations = 120, Leaves = 15, LearningRate = 0.1, MinimumRowsPerLeaf = 5 };
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task TrainsAMatbenchEnsembleThatReloadsAndBeatsTheMean()
    {
        var (featurizer, features, targets) = await MatbenchData.LoadAsync("steels_yield", "magpie");
        var folder = Path.Combine(_dir.Path, "yield-strength");
        var lines = new List<string>();

        var report = EnsembleTrainer.Train(folder, featurizer, features, targets, new EnsembleTrainer.Description("yield-strength", "yield strength", "MPa", new TrainingDataset("steels_yield", "x"), "test"), Small, lines.Add);
        var cv = report.CrossValidation;

        Assert.Equal(5, cv.Folds.Count);
        Assert.Equal(312, cv.Folds.Sum(f => f.TestRows));
        Assert.Equal(6, lines.Count);
        Assert.StartsWith("calibration:", lines[^1], StringComparison.Ordinal);

        // The calibration ensemble judged fold 0's 63 rows: the scale is fitted on 32 of them, coverage measured on 31.
        var calibration = report.Calibration!;
        Assert.Equal(31, calibration.Rows);
        Assert.True(calibration.Scale > 0);
        Assert.InRange(calibration.Within1Sigma, 0.3, 1.0);
        Assert.True(calibration.Within2Sigma >= calibration.Within1Sigma);

        // Better than always predicting the training mean (the trivial baseline), on the same folds.
        var mean = targets.Average();
        var baseline = targets.Average(t => Math.Abs(t - mean));
        Assert.True(cv.MaeMean < 0.8 * baseline, $"MAE {cv.MaeMean} vs baseline {baseline}");

        using var model = OnnxModel.Load(folder, featurizer);
        Assert.Equal(5, model.MemberCount);
        Assert.Equal("MPa", model.Manifest.Units);
        Assert.Equal(cv.MaeMean, model.Manifest.Metrics!["mae_mean"], 12);
        var prediction = new float[1];
        var std = new float[1];
        model.Predict(features.AsSpan(0, featurizer.FeatureLabels.Count), 1, prediction, std);
        Assert.InRange(prediction[0], 500, 3500);
        Assert.True(std[0] > 0);
        Assert.Contains("| mean ± std |", cv.ToMarkdown("MPa"), StringComparison.Ordinal);
        Assert.Equal(calibration.Scale, model.Manifest.UncertaintyScale);

        // The model card carries the fold table, the leaderboard rows and the calibration.
        var card = await File.ReadAllTextAsync(Path.Combine(folder, ModelCard.FileName), TestContext.Current.CancellationToken);
        Assert.Contains("| MODNet | 87.8 |", card, StringComparison.Ordinal);
        Assert.Contains(cv.MaeMean.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture), card, StringComparison.Ordinal);
        Assert.Contains("errors within 1σ", card, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedRetrainLeavesThePreviousPackageUntouched()
    {
        var (featurizer, features, targets) = await MatbenchData.LoadAsync("steels_yield", "magpie");
        var folder = Path.Combine(_dir.Path, "kept");
        var description = new EnsembleTrainer.Description("kept", "yield strength", "MPa", null, "test");
        EnsembleTrainer.Train(folder, featurizer, features, targets, description, Small with { Iterations = 20 }, calibrate: false);
        var before = Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

        // No yield strength is 0, so a gated retrain fails after the package folder was chosen.
        Assert.Throws<MaterialsDbException>(() => EnsembleTrainer.Train(folder, featurizer, features, targets, description, Small with { ZeroGate = true }, calibrate: false));

        Assert.Equal(before.Keys.Order(), Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        foreach (var (name, bytes) in before)
        {
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(folder, name)));
        }

        Assert.Equal([folder], Directory.GetDirectories(_dir.Path));   // no staging folder left behind
        using var model = OnnxModel.Load(folder, featurizer);
        Assert.Equal(5, model.MemberCount);
    }

    [Fact]
    public async Task LeftoversOfAKilledRunAreCleanedAndAPackageCaughtMidSwapIsRestored()
    {
        var (featurizer, features, targets) = await MatbenchData.LoadAsync("steels_yield", "magpie");
        var folder = Path.Combine(_dir.Path, "kept");
        var description = new EnsembleTrainer.Description("kept", "yield strength", "MPa", null, "test");
        EnsembleTrainer.Train(folder, featurizer, features, targets, description, Small with { Iterations = 20 }, calibrate: false);
        var manifest = await File.ReadAllBytesAsync(Path.Combine(folder, "manifest.json"), TestContext.Current.CancellationToken);

        // A run killed between its two moves: the package sits under its hidden .replaced name, a half-written
        // staging folder beside it. Kills skip finally blocks, so the next run has to tidy up.
        Directory.Move(folder, Path.Combine(_dir.Path, ".kept.replaced-4242"));
        Directory.CreateDirectory(Path.Combine(_dir.Path, ".kept.training-4242"));
        await File.WriteAllTextAsync(Path.Combine(_dir.Path, ".kept.training-4242", "fold0.onnx.gz"), "half", TestContext.Current.CancellationToken);

        // This retrain fails (no yield strength is 0), yet the previous package is back in place.
        Assert.Throws<MaterialsDbException>(() => EnsembleTrainer.Train(folder, featurizer, features, targets, description, Small with { ZeroGate = true }, calibrate: false));

        Assert.Equal([folder], Directory.GetDirectories(_dir.Path));
        Assert.Equal(manifest, await File.ReadAllBytesAsync(Path.Combine(folder, "manifest.json"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task TrainingIsDeterministic()
    {
        var (featurizer, features, targets) = await MatbenchData.LoadAsync("steels_yield", "magpie");
        var a = Path.Combine(_dir.Path, "a");
        var b = Path.Combine(_dir.Path, "b");
        var description = new EnsembleTrainer.Description("y", "yield strength", "MPa", null, "test");
        EnsembleTrainer.Train(a, featurizer, features, targets, description, Small);
        EnsembleTrainer.Train(b, featurizer, features, targets, description, Small);
        // The model card records wall-clock timings; the model itself (ONNX files and manifest) must not vary.
        foreach (var file in Directory.GetFiles(a).Select(Path.GetFileName).Where(f => f != ModelCard.FileName))
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(a, file!), TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(Path.Combine(b, file!), TestContext.Current.CancellationToken));
        }
    }
}
