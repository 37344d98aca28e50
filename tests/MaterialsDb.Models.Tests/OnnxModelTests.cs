using MaterialsDb.Models.Packages;

namespace MaterialsDb.Models.Tests;

public sealed class OnnxModelTests(TrainedOnnxFixture trained) : IClassFixture<TrainedOnnxFixture>
{
    [Fact]
    public void OnnxPredictionsEqualTheTrainersWithin1e5()
    {
        using var model = OnnxModel.Load(trained.Package([0]), trained.Featurizer);
        var rows = trained.Batch.Count;
        var mean = new float[rows];
        var std = new float[rows];
        model.Predict(trained.Features, rows, mean, std);
        for (var r = 0; r < rows; r++)
        {
            Assert.InRange(mean[r] - trained.TrainerPredictions[0][r], -1e-5f, 1e-5f);
            Assert.Equal(0f, std[r]);
        }
    }

    [Fact]
    public void PredictionsDoNotDependOnBatchSize()
    {
        using var model = OnnxModel.Load(trained.Package([0, 1]), trained.Featurizer);
        var rows = trained.Batch.Count;
        var whole = new float[rows];
        var wholeStd = new float[rows];
        model.Predict(trained.Features, rows, whole, wholeStd);
        foreach (var size in new[] { 1, 7, 64 })
        {
            for (var start = 0; start < rows; start += size)
            {
                var n = Math.Min(size, rows - start);
                var mean = new float[n];
                var std = new float[n];
                model.Predict(trained.Features.AsSpan(start * trained.Width, n * trained.Width), n, mean, std);
                Assert.Equal(whole.AsSpan(start, n).ToArray(), mean);
                Assert.Equal(wholeStd.AsSpan(start, n).ToArray(), std);
            }
        }
    }

    [Fact]
    public void EnsembleGivesMeanAndSpread()
    {
        using var model = OnnxModel.Load(trained.Package([0, 1]), trained.Featurizer);
        Assert.Equal(2, model.MemberCount);
        var mean = new float[3];
        var std = new float[3];
        model.Predict(trained.Features, 3, mean, std);
        for (var r = 0; r < 3; r++)
        {
            double a = trained.TrainerPredictions[0][r], b = trained.TrainerPredictions[1][r];
            Assert.InRange(mean[r] - ((a + b) / 2), -1e-5, 1e-5);
            Assert.InRange(std[r] - (Math.Abs(a - b) / 2), -1e-4, 1e-4);
        }
    }

    [Fact]
    public void NaNFeaturesGiveNaN()
    {
        using var model = OnnxModel.Load(trained.Package([0]), trained.Featurizer);
        var features = trained.Features.AsSpan(0, 2 * trained.Width).ToArray();
        features[trained.Width + 2] = float.NaN;
        var mean = new float[2];
        var std = new float[2];
        model.Predict(features, 2, mean, std);
        Assert.False(float.IsNaN(mean[0]));
        Assert.True(float.IsNaN(mean[1]) && float.IsNaN(std[1]));
    }

    [Fact]
    public void WrongWidthIsNamed()
    {
        var e = Assert.Throws<ModelPackageException>(() => OnnxModel.Load(trained.Package([0], m => m with { FeatureCount = 132 }), trained.Featurizer));
        Assert.Contains("featureCount is 132", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnnxInputWidthIsCheckedAgainstTheManifest()
    {
        // A three-feature featurizer and a manifest that agrees with it, but an ONNX graph that takes six.
        var narrow = new MaterialsDb.Features.StoichiometryFeaturizer([0, 2, 3]);
        var folder = trained.Package([0], m => m with { FeatureCount = 3, LabelsSha256 = ModelManifest.HashLabels(narrow.FeatureLabels) });
        var e = Assert.Throws<ModelPackageException>(() => OnnxModel.Load(folder, narrow));
        Assert.Contains("float32[N, 3]", e.Message, StringComparison.Ordinal);
        Assert.Contains("6", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongLabelOrderIsNamed()
    {
        var e = Assert.Throws<ModelPackageException>(() => OnnxModel.Load(trained.Package([0], m => m with { LabelsSha256 = ModelManifest.HashLabels(["a", "b"]) }), trained.Featurizer));
        Assert.Contains("feature order differs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongChecksumIsNamed()
    {
        var folder = trained.Package([0]);
        var path = Path.Combine(folder, "member0.onnx");
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 1;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ModelPackageException>(() => OnnxModel.Load(folder, trained.Featurizer));
        Assert.Contains("member0.onnx", e.Message, StringComparison.Ordinal);
        Assert.Contains("SHA-256", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingOutputIsNamed()
    {
        var e = Assert.Throws<ModelPackageException>(() => OnnxModel.Load(trained.Package([0], m => m with { OutputName = "Prediction" }), trained.Featurizer));
        Assert.Contains("no output named 'Prediction'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Score.output", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingInputIsNamed()
    {
        var e = Assert.Throws<ModelPackageException>(() => OnnxModel.Load(trained.Package([0], m => m with { InputName = "X" }), trained.Featurizer));
        Assert.Contains("no input named 'X'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFilesAndManifestAreNamed()
    {
        var folder = trained.Package([0]);
        File.Delete(Path.Combine(folder, "member0.onnx"));
        Assert.Contains("missing", Assert.Throws<ModelPackageException>(() => OnnxModel.Load(folder, trained.Featurizer)).Message, StringComparison.Ordinal);
        File.Delete(Path.Combine(folder, "manifest.json"));
        Assert.Contains("no manifest.json", Assert.Throws<ModelPackageException>(() => OnnxModel.Load(folder, trained.Featurizer)).Message, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(folder, "manifest.json"), "{ not json");
        Assert.Contains("not a valid manifest", Assert.Throws<ModelPackageException>(() => OnnxModel.Load(folder, trained.Featurizer)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongPresetIsNamed()
    {
        var e = Assert.Throws<ModelPackageException>(() => OnnxModel.Load(trained.Package([0], m => m with { Preset = "magpie" }), trained.Featurizer));
        Assert.Contains("preset 'magpie'", e.Message, StringComparison.Ordinal);
    }
}
