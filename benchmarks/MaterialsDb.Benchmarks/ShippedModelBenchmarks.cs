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
public class ShippedModelBenchmarks : PackageInferenceBenchmarks
{
    /// <inheritdoc/>
    [Params("formation-energy", "formation-energy-accurate", "band-gap-pbe", "band-gap-expt", "yield-strength")]
    public override string Model { get; set; } = "formation-energy";

    /// <inheritdoc/>
    [Params("mp_e_form", "candidates")]
    public override string Source { get; set; } = "mp_e_form";
}

/// <summary>
/// The same measurement for the property models and classifiers, on screening candidates only: what each costs as a
/// stage of a screening (the log-target and classifier graphs run on ONNX Runtime, so there "used" is the baseline).
/// </summary>
public class PropertyModelBenchmarks : PackageInferenceBenchmarks
{
    /// <inheritdoc/>
    [Params("bulk-modulus-aflow", "shear-modulus-aflow", "debye-temperature", "thermal-conductivity", "thermal-expansion", "band-gap-aflow", "bulk-modulus-mp", "shear-modulus-mp", "elastic-anisotropy", "magnetic-moment", "e-above-hull", "volume-per-atom", "band-gap-oqmd", "is-metal", "glass-forming")]
    public override string Model { get; set; } = "is-metal";

    /// <inheritdoc/>
    public override string Source { get; set; } = "candidates";
}

/// <summary>
/// The same measurement for packages named at run time: <c>MATERIALSDB_BENCHMARK_MODELS</c> holds comma-separated ids or
/// folders (default: the shipped <c>formation-energy-accurate</c>), so a package trained outside <c>models/</c> — a new
/// recipe before it ships — is timed beside a shipped one in the same run. Screening candidates.
/// </summary>
public class CandidatePackageBenchmarks : PackageInferenceBenchmarks
{
    /// <summary>The packages of <c>MATERIALSDB_BENCHMARK_MODELS</c>.</summary>
    public static IEnumerable<string> Packages() =>
        (Environment.GetEnvironmentVariable("MATERIALSDB_BENCHMARK_MODELS") is { Length: > 0 } named ? named : "formation-energy-accurate")
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <inheritdoc/>
    [ParamsSource(nameof(Packages))]
    public override string Model { get; set; } = "formation-energy-accurate";

    /// <inheritdoc/>
    public override string Source { get; set; } = "candidates";
}

/// <summary>One model package's ensemble over 65,536 featurized rows: ONNX Runtime (baseline) and the engine used, 1 and all threads.</summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public abstract class PackageInferenceBenchmarks
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

    /// <summary>The package id.</summary>
    public abstract string Model { get; set; }

    /// <summary><c>mp_e_form</c> (known compounds) or <c>candidates</c> (screening candidates).</summary>
    public abstract string Source { get; set; }

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
