using MaterialsDb.Data.Catalog;
using MaterialsDb.Models.Packages;
using MaterialsDb.TestSupport;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MaterialsDb.Training.Tests;

/// <summary>The MLP member trainer: SIMD forward pass against its scalar twin, back-propagation against finite differences, learning, determinism, ONNX export.</summary>
public sealed class MlpTrainingTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TheSimdForwardPassEqualsItsScalarTwin()
    {
        var network = new MlpNetwork([37, 33, 17, 1], seed: 5);
        var random = new Random(6);
        foreach (var bias in network.Biases)
        {
            for (var i = 0; i < bias.Length; i++)
            {
                bias[i] = (float)(random.NextDouble() - 0.5);
            }
        }

        const int Rows = 19;
        var work = network.CreateWorkspace(Rows);
        for (var i = 0; i < Rows * 37; i++)
        {
            // A third of the inputs are exactly 0, like absent elements' fractions (the SIMD path skips them).
            work.Input[i] = i % 3 == 0 ? 0f : (float)((random.NextDouble() * 4) - 2);
        }

        network.Forward(work, Rows);
        for (var r = 0; r < Rows; r++)
        {
            var expected = network.ForwardScalar(work.Input.AsSpan(r * 37, 37))[0];
            Assert.Equal(expected, work.Output[r], 1e-4f * Math.Max(1, Math.Abs(expected)));
        }
    }

    [Fact]
    public void BackPropagationMatchesFiniteDifferences()
    {
        var network = new MlpNetwork([6, 5, 4, 1], seed: 9);
        var input = new float[] { 0.3f, -1.2f, 0.8f, 2.0f, -0.4f, 1.1f };
        var work = network.CreateWorkspace(1);
        input.CopyTo(work.Input, 0);
        network.Forward(work, 1);
        work.OutputGradient[0] = 1; // ∂output/∂parameter
        work.ClearGradients();
        network.Backward(work, 1);
        var analytic = (Weights: work.WeightGradients, Biases: work.BiasGradients);

        var checkedCount = 0;
        for (var l = 0; l < network.Weights.Length; l++)
        {
            foreach (var (parameters, gradient) in new[] { (network.Weights[l], analytic.Weights[l]), (network.Biases[l], analytic.Biases[l]) })
            {
                for (var i = 0; i < parameters.Length; i++)
                {
                    var saved = parameters[i];
                    const float H = 1e-2f;
                    parameters[i] = saved + H;
                    var up = network.ForwardScalar(input)[0];
                    parameters[i] = saved - H;
                    var down = network.ForwardScalar(input)[0];
                    parameters[i] = saved;
                    var numeric = (up - down) / (2 * H);
                    Assert.True(Math.Abs(numeric - gradient[i]) < 2e-2 * Math.Max(1, Math.Abs(numeric)), $"layer {l} parameter {i}: numeric {numeric}, back-propagated {gradient[i]}");
                    checkedCount++;
                }
            }
        }

        Assert.Equal((6 * 5) + 5 + (5 * 4) + 4 + 4 + 1, checkedCount);
    }

    [Fact]
    public void LearnsASmoothFunctionDeterministicallyAndItsOnnxGraphAgrees()
    {
        var (features, targets) = Smooth(3000, width: 5);
        int[] train = [.. Enumerable.Range(0, 2500)];
        int[] test = [.. Enumerable.Range(2500, 500)];
        var options = new MlpOptions { Hidden = [32, 16], Epochs = 40, BatchSize = 64, LearningRate = 3e-3 };

        var fit = MlpRegressor.Train(features, 5, targets, train, test, options, TestContext.Current.CancellationToken);
        var again = MlpRegressor.Train(features, 5, targets, train, test, options, TestContext.Current.CancellationToken);

        // Far better than predicting the mean.
        var mean = train.Average(r => targets[r]);
        var baseline = test.Average(r => Math.Abs(targets[r] - mean));
        var mae = test.Select((r, i) => Math.Abs(fit.Predictions[i] - targets[r])).Average();
        Assert.True(mae < 0.15 * baseline, $"MAE {mae} vs baseline {baseline}");

        // Same settings, same bytes.
        Assert.Equal(fit.Onnx, again.Onnx);
        Assert.Equal(fit.Predictions, again.Predictions);

        // ONNX Runtime on the exported graph gives the trainer's predictions.
        var onnx = Run(fit.Onnx, features, 5, test);
        for (var i = 0; i < test.Length; i++)
        {
            Assert.Equal(fit.Predictions[i], onnx[i], 1e-5f * Math.Max(1, Math.Abs(fit.Predictions[i])));
        }
    }

    [Fact]
    public void MissingAndInfiniteFeaturesCountAsTheMeanInTrainerAndGraph()
    {
        var (features, targets) = Smooth(400, width: 3);
        int[] train = [.. Enumerable.Range(0, 300)];
        var scaling = FeatureScaling.Fit(features, 3, train);

        // Row 300 with its first feature missing, row 301 with an infinite one, row 302 with the mean itself.
        features[300 * 3] = float.NaN;
        features[301 * 3] = float.PositiveInfinity;
        features.AsSpan(302 * 3, 3).Clear();
        features[302 * 3] = scaling.Mean[0];
        features[(302 * 3) + 1] = features[(301 * 3) + 1] = features[(300 * 3) + 1];
        features[(302 * 3) + 2] = features[(301 * 3) + 2] = features[(300 * 3) + 2];
        int[] rows = [300, 301, 302];

        var fit = MlpRegressor.Train(features, 3, targets, train, rows, new MlpOptions { Hidden = [8], Epochs = 3, BatchSize = 32 }, TestContext.Current.CancellationToken);
        var onnx = Run(fit.Onnx, features, 3, rows);

        Assert.All(fit.Predictions, p => Assert.True(float.IsFinite(p)));
        Assert.Equal(fit.Predictions[2], fit.Predictions[0], 1e-6f);
        Assert.Equal(fit.Predictions[2], fit.Predictions[1], 1e-6f);
        Assert.Equal(fit.Predictions[0], onnx[0], 1e-5f);
        Assert.Equal(fit.Predictions[1], onnx[1], 1e-5f);
    }

    [Fact]
    public void BadSettingsAndTargetsAreRefusedByName()
    {
        var (features, targets) = Smooth(100, width: 2);
        int[] train = [.. Enumerable.Range(0, 80)];
        int[] test = [.. Enumerable.Range(80, 20)];
        Assert.Contains("hidden", Assert.Throws<InvalidOptionException>(() => MlpRegressor.Train(features, 2, targets, train, test, new MlpOptions { Hidden = [] }, TestContext.Current.CancellationToken)).Message, StringComparison.Ordinal);
        Assert.Contains("epochs", Assert.Throws<InvalidOptionException>(() => MlpRegressor.Train(features, 2, targets, train, test, new MlpOptions { Epochs = 0 }, TestContext.Current.CancellationToken)).Message, StringComparison.Ordinal);
        Assert.Contains("learning rate", Assert.Throws<InvalidOptionException>(() => MlpRegressor.Train(features, 2, targets, train, test, new MlpOptions { LearningRate = double.NaN }, TestContext.Current.CancellationToken)).Message, StringComparison.Ordinal);
        targets[7] = float.NaN;
        Assert.Contains("row 7", Assert.Throws<MaterialsDbException>(() => MlpRegressor.Train(features, 2, targets, train, test, new MlpOptions(), TestContext.Current.CancellationToken)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrainsAnMlpPackageOnSteelsThatReloadsWithOnnxRuntime()
    {
        var (featurizer, features, targets) = await MatbenchData.LoadAsync("steels_yield", "magpie");
        var folder = Path.Combine(_dir.Path, "yield-mlp");
        var options = new MlpOptions { Hidden = [32, 16], Epochs = 150, BatchSize = 32 };

        var report = EnsembleTrainer.Train(folder, featurizer, features, targets, new EnsembleTrainer.Description("yield-mlp", "yield strength", "MPa", new TrainingDataset("steels_yield", "x"), "test"), options, calibrate: false);

        var mean = targets.Average();
        var baseline = targets.Average(t => Math.Abs(t - mean));
        Assert.True(report.CrossValidation.MaeMean < 0.8 * baseline, $"MAE {report.CrossValidation.MaeMean} vs baseline {baseline}");
        Assert.Equal(InferenceEngine.OnnxRuntime, report.Engine);
        using var model = OnnxModel.Load(folder, featurizer);
        Assert.Equal(5, model.MemberCount);
        Assert.Equal("32,16", model.Manifest.Hyperparameters!["hidden"]);
        Assert.Throws<ModelPackageException>(() => OnnxModel.Load(folder, featurizer, InferenceEngine.Native));
        var card = await File.ReadAllTextAsync(Path.Combine(folder, ModelCard.FileName), TestContext.Current.CancellationToken);
        Assert.Contains("multilayer perceptrons", card, StringComparison.Ordinal);
    }

    // y = sin(x0) + x1·x2 − x3² … on uniform features in [−1.5, 1.5].
    private static (float[] Features, float[] Targets) Smooth(int rows, int width)
    {
        var random = new Random(3);
        var features = new float[rows * width];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = (float)((random.NextDouble() * 3) - 1.5);
        }

        var targets = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            var x = features.AsSpan(r * width, width);
            targets[r] = (float)(Math.Sin(x[0]) + (width > 2 ? x[1] * x[2] : x[1]) - (width > 3 ? x[3] * x[3] : 0));
        }

        return (features, targets);
    }

    private static float[] Run(byte[] onnx, float[] features, int width, int[] rows)
    {
        using var session = new InferenceSession(onnx);
        var input = new DenseTensor<float>(rows.SelectMany(r => features.AsSpan(r * width, width).ToArray()).ToArray(), [rows.Length, width]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(LightGbmRegressor.InputName, input)]);
        return [.. results.Single(v => v.Name == LightGbmRegressor.OutputName).AsEnumerable<float>()];
    }
}
