using System.Globalization;
using MaterialsDb.Chemistry;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Data.Tables;
using MaterialsDb.Stability;

namespace MaterialsDb.Database;

/// <summary>
/// The shared materials database's rules over a store: contributions validated as a whole, changes only by owners
/// (publishing only by operators), revisions instead of edits, retractions as tombstones, every read through the
/// caller's view and at a database version, hulls of one DFT scheme only.
/// </summary>
public sealed class MaterialsDatabase(IMaterialsStore store, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The store.</summary>
    public IMaterialsStore Store { get; } = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>Validates and stores a batch in one step.</summary>
    /// <exception cref="ContributionException">A row is bad (all are named); nothing is stored.</exception>
    /// <exception cref="EntryForbiddenException">An anonymous caller, or a non-operator asking for public visibility.</exception>
    public async Task<ContributionResult> ContributeAsync(IReadOnlyList<ContributionRow> rows, ContributionDefaults defaults, Viewer viewer, IdempotencyKey? idempotency = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        var owner = viewer.Tenant ?? throw new EntryForbiddenException("Contributions need a tenant (an API key).");
        var entries = ContributionValidator.Validate(rows, defaults, owner, Now());
        if (!viewer.IsOperator && entries.FirstOrDefault(e => e.Visibility == Visibility.Public) is { } pub)
        {
            throw new ContributionException("Only operators may publish entries to public visibility; contribute them as cluster or private and ask an operator.", [new FieldProblem($"row {IndexOf(entries, pub) + 1}: visibility", "public needs an operator key")]);
        }

        var scopes = entries.Select(e => Viewer.ScopeOf(e.Owner, e.Visibility)).ToHashSet();
        var (version, stored, replayed) = await Store.WriteAsync(entries, scopes, owner, idempotency, cancellationToken).ConfigureAwait(false);
        return new ContributionResult([.. stored.Select(e => e.Id)], version, replayed);
    }

    /// <summary>The latest revision of an entry (a tombstone when retracted), or as of <paramref name="asOfVersion"/>.</summary>
    /// <exception cref="EntryNotFoundException">No such entry is visible to the viewer.</exception>
    public async Task<MaterialEntry> GetAsync(string id, Viewer viewer, long? asOfVersion = null, CancellationToken cancellationToken = default)
    {
        var revisions = await VisibleRevisionsAsync(id, viewer, cancellationToken).ConfigureAwait(false);
        var at = asOfVersion is { } v ? revisions.LastOrDefault(r => r.Version <= v) : revisions[^1];
        return at is not null && viewer.CanSee(at.Owner, at.Visibility) ? at : throw new EntryNotFoundException(id);
    }

    /// <summary>The revisions of an entry the viewer may read, oldest first.</summary>
    /// <exception cref="EntryNotFoundException">No such entry is visible to the viewer.</exception>
    public async Task<IReadOnlyList<MaterialEntry>> HistoryAsync(string id, Viewer viewer, CancellationToken cancellationToken = default)
    {
        var revisions = await VisibleRevisionsAsync(id, viewer, cancellationToken).ConfigureAwait(false);
        return [.. revisions.Where(r => viewer.CanSee(r.Owner, r.Visibility))];
    }

    /// <summary>The owner changes values or visibility: a new revision.</summary>
    /// <exception cref="EntryNotFoundException">No such entry is visible to the viewer.</exception>
    /// <exception cref="EntryForbiddenException">The viewer is not the owner, or asks for public without operator rights.</exception>
    /// <exception cref="EntryConflictException">The entry is retracted, or not at the expected revision.</exception>
    public async Task<MaterialEntry> ChangeAsync(string id, Viewer viewer, MaterialChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var current = await WritableAsync(id, viewer, change.ExpectedRevision, cancellationToken, publishing: change.Visibility is { } v && v.Equals("public", StringComparison.OrdinalIgnoreCase)).ConfigureAwait(false);
        var next = ContributionValidator.Apply(current, change, Now());
        return await WriteRevisionAsync(current, next, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The owner retracts an entry: a tombstone revision; queries and hulls leave it out from this version on.</summary>
    public async Task<MaterialEntry> RetractAsync(string id, Viewer viewer, CancellationToken cancellationToken = default)
    {
        var current = await WritableAsync(id, viewer, null, cancellationToken, publishing: false).ConfigureAwait(false);
        var tombstone = current with { Revision = current.Revision + 1, Version = 0, SupersededVersion = null, Retracted = true, Provenance = current.Provenance with { Created = Now() } };
        return await WriteRevisionAsync(current, tombstone, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Entries matching a query in the viewer's view.</summary>
    public Task<IReadOnlyList<MaterialEntry>> QueryAsync(MaterialsQuery query, Viewer viewer, CancellationToken cancellationToken = default) =>
        Store.QueryAsync(query ?? throw new ArgumentNullException(nameof(query)), viewer ?? throw new ArgumentNullException(nameof(viewer)), cancellationToken);

    /// <summary>
    /// The version a read uses: <paramref name="pinned"/> when given (it must exist), else the latest version the
    /// viewer can observe.
    /// </summary>
    /// <exception cref="MaterialsDbException">The pinned version is negative or newer than the database.</exception>
    public async Task<long> ResolveVersionAsync(Viewer viewer, long? pinned, CancellationToken cancellationToken = default)
    {
        if (pinned is { } p)
        {
            var latest = await Store.LatestVersionAsync(cancellationToken).ConfigureAwait(false);
            return p >= 0 && p <= latest ? p
                : throw new MaterialsDbException($"database_version {p} does not exist; the latest is {latest}.", [new FieldProblem("database_version", $"must be 0 to {latest}")]);
        }

        return await Store.VersionAsync(viewer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The hull of a chemical system from the DFT entries of one scheme in the viewer's view at a version.</summary>
    /// <exception cref="MaterialsDbException">Unknown or non-DFT scheme, or a bad system.</exception>
    public async Task<(PhaseDiagram Diagram, IReadOnlyList<MaterialEntry> Entries)> HullAsync(string scheme, IReadOnlyList<int> system, Viewer viewer, long version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        var s = HullScheme(scheme);
        var entries = await Store.HullEntriesAsync(s.Name, system, viewer, version, cancellationToken).ConfigureAwait(false);
        return (PhaseDiagram.Build(system, entries.Select(e => ToPhase(e))), entries);
    }

    /// <summary>
    /// The entries of a DFT scheme in the viewer's view at a version, as a hull reference: all of them (screenings), or
    /// those made only of <paramref name="elements"/> (enough for every hull of compositions of those elements).
    /// </summary>
    public async Task<PhaseEntrySet> ReferenceAsync(string scheme, Viewer viewer, long version, IReadOnlyCollection<int>? elements = null, CancellationToken cancellationToken = default)
    {
        var s = HullScheme(scheme);
        var entries = await Store.HullEntriesAsync(s.Name, elements, viewer, version, cancellationToken).ConfigureAwait(false);
        return PhaseEntrySet.Create(entries.Select(e => ToPhase(e)));
    }

    /// <summary>The scheme, if hulls may be built from it.</summary>
    /// <exception cref="MaterialsDbException">Unknown or not a DFT scheme.</exception>
    public static EnergyScheme HullScheme(string? scheme)
    {
        var s = EnergySchemes.Find(scheme) ?? throw new MaterialsDbException($"'{scheme}' is not a known energy scheme; known: {string.Join(", ", EnergySchemes.All.Select(x => x.Name))}.", [new FieldProblem("scheme", "unknown scheme")]);
        return s.HasHulls ? s : throw new MaterialsDbException($"Scheme '{s.Name}' holds {s.Kind.ToString().ToLowerInvariant()} values; hulls are built from DFT schemes only ({string.Join(", ", EnergySchemes.All.Where(x => x.HasHulls).Select(x => x.Name))}).", [new FieldProblem("scheme", "not a DFT scheme")]);
    }

    /// <summary>
    /// Imports a catalog dataset of formation energies as public entries of its scheme (one entry per row, rows with
    /// the same formula kept apart), with the dataset's citation and licence; a no-op when already imported.
    /// Returns the entries imported (0 when it already was) and the rows skipped.
    /// </summary>
    /// <exception cref="InvalidOptionException">The dataset has no scheme.</exception>
    public async Task<(long Imported, long Skipped, long Version)> ImportCatalogAsync(DatasetStore datasets, string datasetId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(datasets);
        var scheme = EnergySchemes.ForCatalog(datasetId);
        if (scheme is null || !DatasetCatalog.Default.TryGet(datasetId, out var dataset))
        {
            throw new InvalidOptionException($"'{datasetId}' is not a catalog dataset of formation energies; import one of: {string.Join(", ", EnergySchemes.All.Where(s => s.CatalogDataset is not null).Select(s => s.CatalogDataset))}.");
        }

        var sha = string.Join('+', dataset.Files.Select(f => f.Sha256));
        var imports = await Store.CatalogImportsAsync(cancellationToken).ConfigureAwait(false);
        if (imports.TryGetValue(datasetId, out var done))
        {
            return done.Sha256 == sha ? (0, 0, done.Version)
                : throw new InvalidOptionException($"'{datasetId}' was imported from another file (version {done.Version}); a changed catalog file cannot replace it in place.");
        }

        var (entries, skipped) = await ReadCatalogAsync(datasets, dataset, scheme, cancellationToken).ConfigureAwait(false);
        var version = await Store.ImportCatalogAsync(datasetId, sha, entries, cancellationToken).ConfigureAwait(false);
        return (entries.Count, skipped, version);
    }

    /// <summary>Reads a catalog dataset's rows as entry drafts (the memory store replays imports with it).</summary>
    public static async Task<(IReadOnlyList<MaterialEntry> Entries, long Skipped)> ReadCatalogAsync(DatasetStore datasets, DatasetEntry dataset, EnergyScheme scheme, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(datasets);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(scheme);
        var entries = new List<MaterialEntry>();
        long skipped = 0;
        // A fixed time rather than the import's: the embedded store replays imports from the file, and a replay must
        // give the same entries. The import's version says when it happened.
        var created = DateTimeOffset.UnixEpoch;
        var provenance = new Provenance(dataset.Id, dataset.Citation, scheme.CatalogLicence ?? "NOASSERTION", "MaterialsDb catalog import", created);
        foreach (var file in dataset.Files)
        {
            var path = await datasets.EnsureFileAsync(dataset, file, cancellationToken: cancellationToken).ConfigureAwait(false);
            var table = CsvTableReader.Read(path, [dataset.Format.FormulaColumn!]);
            var formulas = table.GetStrings(dataset.Format.FormulaColumn!);
            var energies = table.GetDoubles(dataset.Format.Target!);
            for (var i = 0; i < formulas.Length; i++)
            {
                if (formulas[i] is not { } f || !FormulaParser.TryParse(f, out var c, out _) || PhaseEntrySet.EnergyProblem(energies[i]) is not null)
                {
                    skipped++;
                    continue;
                }

                entries.Add(new MaterialEntry
                {
                    Number = 0,
                    Revision = 1,
                    Version = 0,
                    Formula = f,
                    Composition = c,
                    Scheme = scheme.Name,
                    EFormPerAtom = energies[i],
                    SourceKind = scheme.Kind,
                    Owner = Viewer.CatalogOwner,
                    Visibility = Visibility.Public,
                    Provenance = provenance,
                });
            }
        }

        return (entries, skipped);
    }

    // Times are kept to the microsecond, PostgreSQL's precision, so filters on them agree in both stores.
    private DateTimeOffset Now() => Filters.EntryFields.Microseconds(_time.GetUtcNow());

    /// <summary>The hull entry of a database entry (its id is the entry id, so decompositions name entries).</summary>
    public static PhaseEntry ToPhase(MaterialEntry entry) =>
        new((entry ?? throw new ArgumentNullException(nameof(entry))).Id, entry.Composition, entry.EFormPerAtom!.Value, entry.Scheme);

    private async Task<IReadOnlyList<MaterialEntry>> VisibleRevisionsAsync(string id, Viewer viewer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        if (!MaterialEntry.TryParseId(id, out var number))
        {
            throw new EntryNotFoundException(id);
        }

        var revisions = await Store.RevisionsAsync(number, cancellationToken).ConfigureAwait(false);

        // Someone else's private entry answers exactly like a missing one.
        return revisions.Count > 0 && revisions.Any(r => viewer.CanSee(r.Owner, r.Visibility)) ? revisions : throw new EntryNotFoundException(id);
    }

    private async Task<MaterialEntry> WritableAsync(string id, Viewer viewer, int? expectedRevision, CancellationToken cancellationToken, bool publishing)
    {
        var revisions = await VisibleRevisionsAsync(id, viewer, cancellationToken).ConfigureAwait(false);
        var current = revisions[^1];
        if (!viewer.CanSee(current.Owner, current.Visibility))
        {
            throw new EntryNotFoundException(id);
        }

        if (current.Owner != viewer.Tenant && !(publishing && viewer.IsOperator))
        {
            throw new EntryForbiddenException($"Entry '{id}' belongs to another tenant; only its owner may change it{(publishing ? string.Empty : " (operators may publish it)")}.");
        }

        if (publishing && !viewer.IsOperator)
        {
            throw new EntryForbiddenException("Only operators may publish entries to public visibility.");
        }

        if (current.Retracted)
        {
            throw new EntryConflictException($"Entry '{id}' is retracted (revision {current.Revision}); contribute a new entry instead.");
        }

        return expectedRevision is { } expected && expected != current.Revision
            ? throw new EntryConflictException(string.Create(CultureInfo.InvariantCulture, $"Entry '{id}' is at revision {current.Revision}, not {expected}; read it again and repeat the change."))
            : current;
    }

    private async Task<MaterialEntry> WriteRevisionAsync(MaterialEntry current, MaterialEntry next, CancellationToken cancellationToken)
    {
        var scopes = new HashSet<string> { Viewer.ScopeOf(current.Owner, current.Visibility), Viewer.ScopeOf(next.Owner, next.Visibility) };
        var (_, stored, _) = await Store.WriteAsync([next], scopes, next.Owner, null, cancellationToken).ConfigureAwait(false);
        return stored[0];
    }

    private static int IndexOf(IReadOnlyList<MaterialEntry> entries, MaterialEntry entry)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            if (ReferenceEquals(entries[i], entry))
            {
                return i;
            }
        }

        return -1;
    }
}
