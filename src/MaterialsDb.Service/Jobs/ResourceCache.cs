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
/// </summary>
public sealed class ResourceCache(DatasetStore store, ModelRegistry registry, Npgsql.NpgsqlDataSource? database = null) : IDisposable
{
    private readonly SharedLoads<ScreeningResources> _cache = new();
    private long _version;

    /// <summary>The dataset store.</summary>
    public DatasetStore Store { get; } = store;

    /// <summary>The model registry.</summary>
    public ModelRegistry Registry { get; } = registry;

    /// <summary>A plan for <paramref name="spec"/> over shared resources.</summary>
    public async Task<ScreeningPlan> PlanAsync(ScreeningSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var version = database is null ? 0 : await Materials.MaterialsDatabase.VersionAsync(database, cancellationToken).ConfigureAwait(false);
        var key = JsonSerializer.Serialize(new
        {
            version,
            predict = spec.Predict,
            stability = spec.Stability,
            states = spec.Enumerate is { ChargeNeutral: true } e ? e.OxidationStateSet ?? "icsd24" : null,
            overrides = spec.Enumerate?.OxidationStateOverrides.OrderBy(o => o.Key).Select(o => $"{o.Key}:{string.Join(',', o.Value)}"),
            palette = spec.Enumerate is { ChargeNeutral: true } p ? p.Elements.Where(z => !spec.ExcludeElements.Contains(z)).Order() : null,
        });
        if (version != _version)
        {
            // A new database version: snapshots built from the old one are stale. Jobs still using them keep their
            // references; the cache just stops handing them out.
            _version = version;
            _cache.Forget(k => !k.StartsWith($"{{\"version\":{version},", StringComparison.Ordinal));
        }

        // A failed load (a bad spec) is not kept, so it does not poison the cache for the next request.
        var resources = await _cache.GetAsync(key, _ => ScreeningResources.LoadAsync(
            spec, Store, Registry, CancellationToken.None, database is null ? null : (id, ct) => Materials.MaterialsDatabase.LoadReferenceAsync(database, id, ct)), cancellationToken).ConfigureAwait(false);
        return new ScreeningPlan(spec, resources);
    }

    public void Dispose() => _cache.Dispose();
}
