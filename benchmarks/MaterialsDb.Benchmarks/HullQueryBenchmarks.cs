using BenchmarkDotNet.Attributes;
using MaterialsDb.Chemistry;
using MaterialsDb.Stability;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// Batched energy-above-hull queries on a prebuilt hull: 1,048,576 random compositions of the system with random
/// energies. Per query (OperationsPerInvoke): queries/s = 1e9 / Mean[ns]. Baseline: the scalar twin on one thread.
/// </summary>
public class HullQueryBenchmarks
{
    private const int Queries = 1 << 20;
    private const int Block = 8192;
    private PhaseDiagram _diagram = null!;
    private double[] _fractions = [];
    private double[] _energies = [];
    private double[] _above = [];
    private double[] _hull = [];

    [Params("Co-Li-Mn-O", "Mo-S-Se-Te-W")]
    public string ChemSys { get; set; } = "Co-Li-Mn-O";

    [GlobalSetup]
    public void Setup()
    {
        var set = BenchmarkData.MpEFormReference();
        _diagram = new PhaseDiagramCache(set).For(ChemSys);
        var n = _diagram.Elements.Count;
        var random = new Random(42);

        // Element-major blocks of 8,192 queries, the layout the batched call takes.
        _fractions = new double[Queries * n];
        _energies = new double[Queries];
        for (var b = 0; b < Queries / Block; b++)
        {
            for (var q = 0; q < Block; q++)
            {
                var raw = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
                var sum = raw.Sum();
                for (var k = 0; k < n; k++)
                {
                    _fractions[(b * Block * n) + (k * Block) + q] = raw[k] / sum;
                }

                _energies[(b * Block) + q] = -3 * random.NextDouble();
            }
        }

        _above = new double[Queries];
        _hull = new double[Queries];
        Console.WriteLine($"// {ChemSys}: {_diagram.Entries.Count} entries, {_diagram.FacetCount} facets");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Queries, Description = "scalar twin, 1 thread")]
    public void ScalarOneThread() => Run(simd: false, threads: 1);

    [Benchmark(OperationsPerInvoke = Queries, Description = "SIMD, 1 thread")]
    public void SimdOneThread() => Run(simd: true, threads: 1);

    [Benchmark(OperationsPerInvoke = Queries, Description = "SIMD, all threads")]
    public void SimdAllThreads() => Run(simd: true, threads: -1);

    private void Run(bool simd, int threads)
    {
        var n = _diagram.Elements.Count;
        Parallel.For(0, Queries / Block, new ParallelOptions { MaxDegreeOfParallelism = threads }, b =>
            _diagram.GetEAboveHull(
                _fractions.AsSpan(b * Block * n, Block * n),
                _energies.AsSpan(b * Block, Block),
                _above.AsSpan(b * Block, Block),
                _hull.AsSpan(b * Block, Block),
                simd));
    }
}
