using System.Diagnostics;
using Hangfire;
using Hangfire.Server;
using MaterialsDb.Screening.Engine;
using MaterialsDb.Screening.Output;
using MaterialsDb.Screening.Spec;
using MaterialsDb.Service.Store;

namespace MaterialsDb.Service.Jobs;

/// <summary>
/// The Hangfire jobs of a screening. A chunk job screens its slice of the candidate stream on one thread and writes
/// its part atomically, then records itself once; the chunk that completes the set claims the merge (exactly one
/// does) and enqueues it; the merge ranks the parts into the final Parquet. A retried chunk rewrites the same part
/// and its second record is ignored, so nothing is lost or counted twice.
/// </summary>
public sealed class ScreeningJobs(IServiceStore store, ResourceCache resources, ResultPaths paths, IBackgroundJobClient jobs)
{
    /// <summary>Retries before a screening fails.</summary>
    public const int Attempts = 2;

    private static readonly string[] Active = [States.Queued, States.Running];

    /// <summary>Screens chunk <paramref name="chunk"/> of screening <paramref name="id"/>.</summary>
    [AutomaticRetry(Attempts = Attempts, DelaysInSeconds = [2, 10], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunChunkAsync(Guid id, int chunk, PerformContext? context, CancellationToken cancellationToken)
    {
        var screening = await store.GetScreeningAsync(id, cancellationToken).ConfigureAwait(false);
        if (screening is null || States.IsFinal(screening.State))
        {
            return;
        }

        await store.TransitionAsync(id, [States.Queued], States.Running, cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            var clock = Stopwatch.StartNew();
            var plan = await resources.PlanAsync(SpecParser.Parse(screening.Spec), cancellationToken).ConfigureAwait(false);
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var watch = WatchForCancel(id, cancel);
            var result = ScreeningEngine.Run(plan, new ScreeningOptions { Skip = chunk * screening.ChunkSize, Limit = screening.ChunkSize, Partial = true, Threads = 1 }, cancel.Token);
            Directory.CreateDirectory(paths.Folder(id));
            await PartFile.WriteAsync(result.Rows, plan.Quantities, paths.Part(id, chunk), cancellationToken).ConfigureAwait(false);
            var done = await store.RecordChunkAsync(id, new ChunkResult(chunk, result.Processed, result.Survivors, [.. result.Stages.Select(s => s.Passed)], [.. result.Stages.Select(s => s.Seconds)], clock.Elapsed.TotalSeconds), cancellationToken).ConfigureAwait(false);
            if (done == screening.Chunks && await store.ClaimMergeAsync(id, cancellationToken).ConfigureAwait(false))
            {
                jobs.Create<ScreeningJobs>(j => j.MergeAsync(id, null, CancellationToken.None), new Hangfire.States.EnqueuedState(screening.Queue));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Cancelled through the API: the screening is already Cancelled; nothing to retry.
        }
        catch (Exception e) when (e is not OperationCanceledException && IsLastAttempt(context))
        {
            await store.TransitionAsync(id, Active, States.Failed, $"chunk {chunk}: {e.Message}", CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Ranks every part into the final result and marks the screening Succeeded.</summary>
    [AutomaticRetry(Attempts = Attempts, DelaysInSeconds = [2, 10], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task MergeAsync(Guid id, PerformContext? context, CancellationToken cancellationToken)
    {
        var screening = await store.GetScreeningAsync(id, cancellationToken).ConfigureAwait(false);
        if (screening is null || States.IsFinal(screening.State))
        {
            return;
        }

        try
        {
            var plan = await resources.PlanAsync(SpecParser.Parse(screening.Spec), cancellationToken).ConfigureAwait(false);
            var chunks = await store.GetChunksAsync(id, cancellationToken).ConfigureAwait(false);
            var parts = new List<IReadOnlyList<CandidateRow>>();
            foreach (var c in chunks)
            {
                parts.Add(await PartFile.ReadAsync(paths.Part(id, c.Chunk), plan.Quantities, cancellationToken).ConfigureAwait(false));
            }

            var stages = plan.StageNames.Select((name, s) => new StageReport(name, chunks.Sum(c => c.Passed[s]), chunks.Sum(c => c.Seconds[s]))).ToArray();
            var merged = ResultMerger.Merge(plan, parts, chunks.Sum(c => c.Processed), chunks.Sum(c => c.Survivors), stages, [], DateTimeOffset.UtcNow - screening.Created);
            await ResultTable.WriteAsync(merged, screening.Spec, paths.Result(id), cancellationToken).ConfigureAwait(false);
            await store.TransitionAsync(id, Active, States.Succeeded, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var c in chunks)
            {
                File.Delete(paths.Part(id, c.Chunk));
            }
        }
        catch (Exception e) when (IsLastAttempt(context))
        {
            await store.TransitionAsync(id, Active, States.Failed, $"merge: {e.Message}", CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private static bool IsLastAttempt(PerformContext? context) =>
        context is null || context.GetJobParameter<int>("RetryCount") >= Attempts;

    // Polls the store every second and cancels the chunk once the screening is no longer active (DELETE).
    private Timer WatchForCancel(Guid id, CancellationTokenSource cancel) => new(
        async _ =>
        {
            try
            {
                if (await store.GetScreeningAsync(id).ConfigureAwait(false) is { } s && States.IsFinal(s.State))
                {
                    await cancel.CancelAsync().ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or Npgsql.NpgsqlException)
            {
                // The chunk finished meanwhile, or the database blinked: the next tick tries again.
            }
        },
        null,
        TimeSpan.FromSeconds(1),
        TimeSpan.FromSeconds(1));
}
