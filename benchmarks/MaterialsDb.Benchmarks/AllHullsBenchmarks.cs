using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using MaterialsDb.Chemistry;
using MaterialsDb.Stability;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// Every chemical system of mp_e_form's own entries — each hull a screening of those compositions would touch —
/// built from scratch into a fresh cache: asked for one by one (the baseline: what a screening's threads do), and
/// level by level with <see cref="PhaseDiagramCache.BuildAll"/>; then one system's entries changed and only the systems
/// containing it rebuilt (<see cref="PhaseDiagramCache.WithEntries"/>) against building everything again.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class AllHullsBenchmarks
{
    private PhaseEntrySet _set = null!;
    private int[][] _systems = [];
    private PhaseDiagramCache _built = null!;
    private PhaseEntry[] _added = [];

    [GlobalSetup]
    public void Setup()
    {
        _set = BenchmarkData.MpEFormReference();
        _systems = BenchmarkData.ChemicalSystems(_set);

        var before = GC.GetTotalMemory(forceFullCollection: true);
        _built = new PhaseDiagramCache(_set);
        _built.BuildAll(_systems);
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;
        Console.WriteLine($"// {_systems.Length} distinct chemical systems, {_built.Count} hulls; the built cache holds {held / 1e6:F0} MB");

        // A new Fe-Li-O-P phase (as a contributed or predicted entry would be).
        _added = [new PhaseEntry("added:LiFePO4", Composition.Parse("LiFePO4"), -3.0, "benchmark")];
    }

    [Benchmark(Baseline = true, Description = "one by one, 1 thread")]
    public int OneByOneOneThread() => OneByOne(1);

    [Benchmark(Description = "one by one, all threads")]
    public int OneByOneAllThreads() => OneByOne(-1);

    [Benchmark(Description = "level by level (BuildAll), 1 thread")]
    public int LevelsOneThread() => new PhaseDiagramCache(_set).BuildAll(_systems, 1);

    [Benchmark(Description = "level by level (BuildAll), all threads")]
    public int LevelsAllThreads() => new PhaseDiagramCache(_set).BuildAll(_systems);

    [Benchmark(Description = "one Fe-Li-O-P entry added: everything rebuilt, all threads")]
    public int AddedRebuildAll() => new PhaseDiagramCache(PhaseEntrySet.Create(_set.Entries.Concat(_added))).BuildAll(_systems);

    [Benchmark(Description = "one Fe-Li-O-P entry added: WithEntries, all threads")]
    public int AddedIncremental() => _built.WithEntries(_added).BuildAll(_systems);

    private int OneByOne(int threads)
    {
        var cache = new PhaseDiagramCache(_set);
        Parallel.ForEach(_systems, new ParallelOptions { MaxDegreeOfParallelism = threads }, s => cache.For(s));
        return cache.Count;
    }
}
