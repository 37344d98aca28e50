using System.Diagnostics;
using System.Globalization;
using MaterialsDb.Chemistry;
using MaterialsDb.Design.Space;
using MaterialsDb.Design.Spec;
using MaterialsDb.Design.Surrogate;
using MaterialsDb.Features;
using MaterialsDb.Screening.Scoring;

namespace MaterialsDb.Design.Rounds;

/// <summary>The observations a round learns from: compositions and, per modelled property, a value or NaN.</summary>
/// <param name="Batch">One row per observation.</param>
/// <param name="Values">Values[property][row], properties in <see cref="CampaignSpec.Properties"/> order.</param>
/// <param name="Features">The rows' features when the caller has them (a simulated campaign), else null.</param>
public sealed record ObservationData(CompositionBatch Batch, double[][] Values, float[]? Features = null);

/// <summary>What stays fixed over a campaign's rounds.</summary>
/// <param name="Spec">The campaign.</param>
/// <param name="Featurizer">The surrogate's featurizer.</param>
/// <param name="Supply">Supply-risk indices.</param>
/// <param name="Threads">Threads for scoring a pool.</param>
public sealed record DesignContext(CampaignSpec Spec, ICompositionFeaturizer Featurizer, SupplyRisk Supply, int Threads = 0)
{
    /// <summary>Threads actually used.</summary>
    public int ThreadCount => Threads > 0 ? Threads : Environment.ProcessorCount;
}

/// <summary>
/// One round of a campaign: fit a surrogate per property on the observations, score every candidate (a discrete pool
/// exhaustively, tile by tile on all cores; a continuous space by differential evolution), and pick a diverse batch
/// that is feasible and neither observed nor pending.
/// </summary>
public static class RoundEngine
{
    /// <summary>Rows per scoring tile: features, member outputs and acquisition values stay in the core's cache.</summary>
    public const int TileRows = 1024;

    /// <summary>Monte Carlo draws of expected hypervolume improvement.</summary>
    public const int HypervolumeDraws = 32;

    /// <summary>Proposes the next batch.</summary>
    /// <param name="context">The campaign.</param>
    /// <param name="observations">Everything observed so far.</param>
    /// <param name="exclude">Keys (<see cref="CompositionKey"/>) never to propose: observed and pending compositions.</param>
    /// <param name="pool">A discrete space's candidates; null for a continuous space.</param>
    /// <param name="seed">This round's seed.</param>
    /// <param name="cancellationToken">Stops the round.</param>
    public static RoundResult Propose(DesignContext context, ObservationData observations, IReadOnlySet<ulong> exclude, CandidatePool? pool, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(observations);
        ArgumentNullException.ThrowIfNull(exclude);
        var spec = context.Spec;
        var clock = Stopwatch.StartNew();
        var scorer = Scorer.Fit(context, observations, seed);
        var fit = clock.Elapsed.TotalSeconds;
        cancellationToken.ThrowIfCancellationRequested();
        clock.Restart();
        var q = spec.Acquisition.Batch;
        RoundResult result;
        if (pool is not null)
        {
            var (finalists, feasible) = TopOfPool(context, scorer, pool, exclude, Math.Max(50 * q, 200), seed, cancellationToken);
            var proposals = Pick(context, scorer, pool, finalists, q, feasible);
            result = new RoundResult(proposals, scorer.Calibration, pool.Count, feasible, fit, clock.Elapsed.TotalSeconds);
        }
        else
        {
            var (proposals, scored, feasible) = ContinuousSearch.Run(context, scorer, exclude, seed, cancellationToken);
            result = new RoundResult(proposals, scorer.Calibration, scored, feasible, fit, clock.Elapsed.TotalSeconds);
        }

        return result;
    }

    // Scores the pool in tiles on every thread; each thread keeps its best rows, and the merge orders them by value,
    // then by a draw seeded by the round and the composition, then by row, so the finalists do not depend on the
    // thread count. Equal values are common (trees predict the same for every row beyond their data, a model may be
    // flat): ordering those by row would let the order of the pool's file choose, and a file sorted by the property
    // would hand the answer to a simulated campaign.
    private static (List<(double Value, int Row)> Finalists, long Feasible) TopOfPool(DesignContext context, Scorer scorer, CandidatePool pool, IReadOnlySet<ulong> exclude, int keep, int seed, CancellationToken cancellationToken)
    {
        var tiles = (pool.Count + TileRows - 1) / TileRows;
        var heaps = new List<PriorityQueue<int, (double, double, int)>>();
        long feasible = 0;
        var gate = new object();
        Parallel.For(0, tiles, new ParallelOptions { MaxDegreeOfParallelism = context.ThreadCount, CancellationToken = cancellationToken },
            () => (Heap: new PriorityQueue<int, (double, double, int)>(), Work: scorer.NewWorkspace(TileRows), Feasible: 0L),
            (tile, state, local) =>
            {
                var start = tile * TileRows;
                var rows = Math.Min(TileRows, pool.Count - start);
                pool.Features(start, rows, local.Work.Features);
                scorer.Score(local.Work, rows, pool.Keys.AsSpan(start, rows), exclude, seed);
                for (var r = 0; r < rows; r++)
                {
                    var v = local.Work.Value[r];
                    if (double.IsNegativeInfinity(v))
                    {
                        continue;
                    }

                    local.Feasible++;
                    // The heap's minimum is the worst kept: lowest value, then lowest draw, then highest row. Most rows
                    // fall below it on value alone, so the draw is made only for the others.
                    var full = local.Heap.Count >= keep;
                    (double, double, int) worst = default;
                    if (full && local.Heap.TryPeek(out _, out worst) && v < worst.Item1)
                    {
                        continue;
                    }

                    var item = (v, Seeds.Uniform(seed, pool.Keys[start + r]), -(start + r));
                    if (!full)
                    {
                        local.Heap.Enqueue(start + r, item);
                    }
                    else if (item.CompareTo(worst) > 0)
                    {
                        local.Heap.EnqueueDequeue(start + r, item);
                    }
                }

                return local;
            },
            local =>
            {
                lock (gate)
                {
                    heaps.Add(local.Heap);
                    feasible += local.Feasible;
                }
            });

        var all = heaps.SelectMany(h => h.UnorderedItems)
            .OrderByDescending(x => x.Priority).Take(keep).Select(x => (Value: x.Priority.Item1, Row: x.Element)).ToList();
        return (all, feasible);
    }

    // Greedy diverse batch: the best finalist, then each next one at least min_distance from every pick.
    private static List<Proposal> Pick(DesignContext context, Scorer scorer, CandidatePool pool, List<(double Value, int Row)> finalists, int q, long feasible)
    {
        var picks = new List<int>();
        var minDistance = context.Spec.Acquisition.MinDistance;
        for (var i = 0; i < finalists.Count && picks.Count < q; i++)
        {
            var row = finalists[i].Row;
            var far = picks.All(j => CompositionKey.Distance(pool.Batch.RowAtomicNumbers(row), pool.Batch.RowFractions(row), pool.Batch.RowAtomicNumbers(finalists[j].Row), pool.Batch.RowFractions(finalists[j].Row)) >= minDistance);
            if (far)
            {
                picks.Add(i);
            }
        }

        // Re-score the picks in one batch for their means and σ (the tiles kept only values).
        var batch = new CompositionBatch(Math.Max(1, picks.Count));
        foreach (var i in picks)
        {
            batch.AddRow(pool.Batch, finalists[i].Row);
        }

        var work = scorer.NewWorkspace(Math.Max(1, picks.Count));
        context.Featurizer.Featurize(batch, 0, picks.Count, work.Features.AsSpan(0, picks.Count * scorer.Width));
        scorer.Predict(work, picks.Count);
        var proposals = new List<Proposal>(picks.Count);
        for (var k = 0; k < picks.Count; k++)
        {
            var (value, row) = finalists[picks[k]];
            var z = pool.Batch.RowAtomicNumbers(row).ToArray();
            var f = pool.Batch.RowFractions(row).ToArray();
            var rank = picks[k] + 1;
            proposals.Add(scorer.Proposal(work, k, proposals.Count + 1, pool.Formula(row), z, f, null, value, context.Supply, pool.Batch.RowAmounts(row),
                string.Create(CultureInfo.InvariantCulture, $"#{rank:N0} by {Name(context.Spec.Acquisition.Function)} of {feasible:N0} feasible candidates"), row));
        }

        return proposals;
    }

    /// <summary>The acquisition function's name as the spec writes it.</summary>
    public static string Name(AcquisitionKind kind) => kind.ToString().ToLowerInvariant();
}
