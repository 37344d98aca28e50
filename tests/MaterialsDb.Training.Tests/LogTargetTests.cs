using MaterialsDb.Models.Packages;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Training.Tests;

/// <summary><c>--log-target</c>: trees fitted to ln(target) whose ONNX graphs end in Exp, so predictions stay positive.</summary>
public sealed class LogTargetTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ThermalConductivityPredictionsArePositiveAndTheGraphMatchesTheTrainer()
    {
        var data = await TrainingData.LoadAsync("aflow_thermal_conductivity", "magpie", SharedFiles.MirrorStore(), cancellationToken: TestContext.Current.CancellationToken);
        var folder = Path.Combine(_dir.Path, "kappa");
        var options = new LightGbmOptions { Iterations = 80, Leaves = 15, LearningRate = 0.1, LogTarget = true };

        // Training reloads the package and checks every member's ONNX output against the trainer's exp(prediction).
        var report = EnsembleTrainer.Train(folder, data.Featurizer, data.Features, data.Targets, new EnsembleTrainer.Description("kappa", data.Name, data.Units, data.Dataset, "test"), options, calibrate: false, test: data.Test);

        using var model = OnnxModel.Load(folder, data.Featurizer);
        var rows = data.Test!.Targets.Length;
        var mean = new float[rows];
        var std = new float[rows];
        model.Predict(data.Test.Features, rows, mean, std);
        Assert.All(mean, m => Assert.True(m > 0, $"prediction {m}"));
        Assert.Equal("true", model.Manifest.Hyperparameters!["logTarget"]);
        Assert.EndsWith(" --log-target", options.CommandLine(), StringComparison.Ordinal);
        Assert.Equal(options with { }, TrainerRecipes.FromHyperparameters(model.Manifest.Hyperparameters));

        // Better than the training median on the test rows (the best constant for absolute error).
        var sorted = data.Targets.Order().ToArray();
        var median = sorted[sorted.Length / 2];
        Assert.True(report.Test!.Mae < 0.7 * data.Test.Targets.Average(t => Math.Abs(t - median)), $"test MAE {report.Test.Mae}");
    }

    [Fact]
    public void NonPositiveTargetsAndZeroGatesAreRefusedByName()
    {
        var e = Assert.Throws<InvalidOptionException>(() => LogTarget.Fit([1f, 0f, 2f], [0, 1, 2], _ => ([], [])));
        Assert.Contains("row 2 has 0", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOptionException>(() => new LightGbmOptions { LogTarget = true, ZeroGate = true }.Validate());
    }
}
