using MaterialsDb.Data.Downloads;
using MaterialsDb.Database;
using MaterialsDb.Stability;
using Microsoft.Extensions.Caching.Memory;

namespace MaterialsDb.Service.Materials;

/// <summary>
/// The node's handle on the shared materials database: the store is opened (tables created or journal replayed) and
/// the default catalog reference imported once, on first use, so nodes that never touch the database pay nothing.
/// Hulls are cached per viewer, scheme, system and version: what a viewer sees at a version never changes, and each
/// viewer's hulls are built from its own view only (others' use of the shared size bound may evict them, never alter them).
/// </summary>
public sealed class SharedDatabase(IMaterialsStore store, DatasetStore datasets) : IDisposable
{
    /// <summary>Most hull entries kept in the cache (about 300 bytes each).</summary>
    public const long HullCacheEntries = 2_000_000;

    private readonly MemoryCache _hulls = new(new MemoryCacheOptions { SizeLimit = HullCacheEntries, TrackStatistics = true });
    /// <summary>The catalog dataset every installation starts from (as public <c>mp2020</c> entries).</summary>
    public const string DefaultCatalog = "mp_e_form";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _ready;

    /// <summary>The rules over the store.</summary>
    public MaterialsDatabase Database { get; } = new(store);

    /// <summary>The database, opened and holding the default catalog import.</summary>
    public async Task<MaterialsDatabase> ReadyAsync(CancellationToken cancellationToken = default)
    {
        if (_ready)
        {
            return Database;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_ready)
            {
                await store.InitializeAsync(cancellationToken).ConfigureAwait(false);

                // Not cancelled with the request that happens to come first: the import serves every later one.
                await Database.ImportCatalogAsync(datasets, DefaultCatalog, CancellationToken.None).ConfigureAwait(false);
                _ready = true;
            }
        }
        finally
        {
            _gate.Release();
        }

        return Database;
    }

    /// <summary>
    /// The hull of a system (atomic numbers, ascending) in the viewer's view at a version, from the cache when the same
    /// viewer read it before.
    /// </summary>
    public async Task<CachedHull> HullAsync(string scheme, IReadOnlyList<int> system, Viewer viewer, long version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(viewer);
        var key = (viewer.Tenant ?? string.Empty, scheme, string.Join('-', system), version);
        if (_hulls.TryGetValue(key, out CachedHull? hull) && hull is not null)
        {
            return hull;
        }

        var database = await ReadyAsync(cancellationToken).ConfigureAwait(false);
        var (diagram, entries) = await database.HullAsync(scheme, system, viewer, version, cancellationToken).ConfigureAwait(false);
        hull = new CachedHull(diagram, entries);
        _hulls.Set(key, hull, new MemoryCacheEntryOptions { Size = entries.Count + 1, SlidingExpiration = TimeSpan.FromHours(1) });
        return hull;
    }

    /// <summary>Hull entries held by the cache now.</summary>
    public long CachedHullEntries => _hulls.GetCurrentStatistics()?.CurrentEstimatedSize ?? 0;

    /// <inheritdoc />
    public void Dispose()
    {
        _hulls.Dispose();
        _gate.Dispose();
    }
}

/// <summary>A hull and the entries it was built from, with each entry's energy above it.</summary>
public sealed class CachedHull(PhaseDiagram diagram, IReadOnlyList<MaterialEntry> entries)
{
    private readonly Lazy<Dictionary<long, double>> _above = new(() => entries.ToDictionary(e => e.Number, e => diagram.GetEAboveHull(e.Composition, e.EFormPerAtom!.Value)));

    /// <summary>The hull.</summary>
    public PhaseDiagram Diagram { get; } = diagram;

    /// <summary>The entries of the hull's scheme and system.</summary>
    public IReadOnlyList<MaterialEntry> Entries { get; } = entries;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, object> _views = new();

    /// <summary>A view of the hull built once (e.g. an endpoint's response): a cached hull never changes.</summary>
    public T View<T>(string name, Func<CachedHull, T> build)
        where T : notnull => (T)_views.GetOrAdd(name, _ => build(this));

    /// <summary>Energy above hull (eV/atom) of an entry of <see cref="Entries"/>; null for others.</summary>
    public double? EAboveHull(long number) => _above.Value.TryGetValue(number, out var e) ? e : null;
}
