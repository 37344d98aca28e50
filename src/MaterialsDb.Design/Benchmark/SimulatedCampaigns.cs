using MaterialsDb.Chemistry;
using MaterialsDb.Design.Rounds;
using MaterialsDb.Design.Space;
using MaterialsDb.Design.Spec;
using MaterialsDb.Features;
using MaterialsDb.Screening.Scoring;

namespace MaterialsDb.Design.Benchmark;

/// <summary>
/// A pool with hidden labels: a simulated campaign asks for labels only of what it proposes.
/// </summary>
/// <param name="Name">The task's name in reports.</param>
/// <param name="Pool">The candidates.</param>
/// <param name="Truth">The hidden value of every candidate.</param>
/// <param name="Goal">Max, min or a window (its property is the target's name).</param>
/// <param name="TopPercent">For max/min: the top share of the pool that counts as a hit (percent).</param>
public sealed record SimulationTask(string Name, CompositionBatch Pool, double[] Truth, Objective Goal, double TopPercent);

/// <summary>Settings of the simulated campaigns.</summary>
/// <param name="Initial">Random observations to start from, drawn from the non-hits.</param>
/// <param name="Batch">Proposals per round.</param>
/// <param name="Rounds">Rounds per campaign (the budget is rounds × batch).</param>
/// <param name="Seeds">Campaigns per acquisition function.</param>
/// <param name="Acquisitions">The functions compared (random is always added as the baseline, greedy as the other).</param>
/// <param name="Surrogate">The surrogate settings.</param>
/// <param name="Kappa">UCB's κ.</param>
/// <param name="MinDistance">The batches' smallest composition distance.</param>
/// <param name="Threads">Campaigns run at once.</param>
public sealed record SimulationOptions(int Initial, int Batch, int Rounds, int Seeds, IReadOnlyList<AcquisitionKind> Acquisitions, SurrogateSpec Surrogate, double Kappa = 2, double MinDistance = 0, int Threads = 0);

/// <summary>How one acquisition function did over the seeds.</summary>
/// <param name="Acquisition">Its name.</param>
/// <param name="MedianEvaluationsToFirstHit">Median evaluations after the initial set until the first hit (a campaign that never hit counts as budget + 1).</param>
/// <param name="LowerQuartile">25th percentile of the same.</param>
/// <param name="UpperQuartile">75th percentile of the same.</param>
/// <param name="CampaignsWithAHit">Campaigns that found a hit within the budget.</param>
/// <param name="DiscoveryYield">Mean share of all hits found within the budget.</param>
/// <param name="AccelerationFactor">The analytic random expectation (N + 1) / (K + 1) over the median.</param>
/// <param name="AccelerationFactorSimulated">The simulated random campaigns' median over this median.</param>
/// <param name="SecondsPerRound">Mean wall time of a round (fit + score + pick).</param>
public sealed record SimulationOutcome(string Acquisition, double MedianEvaluationsToFirstHit, double LowerQuartile, double UpperQuartile, int CampaignsWithAHit, double DiscoveryYield, double AccelerationFactor, double AccelerationFactorSimulated, double SecondsPerRound);

/// <summary>A task's results.</summary>
/// <param name="Task">The task's name.</param>
/// <param name="Goal">The goal in words.</param>
/// <param name="Pool">Candidates.</param>
/// <param name="Hits">Candidates that count as hits (K).</param>
/// <param name="Budget">Evaluations after the initial set.</param>
/// <param name="RandomExpectation">Expected random draws to the first hit, (N + 1) / (K + 1) with N the pool less the initial set.</param>
/// <param name="Results">One per acquisition function, random and greedy included.</param>
public sealed record SimulationReport(string Task, string Goal, int Pool, int Hits, int Budget, double RandomExpectation, IReadOnlyList<SimulationOutcome> Results);

/// <summary>
/// Simulated sequential-learning campaigns on a labelled pool (Rohr et al., Chem. Sci. 11, 2696 (2020), define the
/// measures): each campaign starts from random non-hits, proposes batches with the same round engine as a real
/// campaign, and learns the labels of what it proposed only.
/// </summary>
public static class SimulatedCampaigns
{
    /// <summary>Runs every acquisition function on <paramref name="task"/>, <see cref="SimulationOptions.Seeds"/> campaigns each.</summary>
    /// <exception cref="ArgumentException">The task has no hit, or too few non-hits for the initial set.</exception>
    public static SimulationReport Run(SimulationTask task, SimulationOptions options, ICompositionFeaturizer featurizer, SupplyRisk supply, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(options);
        var hits = Hits(task);
        var k = hits.Count(h => h);
        var n = task.Truth.Length;
        if (k == 0 || n - k < options.Initial)
        {
            throw new ArgumentException($"Task '{task.Name}': {k} hits among {n} candidates; need at least one hit and {options.Initial} non-hits for the initial set.");
        }

        var pool = new CandidatePool(task.Pool, featurizer);
        var acquisitions = options.Acquisitions.Append(AcquisitionKind.Greedy).Distinct().Where(a => a != AcquisitionKind.Random).Prepend(AcquisitionKind.Random).ToList();
        var runs = acquisitions.SelectMany(a => Enumerable.Range(0, options.Seeds).Select(s => (Acquisition: a, Seed: s))).ToList();
        var outcomes = new (int FirstHit, int Found, double Seconds, int Rounds)[runs.Count];
        var done = 0;
        Parallel.For(0, runs.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Threads > 0 ? options.Threads : Environment.ProcessorCount, CancellationToken = cancellationToken }, i =>
        {
            outcomes[i] = Simulate(task, hits, pool, options, runs[i].Acquisition, runs[i].Seed, featurizer, supply, cancellationToken);
            progress?.Report(Interlocked.Increment(ref done));
        });

        var budget = options.Rounds * options.Batch;
        var remaining = n - options.Initial;
        var expectation = (remaining + 1.0) / (k + 1.0);
        var randomMedian = Median(runs.Select((r, i) => (r, i)).Where(x => x.r.Acquisition == AcquisitionKind.Random).Select(x => (double)outcomes[x.i].FirstHit));
        var results = acquisitions.Select(a =>
        {
            var mine = runs.Select((r, i) => (r, i)).Where(x => x.r.Acquisition == a).Select(x => outcomes[x.i]).ToList();
            var first = mine.Select(o => (double)o.FirstHit).Order().ToArray();
            var median = Median(first);
            return new SimulationOutcome(
                RoundEngine.Name(a),
                median,
                Quantile(first, 0.25),
                Quantile(first, 0.75),
                mine.Count(o => o.FirstHit <= budget),
                mine.Average(o => (double)o.Found / k),
                expectation / median,
                randomMedian / median,
                mine.Sum(o => o.Seconds) / Math.Max(1, mine.Sum(o => o.Rounds)));
        }).ToList();
        return new SimulationReport(task.Name, task.Goal.GoalText + (task.Goal.Goal == Goal.Window ? string.Empty : $" (top {task.TopPercent}%)"), n, k, budget, expectation, results);
    }

    /// <summary>Which candidates are hits: inside the window, or in the top percent for max/min.</summary>
    public static bool[] Hits(SimulationTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var truth = task.Truth;
        if (task.Goal.Goal == Goal.Window)
        {
            return [.. truth.Select(v => v >= task.Goal.Low && v <= task.Goal.High)];
        }

        // The K best by the goal, K = ceil(P % of N); ties at the threshold count as hits.
        var count = Math.Max(1, (int)Math.Ceiling(truth.Length * task.TopPercent / 100));
        var utility = truth.Select(task.Goal.Utility).ToArray();
        var threshold = utility.OrderDescending().ElementAt(count - 1);
        return [.. utility.Select(u => u >= threshold)];
    }

    private static (int FirstHit, int Found, double Seconds, int Rounds) Simulate(SimulationTask task, bool[] hits, CandidatePool pool, SimulationOptions options, AcquisitionKind acquisition, int seed, ICompositionFeaturizer featurizer, SupplyRisk supply, CancellationToken cancellationToken)
    {
        var n = task.Truth.Length;
        // The initial set depends on the seed only, so every acquisition function starts from the same data.
        var random = new Random(Seeds.Derive(seed, 101));
        var observed = Enumerable.Range(0, n).Where(i => !hits[i]).OrderBy(_ => random.Next()).Take(options.Initial).ToList();
        var exclude = new HashSet<ulong>(observed.Select(i => pool.Keys[i]));
        int evaluations = 0, firstHit = int.MaxValue, found = 0, rounds = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Reveal(int row)
        {
            evaluations++;
            observed.Add(row);
            exclude.Add(pool.Keys[row]);
            if (hits[row])
            {
                found++;
                firstHit = Math.Min(firstHit, evaluations);
            }
        }

        if (acquisition == AcquisitionKind.Random)
        {
            var order = Enumerable.Range(0, n).Where(i => !exclude.Contains(pool.Keys[i])).OrderBy(_ => random.Next()).Take(options.Rounds * options.Batch).ToList();
            order.ForEach(Reveal);
            return (firstHit == int.MaxValue ? (options.Rounds * options.Batch) + 1 : firstHit, found, 0, 0);
        }

        var goal = task.Goal with { Property = "target" };
        var spec = new CampaignSpec(task.Name, seed, null, null, [goal], [], null, null, null, options.Surrogate, new AcquisitionSpec(acquisition, options.Kappa, options.Batch, options.MinDistance), n);
        var context = new DesignContext(spec, featurizer, supply, Threads: 1);
        var width = featurizer.FeatureLabels.Count;
        for (var round = 1; round <= options.Rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = new CompositionBatch(observed.Count);
            var features = new float[observed.Count * width];
            for (var i = 0; i < observed.Count; i++)
            {
                batch.AddRow(task.Pool, observed[i]);
                pool.Features(observed[i], 1, features.AsSpan(i * width, width));
            }

            var data = new ObservationData(batch, [[.. observed.Select(i => task.Truth[i])]], features);
            var result = RoundEngine.Propose(context, data, exclude, pool, Seeds.Derive(seed, round), cancellationToken);
            rounds++;
            if (result.Proposals.Count == 0)
            {
                break;
            }

            foreach (var p in result.Proposals)
            {
                Reveal(p.PoolRow);
            }
        }

        return (firstHit == int.MaxValue ? (options.Rounds * options.Batch) + 1 : firstHit, found, clock.Elapsed.TotalSeconds, rounds);
    }

    private static double Median(IEnumerable<double> values) => Quantile([.. values.Order()], 0.5);

    // Linear interpolation between order statistics (numpy's default).
    private static double Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var h = (sorted.Length - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((h - lo) * (sorted[hi] - sorted[lo]));
    }
}
