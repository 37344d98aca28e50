using BenchmarkDotNet.Attributes;
using MaterialsDb.Chemistry;
using MaterialsDb.Design.Rounds;
using MaterialsDb.Design.Space;
using MaterialsDb.Design.Spec;
using MaterialsDb.Features;
using MaterialsDb.Screening.Enumeration;
using MaterialsDb.Screening.Scoring;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// One design round over a pool of 10^6 candidates (the first 10^6 compositions of a 22-element palette with 2–4 elements
/// and coefficients up to 4): refit the 8-member surrogate on 200 mp_e_form formation energies, score every
/// candidate (Magpie features tile by tile, 8 × 50 trees, expected improvement), pick q = 10 — on one and on two
/// threads. The baseline is the floor of any such round: featurizing the same pool on two threads and nothing else.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class DesignRoundBenchmarks
{
    private const int PoolSize = 1_000_000;
    private CandidatePool _pool = null!;
    private ICompositionFeaturizer _featurizer = null!;
    private ObservationData _observations = null!;
    private CampaignSpec _spec = null!;
    private SupplyRisk _supply = null!;
    private float[] _scratch = null!;

    [GlobalSetup]
    public void Setup()
    {
        _featurizer = FeaturizerPresets.Create("magpie", BenchmarkData.Magpie());
        var palette = new[] { "Li", "Na", "K", "Mg", "Ca", "Al", "Si", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "O", "S", "N", "F", "Cl", "P" }.Select(s => PeriodicTable.FromSymbol(s).Z).ToArray();
        var batch = new CompositionBatch(PoolSize);
        var amounts = new double[4];
        CandidateEnumerator.Enumerate(new CandidateSpace { Palette = palette, MinElements = 2, MaxElements = 4, MaxCoefficient = 4, ChargeNeutral = false }, (z, c) =>
        {
            if (batch.Count < PoolSize)
            {
                for (var i = 0; i < c.Length; i++)
                {
                    amounts[i] = c[i];
                }

                batch.Add(z, amounts.AsSpan(0, c.Length));
            }
        });
        _pool = new CandidatePool(batch, _featurizer);
        var formulas = BenchmarkData.MpEFormFormulas().Take(200).ToArray();
        var targets = BenchmarkData.MpEFormTargets(200);
        var observed = new CompositionBatch(200);
        foreach (var f in formulas)
        {
            observed.Add(Composition.Parse(f));
        }

        _observations = new ObservationData(observed, [[.. targets.Select(t => (double)t)]]);
        _spec = new CampaignSpec("bench", 1, null, null, [new Objective("e_form", Goal.Min)], [], null, null, null, new SurrogateSpec(), new AcquisitionSpec(AcquisitionKind.Ei, 2, 10, 0), PoolSize);
        _supply = new SupplyRisk(new double[118], new double[118]);
        _scratch = new float[RoundEngine.TileRows * _featurizer.FeatureLabels.Count * Environment.ProcessorCount];
        if (_pool.Count != PoolSize || _pool.FeaturesCached)
        {
            throw new InvalidOperationException($"The pool has {_pool.Count} rows (cached: {_pool.FeaturesCached}).");
        }
    }

    [Benchmark(Baseline = true)]
    public void FeaturizeThePoolOnly()
    {
        var width = _featurizer.FeatureLabels.Count;
        var tiles = (PoolSize + RoundEngine.TileRows - 1) / RoundEngine.TileRows;
        Parallel.For(0, Environment.ProcessorCount, t =>
        {
            var buffer = _scratch.AsSpan(t * RoundEngine.TileRows * width, RoundEngine.TileRows * width);
            for (var tile = t; tile < tiles; tile += Environment.ProcessorCount)
            {
                var start = tile * RoundEngine.TileRows;
                _pool.Features(start, Math.Min(RoundEngine.TileRows, PoolSize - start), buffer);
            }
        });
    }

    [Benchmark]
    public RoundResult RoundOneThread() => RoundEngine.Propose(new DesignContext(_spec, _featurizer, _supply, Threads: 1), _observations, new HashSet<ulong>(), _pool, 7);

    [Benchmark]
    public RoundResult RoundTwoThreads() => RoundEngine.Propose(new DesignContext(_spec, _featurizer, _supply, Threads: 2), _observations, new HashSet<ulong>(), _pool, 7);
}
