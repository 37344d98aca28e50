using BenchmarkDotNet.Attributes;
using MaterialsDb.Chemistry;
using MaterialsDb.Screening.Enumeration;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// Enumeration + charge-neutrality (icsd24) over 20,440,960 raw compositions: 20 elements, 2–4 per candidate,
/// coefficients 1..8. Per raw composition (OperationsPerInvoke): raw compositions/s = 1e9 / Mean[ns].
/// Baseline: the same space without the charge filter.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class LargeSpaceEnumerationBenchmarks
{
    private const int Raw = 20_440_960;
    private CandidateSpace _space = null!;

    [GlobalSetup]
    public void Setup()
    {
        _space = BenchmarkData.TwentyElementQuaternaries();
        Console.WriteLine($"// raw {Raw:N0}, reduced {SpaceCounter.Count(_space):N0}, charge-neutral {CandidateEnumerator.Enumerate(_space, static (_, _) => { }):N0}");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Raw, Description = "enumerate, no filter")]
    public long NoFilter() => CandidateEnumerator.Enumerate(_space with { ChargeNeutral = false }, static (_, _) => { });

    [Benchmark(OperationsPerInvoke = Raw, Description = "enumerate + charge neutrality (icsd24)")]
    public long ChargeNeutral() => CandidateEnumerator.Enumerate(_space, static (_, _) => { });
}
