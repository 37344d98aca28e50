using System.Text.Json;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Models.Packages;
using MaterialsDb.Screening.Engine;
using MaterialsDb.Screening.Resources;
using MaterialsDb.Screening.Spec;

namespace MaterialsDb.Service.Jobs;

/// <summary>
/// Models, hulls and tables loaded once per process and shared by every job that needs the same ones (keyed by the
/// models, reference and oxidation states a spec names, and — in PostgreSQL mode — the materials database version, so
/// an import makes workers rebuild their hull snapshots from the database), so a worker pays the loading once.
/// Resources of an older database version are disposed once the last job using them finishes.
/// </summary>
public sealed class ResourceCache(DatasetStore store, ModelRegistry registry, Npgsql.NpgsqlDataSource? database = null) : IDisposable
{
    private readonly SharedLoads<ScreeningResources> _cache = new();
    private long _version;

    /// <summary>The dataset store.</summary>
    public DatasetStore Store { get; } = store;

    /// <summary>The model registry.</summary>
    public ModelRegistry Registry { get; } = registry;

    /// <summary>Resource sets currently loaded.</summary>
    public int Count => _cache.Count;

    /// <summary>A plan for <paramref name="spec"/> over shared resources; dispose it when the job is done with them.</summary>
    /// <exception cref="SpecException">A model or reference the spec names cannot be used.</exception>
    public async Task<PlanLease> PlanAsync(ScreeningSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var version = database is null ? 0 : await Materials.MaterialsDatabase.VersionAsync(database, cancellationToken).ConfigureAwait(false);
        var key = JsonSerializer.Serialize(new
        {
            version,
            origin = spec.Origin,
            predict = spec.Predict,
            stability = spec.Stability,
            states = spec.Enumerate is { ChargeNeutral: true } e ? e.OxidationStateSet ?? OxidationStateSets.Default : null,
            overrides = spec.Enumerate?.OxidationStateOverrides.OrderBy(o => o.Key).Select(o => $"{o.Key}:{string.Join(',', o.Value)}"),
            palette = spec.Enumerate is { ChargeNeutral: true } p ? p.Elements.Where(z => !spec.ExcludeElements.Contains(z)).Order() : null,
        });
        if (Interlocked.Exchange(ref _version, version) != version)
        {
            // A new database version: snapshots built from the old one are stale. Jobs still using them keep them
            // until they finish; then they are disposed.
            _cache.Forget(k => !k.StartsWith($"{{\"version\":{version},", StringComparison.Ordinal));
        }

        var lease = await _cache.GetAsync(key, _ => ScreeningResources.LoadAsync(
            spec, Store, Registry, CancellationToken.None, database is null ? null : (id, ct) => Materials.MaterialsDatabase.LoadReferenceAsync(database, id, ct)), cancellationToken).ConfigureAwait(false);
        try
        {
            return new PlanLease(new ScreeningPlan(spec, lease.Value), lease);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    public void Dispose() => _cache.Dispose();

    /// <summary>A plan and the hold on the resources it runs on.</summary>
    public sealed class PlanLease : IDisposable
    {
        private readonly IDisposable _lease;

        internal PlanLease(ScreeningPlan plan, IDisposable lease)
        {
            Plan = plan;
            _lease = lease;
        }

        /// <summary>The plan.</summary>
        public ScreeningPlan Plan { get; }

        public void Dispose() => _lease.Dispose();
    }
}
