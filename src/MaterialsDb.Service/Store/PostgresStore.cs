using Npgsql;

namespace MaterialsDb.Service.Store;

/// <summary>
/// The shared store of a multi-node service, in PostgreSQL (schema <c>materialsdb</c>). Chunk results have the
/// primary key (screening, chunk), so a retried chunk's second report is ignored; the merge is claimed by one
/// conditional UPDATE, so exactly one worker enqueues it.
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
        CREATE INDEX IF NOT EXISTS screenings_tenant_created ON materialsdb.screenings (tenant, created DESC, id DESC);
        CREATE TABLE IF NOT EXISTS materialsdb.screening_chunks (
            screening uuid NOT NULL REFERENCES materialsdb.screenings (id) ON DELETE CASCADE, chunk int NOT NULL,
            processed bigint NOT NULL, survivors bigint NOT NULL, passed bigint[] NOT NULL, seconds double precision[] NOT NULL,
            wall_seconds double precision NOT NULL, PRIMARY KEY (screening, chunk));
        """;

    private const string ScreeningColumns = """
        s.id, s.tenant, s.name, s.spec, s.queue, s.state, s.candidates, s.chunks, s.chunk_size, s.error, s.created, s.updated,
        (SELECT count(*) FROM materialsdb.screening_chunks c WHERE c.screening = s.id)::int,
        (SELECT coalesce(sum(processed), 0) FROM materialsdb.screening_chunks c WHERE c.screening = s.id)::bigint,
        (SELECT coalesce(sum(survivors), 0) FROM materialsdb.screening_chunks c WHERE c.screening = s.id)::bigint
        """;

    public Task InitializeAsync(CancellationToken cancellationToken = default) => PostgresSchema.ApplyAsync(dataSource, 4242001, Schema, cancellationToken);

    public async Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("INSERT INTO materialsdb.api_keys (id, tenant, role, sha256, created, revoked) VALUES ($1, $2, $3, $4, $5, $6)");
        command.Parameters.Add(new() { Value = key.Id });
        command.Parameters.Add(new() { Value = key.Tenant });
        command.Parameters.Add(new() { Value = key.Role.ToString() });
        command.Parameters.Add(new() { Value = key.Sha256 });
        command.Parameters.Add(new() { Value = key.Created });
        command.Parameters.Add(new() { Value = key.Revoked });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<ApiKeyRecord?> FindKeyAsync(string sha256, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT id, tenant, role, sha256, created, revoked FROM materialsdb.api_keys WHERE sha256 = $1 AND NOT revoked");
        command.Parameters.Add(new() { Value = sha256 });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Key(reader) : null;
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT id, tenant, role, sha256, created, revoked FROM materialsdb.api_keys ORDER BY created");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var keys = new List<ApiKeyRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add(Key(reader));
        }

        return keys;
    }

    public async Task<bool> RevokeKeyAsync(string idOrPrefix, CancellationToken cancellationToken = default)
    {
        if (idOrPrefix.Length < 4)
        {
            return false;
        }

        // Only a unique match is revoked.
        await using var command = dataSource.CreateCommand("""
            UPDATE materialsdb.api_keys SET revoked = true WHERE id::text LIKE $1 || '%'
              AND (SELECT count(*) FROM materialsdb.api_keys WHERE id::text LIKE $1 || '%') = 1
            """);
        command.Parameters.Add(new() { Value = idOrPrefix.ToLowerInvariant() });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task AddScreeningAsync(ScreeningRecord s, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO materialsdb.screenings (id, tenant, name, spec, queue, state, candidates, chunks, chunk_size, created, updated)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
            """);
        foreach (var v in new object[] { s.Id, s.Tenant, s.Name, s.Spec, s.Queue, s.State, s.Candidates, s.Chunks, s.ChunkSize, s.Created })
        {
            command.Parameters.Add(new() { Value = v });
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<ScreeningRecord?> GetScreeningAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"SELECT {ScreeningColumns} FROM materialsdb.screenings s WHERE s.id = $1");
        command.Parameters.Add(new() { Value = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Screening(reader) : null;
    }

    public async Task<IReadOnlyList<ScreeningRecord>> ListScreeningsAsync(string tenant, (DateTimeOffset Created, Guid Id)? after, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT {ScreeningColumns} FROM materialsdb.screenings s
            WHERE s.tenant = $1 AND ($2::timestamptz IS NULL OR (s.created, s.id) < ($2, $3))
            ORDER BY s.created DESC, s.id DESC LIMIT $4
            """);
        command.Parameters.Add(new() { Value = tenant });
        command.Parameters.Add(new() { Value = after is { } a ? a.Created : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = after is { } b ? b.Id : Guid.Empty });
        command.Parameters.Add(new() { Value = limit });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<ScreeningRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(Screening(reader));
        }

        return rows;
    }

    public async Task<int> CountActiveAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM materialsdb.screenings WHERE tenant = $1 AND state IN ('Queued', 'Running')");
        command.Parameters.Add(new() { Value = tenant });
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<bool> TransitionAsync(Guid id, string[] from, string state, string? error = null, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("UPDATE materialsdb.screenings SET state = $2, error = coalesce($3, error), updated = now() WHERE id = $1 AND state = ANY($4)");
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = state });
        command.Parameters.Add(new() { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = from });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<int> RecordChunkAsync(Guid id, ChunkResult r, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            WITH ins AS (
              INSERT INTO materialsdb.screening_chunks (screening, chunk, processed, survivors, passed, seconds, wall_seconds)
              VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING 1)
            SELECT (SELECT count(*) FROM materialsdb.screening_chunks WHERE screening = $1) + (SELECT count(*) FROM ins)
            """);
        foreach (var v in new object[] { id, r.Chunk, r.Processed, r.Survivors, r.Passed, r.Seconds, r.WallSeconds })
        {
            command.Parameters.Add(new() { Value = v });
        }

        var count = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        await using var touch = dataSource.CreateCommand("UPDATE materialsdb.screenings SET updated = now() WHERE id = $1");
        touch.Parameters.Add(new() { Value = id });
        await touch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }

    public async Task<IReadOnlyList<ChunkResult>> GetChunksAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT chunk, processed, survivors, passed, seconds, wall_seconds FROM materialsdb.screening_chunks WHERE screening = $1 ORDER BY chunk");
        command.Parameters.Add(new() { Value = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<ChunkResult>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new ChunkResult(reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetFieldValue<long[]>(3), reader.GetFieldValue<double[]>(4), reader.GetDouble(5)));
        }

        return rows;
    }

    public async Task<bool> ClaimMergeAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("UPDATE materialsdb.screenings SET merge_claimed = true WHERE id = $1 AND NOT merge_claimed");
        command.Parameters.Add(new() { Value = id });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private static ApiKeyRecord Key(NpgsqlDataReader r) =>
        new(r.GetGuid(0), r.GetString(1), Enum.Parse<Role>(r.GetString(2)), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4), r.GetBoolean(5));

    private static ScreeningRecord Screening(NpgsqlDataReader r) => new()
    {
        Id = r.GetGuid(0), Tenant = r.GetString(1), Name = r.GetString(2), Spec = r.GetString(3), Queue = r.GetString(4), State = r.GetString(5),
        Candidates = r.GetInt64(6), Chunks = r.GetInt32(7), ChunkSize = r.GetInt64(8), Error = r.IsDBNull(9) ? null : r.GetString(9),
        Created = r.GetFieldValue<DateTimeOffset>(10), Updated = r.GetFieldValue<DateTimeOffset>(11),
        ChunksDone = r.GetInt32(12), Processed = r.GetInt64(13), Survivors = r.GetInt64(14),
    };
}
