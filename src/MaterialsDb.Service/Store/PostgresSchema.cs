using Npgsql;

namespace MaterialsDb.Service.Store;

/// <summary>
/// Creates tables idempotently. Several nodes may start at once against a fresh database, and PostgreSQL's
/// <c>CREATE … IF NOT EXISTS</c> is not safe under concurrency (two sessions can both decide to create and one fails
/// on <c>pg_class</c>'s unique index), so every script — ours and Hangfire's — runs under one advisory lock.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>Advisory lock ids (arbitrary, fixed).</summary>
    public const long StoreLock = 4242001, MaterialsLock = 4242002, HangfireLock = 4242003, SweepLock = 4242004;

    /// <summary>The schema Hangfire's tables live in.</summary>
    public const string HangfireSchema = "hangfire";

    public static async Task ApplyAsync(NpgsqlDataSource dataSource, long lockId, string script, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockAsync(connection, tx, lockId, cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(script, connection, tx))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Installs or upgrades Hangfire's schema, one node at a time (Hangfire's own installer is not concurrency-safe).</summary>
    public static async Task InstallHangfireAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // A session lock (the installer manages its own transactions), released when the connection closes.
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock($1)", connection))
        {
            take.Parameters.Add(new() { Value = HangfireLock });
            await take.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            Hangfire.PostgreSql.PostgreSqlObjectsInstaller.Install(connection, HangfireSchema);
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection);
            release.Parameters.Add(new() { Value = HangfireLock });
            await release.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long lockId, CancellationToken cancellationToken)
    {
        await using var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, tx);
        lockCommand.Parameters.Add(new() { Value = lockId });
        await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
