using BenchmarkDotNet.Attributes;
using MaterialsDb.Chemistry;
using MaterialsDb.Features;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// The magpie preset (132 features) on 1,000,000 real compositions (mp_e_form repeated) already in the batch layout,
/// written to memory. Times are per composition (OperationsPerInvoke): compositions/s = 1e9 / Mean[ns].
/// The scalar twin on one thread is the baseline.
/// </summary>
public class MagpieFeaturizationBenchmarks
{
    private const int Rows = 1_000_000;
    private CompositionBatch _batch = new();
    private ElementPropertyFeaturizer _simd = null!;
    private ElementPropertyFeaturizer _scalar = null!;
    private float[] _output = [];

    [GlobalSetup]
    public void Setup()
    {
        _batch = BenchmarkData.RepeatedMpEForm(Rows);
        var source = BenchmarkData.Magpie();
        _simd = new ElementPropertyFeaturizer("magpie", source, ElementPropertyFeaturizer.MagpieProperties, ElementPropertyFeaturizer.MagpieStatistics) { UseSimd = true };
        _scalar = new ElementPropertyFeaturizer("magpie", source, ElementPropertyFeaturizer.MagpieProperties, ElementPropertyFeaturizer.MagpieStatistics) { UseSimd = false };
        _output = new float[(long)Rows * _simd.FeatureLabels.Count];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows, Description = "scalar twin, 1 thread")]
    public void ScalarOneThread() => BatchFeaturizer.Featurize(_scalar, _batch, _output, maxDegreeOfParallelism: 1);

    [Benchmark(OperationsPerInvoke = Rows, Description = "SIMD, 1 thread")]
    public void SimdOneThread() => BatchFeaturizer.Featurize(_simd, _batch, _output, maxDegreeOfParallelism: 1);

    [Benchmark(OperationsPerInvoke = Rows, Description = "scalar twin, all threads")]
    public void ScalarAllThreads() => BatchFeaturizer.Featurize(_scalar, _batch, _output);

    [Benchmark(OperationsPerInvoke = Rows, Description = "SIMD, all threads")]
    public void SimdAllThreads() => BatchFeaturizer.Featurize(_simd, _batch, _output);
}
