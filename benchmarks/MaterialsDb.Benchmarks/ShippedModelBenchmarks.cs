using BenchmarkDotNet.Attributes;
using MaterialsDb.Features;
using MaterialsDb.Models.Packages;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// Predictions per second of each shipped model (its whole five-member ensemble, ONNX Runtime, buffers reused) on
/// 65,536 featurized rows in blocks of 1,024 (as the screening engine runs them), on one thread and on all: known compounds (mp_e_form, repeated) or
/// screening candidates (the first charge-neutral compositions of examples/large-space-quaternaries.yaml). Trees are
/// walked to different depths for the two, so the rates differ. rows/s = 1e9 / Mean[ns].
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ShippedModelBenchmarks
{
    private const int Rows = 65_536;
    private const int Block = 1024;   // the screening engine's block: a block's features stay in L2
    private OnnxModel _model = null!;
    private OnnxPredictor[] _predictors = [];
    private float[] _features = [];
    private float[] _mean = [];
    private float[] _std = [];
    private int _width;

    [Params("formation-energy", "formation-energy-accurate", "band-gap-pbe", "band-gap-expt", "yield-strength")]
    public string Model { get; set; } = "formation-energy";

    [Params("mp_e_form", "candidates")]
    public string Source { get; set; } = "mp_e_form";


    [GlobalSetup]
    public void Setup()
    {
        var folder = ModelRegistry.FromEnvironment().Resolve(Model);
        var preset = ModelManifest.Read(Path.Combine(folder, ModelRegistry.ManifestFile)).Preset;
        var featurizer = FeaturizerPresets.Create(preset, BenchmarkData.Magpie());
        _model = OnnxModel.Load(folder, featurizer);
        _width = featurizer.FeatureLabels.Count;
        _features = new float[Rows * _width];
        BatchFeaturizer.Featurize(featurizer, Source == "candidates" ? Candidates() : BenchmarkData.RepeatedMpEForm(Rows), _features);
        _predictors = [.. Enumerable.Range(0, Environment.ProcessorCount).Select(_ => _model.CreatePredictor(Block))];
        _mean = new float[Rows];
        _std = new float[Rows];
    }

    // The first 65,536 charge-neutral candidates of the large example's space (icsd24 states).
    private static MaterialsDb.Chemistry.CompositionBatch Candidates()
    {
        var symbols = new[] { "Li", "Na", "K", "Mg", "Ca", "Sr", "Ba", "Al", "Ga", "Si", "Ge", "Sn", "Ti", "Zr", "Nb", "Zn", "Cu", "Fe", "N", "O", "S", "Cl" };
        var space = new MaterialsDb.Screening.Enumeration.CandidateSpace
        {
            Palette = [.. symbols.Select(s => MaterialsDb.Chemistry.PeriodicTable.AtomicNumberOf(s))],
            MinElements = 2, MaxElements = 4, MaxCoefficient = 7,
            OxidationStates = BenchmarkData.SmactStates("oxidation_states_icsd24_filtered.txt", "icsd24"),
        };
        var batch = new MaterialsDb.Chemistry.CompositionBatch(Rows);
        var amounts = new double[4];
        var stride = 50;   // every 50th candidate, so that all element counts are represented
        var seen = 0;
        MaterialsDb.Screening.Enumeration.CandidateEnumerator.Enumerate(space, (z, c) =>
        {
            if (batch.Count < Rows && seen++ % stride == 0)
            {
                for (var i = 0; i < c.Length; i++)
                {
                    amounts[i] = c[i];
                }

                batch.Add(z, amounts.AsSpan(0, c.Length));
            }
        });
        return batch;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var p in _predictors)
        {
            p.Dispose();
        }

        _model.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows, Description = "ensemble, 1 thread")]
    public void OneThread() => Run(1);

    [Benchmark(OperationsPerInvoke = Rows, Description = "ensemble, all threads")]
    public void AllThreads() => Run(Environment.ProcessorCount);

    private void Run(int threads)
    {
        var blocks = Rows / Block;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var predictor = _predictors[t];
            for (var b = t; b < blocks; b += threads)
            {
                _features.AsSpan(b * Block * _width, Block * _width).CopyTo(predictor.Input(Block));
                predictor.Run(Block, _mean.AsSpan(b * Block, Block), _std.AsSpan(b * Block, Block));
            }
        });
    }
}
