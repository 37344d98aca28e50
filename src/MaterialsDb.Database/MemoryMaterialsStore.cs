using System.Text;
using System.Text.Json;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Downloads;

namespace MaterialsDb.Database;

/// <summary>
/// The single-node store: every revision in memory, and — with a folder — an append-only journal
/// (<c>journal.jsonl</c>) written and flushed to disk before a change is acknowledged, replayed on start. Catalog
/// imports are journalled by dataset and checksum and re-read from the verified dataset cache on replay. A torn
/// last line (a crash while writing it) is ignored: that change was never acknowledged.
/// </summary>
public sealed class MemoryMaterialsStore : IMaterialsStore, IDisposable
{
    private const string JournalFile = "journal.jsonl";

    private readonly Lock _gate = new();
    private readonly List<List<MaterialEntry>> _byNumber = [];
    private readonly Dictionary<string, long> _scopes = [];
    private readonly Dictionary<(string Owner, string Key), (string Sha256, long Version, long[] Numbers)> _idempotency = [];
    private readonly Dictionary<string, (string Sha256, long Version)> _catalog = [];
    private readonly string? _folder;
    private readonly DatasetStore? _datasets;
    private readonly SemaphoreSlim _init = new(1, 1);
    private FileStream? _journal;
    private long _version;
    private bool _initialized;

    /// <summary>A store; <paramref name="folder"/> null keeps nothing on disk (tests).</summary>
    /// <param name="folder">Where the journal lives.</param>
    /// <param name="datasets">Where replayed catalog imports are read from.</param>
    public MemoryMaterialsStore(string? folder = null, DatasetStore? datasets = null)
    {
        _folder = folder;
        _datasets = datasets;
    }

    /// <summary>The default folder: <c>$MATERIALSDB_HOME/database</c>.</summary>
    public static string DefaultFolder => Path.Combine(DatasetStoreOptions.FromEnvironment().Home, "database");

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await _init.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            if (_folder is not null)
            {
                Directory.CreateDirectory(_folder);
                var path = Path.Combine(_folder, JournalFile);
                try
                {
                    // Opened exclusively (an flock on Unix): a second process cannot write to it.
                    _journal = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException e)
                {
                    throw new MaterialsDbException($"The materials database in {_folder} is in use by another process (a running 'materialsdb serve'?); contribute through its API, or stop it first.", e);
                }

                await ReplayAsync(path, cancellationToken).ConfigureAwait(false);
                _journal.Seek(0, SeekOrigin.End);
            }

            _initialized = true;
        }
        finally
        {
            _init.Release();
        }
    }

    public Task<long> LatestVersionAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_version);
        }
    }

    public Task<long> VersionAsync(Viewer viewer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        lock (_gate)
        {
            return Task.FromResult(viewer.Scopes().Select(s => _scopes.GetValueOrDefault(s)).Max());
        }
    }

    public Task<(long Version, IReadOnlyList<MaterialEntry> Stored, bool Replayed)> WriteAsync(IReadOnlyList<MaterialEntry> revisions, IReadOnlyCollection<string> scopes, string owner, IdempotencyKey? idempotency, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(revisions);
        ArgumentNullException.ThrowIfNull(scopes);
        lock (_gate)
        {
            EnsureInitialized();
            if (idempotency is not null && _idempotency.TryGetValue((owner, idempotency.Key), out var earlier))
            {
                return earlier.Sha256 == idempotency.BodySha256
                    ? Task.FromResult<(long, IReadOnlyList<MaterialEntry>, bool)>((earlier.Version, [.. earlier.Numbers.Select(n => _byNumber[(int)n - 1].First(r => r.Version == earlier.Version))], true))
                    : throw new EntryConflictException($"Idempotency-Key '{idempotency.Key}' was used for a different contribution; use a new key for a new body.");
            }

            foreach (var r in revisions.Where(r => r.Number != 0))
            {
                var list = r.Number <= _byNumber.Count ? _byNumber[(int)r.Number - 1] : null;
                if (list is null || list[^1].Revision != r.Revision - 1)
                {
                    throw new EntryConflictException($"Entry '{r.Id}' changed meanwhile (now at revision {list?[^1].Revision}); read it again and repeat the change.");
                }
            }

            var version = _version + 1;
            var next = _byNumber.Count + 1L;
            var stored = revisions.Select(r => r with { Number = r.Number == 0 ? next++ : r.Number, Version = version }).ToArray();
            var record = new JournalLine(version, [.. stored.Select(EntryRecord.From)], [.. scopes], idempotency is null ? null : new JournalIdempotency(owner, idempotency.Key, idempotency.BodySha256), null);
            Append(record);
            Apply(record, stored);
            return Task.FromResult<(long, IReadOnlyList<MaterialEntry>, bool)>((version, stored, false));
        }
    }

    public Task<IReadOnlyList<MaterialEntry>> RevisionsAsync(long number, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<MaterialEntry>>(number >= 1 && number <= _byNumber.Count ? [.. _byNumber[(int)number - 1]] : []);
        }
    }

    public Task<IReadOnlyList<MaterialEntry>> QueryAsync(MaterialsQuery query, Viewer viewer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<MaterialEntry>>([.. Visible(viewer, query.AsOfVersion ?? _version).Where(query.Matches).Skip(query.Offset).Take(query.Limit)]);
        }
    }

    public Task<FilterPage> FilterAsync(Filters.FilterNode? filter, Viewer viewer, long version, long aboveNumber, int offset, int limit, bool count = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        var page = new List<MaterialEntry>(Math.Min(limit, 1024));
        long matching = 0;
        var skip = offset;
        var more = false;
        lock (_gate)
        {
            foreach (var e in Visible(viewer, version))
            {
                if (filter is not null && !Filters.MemoryFilter.Matches(filter, e))
                {
                    continue;
                }

                matching++;
                if (e.Number <= aboveNumber || skip-- > 0)
                {
                    continue;
                }

                if (page.Count < limit)
                {
                    page.Add(e);
                }
                else
                {
                    more = true;
                    if (!count)
                    {
                        break;
                    }
                }
            }
        }

        return Task.FromResult(new FilterPage(page, count ? matching : -1, more));
    }

    public Task<IReadOnlyList<MaterialEntry>> HullEntriesAsync(string scheme, IReadOnlyCollection<int>? system, Viewer viewer, long version, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var inSystem = system is null ? null : new HashSet<int>(system);
            return Task.FromResult<IReadOnlyList<MaterialEntry>>([.. Visible(viewer, version).Where(e =>
                e.Scheme == scheme && e.SourceKind == SourceKind.Dft && e.EFormPerAtom is not null && (inSystem is null || AllIn(e, inSystem)))]);
        }
    }

    public Task<IReadOnlyDictionary<string, (string Sha256, long Version)>> CatalogImportsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyDictionary<string, (string, long)>>(new Dictionary<string, (string, long)>(_catalog));
        }
    }

    public Task<long> ImportCatalogAsync(string datasetId, string sha256, IReadOnlyList<MaterialEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        lock (_gate)
        {
            EnsureInitialized();
            if (_catalog.TryGetValue(datasetId, out var done))
            {
                return Task.FromResult(done.Version);
            }

            var version = _version + 1;
            var first = _byNumber.Count + 1L;
            var record = new JournalLine(version, null, [Viewer.PublicScope], null, new JournalCatalog(datasetId, sha256, first, entries.Count));
            Append(record);
            Apply(record, [.. entries.Select((e, i) => e with { Number = first + i, Version = version })]);
            return Task.FromResult(version);
        }
    }

    public void Dispose()
    {
        _journal?.Dispose();
        _init.Dispose();
    }

    private static bool AllIn(MaterialEntry e, HashSet<int> system)
    {
        foreach (var z in e.Composition.AtomicNumbers)
        {
            if (!system.Contains(z))
            {
                return false;
            }
        }

        return true;
    }

    // Latest revision as of the version, if visible and not retracted; by number.
    private IEnumerable<MaterialEntry> Visible(Viewer viewer, long version)
    {
        foreach (var revisions in _byNumber)
        {
            MaterialEntry? at = null;
            for (var i = revisions.Count - 1; i >= 0; i--)
            {
                if (revisions[i].Version <= version)
                {
                    at = revisions[i];
                    break;
                }
            }

            if (at is { Retracted: false } && viewer.CanSee(at.Owner, at.Visibility))
            {
                yield return at;
            }
        }
    }

    private void EnsureInitialized()
    {
        if (!_initialized)
        {
            throw new InvalidOperationException("Call InitializeAsync first.");
        }
    }

    private void Append(JournalLine line)
    {
        if (_journal is null)
        {
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(line, EntryRecord.Json) + "\n");
        _journal.Write(bytes);
        _journal.Flush(flushToDisk: true);
    }

    private void Apply(JournalLine line, IReadOnlyList<MaterialEntry> stored)
    {
        foreach (var e in stored)
        {
            if (e.Number == _byNumber.Count + 1)
            {
                _byNumber.Add([e]);
            }
            else
            {
                var list = _byNumber[(int)e.Number - 1];
                list[^1] = list[^1] with { SupersededVersion = line.Version };
                list.Add(e);
            }
        }

        foreach (var scope in line.Scopes)
        {
            _scopes[scope] = line.Version;
        }

        if (line.Idempotency is { } idem)
        {
            _idempotency[(idem.Owner, idem.Key)] = (idem.BodySha256, line.Version, [.. stored.Select(e => e.Number)]);
        }

        if (line.Catalog is { } catalog)
        {
            _catalog[catalog.Dataset] = (catalog.Sha256, line.Version);
        }

        _version = line.Version;
    }

    private async Task ReplayAsync(string path, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(_journal!, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        var text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        var lines = text.Split('\n');
        long goodBytes = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            JournalLine? line;
            try
            {
                line = i == lines.Length - 1 ? throw new JsonException("no line end") : JsonSerializer.Deserialize<JournalLine>(lines[i], EntryRecord.Json);
            }
            catch (JsonException) when (i == lines.Length - 1)
            {
                // Torn by a crash while it was written: never acknowledged. Cut it off so appends start clean.
                _journal!.SetLength(goodBytes);
                break;
            }

            goodBytes += Encoding.UTF8.GetByteCount(lines[i]) + 1;
            if (line is null)
            {
                continue;
            }

            if (line.Catalog is { } c)
            {
                if (_datasets is null || !DatasetCatalog.Default.TryGet(c.Dataset, out var dataset) || EnergySchemes.ForCatalog(c.Dataset) is not { } scheme)
                {
                    throw new MaterialsDbException($"The database journal {path} imports '{c.Dataset}', which cannot be read here.");
                }

                var (entries, _) = await MaterialsDatabase.ReadCatalogAsync(_datasets, dataset, scheme, cancellationToken).ConfigureAwait(false);
                if (entries.Count != c.Count)
                {
                    throw new MaterialsDbException($"The database journal {path} imported {c.Count} rows of '{c.Dataset}', the cached file gives {entries.Count}.");
                }

                Apply(line, [.. entries.Select((e, k) => e with { Number = c.First + k, Version = line.Version })]);
            }
            else
            {
                Apply(line, [.. line.Revisions!.Select(r => r.ToEntry())]);
            }
        }
    }

    private sealed record JournalLine(long Version, List<EntryRecord>? Revisions, List<string> Scopes, JournalIdempotency? Idempotency, JournalCatalog? Catalog);

    private sealed record JournalIdempotency(string Owner, string Key, string BodySha256);

    private sealed record JournalCatalog(string Dataset, string Sha256, long First, long Count);
}
