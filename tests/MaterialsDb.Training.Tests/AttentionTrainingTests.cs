using MaterialsDb.Data;
using MaterialsDb.Features;
using MaterialsDb.Models.Packages;
using MaterialsDb.TestSupport;
using MaterialsDb.Training.Attention;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MaterialsDb.Training.Tests;

/// <summary>
/// The attention member trainer: SIMD forward pass against its scalar twin, back-propagation against finite
/// differences, the ONNX graph against the trainer, learning on real data, determinism and refusals.
/// </summary>
public sealed class AttentionTrainingTests : IDisposable
{
    private const int Fractions = ElementFractionFeaturizer.MaxZ;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TheSimdForwardPassEqualsItsScalarTwin()
    {
        const int Descriptors = Fractions + 4;
        var network = new AttentionNetwork(RandomEmbedding(7, seed: 1), width: 11, layers: 2, Descriptors, [9], seed: 2);
        Randomize(network, seed: 3);
        var (features, lists) = Compositions(Descriptors, seed: 4, rows: 40, maxElements: 7);
        int[] rows = [.. Enumerable.Range(0, 40)];
        var work = network.CreateWorkspace(40, lists.MaxElements);
        for (var r = 0; r < 40; r++)
        {
            features.AsSpan(r * Descriptors, Descriptors).CopyTo(work.Head.Input.AsSpan((r * (11 + Descriptors)) + 11));
        }

        network.Forward(work, lists, rows);
        for (var r = 0; r < 40; r++)
        {
            var (z, w) = Row(lists, r);
            var expected = network.PredictScalar(z, w, features.AsSpan(r * Descriptors, Descriptors));
            Assert.Equal(expected, work.Head.Output[r], 1e-4f * Math.Max(1, Math.Abs(expected)));
        }
    }

    [Fact]
    public void BackPropagationMatchesFiniteDifferencesForEveryParameter()
    {
        // Three elements with unequal fractions, a one-element row and a two-element row: all the softmax paths.
        var network = new AttentionNetwork(RandomEmbedding(5, seed: 6), width: 4, layers: 2, descriptors: 2, [5], seed: 7);
        Randomize(network, seed: 8);
        foreach (var (z, w) in new (int[], float[])[] { ([3, 8, 26], [0.2f, 0.5f, 0.3f]), ([14], [1f]), ([1, 9], [0.75f, 0.25f]) })
        {
            float[] descriptors = [0.4f, -1.3f];
            var features = new float[Fractions];
            for (var i = 0; i < z.Length; i++)
            {
                features[z[i] - 1] = w[i];
            }

            var lists = ElementLists.FromFeatures(features, Fractions);
            var work = network.CreateWorkspace(1, z.Length);
            descriptors.CopyTo(work.Head.Input.AsSpan(4));
            work.ClearGradients();
            network.Forward(work, lists, [0]);
            Assert.Equal(network.PredictScalar(z, w, descriptors), work.Head.Output[0], 1e-5f);
            work.Head.OutputGradient[0] = 1; // ∂output/∂parameter
            network.Backward(work, 1);
            network.CollectGradients([work]);

            var checkedCount = 0;
            var all = network.Parameters.Select((p, k) => (Name: $"parameter {k}", Values: p, Gradient: work.Gradients[k]))
                .Concat(network.Head.Weights.Select((p, l) => (Name: $"head weights {l}", Values: p, Gradient: work.Head.WeightGradients[l])))
                .Concat(network.Head.Biases.Select((p, l) => (Name: $"head biases {l}", Values: p, Gradient: work.Head.BiasGradients[l])));
            foreach (var (name, values, gradient) in all)
            {
                for (var i = 0; i < values.Length; i++)
                {
                    var saved = values[i];
                    const float H = 1e-2f;
                    values[i] = saved + H;
                    var up = network.PredictScalar(z, w, descriptors);
                    values[i] = saved - H;
                    var down = network.PredictScalar(z, w, descriptors);
                    values[i] = saved;
                    var numeric = (up - down) / (2 * H);
                    Assert.True(Math.Abs(numeric - gradient[i]) < 2e-2 * Math.Max(1, Math.Abs(numeric)), $"{z.Length} elements, {name}[{i}]: numeric {numeric}, back-propagated {gradient[i]}");
                    checkedCount++;
                }
            }

            // Wₑ 5×4, bₑ, uₑ; two layers of A, B, c, v, O, o; P, p, q; the head 6→5→1.
            Assert.Equal(20 + 4 + 4 + (2 * (16 + 16 + 4 + 4 + 16 + 4)) + 16 + 4 + 4 + (6 * 5) + 5 + 5 + 1, checkedCount);
        }
    }

    [Fact]
    public void TheOnnxGraphAgreesWithTheTrainerAndRefusesRowsWithMoreElementsThanItKnows()
    {
        const int Descriptors = Fractions + 3;
        var (features, lists) = Compositions(Descriptors, seed: 10, rows: 600, maxElements: 5);
        var targets = new float[600];
        for (var r = 0; r < 600; r++)
        {
            // A composition-dependent target: the fraction-weighted mean of a per-element value, plus a descriptor.
            var (z, w) = Row(lists, r);
            targets[r] = features[r * Descriptors] + z.Select((e, i) => w[i] * MathF.Sin(e)).Sum();
        }

        int[] train = [.. Enumerable.Range(0, 500)];
        int[] test = [.. Enumerable.Range(500, 100)];
        var options = new AttentionOptions { Width = 8, MessageLayers = 2, Hidden = [16], Epochs = 30, BatchSize = 32, LearningRate = 3e-3, EmbeddingId = "random", Embedding = RandomEmbedding(6, seed: 11) };

        var fit = AttentionRegressor.Train(features, Descriptors, targets, train, test, options, TestContext.Current.CancellationToken);
        var again = AttentionRegressor.Train(features, Descriptors, targets, train, test, options, TestContext.Current.CancellationToken);
        Assert.Equal(fit.Onnx, again.Onnx);
        Assert.Equal(fit.Predictions, again.Predictions);

        var mean = train.Average(r => targets[r]);
        var baseline = test.Average(r => Math.Abs(targets[r] - mean));
        var mae = test.Select((r, i) => Math.Abs(fit.Predictions[i] - targets[r])).Average();
        Assert.True(mae < 0.5 * baseline, $"MAE {mae} vs baseline {baseline}");

        var onnx = Run(fit.Onnx, features, Descriptors, test);
        for (var i = 0; i < test.Length; i++)
        {
            Assert.Equal(fit.Predictions[i], onnx[i], 1e-5f * Math.Max(1, Math.Abs(fit.Predictions[i])));
        }

        // A row with one element more than any training row: NaN, not a prediction that drops an element.
        var six = new float[Descriptors];
        foreach (var z in new[] { 3, 8, 13, 26, 29, 50 })
        {
            six[Descriptors - Fractions + z - 1] = 1f / 6;
        }

        Assert.True(float.IsNaN(Run(fit.Onnx, six, Descriptors, [0])[0]));
    }

    [Fact]
    public async Task TrainsAnAttentionPackageOnSteelsThatReloadsWithOnnxRuntime()
    {
        var (featurizer, features, targets) = await MatbenchData.LoadAsync("steels_yield", "fractions");
        var folder = Path.Combine(_dir.Path, "yield-attention");
        var embedding = await ElementEmbedding.LoadAsync(ElementEmbedding.DefaultId, SharedFiles.MirrorStore(), TestContext.Current.CancellationToken);
        var options = new AttentionOptions { Width = 16, MessageLayers = 2, Hidden = [32], Epochs = 40, BatchSize = 32, Embedding = embedding };

        // The trainer checks ONNX Runtime against its own predictions on every held-out row.
        var report = EnsembleTrainer.Train(folder, featurizer, features, targets, new EnsembleTrainer.Description("yield-attention", "yield strength", "MPa", new TrainingDataset("steels_yield", "x"), "test"), options, calibrate: false);

        var mean = targets.Average();
        var baseline = targets.Average(t => Math.Abs(t - mean));
        Assert.True(report.CrossValidation.MaeMean < 0.9 * baseline, $"MAE {report.CrossValidation.MaeMean} vs baseline {baseline}");
        using var model = OnnxModel.Load(folder, featurizer);
        Assert.Equal(5, model.MemberCount);
        Assert.Equal("2", model.Manifest.Hyperparameters!["messageLayers"]);
        var recipe = Assert.IsType<AttentionOptions>(TrainerRecipes.FromHyperparameters(model.Manifest.Hyperparameters!));
        Assert.Equal(options with { Embedding = null }, recipe with { Hidden = options.Hidden });
        Assert.Equal(options.Hidden, recipe.Hidden);
        var card = await File.ReadAllTextAsync(Path.Combine(folder, ModelCard.FileName), TestContext.Current.CancellationToken);
        Assert.Contains("attention networks", card, StringComparison.Ordinal);
        Assert.Contains("`mat2vec` vector", card, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FeaturesWithoutFractionsAndBadEmbeddingsAreRefusedByName()
    {
        var (_, features, targets) = await MatbenchData.LoadAsync("steels_yield", "magpie");
        var width = features.Length / targets.Length;
        var options = new AttentionOptions { Epochs = 1, EmbeddingId = "random", Embedding = RandomEmbedding(3, seed: 1) };
        var error = Assert.Throws<InvalidOptionException>(() => AttentionRegressor.Train(features, width, targets, [.. Enumerable.Range(0, 200)], [200], options, TestContext.Current.CancellationToken));
        Assert.Contains("fractions", error.Message, StringComparison.Ordinal);

        Assert.Contains("--width", Assert.Throws<InvalidOptionException>(() => new AttentionOptions { Width = 0 }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("hidden", Assert.Throws<InvalidOptionException>(() => new AttentionOptions { Hidden = [] }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("not an element embedding", (await Assert.ThrowsAsync<InvalidOptionException>(() => ElementEmbedding.LoadAsync("mp_e_form", SharedFiles.MirrorStore(), TestContext.Current.CancellationToken))).Message, StringComparison.Ordinal);

        string[] header = ["element,0,1"];
        Assert.Contains("line 2", Assert.Throws<InputDataException>(() => ElementEmbedding.Parse("e", [.. header, "Xx,1,2"])).Message, StringComparison.Ordinal);
        Assert.Contains("column 2", Assert.Throws<InputDataException>(() => ElementEmbedding.Parse("e", [.. header, "H,1,NaN"])).Message, StringComparison.Ordinal);
        Assert.Contains("no row for He", Assert.Throws<InputDataException>(() => ElementEmbedding.Parse("e", [.. header, "H,1,2"])).Message, StringComparison.Ordinal);
    }

    private static ElementEmbedding RandomEmbedding(int width, int seed)
    {
        var random = new Random(seed);
        return new ElementEmbedding("random", width, [.. Enumerable.Range(0, ElementEmbedding.Elements * width).Select(_ => (float)(random.NextDouble() - 0.5))]);
    }

    // Biases and vectors away from their zero start, so every path carries signal.
    private static void Randomize(AttentionNetwork network, int seed)
    {
        var random = new Random(seed);
        foreach (var values in network.Parameters.Concat(network.Head.Biases))
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] += (float)(random.NextDouble() - 0.5) * 0.5f;
            }
        }

        network.RefreshTable();
    }

    // Random descriptors followed by the fractions of 1 … maxElements random elements.
    private static (float[] Features, ElementLists Lists) Compositions(int width, int seed, int rows, int maxElements)
    {
        var random = new Random(seed);
        var features = new float[rows * width];
        for (var r = 0; r < rows; r++)
        {
            var row = features.AsSpan(r * width, width);
            for (var k = 0; k < width - Fractions; k++)
            {
                row[k] = (float)((random.NextDouble() * 2) - 1);
            }

            var n = 1 + (r % maxElements);
            var elements = Enumerable.Range(1, 90).OrderBy(_ => random.Next()).Take(n).ToArray();
            var amounts = elements.Select(_ => 1 + random.Next(6)).ToArray();
            for (var i = 0; i < n; i++)
            {
                row[width - Fractions + elements[i] - 1] = (float)amounts[i] / amounts.Sum();
            }
        }

        return (features, ElementLists.FromFeatures(features, width));
    }

    private static (int[] Z, float[] W) Row(ElementLists lists, int row) =>
        (lists.Z[lists.Offsets[row]..lists.Offsets[row + 1]], lists.Fractions[lists.Offsets[row]..lists.Offsets[row + 1]]);

    private static float[] Run(byte[] onnx, float[] features, int width, int[] rows)
    {
        using var session = new InferenceSession(onnx);
        var input = new DenseTensor<float>(rows.SelectMany(r => features.AsSpan(r * width, width).ToArray()).ToArray(), [rows.Length, width]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(LightGbmRegressor.InputName, input)]);
        return [.. results.Single(v => v.Name == LightGbmRegressor.OutputName).AsEnumerable<float>()];
    }
}
