using BenchmarkDotNet.Attributes;
using MaterialsDb.Features;
using MaterialsDb.Models.Packages;
using MaterialsDb.Models.Trees;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// One LightGBM member of the shapes the tree models use (120 or 600 trees × 127 leaves on ward2016-fractions
/// features; trained in setup on 20,000 mp_e_form rows) on 65,536 featurized rows in blocks of 1,024, one thread:
/// ONNX Runtime (baseline) against the native evaluator's three paths, which give its results bit for bit
/// (TreeEvaluatorTests, ShippedModelTests). rows/s = 1e9 / Mean[ns].
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class TreeEvaluatorBenchmarks
{
    private const int Rows = 65_536;
    private const int Block = 1024;
    private const int TrainingRows = 20_000;
    private OnnxModel _onnx = null!;
    private TreeEnsemble _trees = null!;
    private float[] _features = [];
    private float[] _output = [];
    private int _width;
    private string _folder = string.Empty;

    /// <summary>Trees per member: 120 (the former default formation-energy model's shape) or 600 (its accurate variant's).</summary>
    [Params(120, 600)]
    public int Trees { get; set; } = 120;

    [Params("mp_e_form", "candidates")]
    public string Source { get; set; } = "candidates";

    [GlobalSetup]
    public void Setup()
    {
        var featurizer = FeaturizerPresets.Create("ward2016-fractions", BenchmarkData.Magpie());
        _width = featurizer.FeatureLabels.Count;
        var trainingFeatures = new float[TrainingRows * _width];
        BatchFeaturizer.Featurize(featurizer, BenchmarkData.RepeatedMpEForm(TrainingRows), trainingFeatures);
        var targets = BenchmarkData.MpEFormTargets(TrainingRows);
        _folder = Path.Combine(Path.GetTempPath(), "materialsdb-bench-trees-" + Guid.NewGuid().ToString("N"));
        var options = new MaterialsDb.Training.LightGbmOptions { Iterations = Trees, Leaves = 127, LearningRate = Trees > 200 ? 0.08 : 0.18, MinimumRowsPerLeaf = 10, FeatureFraction = 0.5 };
        MaterialsDb.Training.EnsembleTrainer.Train(_folder, featurizer, trainingFeatures, targets, new("bench", "e_form", "eV/atom", null, "benchmark"), options, calibrate: false);

        var manifest = ModelManifest.Read(Path.Combine(_folder, ModelRegistry.ManifestFile));
        _onnx = OnnxModel.Load(_folder, featurizer, InferenceEngine.OnnxRuntime);
        var graph = OnnxFiles.Decompress(File.ReadAllBytes(Path.Combine(_folder, manifest.Files[0].File)));
        _trees = OnnxTreeImport.TryRead(graph, manifest.InputName, manifest.OutputName, manifest.FeatureCount, out var reason) ?? throw new InvalidOperationException(reason);
        _features = new float[Rows * _width];
        BatchFeaturizer.Featurize(featurizer, Source == "candidates" ? BenchmarkData.LargeSpaceCandidates(Rows) : BenchmarkData.RepeatedMpEForm(Rows), _features);
        _output = new float[Rows];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _onnx.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows, Description = "ONNX Runtime")]
    public void OnnxRuntime()
    {
        for (var b = 0; b < Rows; b += Block)
        {
            _onnx.PredictMember(0, _features.AsSpan(b * _width, Block * _width), Block, _output.AsSpan(b, Block));
        }
    }

    [Benchmark(OperationsPerInvoke = Rows, Description = "scalar twin")]
    public void Scalar() => Each(TreeEvaluator.PredictScalar);

    [Benchmark(OperationsPerInvoke = Rows, Description = "AVX2 gathers, 8 rows")]
    public void Gathered() => Each(TreeEvaluator.PredictGathered);

    [Benchmark(OperationsPerInvoke = Rows, Description = "interleaved, 8 rows (used)")]
    public void Interleaved() => Each(TreeEvaluator.Predict);

    private delegate void Evaluate(TreeEnsemble ensemble, ReadOnlySpan<float> features, int rows, Span<float> output);

    private void Each(Evaluate evaluate)
    {
        for (var b = 0; b < Rows; b += Block)
        {
            evaluate(_trees, _features.AsSpan(b * _width, Block * _width), Block, _output.AsSpan(b, Block));
        }
    }
}
