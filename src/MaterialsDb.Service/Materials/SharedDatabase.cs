using MaterialsDb.Data.Downloads;
using MaterialsDb.Database;

namespace MaterialsDb.Service.Materials;

/// <summary>
/// The node's handle on the shared materials database: the store is opened (tables created or journal replayed) and
/// the default catalog reference imported once, on first use, so nodes that never touch the database pay nothing.
/// </summary>
public sealed class SharedDatabase(IMaterialsStore store, DatasetStore datasets)
{
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
}
