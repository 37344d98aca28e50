using BenchmarkDotNet.Attributes;
using MaterialsDb.Features;
using MaterialsDb.Models.Packages;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// Predictions per second of each shipped model (its whole five-member ensemble, buffers reused) on 65,536 featurized
/// rows in blocks of 1,024 (as the screening engine runs them), on one thread and on all: known compounds (mp_e_form,
/// repeated) or screening candidates (the first charge-neutral compositions of examples/large-space-quaternaries.yaml).
/// Trees are walked to different depths for the two, so the rates differ. Baseline: ONNX Runtime on one thread; the
/// "used" rows run the engine <see cref="InferenceEngine.Auto"/> picks: the native tree evaluator for tree ensembles
/// (plain or gated), ONNX Runtime for the MLP models (so there "used" is the baseline again). rows/s = 1e9 / Mean[ns].
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ShippedModelBenchmarks
{
    private const int Rows = 65_536;
    private const int Block = 1024;   // the screening engine's block: a block's features stay in L2
    private OnnxModel _onnx = null!;
    private OnnxModel _used = null!;
    private OnnxPredictor[] _onnxPredictors = [];
    private OnnxPredictor[] _usedPredictors = [];
    private float[] _features = [];
    private float[] _mean = [];
    private float[] _std = [];
    private int _width;

    [Params("formation-energy", "formation-energy-accurate", "band-gap-pbe", "band-gap-expt", "yield-strength")]
    public string Model { get; set; } = "formation-energy";

    [Params("mp_e_form", "candidates")]
    public string Source { get; set; } = "mp_e_form";


    [GlobalSetup]
    public void Setup()
    {
        var folder = ModelRegistry.FromEnvironment().Resolve(Model);
        var preset = ModelManifest.Read(Path.Combine(folder, ModelRegistry.ManifestFile)).Preset;
        var featurizer = FeaturizerPresets.Create(preset, BenchmarkData.Magpie());
        _onnx = OnnxModel.Load(folder, featurizer, InferenceEngine.OnnxRuntime);
        _used = OnnxModel.Load(folder, featurizer);
        _width = featurizer.FeatureLabels.Count;
        _features = new float[Rows * _width];
        BatchFeaturizer.Featurize(featurizer, Source == "candidates" ? BenchmarkData.LargeSpaceCandidates(Rows) : BenchmarkData.RepeatedMpEForm(Rows), _features);
        _onnxPredictors = [.. Enumerable.Range(0, Environment.ProcessorCount).Select(_ => _onnx.CreatePredictor(Block))];
        _usedPredictors = [.. Enumerable.Range(0, Environment.ProcessorCount).Select(_ => _used.CreatePredictor(Block))];
        _mean = new float[Rows];
        _std = new float[Rows];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var p in _onnxPredictors.Concat(_usedPredictors))
        {
            p.Dispose();
        }

        _onnx.Dispose();
        _used.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows, Description = "ONNX Runtime, 1 thread")]
    public void OnnxOneThread() => Run(_onnxPredictors, 1);

    [Benchmark(OperationsPerInvoke = Rows, Description = "ONNX Runtime, all threads")]
    public void OnnxAllThreads() => Run(_onnxPredictors, Environment.ProcessorCount);

    [Benchmark(OperationsPerInvoke = Rows, Description = "engine used, 1 thread")]
    public void UsedOneThread() => Run(_usedPredictors, 1);

    [Benchmark(OperationsPerInvoke = Rows, Description = "engine used, all threads")]
    public void UsedAllThreads() => Run(_usedPredictors, Environment.ProcessorCount);

    private void Run(OnnxPredictor[] predictors, int threads)
    {
        var blocks = Rows / Block;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var predictor = predictors[t];
            for (var b = t; b < blocks; b += threads)
            {
                _features.AsSpan(b * Block * _width, Block * _width).CopyTo(predictor.Input(Block));
                predictor.Run(Block, _mean.AsSpan(b * Block, Block), _std.AsSpan(b * Block, Block));
            }
        });
    }
}
