using Npgsql;
using NpgsqlTypes;

namespace MaterialsDb.Service.Store;

/// <summary>
/// The shared store of a multi-node service, in PostgreSQL (schema <c>materialsdb</c>). Admission under the tenant's
/// limit takes a per-tenant advisory lock around its count and insert; a chunk's record and the increment of its
/// screening's done count are one statement, whose row lock orders concurrent completions, so exactly one of them sees
/// the last chunk done; the merge is claimed by one conditional UPDATE.
/// </summary>
public sealed class PostgresStore(NpgsqlDataSource dataSource) : IServiceStore
{
    private const string Schema = """
        CREATE SCHEMA IF NOT EXISTS materialsdb;
        CREATE TABLE IF NOT EXISTS materialsdb.api_keys (
            id uuid PRIMARY KEY, tenant text NOT NULL, role text NOT NULL, sha256 text NOT NULL UNIQUE,
            created timestamptz NOT NULL, revoked boolean NOT NULL DEFAULT false);
        CREATE TABLE IF NOT EXISTS materialsdb.screenings (
            id uuid PRIMARY KEY, tenant text NOT NULL, name text NOT NULL, spec text NOT NULL, queue text NOT NULL,
            state text NOT NULL, candidates bigint NOT NULL, chunks int NOT NULL, chunk_size bigint NOT NULL,
            error text, created timestamptz NOT NULL, updated timestamptz NOT NULL, merge_claimed boolean NOT NULL DEFAULT false);
        ALTER TABLE materialsdb.screenings
            ADD COLUMN IF NOT EXISTS stages text[] NOT NULL DEFAULT '{}',
            ADD COLUMN IF NOT EXISTS upload text,
            ADD COLUMN IF NOT EXISTS database_version bigint,
            ADD COLUMN IF NOT EXISTS planned boolean NOT NULL DEFAULT true,
            ADD COLUMN IF NOT EXISTS chunks_done int NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS processed bigint NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS survivors bigint NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS requeues int NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS cleaned boolean NOT NULL DEFAULT false,
            ADD COLUMN IF NOT EXISTS submitted_by uuid;
        CREATE INDEX IF NOT EXISTS screenings_tenant_created ON materialsdb.screenings (tenant, created DESC, id DESC);
        CREATE INDEX IF NOT EXISTS screenings_active ON materialsdb.screenings (tenant) WHERE state IN ('Queued', 'Running');
        CREATE TABLE IF NOT EXISTS materialsdb.screening_chunks (
            screening uuid NOT NULL REFERENCES materialsdb.screenings (id) ON DELETE CASCADE, chunk int NOT NULL,
            processed bigint NOT NULL, survivors bigint NOT NULL, passed bigint[] NOT NULL, seconds double precision[] NOT NULL,
            wall_seconds double precision NOT NULL, PRIMARY KEY (screening, chunk));
        CREATE TABLE IF NOT EXISTS materialsdb.screening_starts (
            screening uuid NOT NULL REFERENCES materialsdb.screenings (id) ON DELETE CASCADE, chunk int NOT NULL, start text,
            PRIMARY KEY (screening, chunk));
        CREATE TABLE IF NOT EXISTS materialsdb.screening_jobs (
            screening uuid NOT NULL REFERENCES materialsdb.screenings (id) ON DELETE CASCADE, kind text NOT NULL, chunk int NOT NULL,
            job_id text NOT NULL, PRIMARY KEY (screening, kind, chunk));
        """;

    private const string ScreeningColumns = """
        s.id, s.tenant, s.name, s.spec, s.queue, s.state, s.stages, s.chunk_size, s.upload, s.planned, s.candidates, s.chunks,
        s.chunks_done, s.processed, s.survivors, s.error, s.created, s.updated, s.database_version, s.submitted_by
        """;

    public Task InitializeAsync(CancellationToken cancellationToken = default) => PostgresSchema.ApplyAsync(dataSource, PostgresSchema.StoreLock, Schema, cancellationToken);

    public async Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var command = Command("INSERT INTO materialsdb.api_keys (id, tenant, role, sha256, created, revoked) VALUES ($1, $2, $3, $4, $5, $6)",
            key.Id, key.Tenant, key.Role.ToString(), key.Sha256, key.Created, key.Revoked);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<ApiKeyRecord?> FindKeyAsync(string sha256, CancellationToken cancellationToken = default)
    {
        await using var command = Command("SELECT id, tenant, role, sha256, created, revoked FROM materialsdb.api_keys WHERE sha256 = $1 AND NOT revoked", sha256);
        return await SingleAsync(command, Key, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ApiKeyRecord?> GetKeyAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var command = Command("SELECT id, tenant, role, sha256, created, revoked FROM materialsdb.api_keys WHERE id = $1 AND NOT revoked", id);
        return await SingleAsync(command, Key, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(CancellationToken cancellationToken = default)
    {
        await using var command = Command("SELECT id, tenant, role, sha256, created, revoked FROM materialsdb.api_keys ORDER BY created");
        return await ListAsync(command, Key, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> RevokeKeyAsync(string idOrPrefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(idOrPrefix);
        if (idOrPrefix.Length < 4 || !idOrPrefix.All(c => char.IsAsciiHexDigit(c) || c == '-'))
        {
            return false;
        }

        // Only a unique match is revoked.
        await using var command = Command("""
            UPDATE materialsdb.api_keys SET revoked = true
            WHERE id::text LIKE $1 || '%' AND (SELECT count(*) FROM materialsdb.api_keys WHERE id::text LIKE $1 || '%') = 1
            """, idOrPrefix.ToLowerInvariant());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> TryAddScreeningAsync(ScreeningRecord screening, int maxActive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(screening);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Parallel submissions of one tenant wait for each other here, so each counts the ones committed before it.
        await using (var gate = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended('materialsdb.tenant.' || $1, 0))", connection, tx))
        {
            gate.Parameters.Add(new() { Value = screening.Tenant });
            await gate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        int inserted;
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO materialsdb.screenings (id, tenant, name, spec, queue, state, stages, chunk_size, upload, planned, candidates, chunks, created, updated, database_version, submitted_by)
            SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, false, 0, 0, $10, $10, $12, $13
            WHERE (SELECT count(*) FROM materialsdb.screenings WHERE tenant = $2 AND state IN ('Queued', 'Running')) < $11
            """, connection, tx))
        {
            foreach (var v in new object[] { screening.Id, screening.Tenant, screening.Name, screening.Spec, screening.Queue, screening.State, screening.Stages.ToArray(), screening.ChunkSize })
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = v });
            }

            // The nullable ones carry their type: a bare null has none.
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)screening.Upload ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            insert.Parameters.Add(new NpgsqlParameter { Value = screening.Created });
            insert.Parameters.Add(new NpgsqlParameter { Value = maxActive });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)screening.DatabaseVersion ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)screening.SubmittedBy ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });

            inserted = await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return inserted == 1;
    }

    public async Task<ScreeningRecord?> GetScreeningAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var command = Command($"SELECT {ScreeningColumns} FROM materialsdb.screenings s WHERE s.id = $1", id);
        return await SingleAsync(command, Screening, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ScreeningRecord>> ListScreeningsAsync(ScreeningQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var command = Command($"""
            SELECT {ScreeningColumns} FROM materialsdb.screenings s
            WHERE s.tenant = $1 AND ($2::timestamptz IS NULL OR (s.created, s.id) < ($2, $3))
              AND ($5::text[] IS NULL OR s.state = ANY($5)) AND ($6::bigint IS NULL OR s.candidates >= $6) AND ($7::bigint IS NULL OR s.candidates <= $7)
              AND ($8::timestamptz IS NULL OR s.created >= $8) AND ($9::timestamptz IS NULL OR s.created <= $9)
            ORDER BY s.created DESC, s.id DESC LIMIT $4
            """);
        command.Parameters.Add(new() { Value = query.Tenant });
        command.Parameters.Add(Nullable(query.After?.Created, NpgsqlDbType.TimestampTz));
        command.Parameters.Add(new() { Value = query.After?.Id ?? Guid.Empty });
        command.Parameters.Add(new() { Value = query.Limit });
        command.Parameters.Add(Nullable(query.States?.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text));
        command.Parameters.Add(Nullable(query.CandidatesMin, NpgsqlDbType.Bigint));
        command.Parameters.Add(Nullable(query.CandidatesMax, NpgsqlDbType.Bigint));
        command.Parameters.Add(Nullable(query.CreatedMin, NpgsqlDbType.TimestampTz));
        command.Parameters.Add(Nullable(query.CreatedMax, NpgsqlDbType.TimestampTz));
        return await ListAsync(command, Screening, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ScreeningRecord>> ListActiveAsync(CancellationToken cancellationToken = default)
    {
        await using var command = Command($"SELECT {ScreeningColumns} FROM materialsdb.screenings s WHERE s.state IN ('Queued', 'Running') ORDER BY s.created");
        return await ListAsync(command, Screening, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> TransitionAsync(Guid id, string[] from, string state, string? error = null, CancellationToken cancellationToken = default)
    {
        await using var command = Command("UPDATE materialsdb.screenings SET state = $2, error = coalesce($3, error), updated = now() WHERE id = $1 AND state = ANY($4)", id, state);
        command.Parameters.Add(Nullable(error, NpgsqlDbType.Text));
        command.Parameters.Add(new() { Value = from });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> SetPlanAsync(Guid id, long candidates, IReadOnlyList<string?> starts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(starts);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var plan = new NpgsqlCommand("UPDATE materialsdb.screenings SET planned = true, candidates = $2, chunks = $3, updated = now() WHERE id = $1 AND NOT planned", connection, tx))
        {
            plan.Parameters.Add(new() { Value = id });
            plan.Parameters.Add(new() { Value = candidates });
            plan.Parameters.Add(new() { Value = starts.Count });
            if (await plan.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return false;
            }
        }

        await using (var insert = new NpgsqlCommand("INSERT INTO materialsdb.screening_starts (screening, chunk, start) SELECT $1, i::int - 1, s FROM unnest($2::text[]) WITH ORDINALITY AS t(s, i)", connection, tx))
        {
            insert.Parameters.Add(new() { Value = id });
            insert.Parameters.Add(new() { Value = starts.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<string?> GetChunkStartAsync(Guid id, int chunk, CancellationToken cancellationToken = default)
    {
        await using var command = Command("SELECT start FROM materialsdb.screening_starts WHERE screening = $1 AND chunk = $2", id, chunk);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    public async Task<ChunkProgress> RecordChunkAsync(Guid id, ChunkResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);

        // One statement: the insert decides whether this call records the chunk; only then is the count incremented,
        // under the screening row's lock, so concurrent completions are ordered and exactly one sees the last one.
        await using var command = Command("""
            WITH ins AS (
              INSERT INTO materialsdb.screening_chunks (screening, chunk, processed, survivors, passed, seconds, wall_seconds)
              VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING 1),
            upd AS (
              UPDATE materialsdb.screenings SET chunks_done = chunks_done + 1, processed = processed + $3, survivors = survivors + $4,
                requeues = 0, updated = now()
              WHERE id = $1 AND EXISTS (SELECT 1 FROM ins) RETURNING chunks_done, chunks)
            SELECT true, chunks_done, chunks FROM upd
            UNION ALL
            SELECT false, chunks_done, chunks FROM materialsdb.screenings WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM ins)
            """, id, result.Chunk, result.Processed, result.Survivors, result.Passed, result.Seconds, result.WallSeconds);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new ChunkProgress(reader.GetBoolean(0), reader.GetInt32(1), reader.GetInt32(2))
            : throw new InvalidOperationException($"Screening {id} does not exist.");
    }

    public async Task<IReadOnlyList<ChunkResult>> GetChunksAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var command = Command("SELECT chunk, processed, survivors, passed, seconds, wall_seconds FROM materialsdb.screening_chunks WHERE screening = $1 ORDER BY chunk", id);
        return await ListAsync(command, r => new ChunkResult(r.GetInt32(0), r.GetInt64(1), r.GetInt64(2), r.GetFieldValue<long[]>(3), r.GetFieldValue<double[]>(4), r.GetDouble(5)), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<TenantUsage>> UsageAsync(CancellationToken cancellationToken = default)
    {
        await using var command = Command("""
            SELECT s.tenant, count(*), count(*) FILTER (WHERE s.state IN ('Queued', 'Running')), coalesce(sum(s.processed), 0)::bigint,
                   coalesce(sum((SELECT sum(x) FROM materialsdb.screening_chunks c, unnest(c.seconds) x WHERE c.screening = s.id)), 0)::double precision
            FROM materialsdb.screenings s GROUP BY s.tenant ORDER BY s.tenant
            """);
        var rows = new List<TenantUsage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new TenantUsage(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetDouble(4)));
        }

        return rows;
    }

    public async Task<bool> ClaimMergeAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var command = Command("UPDATE materialsdb.screenings SET merge_claimed = true WHERE id = $1 AND NOT merge_claimed", id);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task SetJobAsync(Guid id, ScreeningJob job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        await using var command = Command("""
            INSERT INTO materialsdb.screening_jobs (screening, kind, chunk, job_id) VALUES ($1, $2, $3, $4)
            ON CONFLICT (screening, kind, chunk) DO UPDATE SET job_id = EXCLUDED.job_id
            """, id, job.Kind.ToString(), job.Chunk, job.JobId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ScreeningJob>> GetJobsAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var command = Command("SELECT kind, chunk, job_id FROM materialsdb.screening_jobs WHERE screening = $1", id);
        return await ListAsync(command, r => new ScreeningJob(Enum.Parse<JobKind>(r.GetString(0)), r.GetInt32(1), r.GetString(2)), cancellationToken).ConfigureAwait(false);
    }

    public async Task TouchAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var command = Command("UPDATE materialsdb.screenings SET updated = now() WHERE id = $1", id);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> AddRequeueAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var command = Command("UPDATE materialsdb.screenings SET requeues = requeues + 1, updated = now() WHERE id = $1 RETURNING requeues", id);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int n ? n : 0;
    }

    public async Task<IReadOnlyList<Guid>> ListUncleanedAsync(CancellationToken cancellationToken = default)
    {
        await using var command = Command("SELECT id FROM materialsdb.screenings WHERE state IN ('Succeeded', 'Failed', 'Cancelled') AND NOT cleaned LIMIT 1000");
        return await ListAsync(command, r => r.GetGuid(0), cancellationToken).ConfigureAwait(false);
    }

    public async Task MarkCleanedAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var command = Command("UPDATE materialsdb.screenings SET cleaned = true WHERE id = $1", id);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private NpgsqlCommand Command(string sql, params object[] values)
    {
        var command = dataSource.CreateCommand(sql);
        foreach (var v in values)
        {
            command.Parameters.Add(new() { Value = v });
        }

        return command;
    }

    private static NpgsqlParameter Nullable(object? value, NpgsqlDbType type) => new() { Value = value ?? DBNull.Value, NpgsqlDbType = type };

    private static async Task<T?> SingleAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? read(reader) : null;
    }

    private static async Task<IReadOnlyList<T>> ListAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static ApiKeyRecord Key(NpgsqlDataReader r) =>
        new(r.GetGuid(0), r.GetString(1), Enum.Parse<Role>(r.GetString(2)), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4), r.GetBoolean(5));

    private static ScreeningRecord Screening(NpgsqlDataReader r) => new()
    {
        Id = r.GetGuid(0),
        Tenant = r.GetString(1),
        Name = r.GetString(2),
        Spec = r.GetString(3),
        Queue = r.GetString(4),
        State = r.GetString(5),
        Stages = r.GetFieldValue<string[]>(6),
        ChunkSize = r.GetInt64(7),
        Upload = r.IsDBNull(8) ? null : r.GetString(8),
        Planned = r.GetBoolean(9),
        Candidates = r.GetInt64(10),
        Chunks = r.GetInt32(11),
        ChunksDone = r.GetInt32(12),
        Processed = r.GetInt64(13),
        Survivors = r.GetInt64(14),
        Error = r.IsDBNull(15) ? null : r.GetString(15),
        Created = r.GetFieldValue<DateTimeOffset>(16),
        Updated = r.GetFieldValue<DateTimeOffset>(17),
        DatabaseVersion = r.IsDBNull(18) ? null : r.GetInt64(18),
        SubmittedBy = r.IsDBNull(19) ? null : r.GetGuid(19),
    };
}
