using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using MaterialsDb.Stability;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// Every hull of a 2,000,000-entry database (<see cref="BenchmarkData.TwoMillionEntryReferences"/>: 1,897,503 mp2020
/// entries, 102,497 oqmd), each scheme into its own fresh cache as the database's hull service keeps them: asked for
/// one by one on one thread (the baseline), and level by level with <see cref="PhaseDiagramCache.BuildAll"/> on one
/// thread and on all.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 2)]
public class AllHullsAtScaleBenchmarks
{
    private PhaseEntrySet _mp2020 = null!;
    private PhaseEntrySet _oqmd = null!;
    private int[][] _mp2020Systems = [];
    private int[][] _oqmdSystems = [];

    [GlobalSetup]
    public void Setup()
    {
        (_mp2020, _oqmd) = BenchmarkData.TwoMillionEntryReferences();
        _mp2020Systems = BenchmarkData.ChemicalSystems(_mp2020);
        _oqmdSystems = BenchmarkData.ChemicalSystems(_oqmd);

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var built = Levels(-1, out var kept);
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(kept);
        Console.WriteLine($"// mp2020 {_mp2020.Entries.Count:N0} entries in {_mp2020Systems.Length:N0} systems, oqmd {_oqmd.Entries.Count:N0} in {_oqmdSystems.Length:N0}; {built:N0} hulls; the built caches hold {held / 1e6:F0} MB");
    }

    [Benchmark(Baseline = true, Description = "one by one, 1 thread")]
    public int OneByOne()
    {
        var count = 0;
        foreach (var (set, systems) in new[] { (_mp2020, _mp2020Systems), (_oqmd, _oqmdSystems) })
        {
            var cache = new PhaseDiagramCache(set);
            foreach (var system in systems)
            {
                cache.For(system);
            }

            count += cache.Count;
        }

        return count;
    }

    [Benchmark(Description = "level by level (BuildAll), 1 thread")]
    public int LevelsOneThread() => Levels(1, out _);

    [Benchmark(Description = "level by level (BuildAll), all threads")]
    public int LevelsAllThreads() => Levels(-1, out _);

    private int Levels(int threads, out PhaseDiagramCache[] caches)
    {
        caches = [new PhaseDiagramCache(_mp2020), new PhaseDiagramCache(_oqmd)];
        return caches[0].BuildAll(_mp2020Systems, threads) + caches[1].BuildAll(_oqmdSystems, threads);
    }
}
