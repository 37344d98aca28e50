using Hangfire;
using Hangfire.States;
using MaterialsDb.Service.Store;

namespace MaterialsDb.Service.Jobs;

/// <summary>
/// Enqueues a screening's jobs on its queue and remembers each job's id, so that the sweeper can tell a job that is
/// waiting or running from one that vanished.
/// </summary>
public sealed class ScreeningScheduler(IBackgroundJobClient jobs, IServiceStore store)
{
    /// <summary>Enqueues (or, with a delay, schedules) a screening's plan, chunk or merge job.</summary>
    /// <param name="kind">Which job.</param>
    /// <param name="id">The screening.</param>
    /// <param name="chunk">The chunk (chunk jobs; -1 otherwise).</param>
    /// <param name="queue">The screening's queue.</param>
    /// <param name="attempt">0 for a first run; a retry counts up.</param>
    /// <param name="delay">Wait this long before the job may run (retries).</param>
    /// <param name="cancellationToken">Stops recording the job id (the job itself is already enqueued).</param>
    public async Task<string> EnqueueAsync(JobKind kind, Guid id, int chunk, string queue, int attempt = 0, TimeSpan? delay = null, CancellationToken cancellationToken = default)
    {
        IState state = delay is { } d && d > TimeSpan.Zero ? new ScheduledState(d) : new EnqueuedState(queue);
        var jobId = kind switch
        {
            JobKind.Plan => jobs.Create<ScreeningJobs>(queue, j => j.PlanAsync(id, attempt, CancellationToken.None), state),
            JobKind.Chunk => jobs.Create<ScreeningJobs>(queue, j => j.RunChunkAsync(id, chunk, attempt, CancellationToken.None), state),
            _ => jobs.Create<ScreeningJobs>(queue, j => j.MergeAsync(id, attempt, CancellationToken.None), state),
        };
        await store.SetJobAsync(id, new ScreeningJob(kind, kind == JobKind.Chunk ? chunk : -1, jobId), cancellationToken).ConfigureAwait(false);
        return jobId;
    }
}
