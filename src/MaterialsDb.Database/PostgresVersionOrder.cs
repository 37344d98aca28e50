using Npgsql;

namespace MaterialsDb.Database;

/// <summary>
/// How writers of the cluster store run side by side and still publish versions in order. Index maintenance makes a
/// 100,000-row contribution cost seconds of PostgreSQL time; with one writer at a time that ran on one core.
/// <list type="number">
/// <item>A writer takes its version and its new entries' numbers under a short allocation lock and, before releasing
/// it, the lock of its own version, held to the end of its transaction (commit, rollback or a dead backend).</item>
/// <item>It writes its rows, then, before committing, waits for the lock of every lower version not yet published: a
/// change commits only after every change with a lower version has ended.</item>
/// <item>It then publishes its version (the database and scope versions) and commits.</item>
/// </list>
/// So a reader at version v sees every change up to v and nothing after, whatever ran concurrently: reading as of a
/// version stays reproducible. A change that rolls back leaves a gap in the versions (monotonic, not consecutive).
/// </summary>
internal static class PostgresVersionOrder
{
    // Advisory lock keys, two-int form (a key space apart from the one-bigint keys of the schema scripts).
    private const int AllocationClass = 4242004;
    private const int VersionClass = 4242005;

    /// <summary>Serializes changes that revise existing entries (their conflict check reads what the previous one wrote).</summary>
    public const int RevisionClass = 4242006;

    public const string Schema = """
        CREATE SEQUENCE IF NOT EXISTS materialsdb.versions;
        -- Databases written before versions came from the sequence continue from their latest version.
        SELECT setval('materialsdb.versions', d.version) FROM materialsdb.database_version d, materialsdb.versions s
        WHERE d.id = 1 AND d.version > (CASE WHEN s.is_called THEN s.last_value ELSE 0 END);
        """;

    /// <summary>A change's version, the first of its new entry numbers, and the version published when it began.</summary>
    public readonly record struct Allocation(long Version, long FirstNumber, long Published);

    /// <summary>Takes the next version (locked until the transaction ends) and <paramref name="numbers"/> contiguous entry numbers.</summary>
    public static async Task<Allocation> AllocateAsync(NpgsqlConnection connection, NpgsqlTransaction tx, int numbers)
    {
        // One round trip, never cancelled halfway: the allocation lock is a session lock, released by the last
        // command, or below if a command fails (or by the backend's end if the connection breaks).
        await using var take = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                new($"SELECT pg_advisory_lock({AllocationClass}, 0)"),
                new($"""
                    SELECT v, pg_advisory_xact_lock({VersionClass}, (v % 2147483648)::int),
                           CASE WHEN $1 > 0 THEN setval('materialsdb.entry_numbers', nextval('materialsdb.entry_numbers') + $1 - 1) - $1 + 1 ELSE 0 END,
                           (SELECT version FROM materialsdb.database_version WHERE id = 1)
                    FROM nextval('materialsdb.versions') AS v
                    """) { Parameters = { new() { Value = (long)numbers } } },
                new($"SELECT pg_advisory_unlock({AllocationClass}, 0)"),
            },
        };
        try
        {
            await using var reader = await take.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
            await reader.NextResultAsync(CancellationToken.None).ConfigureAwait(false);
            await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
            var allocation = new Allocation(reader.GetInt64(0), reader.GetInt64(2), reader.GetInt64(3));
            while (await reader.NextResultAsync(CancellationToken.None).ConfigureAwait(false))
            {
            }

            return allocation;
        }
        catch
        {
            await ReleaseAllocationLockAsync(connection, tx).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task ReleaseAllocationLockAsync(NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        try
        {
            await tx.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({AllocationClass}, 0)", connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // The connection broke: its backend, and so the lock, is gone.
        }
    }

    /// <summary>Waits until every lower version has ended (committed or rolled back).</summary>
    public static async Task AwaitLowerAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Allocation allocation, CancellationToken cancellationToken)
    {
        if (allocation.Version - 1 <= allocation.Published)
        {
            return;
        }

        await using var wait = new NpgsqlCommand($"SELECT count(pg_advisory_xact_lock_shared({VersionClass}, (u % 2147483648)::int)) FROM generate_series($1::bigint, $2::bigint) AS u", connection, tx);
        wait.Parameters.Add(new() { Value = allocation.Published + 1 });
        wait.Parameters.Add(new() { Value = allocation.Version - 1 });
        await wait.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Publishes the version for the viewers of <paramref name="scopes"/> and for the whole database (call last, after <see cref="AwaitLowerAsync"/>).</summary>
    public static async Task PublishAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IEnumerable<string> scopes, long version, CancellationToken cancellationToken)
    {
        await using var set = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                new("INSERT INTO materialsdb.scope_versions SELECT unnest($1::text[]), $2 ON CONFLICT (scope) DO UPDATE SET version = greatest(scope_versions.version, excluded.version)")
                {
                    Parameters = { new() { Value = scopes.ToArray() }, new() { Value = version } },
                },
                new("UPDATE materialsdb.database_version SET version = greatest(version, $1) WHERE id = 1") { Parameters = { new() { Value = version } } },
            },
        };
        await set.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes the lock that serializes revising changes (held to the transaction's end).</summary>
    public static async Task LockRevisionsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        await using var take = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({RevisionClass}, 0)", connection, tx);
        await take.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
