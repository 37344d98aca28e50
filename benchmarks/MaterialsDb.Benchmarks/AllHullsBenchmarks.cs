using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using MaterialsDb.Chemistry;
using MaterialsDb.Stability;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// Every chemical system of mp_e_form's own entries — each hull a screening of those compositions would touch —
/// built from scratch into a fresh cache, on one thread and on all threads.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class AllHullsBenchmarks
{
    private PhaseEntrySet _set = null!;
    private int[][] _systems = [];

    [GlobalSetup]
    public void Setup()
    {
        _set = BenchmarkData.MpEFormReference();
        _systems = [.. _set.Entries.Select(e => e.Composition.ChemicalSystem).Distinct()
            .Select(s => s.Split('-').Select(x => PeriodicTable.FromSymbol(x).Z).ToArray())];
        Console.WriteLine($"// {_systems.Length} distinct chemical systems");
    }

    [Benchmark(Baseline = true, Description = "all mp_e_form systems, 1 thread")]
    public int OneThread() => Build(1);

    [Benchmark(Description = "all mp_e_form systems, all threads")]
    public int AllThreads() => Build(-1);

    private int Build(int threads)
    {
        var cache = new PhaseDiagramCache(_set);
        Parallel.ForEach(_systems, new ParallelOptions { MaxDegreeOfParallelism = threads }, s => cache.For(s));
        return cache.Count;
    }
}
