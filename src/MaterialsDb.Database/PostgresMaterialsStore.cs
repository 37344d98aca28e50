using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace MaterialsDb.Database;

/// <summary>
/// The cluster store: one row per revision in <c>materialsdb.entries</c> with the searched fields as indexed columns
/// and the whole revision as JSON. Writers run side by side and publish their versions in order
/// (<see cref="PostgresVersionOrder"/>); a change's entry numbers are contiguous.
/// </summary>
public sealed class PostgresMaterialsStore(NpgsqlDataSource dataSource) : IMaterialsStore
{
    /// <summary>Advisory lock id for the schema script (see the service's other scripts).</summary>
    public const long SchemaLock = 4242002;

    private const string Schema = """
        CREATE SCHEMA IF NOT EXISTS materialsdb;
        -- The import-only table of earlier releases: the entries table replaces it (re-import with 'db import').
        DROP TABLE IF EXISTS materialsdb.materials;
        CREATE TABLE IF NOT EXISTS materialsdb.entries (
            number bigint NOT NULL, revision int NOT NULL, version bigint NOT NULL, superseded_version bigint,
            retracted boolean NOT NULL, owner text NOT NULL, visibility text NOT NULL, scheme text NOT NULL, source_kind text NOT NULL,
            reduced_formula text NOT NULL, chemsys text NOT NULL, elements text[] NOT NULL, nelements smallint NOT NULL,
            e_form_per_atom double precision, record json NOT NULL, PRIMARY KEY (number, revision));
        -- The revision as written (json: stored as text, which costs half what jsonb's conversion does on writes).
        DO $$ BEGIN
            IF (SELECT data_type FROM information_schema.columns WHERE table_schema = 'materialsdb' AND table_name = 'entries' AND column_name = 'record') = 'jsonb' THEN
                ALTER TABLE materialsdb.entries ALTER COLUMN record TYPE json USING record::json;
            END IF;
        END $$;
        -- The OPTIMADE formula fields (added after the first release of this table: filled in by InitializeAsync).
        ALTER TABLE materialsdb.entries ADD COLUMN IF NOT EXISTS optimade_reduced text, ADD COLUMN IF NOT EXISTS formula_hill text,
            ADD COLUMN IF NOT EXISTS formula_anonymous text, ADD COLUMN IF NOT EXISTS elements_ratios double precision[];
        -- Visibility as a small integer (0 public, 1 cluster, 2 private): the viewer's rule compares it on every row a
        -- count visits, and integer comparisons there made a 613,043-row count about a fifth faster than text ones.
        ALTER TABLE materialsdb.entries ADD COLUMN IF NOT EXISTS audience smallint
            GENERATED ALWAYS AS (CASE visibility WHEN 'public' THEN 0 WHEN 'cluster' THEN 1 ELSE 2 END) STORED;
        -- Every index slows contributions (each costs about as much as the COPY itself): lookups by formula go through
        -- optimade_reduced, hulls through chemsys, so these earlier ones are gone.
        DROP INDEX IF EXISTS materialsdb.entries_latest_formula, materialsdb.entries_latest_scheme, materialsdb.entries_versions,
            materialsdb.entries_latest_chemsys, materialsdb.entries_latest_elements, materialsdb.entries_latest_optimade_reduced,
            materialsdb.entries_latest_nelements, materialsdb.entries_latest_e_form, materialsdb.entries_live_nelements,
            materialsdb.entries_live_e_form, materialsdb.entries_live_e_form_audience;
        -- The live rows (latest, not retracted) that reads at a viewer's version find. The btree ones carry what the
        -- viewer's rule and the version bound read, so counting the matches of a filter on them needs no table access.
        CREATE INDEX IF NOT EXISTS entries_live_chemsys ON materialsdb.entries (chemsys) WHERE superseded_version IS NULL AND NOT retracted;
        CREATE INDEX IF NOT EXISTS entries_live_elements ON materialsdb.entries USING gin (elements) WHERE superseded_version IS NULL AND NOT retracted;
        CREATE INDEX IF NOT EXISTS entries_live_reduced ON materialsdb.entries (optimade_reduced) WHERE superseded_version IS NULL AND NOT retracted;
        CREATE INDEX IF NOT EXISTS entries_live_nelements_audience ON materialsdb.entries (nelements, number) INCLUDE (audience, owner, version) WHERE superseded_version IS NULL AND NOT retracted;
        CREATE INDEX IF NOT EXISTS entries_live_e_form_numbers ON materialsdb.entries (e_form_per_atom) INCLUDE (audience, owner, version, number) WHERE superseded_version IS NULL AND NOT retracted;
        -- Superseded rows are few: reads as of an older version find them here.
        CREATE INDEX IF NOT EXISTS entries_superseded ON materialsdb.entries (superseded_version) WHERE superseded_version IS NOT NULL;
        -- How many live rows each version added (+) or superseded (-) per element count and audience: a filter on
        -- nelements alone (or none) is counted by summing these instead of visiting hundreds of thousands of rows.
        CREATE TABLE IF NOT EXISTS materialsdb.live_counts (version bigint NOT NULL, nelements smallint NOT NULL, audience smallint NOT NULL, owner text NOT NULL, delta bigint NOT NULL);
        -- The same per element: `elements` holds the one symbol as a one-element array, so a filter's translation
        -- (`elements @> $n`) reads this table as it reads the entries when it names a single element.
        CREATE TABLE IF NOT EXISTS materialsdb.live_element_counts (version bigint NOT NULL, elements text[] NOT NULL, nelements smallint NOT NULL, audience smallint NOT NULL, owner text NOT NULL, delta bigint NOT NULL);
        CREATE SEQUENCE IF NOT EXISTS materialsdb.entry_numbers;
        CREATE TABLE IF NOT EXISTS materialsdb.database_version (id int PRIMARY KEY, version bigint NOT NULL);
        INSERT INTO materialsdb.database_version VALUES (1, 0) ON CONFLICT DO NOTHING;
        CREATE TABLE IF NOT EXISTS materialsdb.scope_versions (scope text PRIMARY KEY, version bigint NOT NULL);
        CREATE TABLE IF NOT EXISTS materialsdb.idempotency (owner text NOT NULL, key text NOT NULL, body_sha256 text NOT NULL, version bigint NOT NULL, numbers bigint[] NOT NULL, PRIMARY KEY (owner, key));
        CREATE TABLE IF NOT EXISTS materialsdb.catalog_imports (dataset text PRIMARY KEY, sha256 text NOT NULL, version bigint NOT NULL);
        """;

    // The viewer's rule and the as-of rule, as SQL over parameters $1 (tenant, null = anonymous) and $2 (version).
    private const string VisibleAsOf = Visible + " AND (superseded_version IS NULL OR superseded_version > $2)";

    // The viewer's rule and rows made by the version (whether superseded after it is left to the caller), for queries
    // split in two: the latest rows (which the partial indexes hold) and the few superseded after the version.
    private const string Visible = "(audience = 0 OR ($1::text IS NOT NULL AND (audience = 1 OR owner = $1::text))) AND version <= $2 AND NOT retracted";

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, tx))
        {
            take.Parameters.Add(new() { Value = SchemaLock });
            await take.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var command = new NpgsqlCommand(Schema + PostgresVersionOrder.Schema, connection, tx))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await FillFormulaFieldsAsync(connection, tx, cancellationToken).ConfigureAwait(false);

        // Databases written before the counts existed get them once, from the rows.
        await using (var fill = new NpgsqlCommand("""
            INSERT INTO materialsdb.live_counts
            SELECT version, nelements, audience, owner, count(*) FROM materialsdb.entries
            WHERE NOT retracted AND NOT EXISTS (SELECT 1 FROM materialsdb.live_counts) GROUP BY 1, 2, 3, 4
            UNION ALL SELECT superseded_version, nelements, audience, owner, -count(*) FROM materialsdb.entries
            WHERE NOT retracted AND superseded_version IS NOT NULL AND NOT EXISTS (SELECT 1 FROM materialsdb.live_counts) GROUP BY 1, 2, 3, 4
            """, connection, tx))
        {
            await fill.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var fill = new NpgsqlCommand("""
            INSERT INTO materialsdb.live_element_counts
            SELECT version, ARRAY[element], nelements, audience, owner, count(*) FROM materialsdb.entries, unnest(elements) AS element
            WHERE NOT retracted AND NOT EXISTS (SELECT 1 FROM materialsdb.live_element_counts) GROUP BY 1, 2, 3, 4, 5
            UNION ALL SELECT superseded_version, ARRAY[element], nelements, audience, owner, -count(*) FROM materialsdb.entries, unnest(elements) AS element
            WHERE NOT retracted AND superseded_version IS NOT NULL AND NOT EXISTS (SELECT 1 FROM materialsdb.live_element_counts) GROUP BY 1, 2, 3, 4, 5
            """, connection, tx))
        {
            await fill.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> LatestVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT version FROM materialsdb.database_version WHERE id = 1");
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long v ? v : 0;
    }

    public async Task<long> VersionAsync(Viewer viewer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        await using var command = dataSource.CreateCommand("SELECT coalesce(max(version), 0) FROM materialsdb.scope_versions WHERE scope = ANY($1)");
        command.Parameters.Add(new() { Value = viewer.Scopes().ToArray() });
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<(long Version, IReadOnlyList<MaterialEntry> Stored, bool Replayed)> WriteAsync(IReadOnlyList<MaterialEntry> revisions, IReadOnlyCollection<string> scopes, string owner, IdempotencyKey? idempotency, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(revisions);
        ArgumentNullException.ThrowIfNull(scopes);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var revised = revisions.Where(r => r.Number != 0).ToArray();
        if (revised.Length > 0)
        {
            // Changes of existing entries one at a time: each one's check reads what the previous one wrote.
            await PostgresVersionOrder.LockRevisionsAsync(connection, tx, cancellationToken).ConfigureAwait(false);
        }

        if (idempotency is not null && await FindIdempotentAsync(connection, tx, owner, idempotency, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return earlier;
        }

        var counts = new LiveCounts().Added(revisions);
        if (revised.Length > 0)
        {
            await using var check = new NpgsqlCommand("SELECT number, max(revision) FROM materialsdb.entries WHERE number = ANY($1) GROUP BY number", connection, tx);
            check.Parameters.Add(new() { Value = revised.Select(r => r.Number).ToArray() });
            var latest = new Dictionary<long, int>();
            await using (var reader = await check.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    latest[reader.GetInt64(0)] = reader.GetInt32(1);
                }
            }

            if (revised.FirstOrDefault(r => latest.GetValueOrDefault(r.Number) != r.Revision - 1) is { } stale)
            {
                throw new EntryConflictException($"Entry '{stale.Id}' changed meanwhile (now at revision {latest.GetValueOrDefault(stale.Number)}); read it again and repeat the change.");
            }
        }

        var allocation = await PostgresVersionOrder.AllocateAsync(connection, tx, revisions.Count(r => r.Number == 0)).ConfigureAwait(false);
        var version = allocation.Version;
        if (revised.Length > 0)
        {
            await using var supersede = new NpgsqlCommand("UPDATE materialsdb.entries SET superseded_version = $2 WHERE number = ANY($1) AND superseded_version IS NULL RETURNING nelements, audience, owner, retracted, elements", connection, tx);
            supersede.Parameters.Add(new() { Value = revised.Select(r => r.Number).ToArray() });
            supersede.Parameters.Add(new() { Value = version });
            await using var gone = await supersede.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await gone.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!gone.GetBoolean(3))
                {
                    counts.Add((gone.GetInt16(0), gone.GetInt16(1), gone.GetString(2)), gone.GetFieldValue<string[]>(4), -1);
                }
            }
        }

        var next = allocation.FirstNumber;
        var result = revisions.Select(r => r with { Number = r.Number == 0 ? next++ : r.Number, Version = version }).ToArray();
        await InsertAsync(connection, result, cancellationToken).ConfigureAwait(false);
        await AddCountsAsync(connection, tx, counts, version, cancellationToken).ConfigureAwait(false);
        await PostgresVersionOrder.AwaitLowerAsync(connection, tx, allocation, cancellationToken).ConfigureAwait(false);
        if (idempotency is not null)
        {
            await using var remember = new NpgsqlCommand("INSERT INTO materialsdb.idempotency VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING", connection, tx);
            remember.Parameters.Add(new() { Value = owner });
            remember.Parameters.Add(new() { Value = idempotency.Key });
            remember.Parameters.Add(new() { Value = idempotency.BodySha256 });
            remember.Parameters.Add(new() { Value = version });
            remember.Parameters.Add(new() { Value = result.Select(r => r.Number).ToArray() });
            if (await remember.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                // The same key's upload ran alongside this one and committed first: this one is its retry.
                await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return await FindIdempotentAsync(connection, null, owner, idempotency, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException("An idempotency key vanished.");
            }
        }

        await PostgresVersionOrder.PublishAsync(connection, tx, scopes, version, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (version, result, false);
    }

    // The stored outcome of an earlier upload with the same key: a replay, or a conflict if the body differs.
    private async Task<(long Version, IReadOnlyList<MaterialEntry> Stored, bool Replayed)?> FindIdempotentAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string owner, IdempotencyKey idempotency, CancellationToken cancellationToken)
    {
        await using var find = new NpgsqlCommand("SELECT body_sha256, version, numbers FROM materialsdb.idempotency WHERE owner = $1 AND key = $2", connection, tx);
        find.Parameters.Add(new() { Value = owner });
        find.Parameters.Add(new() { Value = idempotency.Key });
        string sha;
        long earlier;
        long[] numbers;
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            (sha, earlier, numbers) = (reader.GetString(0), reader.GetInt64(1), reader.GetFieldValue<long[]>(2));
        }

        if (sha != idempotency.BodySha256)
        {
            throw new EntryConflictException($"Idempotency-Key '{idempotency.Key}' was used for a different contribution; use a new key for a new body.");
        }

        var stored = await ReadAsync("SELECT record, version, superseded_version FROM materialsdb.entries WHERE number = ANY($1) AND version = $2 ORDER BY number", [numbers, earlier], cancellationToken).ConfigureAwait(false);
        return (earlier, stored, true);
    }

    public Task<IReadOnlyList<MaterialEntry>> RevisionsAsync(long number, CancellationToken cancellationToken = default) =>
        ReadAsync("SELECT record, version, superseded_version FROM materialsdb.entries WHERE number = $1 ORDER BY revision", [number], cancellationToken);

    public async Task<IReadOnlyList<MaterialEntry>> QueryAsync(MaterialsQuery query, Viewer viewer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(viewer);
        // The latest rows need no version bound (and the partial indexes apply to them).
        var version = query.AsOfVersion ?? long.MaxValue;
        var (where, value) = query switch
        {
            { System: { } system } => ("chemsys = $3", (object)string.Join('-', system.Select(z => Chemistry.PeriodicTable.FromZ(z).Symbol).Order(StringComparer.Ordinal))),
            { Elements: { } elements } => ("elements @> $3", elements.Select(z => Chemistry.PeriodicTable.FromZ(z).Symbol).ToArray()),
            // The OPTIMADE reduced formula is indexed; the reduced formula itself checks the rows it finds.
            { ReducedFormula: { } formula } when FormulaFields.Of(Chemistry.FormulaParser.Parse(formula)).OptimadeReduced is { } optimade =>
                ("reduced_formula = $3[2] AND optimade_reduced = $3[1]", new[] { optimade, formula }),
            { ReducedFormula: { } formula } => ("reduced_formula = $3", formula),
            _ => ("$3::text IS NULL", DBNull.Value),
        };
        var latest = query.AsOfVersion is null ? "superseded_version IS NULL AND " : string.Empty;
        var sql = $"""
            SELECT record, version, superseded_version FROM materialsdb.entries
            WHERE {latest}{VisibleAsOf} AND {where}
              AND ($4::double precision IS NULL OR e_form_per_atom >= $4) AND ($5::double precision IS NULL OR e_form_per_atom <= $5)
              AND ($6::int IS NULL OR nelements >= $6) AND ($7::int IS NULL OR nelements <= $7)
              AND ($8::text IS NULL OR scheme = $8) AND ($9::text IS NULL OR source_kind = $9)
            ORDER BY number LIMIT $10 OFFSET $11
            """;
        return await ReadAsync(sql, [
            (object?)viewer.Tenant ?? DBNull.Value, version, value,
            Typed(query.EFormMin, NpgsqlDbType.Double), Typed(query.EFormMax, NpgsqlDbType.Double),
            Typed(query.NElementsMin, NpgsqlDbType.Integer), Typed(query.NElementsMax, NpgsqlDbType.Integer),
            Typed(query.Scheme, NpgsqlDbType.Text), Typed(query.SourceKind?.ToString().ToLowerInvariant(), NpgsqlDbType.Text),
            query.Limit, query.Offset], cancellationToken).ConfigureAwait(false);
    }

    public async Task<FilterPage> FilterAsync(Filters.FilterNode? filter, Viewer viewer, long version, long aboveNumber, int offset, int limit, bool count = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var sql = new FilterSql(filter, viewer, version);

        // Short queries: on a few cores parallel workers and JIT cost more than they save (a 141,737-row count took
        // 1.1 s with two workers, 0.14 s without).
        long matching = 0;
        await using (var counting = new NpgsqlBatch(connection, tx))
        {
            counting.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('max_parallel_workers_per_gather', '0', true), set_config('jit', 'off', true)"));
            var terms = !count ? [(1, new NpgsqlBatchCommand("SELECT -1::bigint"))] : CountTerms(filter, viewer, version);
            foreach (var (_, command) in terms)
            {
                counting.BatchCommands.Add(command);
            }

            await using var counted = await counting.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            foreach (var (sign, _) in terms)
            {
                await counted.NextResultAsync(cancellationToken).ConfigureAwait(false);
                await counted.ReadAsync(cancellationToken).ConfigureAwait(false);
                matching += sign * counted.GetInt64(0);
            }
        }

        // The page of live rows follows an index in id order and stops after the page: quick when matches are spread
        // over the ids, slow when they gather at the far end (formation energies below -3.9 eV/atom: 131,763 rows
        // passed over). A formation-energy filter with a known, modest count takes its matches' ids from the covering
        // index instead and sorts them (40,099 matches of 2,000,000: the request's median 68 -> 16 ms).
        var sorted = matching is > 0 and <= SortedPageLimit && OnlyProperty(filter, "_mdb_formation_energy_per_atom") && filter is not Filters.ConstantNode;
        await using var batch = new NpgsqlBatch(connection, tx);

        // Rows superseded after the version are rare (none when reading at the latest version): read them apart, so
        // the page of live rows can follow an index in id order and stop after the page.
        batch.BatchCommands.Add(sql.Command((aboveNumber, 0, 0), where => $"SELECT number FROM materialsdb.entries WHERE {where(false)} AND number > $3 LIMIT 1"));
        batch.BatchCommands.Add(sorted
            ? sql.Command((aboveNumber, limit + 1L, offset), where => $"""
                SELECT record, version, superseded_version FROM materialsdb.entries WHERE superseded_version IS NULL AND number IN (
                    SELECT number FROM materialsdb.entries WHERE {where(true)} AND number > $3 ORDER BY number + 0 LIMIT $4 OFFSET $5)
                ORDER BY number
                """)
            : sql.Command((aboveNumber, limit + 1L, offset), where => $"SELECT record, version, superseded_version FROM materialsdb.entries WHERE {where(true)} AND number > $3 ORDER BY number LIMIT $4 OFFSET $5"));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);

        var superseded = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<MaterialEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(Entry(reader));
        }

        await reader.DisposeAsync().ConfigureAwait(false);
        if (superseded)
        {
            // Both kinds of rows, merged in id order.
            rows.Clear();
            var merged = sql.Command((aboveNumber, limit + 1L, offset), where => $"""
                SELECT record, version, superseded_version FROM (
                    SELECT number, record, version, superseded_version FROM materialsdb.entries WHERE {where(true)} AND number > $3
                    UNION ALL SELECT number, record, version, superseded_version FROM materialsdb.entries WHERE {where(false)} AND number > $3) AS matching
                ORDER BY number LIMIT $4 OFFSET $5
                """);
            await using var again = new NpgsqlBatch(connection, tx) { BatchCommands = { merged } };
            await using var all = await again.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await all.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(Entry(all));
            }
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        var more = rows.Count > limit;
        return new FilterPage(more ? rows[..limit] : rows, matching, more);
    }

    public Task<IReadOnlyList<MaterialEntry>> HullEntriesAsync(string scheme, IReadOnlyCollection<int>? system, Viewer viewer, long version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(viewer);

        // A system's entries are those of its subsystems: 2^k - 1 lookups of the chemsys index (k <= 10 elements).
        var where = "scheme = $3 AND source_kind = 'dft' AND e_form_per_atom IS NOT NULL AND ($4::text[] IS NULL OR chemsys = ANY($4))";
        var sql = $"""
            SELECT record, version, superseded_version, number FROM materialsdb.entries WHERE superseded_version IS NULL AND {Visible} AND {where}
            UNION ALL SELECT record, version, superseded_version, number FROM materialsdb.entries WHERE superseded_version > $2 AND {Visible} AND {where}
            ORDER BY 4
            """;
        return ReadAsync(sql, [
            (object?)viewer.Tenant ?? DBNull.Value, version, scheme,
            system is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text } : Subsystems(system)], cancellationToken);
    }

    private static string[] Subsystems(IReadOnlyCollection<int> system)
    {
        var symbols = system.Select(z => Chemistry.PeriodicTable.FromZ(z).Symbol).Order(StringComparer.Ordinal).ToArray();
        return [.. Enumerable.Range(1, (1 << symbols.Length) - 1).Select(mask => string.Join('-', symbols.Where((_, i) => (mask & (1 << i)) != 0)))];
    }

    public async Task<IReadOnlyDictionary<string, (string Sha256, long Version)>> CatalogImportsAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT dataset, sha256, version FROM materialsdb.catalog_imports");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var imports = new Dictionary<string, (string, long)>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            imports[reader.GetString(0)] = (reader.GetString(1), reader.GetInt64(2));
        }

        return imports;
    }

    public async Task<long> ImportCatalogAsync(string datasetId, string sha256, IReadOnlyList<MaterialEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var allocation = await PostgresVersionOrder.AllocateAsync(connection, tx, entries.Count).ConfigureAwait(false);
        var version = allocation.Version;
        var next = allocation.FirstNumber;
        var rows = entries.Select(e => e with { Number = next++, Version = version }).ToArray();
        await InsertAsync(connection, rows, cancellationToken).ConfigureAwait(false);
        await AddCountsAsync(connection, tx, new LiveCounts().Added(rows), version, cancellationToken).ConfigureAwait(false);
        await PostgresVersionOrder.AwaitLowerAsync(connection, tx, allocation, cancellationToken).ConfigureAwait(false);
        // Marked only after the lower versions ended: a lower version importing the same dataset must never wait on this
        // one's uncommitted mark while this one waits for it.
        await using (var mark = new NpgsqlCommand("INSERT INTO materialsdb.catalog_imports VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", connection, tx))
        {
            mark.Parameters.Add(new() { Value = datasetId });
            mark.Parameters.Add(new() { Value = sha256 });
            mark.Parameters.Add(new() { Value = version });
            if (await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                // Imported meanwhile by another node.
                await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return (await CatalogImportsAsync(cancellationToken).ConfigureAwait(false))[datasetId].Version;
            }
        }

        await PostgresVersionOrder.PublishAsync(connection, tx, [Viewer.PublicScope], version, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return version;
    }

    // A filter translated once for the commands of one request, each with its own copy of the parameters. Rows
    // visible as of a version are split in two so each half uses its indexes: the latest rows (partial indexes) and
    // the few superseded after that version. Parameters: $1 tenant, $2 version, $3-$5 the page (above, limit,
    // offset; unused by the count), then the filter's.
    private sealed class FilterSql
    {
        private readonly List<NpgsqlParameter> _parameters;
        private readonly string _condition;

        public FilterSql(Filters.FilterNode? filter, Viewer viewer, long version)
        {
            _parameters =
            [
                new() { Value = (object?)viewer.Tenant ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                new() { Value = version, NpgsqlDbType = NpgsqlDbType.Bigint },
                new() { NpgsqlDbType = NpgsqlDbType.Bigint, Value = 0L },
                new() { NpgsqlDbType = NpgsqlDbType.Bigint, Value = 0L },
                new() { NpgsqlDbType = NpgsqlDbType.Bigint, Value = 0L },
            ];
            _condition = filter is null ? "TRUE" : Filters.SqlFilter.Translate(filter, _parameters);
        }

        // The count from the per-version sums: of live_counts for a condition on nelements alone, of
        // live_element_counts for one that names a single element besides.
        public NpgsqlBatchCommand Summed(bool perElement)
        {
            var command = new NpgsqlBatchCommand($"SELECT coalesce(sum(delta), 0)::bigint FROM materialsdb.{(perElement ? "live_element_counts" : "live_counts")} WHERE version <= $2 AND (audience = 0 OR ($1::text IS NOT NULL AND (audience = 1 OR owner = $1::text))) AND {_condition}");
            command.Parameters.AddRange(_parameters.Select(p => p.Clone()).ToArray());
            return command;
        }

        public NpgsqlBatchCommand Command((long Above, long Limit, long Offset) page, Func<Func<bool, string>, string> sql)
        {
            var command = new NpgsqlBatchCommand(sql(latest => $"{(latest ? "superseded_version IS NULL" : "superseded_version > $2")} AND {Visible} AND {_condition}"));
            command.Parameters.AddRange(_parameters.Select(p => p.Clone()).ToArray());
            (command.Parameters[2].Value, command.Parameters[3].Value, command.Parameters[4].Value) = (page.Above, page.Limit, page.Offset);
            return command;
        }
    }

    // Most matches whose ids a page sorts rather than walking the ids in order.
    private const long SortedPageLimit = 100_000;

    // True when the filter reads nelements only (or nothing): live_counts can count it.
    private static bool OnlyElementCount(Filters.FilterNode? filter) => filter is null || OnlyProperty(filter, "nelements");

    // The count of a filter's matches as signed terms to add. A filter on nelements alone is summed from live_counts;
    // one that names one element besides (`nelements = 4 AND elements HAS "Li"`: 91,780 rows visited for the viewer's
    // rule at 2,000,000 entries) from live_element_counts; `HAS ANY` of two or three elements by inclusion–exclusion:
    // the single elements from the sums, their intersections (few rows, found by the GIN index) from the rows.
    private static List<(int Sign, NpgsqlBatchCommand Command)> CountTerms(Filters.FilterNode? filter, Viewer viewer, long version)
    {
        NpgsqlBatchCommand Rows(Filters.FilterNode? f) => new FilterSql(f, viewer, version).Command((0, 0, 0), where =>
            $"SELECT (SELECT count(*) FROM materialsdb.entries WHERE {where(true)}) + (SELECT count(*) FROM materialsdb.entries WHERE {where(false)})");
        if (OnlyElementCount(filter))
        {
            return [(1, new FilterSql(filter, viewer, version).Summed(perElement: false))];
        }

        if (ElementsAndElementCount(filter) is not ({ } rest, { Count: <= 3 } elements))
        {
            return [(1, Rows(filter))];
        }

        // Every non-empty subset T of the elements, with sign (-1)^(|T|+1): HAS ALL T and the rest of the filter.
        var terms = new List<(int, NpgsqlBatchCommand)>();
        for (var subset = 1; subset < 1 << elements.Count; subset++)
        {
            var chosen = elements.Where((_, i) => (subset & (1 << i)) != 0).Select(e => new Filters.FilterValue(e, null)).ToArray();
            Filters.FilterNode term = new Filters.HasNode("elements", Filters.SetKind.All, chosen);
            term = rest.Aggregate(term, (left, right) => new Filters.AndNode(left, right));
            terms.Add((chosen.Length % 2 == 1 ? 1 : -1, chosen.Length == 1 ? new FilterSql(term, viewer, version).Summed(perElement: true) : Rows(term)));
        }

        return terms;
    }

    // For a conjunction of one `elements HAS x`, `HAS ALL x` or `HAS ANY x, y, …` and conditions on nelements alone:
    // those conditions and the distinct elements of the HAS ANY (one element for the others); otherwise nulls.
    private static (List<Filters.FilterNode>? Others, List<string>? Elements) ElementsAndElementCount(Filters.FilterNode? filter)
    {
        var conjuncts = new List<Filters.FilterNode>();
        void Flatten(Filters.FilterNode node)
        {
            if (node is Filters.AndNode and)
            {
                Flatten(and.Left);
                Flatten(and.Right);
            }
            else
            {
                conjuncts.Add(node);
            }
        }

        if (filter is null)
        {
            return (null, null);
        }

        Flatten(filter);
        var rest = conjuncts.Where(c => c is not Filters.HasNode { Property: "elements" }).ToList();
        if (conjuncts.Count - rest.Count != 1 || !rest.All(c => OnlyProperty(c, "nelements"))
            || conjuncts.Single(c => c is Filters.HasNode { Property: "elements" }) is not Filters.HasNode { Kind: Filters.SetKind.One or Filters.SetKind.All or Filters.SetKind.Any } has)
        {
            return (null, null);
        }

        var elements = has.Values.Select(v => v.Text!).Distinct(StringComparer.Ordinal).ToList();
        return has.Kind == Filters.SetKind.Any || elements.Count == 1 ? (rest, elements) : (null, null);
    }

    // True when every comparison in the filter is on this property (constants aside).
    private static bool OnlyProperty(Filters.FilterNode? filter, string property) => filter switch
    {
        null => false,
        Filters.ConstantNode => true,
        Filters.AndNode and => OnlyProperty(and.Left, property) && OnlyProperty(and.Right, property),
        Filters.OrNode or => OnlyProperty(or.Left, property) && OnlyProperty(or.Right, property),
        Filters.NotNode not => OnlyProperty(not.Inner, property),
        Filters.CompareNode compare => compare.Property == property,
        Filters.KnownNode known => known.Property == property,
        _ => false,
    };

    // Rows written before the OPTIMADE formula columns existed get them once.
    private static async Task FillFormulaFieldsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        while (true)
        {
            var rows = new List<(long Number, int Revision, FormulaFields Fields)>();
            await using (var find = new NpgsqlCommand("SELECT number, revision, record->>'formula' FROM materialsdb.entries WHERE elements_ratios IS NULL LIMIT 10000", connection, tx))
            await using (var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add((reader.GetInt64(0), reader.GetInt32(1), FormulaFields.Of(Chemistry.FormulaParser.Parse(reader.GetString(2)))));
                }
            }

            if (rows.Count == 0)
            {
                return;
            }

            foreach (var (number, revision, fields) in rows)
            {
                await using var fill = new NpgsqlCommand("UPDATE materialsdb.entries SET optimade_reduced = $3, formula_hill = $4, formula_anonymous = $5, elements_ratios = $6 WHERE number = $1 AND revision = $2", connection, tx);
                fill.Parameters.Add(new() { Value = number });
                fill.Parameters.Add(new() { Value = revision });
                fill.Parameters.Add((NpgsqlParameter)Typed(fields.OptimadeReduced, NpgsqlDbType.Text));
                fill.Parameters.Add((NpgsqlParameter)Typed(fields.Hill, NpgsqlDbType.Text));
                fill.Parameters.Add((NpgsqlParameter)Typed(fields.Anonymous, NpgsqlDbType.Text));
                fill.Parameters.Add(new() { Value = fields.ElementRatios });
                await fill.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static object Typed(object? value, NpgsqlDbType type) => new NpgsqlParameter { Value = value ?? DBNull.Value, NpgsqlDbType = type };

    private static async Task AddCountsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, LiveCounts counts, long version, CancellationToken cancellationToken)
    {
        var groups = counts.Groups.Where(g => g.Value != 0).ToArray();
        if (groups.Length > 0)
        {
            await using var add = new NpgsqlCommand("INSERT INTO materialsdb.live_counts SELECT $1, unnest($2::smallint[]), unnest($3::smallint[]), unnest($4::text[]), unnest($5::bigint[])", connection, tx);
            add.Parameters.Add(new() { Value = version });
            add.Parameters.Add(new() { Value = groups.Select(g => g.Key.Elements).ToArray() });
            add.Parameters.Add(new() { Value = groups.Select(g => g.Key.Audience).ToArray() });
            add.Parameters.Add(new() { Value = groups.Select(g => g.Key.Owner).ToArray() });
            add.Parameters.Add(new() { Value = groups.Select(g => g.Value).ToArray() });
            await add.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var perElement = counts.PerElement.Where(g => g.Value != 0).ToArray();
        if (perElement.Length > 0)
        {
            await using var add = new NpgsqlCommand("INSERT INTO materialsdb.live_element_counts SELECT $1, ARRAY[e], n, a, o, d FROM unnest($2::text[], $3::smallint[], $4::smallint[], $5::text[], $6::bigint[]) AS t(e, n, a, o, d)", connection, tx);
            add.Parameters.Add(new() { Value = version });
            add.Parameters.Add(new() { Value = perElement.Select(g => g.Key.Element).ToArray() });
            add.Parameters.Add(new() { Value = perElement.Select(g => g.Key.Group.Elements).ToArray() });
            add.Parameters.Add(new() { Value = perElement.Select(g => g.Key.Group.Audience).ToArray() });
            add.Parameters.Add(new() { Value = perElement.Select(g => g.Key.Group.Owner).ToArray() });
            add.Parameters.Add(new() { Value = perElement.Select(g => g.Value).ToArray() });
            await add.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // A change's live rows gained (+1) and superseded (-1) per element count, audience and owner, and the same per
    // element the rows hold.
    private sealed class LiveCounts
    {
        public Dictionary<(short Elements, short Audience, string Owner), long> Groups { get; } = [];

        public Dictionary<(string Element, (short Elements, short Audience, string Owner) Group), long> PerElement { get; } = [];

        public void Add((short Elements, short Audience, string Owner) key, IEnumerable<string> elements, long delta)
        {
            Groups[key] = Groups.GetValueOrDefault(key) + delta;
            foreach (var element in elements)
            {
                PerElement[(element, key)] = PerElement.GetValueOrDefault((element, key)) + delta;
            }
        }

        public LiveCounts Added(IEnumerable<MaterialEntry> rows)
        {
            foreach (var e in rows.Where(e => !e.Retracted))
            {
                Add(((short)e.Composition.ElementCount, Audience(e.Visibility), e.Owner), e.Fields.Elements, 1);
            }

            return this;
        }

        // The audience column's code (the generated column's CASE).
        private static short Audience(Visibility visibility) => visibility switch
        {
            Visibility.Public => 0,
            Visibility.Cluster => 1,
            _ => 2,
        };
    }

    private static async Task InsertAsync(NpgsqlConnection connection, IReadOnlyList<MaterialEntry> entries, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginBinaryImportAsync("COPY materialsdb.entries (number, revision, version, retracted, owner, visibility, scheme, source_kind, reduced_formula, chemsys, elements, nelements, e_form_per_atom, optimade_reduced, formula_hill, formula_anonymous, elements_ratios, record) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        foreach (var e in entries)
        {
            await copy.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(e.Number, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(e.Revision, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(e.Version, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(e.Retracted, NpgsqlDbType.Boolean, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(e.Owner, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(e.Visibility.ToString().ToLowerInvariant(), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(e.Scheme, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(e.SourceKind.ToString().ToLowerInvariant(), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(e.Composition.ReducedFormula, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(e.Composition.ChemicalSystem, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(e.Fields.Elements, NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync((short)e.Composition.ElementCount, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
            if (e.EFormPerAtom is { } ef)
            {
                await copy.WriteAsync(ef, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await copy.WriteNullAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var text in (string?[])[e.Fields.OptimadeReduced, e.Fields.Hill, e.Fields.Anonymous])
            {
                await (text is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(text, NpgsqlDbType.Text, cancellationToken)).ConfigureAwait(false);
            }

            await copy.WriteAsync(e.Fields.ElementRatios, NpgsqlDbType.Array | NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(JsonSerializer.Serialize(EntryRecord.From(e), EntryRecord.Json), NpgsqlDbType.Json, cancellationToken).ConfigureAwait(false);
        }

        await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<MaterialEntry>> ReadAsync(string sql, object[] parameters, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var p in parameters)
        {
            command.Parameters.Add(p as NpgsqlParameter ?? new NpgsqlParameter { Value = p });
        }

        var rows = new List<MaterialEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(Entry(reader));
        }

        return rows;
    }

    private static MaterialEntry Entry(NpgsqlDataReader reader)
    {
        var record = JsonSerializer.Deserialize<EntryRecord>(reader.GetString(0), EntryRecord.Json)!;
        return record.ToEntry() with { Version = reader.GetInt64(1), SupersededVersion = reader.IsDBNull(2) ? null : reader.GetInt64(2) };
    }
}
