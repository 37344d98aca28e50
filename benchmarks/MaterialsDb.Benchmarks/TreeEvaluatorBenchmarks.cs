using BenchmarkDotNet.Attributes;
using MaterialsDb.Features;
using MaterialsDb.Models.Packages;
using MaterialsDb.Models.Trees;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// One member of the shipped formation-energy model (120 trees × 127 leaves) on 65,536 featurized rows in blocks of
/// 1,024, one thread: ONNX Runtime (baseline) against the native evaluator's three paths, which give its results bit
/// for bit (TreeEvaluatorTests, ShippedModelTests). rows/s = 1e9 / Mean[ns].
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class TreeEvaluatorBenchmarks
{
    private const int Rows = 65_536;
    private const int Block = 1024;
    private OnnxModel _onnx = null!;
    private TreeEnsemble _trees = null!;
    private float[] _features = [];
    private float[] _output = [];
    private int _width;

    [Params("formation-energy", "formation-energy-accurate")]
    public string Model { get; set; } = "formation-energy";

    [Params("mp_e_form", "candidates")]
    public string Source { get; set; } = "candidates";

    [GlobalSetup]
    public void Setup()
    {
        var folder = ModelRegistry.FromEnvironment().Resolve(Model);
        var manifest = ModelManifest.Read(Path.Combine(folder, ModelRegistry.ManifestFile));
        var featurizer = FeaturizerPresets.Create(manifest.Preset, BenchmarkData.Magpie());
        _onnx = OnnxModel.Load(folder, featurizer, InferenceEngine.OnnxRuntime);
        var graph = OnnxFiles.Decompress(File.ReadAllBytes(Path.Combine(folder, manifest.Files[0].File)));
        _trees = OnnxTreeImport.TryRead(graph, manifest.InputName, manifest.OutputName, manifest.FeatureCount, out var reason) ?? throw new InvalidOperationException(reason);
        _width = featurizer.FeatureLabels.Count;
        _features = new float[Rows * _width];
        BatchFeaturizer.Featurize(featurizer, Source == "candidates" ? BenchmarkData.LargeSpaceCandidates(Rows) : BenchmarkData.RepeatedMpEForm(Rows), _features);
        _output = new float[Rows];
    }

    [GlobalCleanup]
    public void Cleanup() => _onnx.Dispose();

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
