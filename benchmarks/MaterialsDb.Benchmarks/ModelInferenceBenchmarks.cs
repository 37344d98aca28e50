using BenchmarkDotNet.Attributes;
using MaterialsDb.Features;
using MaterialsDb.Models.Packages;
using MaterialsDb.Training;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// ONNX Runtime inference of a five-member LightGBM ensemble (300 trees × 63 leaves each, magpie features, trained in
/// setup on 20,000 mp_e_form rows) on 65,536 featurized rows, in blocks of 4,096. Per row: rows/s = 1e9 / Mean[ns].
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class ModelInferenceBenchmarks
{
    private const int Rows = 65_536;
    private const int Block = 4096;
    private OnnxModel _model = null!;
    private float[] _features = [];
    private float[] _mean = [];
    private float[] _std = [];
    private int _width;
    private string _folder = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        var featurizer = FeaturizerPresets.Create("magpie", BenchmarkData.Magpie());
        _width = featurizer.FeatureLabels.Count;
        _features = new float[Rows * _width];
        BatchFeaturizer.Featurize(featurizer, BenchmarkData.RepeatedMpEForm(Rows), _features);
        var targets = BenchmarkData.MpEFormTargets(20_000);
        _folder = Path.Combine(Path.GetTempPath(), "materialsdb-bench-model-" + Guid.NewGuid().ToString("N"));
        EnsembleTrainer.Train(_folder, featurizer, _features[..(20_000 * _width)], targets, new("bench", "e_form", "eV/atom", null, "benchmark"), new LightGbmOptions { Iterations = 300, Leaves = 63, LearningRate = 0.1 }, calibrate: false);
        _model = OnnxModel.Load(_folder, featurizer);
        _mean = new float[Rows];
        _std = new float[Rows];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows, Description = "5-member ensemble, 1 thread")]
    public void OneThread() => Run(1);

    [Benchmark(OperationsPerInvoke = Rows, Description = "5-member ensemble, all threads")]
    public void AllThreads() => Run(-1);

    private void Run(int threads) =>
        Parallel.For(0, Rows / Block, new ParallelOptions { MaxDegreeOfParallelism = threads }, b =>
            _model.Predict(_features.AsSpan(b * Block * _width, Block * _width), Block, _mean.AsSpan(b * Block, Block), _std.AsSpan(b * Block, Block)));
}
