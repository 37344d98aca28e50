using Hangfire;
using Hangfire.States;
using MaterialsDb.Service.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MaterialsDb.Service.Jobs;

/// <summary>What one sweep did.</summary>
/// <param name="Requeued">Jobs enqueued again because theirs vanished (or were never enqueued).</param>
/// <param name="Failed">Screenings failed because their jobs kept vanishing.</param>
/// <param name="Cleaned">Finished screenings whose leftover parts were removed.</param>
public sealed record SweepReport(int Requeued, int Failed, int Cleaned);

/// <summary>
/// Finds screenings that would otherwise never finish and finishes or fails them: a submission whose process died
/// before it enqueued the plan job, a plan job that died before enqueuing every chunk, chunks whose jobs were deleted,
/// a last chunk that died between recording itself and enqueuing the merge. A job counts as alive while Hangfire holds
/// it enqueued, scheduled or processing (Hangfire itself hands a dead worker's job to another after the invisibility
/// timeout). It also removes the parts of cancelled and failed screenings. One node sweeps at a time.
/// </summary>
public sealed class ScreeningSweeper(IServiceStore store, ScreeningScheduler scheduler, JobStorage storage, ResultPaths paths, ServiceOptions options, ILogger<ScreeningSweeper> log, NpgsqlDataSource? database = null)
    : BackgroundService
{
    /// <summary>A screening whose jobs had to be re-enqueued this many times without progress fails.</summary>
    public const int MaxRequeues = 5;

    private static readonly HashSet<string> AliveStates = new(StringComparer.OrdinalIgnoreCase)
    {
        EnqueuedState.StateName, ScheduledState.StateName, ProcessingState.StateName, AwaitingState.StateName, "Created",
    };

    private readonly SemaphoreSlim _local = new(1, 1);

    /// <summary>Sweeps once (the service runs this every <see cref="ServiceOptions.SweepInterval"/>).</summary>
    public async Task<SweepReport> SweepOnceAsync(CancellationToken cancellationToken = default)
    {
        await using var gate = await SweepGate.EnterAsync(database, _local, cancellationToken).ConfigureAwait(false);
        if (!gate.Entered)
        {
            return new SweepReport(0, 0, 0);
        }

        int requeued = 0, failed = 0;
        using var connection = storage.GetConnection();
        foreach (var s in await store.ListActiveAsync(cancellationToken).ConfigureAwait(false))
        {
            // Recent activity (submission, a chunk's heartbeat or record, a requeue) means its jobs had their chance.
            if (DateTimeOffset.UtcNow - s.Updated < options.SweepGrace)
            {
                continue;
            }

            var jobs = (await store.GetJobsAsync(s.Id, cancellationToken).ConfigureAwait(false)).ToDictionary(j => (j.Kind, j.Chunk), j => j.JobId);
            bool Alive(JobKind kind, int chunk) => jobs.TryGetValue((kind, chunk), out var jobId) && connection.GetJobData(jobId) is { } data && AliveStates.Contains(data.State ?? string.Empty);
            var missing = new List<(JobKind Kind, int Chunk)>();
            if (!s.Planned)
            {
                if (!Alive(JobKind.Plan, -1))
                {
                    missing.Add((JobKind.Plan, -1));
                }
            }
            else
            {
                var recorded = (await store.GetChunksAsync(s.Id, cancellationToken).ConfigureAwait(false)).Select(c => c.Chunk).ToHashSet();
                if (recorded.Count < s.Chunks)
                {
                    missing.AddRange(Enumerable.Range(0, s.Chunks).Where(c => !recorded.Contains(c) && !Alive(JobKind.Chunk, c)).Select(c => (JobKind.Chunk, c)));
                }
                else if (!Alive(JobKind.Merge, -1))
                {
                    missing.Add((JobKind.Merge, -1));
                }
            }

            if (missing.Count == 0)
            {
                continue;
            }

            if (await store.AddRequeueAsync(s.Id, cancellationToken).ConfigureAwait(false) > MaxRequeues)
            {
                await store.TransitionAsync(s.Id, States.Active, States.Failed, $"its jobs were lost {MaxRequeues} times without progress ({string.Join(", ", missing.Take(3).Select(m => m.Kind == JobKind.Chunk ? $"chunk {m.Chunk}" : m.Kind.ToString().ToLowerInvariant()))}); an operator should check the workers", cancellationToken).ConfigureAwait(false);
                failed++;
                continue;
            }

            log.LogWarning("Screening {Id}: re-enqueuing {Count} job(s) that vanished or were never enqueued ({Jobs}).", s.Id, missing.Count, string.Join(", ", missing.Take(5)));
            foreach (var (kind, chunk) in missing)
            {
                await scheduler.EnqueueAsync(kind, s.Id, chunk, s.Queue, cancellationToken: cancellationToken).ConfigureAwait(false);
                requeued++;
            }
        }

        return new SweepReport(requeued, failed, await CleanAsync(cancellationToken).ConfigureAwait(false));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await SweepOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogError(e, "Sweeping screenings failed; trying again in {Interval}.", options.SweepInterval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    // Parts of finished screenings: a succeeded merge deletes its own, a cancelled or failed screening leaves them.
    private async Task<int> CleanAsync(CancellationToken cancellationToken)
    {
        var cleaned = 0;
        foreach (var id in await store.ListUncleanedAsync(cancellationToken).ConfigureAwait(false))
        {
            var folder = paths.Folder(id);
            if (Directory.Exists(folder))
            {
                foreach (var part in Directory.EnumerateFiles(folder, "part-*.parquet"))
                {
                    Data.Tables.AtomicFile.TryDelete(part);
                }
            }

            await store.MarkCleanedAsync(id, cancellationToken).ConfigureAwait(false);
            cleaned++;
        }

        return cleaned;
    }

    public override void Dispose()
    {
        _local.Dispose();
        base.Dispose();
    }

    // One sweeper at a time: a PostgreSQL session advisory lock across nodes, a semaphore within one embedded process.
    private sealed class SweepGate : IAsyncDisposable
    {
        private readonly NpgsqlConnection? _connection;
        private readonly SemaphoreSlim? _local;

        private SweepGate(bool entered, NpgsqlConnection? connection, SemaphoreSlim? local)
        {
            Entered = entered;
            _connection = connection;
            _local = local;
        }

        public bool Entered { get; }

        public static async Task<SweepGate> EnterAsync(NpgsqlDataSource? database, SemaphoreSlim local, CancellationToken cancellationToken)
        {
            if (database is null)
            {
                return await local.WaitAsync(0, cancellationToken).ConfigureAwait(false) ? new SweepGate(true, null, local) : new SweepGate(false, null, null);
            }

            var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var take = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection);
            take.Parameters.Add(new() { Value = PostgresSchema.SweepLock });
            if (await take.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
            {
                return new SweepGate(true, connection, null);
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            return new SweepGate(false, null, null);
        }

        public async ValueTask DisposeAsync()
        {
            _local?.Release();
            if (_connection is not null)
            {
                // Explicitly: a pooled connection's session outlives the Dispose.
                await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", _connection))
                {
                    release.Parameters.Add(new() { Value = PostgresSchema.SweepLock });
                    await release.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                }

                await _connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
