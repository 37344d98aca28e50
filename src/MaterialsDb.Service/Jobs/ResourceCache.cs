using System.Text.Json;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Models.Packages;
using MaterialsDb.Screening.Engine;
using MaterialsDb.Screening.Resources;
using MaterialsDb.Screening.Spec;

namespace MaterialsDb.Service.Jobs;

/// <summary>
/// Models, hulls and tables loaded once per process and shared by every job that needs the same ones (keyed by the
/// models, reference and oxidation states a spec names; a shared-database reference also by scheme, database version
/// and tenant, so one tenant's private entries never reach another's hulls), so a worker pays the loading once.
/// </summary>
public sealed class ResourceCache(DatasetStore store, ModelRegistry registry, Materials.SharedDatabase? database = null) : IDisposable
{
    private readonly SharedLoads<ScreeningResources> _cache = new();

    /// <summary>The dataset store.</summary>
    public DatasetStore Store { get; } = store;

    /// <summary>The model registry.</summary>
    public ModelRegistry Registry { get; } = registry;

    /// <summary>Resource sets currently loaded.</summary>
    public int Count => _cache.Count;

    /// <summary>A plan for <paramref name="spec"/> over shared resources; dispose it when the job is done with them.</summary>
    /// <exception cref="SpecException">A model or reference the spec names cannot be used.</exception>
    public async Task<PlanLease> PlanAsync(ScreeningSpec spec, string? tenant = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var shared = spec.Stability is { UsesDatabase: true } st ? new { st.Scheme, st.DatabaseVersion, tenant } : null;
        if (shared is not null && (database is null || shared.DatabaseVersion is null))
        {
            throw new InvalidOperationException("A database reference needs the shared database and a version fixed at submission.");
        }

        var key = JsonSerializer.Serialize(new
        {
            origin = spec.Origin,
            predict = spec.Predict,
            stability = spec.Stability,
            shared,
            states = spec.Enumerate is { ChargeNeutral: true } e ? e.OxidationStateSet ?? OxidationStateSets.Default : null,
            overrides = spec.Enumerate?.OxidationStateOverrides.OrderBy(o => o.Key).Select(o => $"{o.Key}:{string.Join(',', o.Value)}"),
            palette = spec.Enumerate is { ChargeNeutral: true } p ? p.Elements.Where(z => !spec.ExcludeElements.Contains(z)).Order() : null,
        });
        if (shared is not null)
        {
            // Hull snapshots of this tenant's other database versions are stale: jobs still using them keep them until
            // they finish, then they are disposed.
            var mine = "\"tenant\":" + JsonSerializer.Serialize(tenant) + "}";
            _cache.Forget(k => k != key && k.Contains("\"shared\":{", StringComparison.Ordinal) && k.Contains(mine, StringComparison.Ordinal));
        }

        var lease = await _cache.GetAsync(key, _ => ScreeningResources.LoadAsync(
            spec, Store, Registry, CancellationToken.None, shared is null ? null : async (_, ct) =>
            {
                var db = await database!.ReadyAsync(ct).ConfigureAwait(false);
                return await db.ReferenceAsync(shared.Scheme!, new Database.Viewer(tenant), shared.DatabaseVersion!.Value, cancellationToken: ct).ConfigureAwait(false);
            }), cancellationToken).ConfigureAwait(false);
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
