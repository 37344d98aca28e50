using BenchmarkDotNet.Attributes;
using MaterialsDb.Chemistry;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Models.Packages;
using MaterialsDb.Screening.Engine;
using MaterialsDb.Screening.Enumeration;
using MaterialsDb.Screening.Resources;
using MaterialsDb.Screening.Spec;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// The whole screening cascade on the first 16,384 candidates of examples/li-solid-electrolytes.yaml (charge-neutral
/// Li compounds; formation-energy model, hull, band-gap model): the tiled engine on one thread and on all, against
/// the naive way — each candidate alone through featurizer, models and hull — with the default and the accurate
/// formation-energy model. candidates/s = 1e9 / Mean[ns].
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ScreeningBenchmarks
{
    private const int Candidates = 16_384;
    private ScreeningResources _resources = null!;
    private ScreeningPlan _plan = null!;

    /// <summary>The stability section's model: the default (fast) one or the accurate one.</summary>
    [Params("formation-energy", "formation-energy-accurate")]
    public string StabilityModel { get; set; } = "formation-energy";

    [GlobalSetup]
    public void Setup()
    {
        var root = FindRepositoryRoot();
        var text = File.ReadAllText(Path.Combine(root, "examples", "li-solid-electrolytes.yaml")).Replace("model: formation-energy}", $"model: {StabilityModel}}}", StringComparison.Ordinal);
        var spec = SpecParser.Parse(text);
        _resources = ScreeningResources.LoadAsync(spec, DatasetStore.FromEnvironment(), new ModelRegistry(Path.Combine(root, "models"))).GetAwaiter().GetResult();
        _plan = new ScreeningPlan(spec, _resources);

        // Build every hull the run needs, so each iteration measures screening, not first-use hull construction.
        ScreeningEngine.Run(_plan, new ScreeningOptions { Limit = Candidates });
    }

    [GlobalCleanup]
    public void Cleanup() => _resources.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Candidates, Description = "naive, one candidate at a time")]
    public int Naive()
    {
        var featurizer = _resources.Featurizers[_plan.Models[0].Preset];
        var features = new float[featurizer.FeatureLabels.Count];
        var (mean, std) = (new float[1], new float[1]);
        var seen = 0;
        var passed = 0;
        CandidateEnumerator.Enumerate(_plan.Space!, (z, coefficients) =>
        {
            if (seen++ >= Candidates)
            {
                return;
            }

            var one = new CompositionBatch(1);
            one.Add(z, [.. coefficients.ToArray().Select(c => (double)c)]);
            if (_resources.Supply.Production(z, one.RowAmounts(0)) > 5000)
            {
                return;
            }

            featurizer.Featurize(one, 0, 1, features);
            _resources.Models[StabilityModel].Predict(features, 1, mean, std);
            var composition = one[0];
            if (_resources.Hulls!.For(composition).GetEAboveHull(composition, mean[0]) > 0.05)
            {
                return;
            }

            _resources.Models["band-gap-pbe"].Predict(features, 1, mean, std);
            passed += mean[0] >= 3.0 ? 1 : 0;
        });
        return passed;
    }

    [Benchmark(OperationsPerInvoke = Candidates, Description = "engine, 1 thread")]
    public long EngineOneThread() => ScreeningEngine.Run(_plan, new ScreeningOptions { Limit = Candidates, Threads = 1 }).Survivors;

    [Benchmark(OperationsPerInvoke = Candidates, Description = "engine, all threads")]
    public long EngineAllThreads() => ScreeningEngine.Run(_plan, new ScreeningOptions { Limit = Candidates }).Survivors;

    internal static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MaterialsDb.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Run the benchmarks from inside the repository.");
    }
}
