using BenchmarkDotNet.Attributes;
using MaterialsDb.Features;
using MaterialsDb.Models.Packages;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// Predictions per second of each shipped model (its whole five-member ensemble, ONNX Runtime, buffers reused) on
/// 65,536 featurized mp_e_form rows in blocks of 4,096, on one thread and on all. rows/s = 1e9 / Mean[ns].
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ShippedModelBenchmarks
{
    private const int Rows = 65_536;
    private const int Block = 4096;
    private OnnxModel _model = null!;
    private OnnxPredictor[] _predictors = [];
    private float[] _features = [];
    private float[] _mean = [];
    private float[] _std = [];
    private int _width;

    [Params("formation-energy", "formation-energy-accurate", "band-gap-pbe", "band-gap-expt", "yield-strength")]
    public string Model { get; set; } = "formation-energy";

    [GlobalSetup]
    public void Setup()
    {
        var folder = ModelRegistry.FromEnvironment().Resolve(Model);
        var preset = ModelManifest.Read(Path.Combine(folder, ModelRegistry.ManifestFile)).Preset;
        var featurizer = FeaturizerPresets.Create(preset, BenchmarkData.Magpie());
        _model = OnnxModel.Load(folder, featurizer);
        _width = featurizer.FeatureLabels.Count;
        _features = new float[Rows * _width];
        BatchFeaturizer.Featurize(featurizer, BenchmarkData.RepeatedMpEForm(Rows), _features);
        _predictors = [.. Enumerable.Range(0, Environment.ProcessorCount).Select(_ => _model.CreatePredictor(Block))];
        _mean = new float[Rows];
        _std = new float[Rows];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var p in _predictors)
        {
            p.Dispose();
        }

        _model.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows, Description = "ensemble, 1 thread")]
    public void OneThread() => Run(1);

    [Benchmark(OperationsPerInvoke = Rows, Description = "ensemble, all threads")]
    public void AllThreads() => Run(Environment.ProcessorCount);

    private void Run(int threads)
    {
        var blocks = Rows / Block;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var predictor = _predictors[t];
            for (var b = t; b < blocks; b += threads)
            {
                _features.AsSpan(b * Block * _width, Block * _width).CopyTo(predictor.Input(Block));
                predictor.Run(Block, _mean.AsSpan(b * Block, Block), _std.AsSpan(b * Block, Block));
            }
        });
    }
}
