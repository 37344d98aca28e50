using BenchmarkDotNet.Attributes;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Models.Packages;
using MaterialsDb.Screening.Engine;
using MaterialsDb.Screening.Resources;
using MaterialsDb.Screening.Spec;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// What stability.self_consistent costs: the first 262,144 candidates of examples/large-space-quaternaries.yaml on all
/// cores, screened against the known phases' hull (baseline) and with the candidates below it joining the hull
/// (two passes, combined hulls built per system). candidates/s = 1e9 / Mean[ns].
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class SelfConsistentScreeningBenchmarks
{
    private const int Candidates = 262_144;
    private ScreeningResources _resources = null!;
    private ScreeningPlan _plain = null!;
    private ScreeningPlan _selfConsistent = null!;

    [GlobalSetup]
    public void Setup()
    {
        var root = ScreeningBenchmarks.FindRepositoryRoot();
        var text = File.ReadAllText(Path.Combine(root, "examples", "large-space-quaternaries.yaml"));
        var spec = SpecParser.Parse(text);
        _resources = ScreeningResources.LoadAsync(spec, DatasetStore.FromEnvironment(), new ModelRegistry(Path.Combine(root, "models"))).GetAwaiter().GetResult();
        _plain = new ScreeningPlan(spec, _resources);
        _selfConsistent = new ScreeningPlan(SpecParser.Parse(text.Replace("model: formation-energy}", "model: formation-energy, self_consistent: true}", StringComparison.Ordinal)), _resources);
        // Build the reference hulls first, so iterations measure screening, not first-use hull construction.
        ScreeningEngine.Run(_plain, new ScreeningOptions { Limit = Candidates, Threads = Environment.ProcessorCount });
    }

    [GlobalCleanup]
    public void Cleanup() => _resources.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Candidates, Description = "known phases' hull")]
    public long Plain() => ScreeningEngine.Run(_plain, new ScreeningOptions { Limit = Candidates, Threads = Environment.ProcessorCount }).Survivors;

    [Benchmark(OperationsPerInvoke = Candidates, Description = "self-consistent hull (two passes)")]
    public long SelfConsistent() => ScreeningEngine.Run(_selfConsistent, new ScreeningOptions { Limit = Candidates, Threads = Environment.ProcessorCount }).Survivors;
}
