using MaterialsDb.Chemistry;
using MaterialsDb.Design.Optimisation;
using MaterialsDb.Design.Space;
using MaterialsDb.Design.Spec;

namespace MaterialsDb.Design.Rounds;

/// <summary>
/// Searches a continuous space for a batch: one differential-evolution run per proposal over the surrogate's
/// acquisition value, each run penalising points closer than <c>min_distance</c> to the proposals already made (local
/// penalisation), so the batch spreads over several optima instead of crowding one.
/// </summary>
internal static class ContinuousSearch
{
    /// <summary>Generations per run.</summary>
    public const int Generations = 40;

    public static (List<Proposal> Proposals, long Scored, long Feasible) Run(DesignContext context, Scorer scorer, IReadOnlySet<ulong> exclude, int seed, CancellationToken cancellationToken)
    {
        var spec = context.Spec;
        var decoder = new ContinuousDecoder(spec.Continuous!);
        var dims = decoder.Dimensions;
        var low = Enumerable.Range(0, dims).Select(decoder.Low).ToArray();
        var high = Enumerable.Range(0, dims).Select(decoder.High).ToArray();
        var population = Math.Clamp(10 * dims, 24, 64);
        var excluded = new HashSet<ulong>(exclude);
        var chosen = new List<(byte[] Z, double[] F)>();
        var proposals = new List<Proposal>();
        var batch = new CompositionBatch(population);
        var work = scorer.NewWorkspace(population);
        var keys = new ulong[population];
        var basis = new double[dims + 1];
        var atomic = new double[dims + 1];
        var zBuffer = new byte[dims + 1];
        var fBuffer = new double[dims + 1];
        long scored = 0, feasible = 0;
        var scale = spec.Continuous!.Percent ? 100.0 : 1.0;
        for (var k = 0; k < spec.Acquisition.Batch; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var best = (Value: double.NegativeInfinity, Basis: (double[]?)null, Atomic: (double[]?)null);
            void Evaluate(double[][] points, double[] fitness)
            {
                batch.Clear();
                var valid = new bool[points.Length];
                for (var i = 0; i < points.Length; i++)
                {
                    valid[i] = decoder.Decode(points[i], basis, atomic);
                    // The composition is what its formula says (six decimals), so that a reported result of that
                    // formula has the same key and features as the point proposed.
                    var composition = valid[i] ? Composition.Parse(decoder.Formula(atomic)) : Composition.Parse(PeriodicTable.FromZ(decoder.Elements[dims]).Symbol);
                    batch.Add(composition);
                    var n = composition.ElementCount;
                    for (var e = 0; e < n; e++)
                    {
                        (zBuffer[e], fBuffer[e]) = (composition.AtomicNumbers[e], composition.Amounts[e] / composition.NumAtoms);
                    }

                    var z = zBuffer.AsSpan(0, n);
                    var f = fBuffer.AsSpan(0, n);
                    keys[i] = CompositionKey.Of(z, f);
                    valid[i] &= Allowed(spec.HhiProduction, context.Supply.Production(z, f)) && Allowed(spec.HhiReserve, context.Supply.Reserves(z, f));
                    foreach (var (cz, cf) in chosen)
                    {
                        valid[i] &= CompositionKey.Distance(z, f, cz, cf) >= spec.Acquisition.MinDistance;
                    }
                }

                context.Featurizer.Featurize(batch, 0, points.Length, work.Features.AsSpan(0, points.Length * scorer.Width));
                scorer.Score(work, points.Length, keys.AsSpan(0, points.Length), excluded, seed);
                scored += points.Length;
                for (var i = 0; i < points.Length; i++)
                {
                    fitness[i] = valid[i] ? work.Value[i] : double.NegativeInfinity;
                    if (double.IsFinite(fitness[i]))
                    {
                        feasible++;
                        if (fitness[i] > best.Value)
                        {
                            decoder.Decode(points[i], basis, atomic);
                            best = (fitness[i], [.. basis], [.. atomic]);
                        }
                    }
                }
            }

            DifferentialEvolution.Maximise(low, high, Evaluate, new EvolutionOptions(population, Generations, Seed: Seeds.Derive(seed, 10, k)));
            if (best.Atomic is null)
            {
                break;
            }

            var chosenComposition = Composition.Parse(decoder.Formula(best.Atomic));
            var pz = chosenComposition.AtomicNumbers.ToArray();
            var pf = chosenComposition.Amounts.ToArray().Select(a => a / chosenComposition.NumAtoms).ToArray();
            var one = new CompositionBatch(1);
            one.Add(pz, pf);
            context.Featurizer.Featurize(one, 0, 1, work.Features.AsSpan(0, scorer.Width));
            scorer.Predict(work, 1);
            var why = $"run {k + 1} of differential evolution on {RoundEngine.Name(spec.Acquisition.Function)}, {population} × {Generations + 1} points";
            proposals.Add(scorer.Proposal(work, 0, k + 1, decoder.Formula(best.Atomic), pz, pf, [.. best.Basis!.Select(b => b * scale)], best.Value, context.Supply, pf, why, -1));
            excluded.Add(CompositionKey.Of(pz, pf));
            chosen.Add((pz, pf));
        }

        // Later runs may find higher values than earlier ones: the batch is ranked by value, best first.
        var ranked = proposals.OrderByDescending(p => p.Acquisition).Select((p, i) => p with { Rank = i + 1 }).ToList();
        return (ranked, scored, feasible);
    }

    private static bool Allowed(Screening.Spec.Bound? bound, double value) =>
        bound is null || ((bound.Min is null || value >= bound.Min) && (bound.Max is null || value <= bound.Max));
}
