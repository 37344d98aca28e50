using MaterialsDb.Chemistry;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Data.Tables;
using MaterialsDb.Features;
using MaterialsDb.Models.Packages;
using MaterialsDb.Screening.Engine;
using MaterialsDb.Screening.Resources;
using MaterialsDb.Screening.Spec;

namespace MaterialsDb.Design.Space;

/// <summary>
/// Builds a discrete space's pool by running its screening: the candidates are enumerated or read, filtered, predicted
/// and constrained exactly as <c>materialsdb screen</c> does, and the survivors (the best <c>max_pool</c> by the
/// screening's rank) become the pool, with the screening's columns carried into proposals.
/// </summary>
public static class PoolBuilder
{
    /// <summary>Screens <paramref name="space"/> and returns its survivors as a pool.</summary>
    /// <param name="space">The discrete space as a screening spec (top = the pool limit).</param>
    /// <param name="featurizer">The surrogate's featurizer.</param>
    /// <param name="store">Datasets.</param>
    /// <param name="registry">Models the screening may name.</param>
    /// <param name="baseDirectory">Where a candidate list's relative path starts.</param>
    /// <param name="supplyLimits">Supply-risk bounds applied to every row (null: none).</param>
    /// <param name="cancellationToken">Stops the screening.</param>
    public static async Task<CandidatePool> ScreenAsync(ScreeningSpec space, ICompositionFeaturizer featurizer, DatasetStore store, ModelRegistry registry, string baseDirectory, Func<ReadOnlySpan<byte>, ReadOnlySpan<double>, bool>? supplyLimits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(space);
        using var resources = await ScreeningResources.LoadAsync(space, store, registry, cancellationToken).ConfigureAwait(false);
        var plan = new ScreeningPlan(space, resources);
        var result = await Task.Run(() => ScreeningEngine.Run(plan, new ScreeningOptions { BaseDirectory = baseDirectory }, cancellationToken), cancellationToken).ConfigureAwait(false);
        var rows = result.Rows.Where(r => supplyLimits?.Invoke(r.AtomicNumbers, r.Amounts) != false).ToList();
        var batch = new CompositionBatch(Math.Max(1, rows.Count));
        foreach (var row in rows)
        {
            batch.Add(row.AtomicNumbers, row.Amounts);
        }

        // Every screening quantity but the rank score travels with the candidate (predictions, e_above_hull, HHI).
        var names = plan.Quantities.Names;
        var extras = new ColumnTable(names.Select((name, q) => (name, q)).Where(x => x.name != Quantities.Score)
            .Select(x => (Column)new DoubleColumn("screening_" + ScreeningSpec.ColumnOf(x.name), [.. rows.Select(r => r.Values[x.q])])));
        return new CandidatePool(batch, featurizer, extras);
    }
}
