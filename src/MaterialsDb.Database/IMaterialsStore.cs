namespace MaterialsDb.Database;

/// <summary>
/// Where entries are kept: in memory with a journal file (single node) or in PostgreSQL (many nodes), with the same
/// behaviour. Stores only keep and read revisions; the rules (validation, owners, visibility) live in
/// <see cref="MaterialsDatabase"/>, so both stores apply them alike. Every read takes a <see cref="Viewer"/>.
/// </summary>
public interface IMaterialsStore
{
    /// <summary>Creates tables or replays the journal, once.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>The latest version of the database (every accepted change makes one).</summary>
    Task<long> LatestVersionAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The latest version whose change <paramref name="viewer"/> can observe: changes to entries the viewer cannot
    /// see (another tenant's private ones) do not move it, so a screening records the same version before and after.
    /// </summary>
    Task<long> VersionAsync(Viewer viewer, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a batch in one step: new entries (number 0: a new number is given), new revisions of existing ones
    /// (which must still be at the revision before theirs) and the version scopes the change touches; returns the new
    /// version and the entries as stored. With an idempotency key already used by <paramref name="owner"/>, stores
    /// nothing and returns the first result (or refuses a different body).
    /// </summary>
    /// <exception cref="EntryConflictException">A revised entry changed meanwhile, or the key came with another body.</exception>
    Task<(long Version, IReadOnlyList<MaterialEntry> Stored, bool Replayed)> WriteAsync(IReadOnlyList<MaterialEntry> revisions, IReadOnlyCollection<string> scopes, string owner, IdempotencyKey? idempotency, CancellationToken cancellationToken = default);

    /// <summary>Every revision of an entry, oldest first (empty when there is none).</summary>
    Task<IReadOnlyList<MaterialEntry>> RevisionsAsync(long number, CancellationToken cancellationToken = default);

    /// <summary>Entries visible to <paramref name="viewer"/> (as of the query's version) matching it, by number, from its offset, at most its limit; retracted entries are left out.</summary>
    Task<IReadOnlyList<MaterialEntry>> QueryAsync(MaterialsQuery query, Viewer viewer, CancellationToken cancellationToken = default);

    /// <summary>
    /// A page of the entries visible to <paramref name="viewer"/> as of <paramref name="version"/> that match an
    /// OPTIMADE filter (bound by <see cref="Filters.EntryFields.Bind"/>; null matches all), by number: those numbered
    /// above <paramref name="aboveNumber"/>, from <paramref name="offset"/> on, at most <paramref name="limit"/>; with
    /// the count of all matches (independent of the page; -1 when <paramref name="count"/> is false: the caller knows
    /// it from an earlier page) and whether more follow the page.
    /// </summary>
    Task<FilterPage> FilterAsync(Filters.FilterNode? filter, Viewer viewer, long version, long aboveNumber, int offset, int limit, bool count = true, CancellationToken cancellationToken = default);

    /// <summary>
    /// The entries of <paramref name="scheme"/> visible to <paramref name="viewer"/> as of <paramref name="version"/>
    /// whose elements all lie in <paramref name="system"/> (atomic numbers; null = every system), by number: what a hull is built from.
    /// </summary>
    Task<IReadOnlyList<MaterialEntry>> HullEntriesAsync(string scheme, IReadOnlyCollection<int>? system, Viewer viewer, long version, CancellationToken cancellationToken = default);

    /// <summary>The catalog datasets imported, with the SHA-256 of the file and the version of the import.</summary>
    Task<IReadOnlyDictionary<string, (string Sha256, long Version)>> CatalogImportsAsync(CancellationToken cancellationToken = default);

    /// <summary>Imports catalog rows as public entries in one version (nothing when the dataset is already imported).</summary>
    Task<long> ImportCatalogAsync(string datasetId, string sha256, IReadOnlyList<MaterialEntry> entries, CancellationToken cancellationToken = default);
}

/// <summary>A page of filtered entries.</summary>
/// <param name="Entries">The page, by number.</param>
/// <param name="Matching">How many entries match the filter in all.</param>
/// <param name="More">True when entries follow the page.</param>
public sealed record FilterPage(IReadOnlyList<MaterialEntry> Entries, long Matching, bool More);
