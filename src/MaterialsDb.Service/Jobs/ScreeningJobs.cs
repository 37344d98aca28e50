using System.Diagnostics;
using System.Globalization;
using Hangfire;
using MaterialsDb.Screening.Engine;
using MaterialsDb.Screening.Enumeration;
using MaterialsDb.Screening.Output;
using MaterialsDb.Screening.Spec;
using MaterialsDb.Service.Api;
using MaterialsDb.Service.Store;
using Microsoft.Extensions.Logging;

namespace MaterialsDb.Service.Jobs;

/// <summary>
/// The Hangfire jobs of a screening. The plan job counts the space (stopping at the limit) and stores one start cursor
/// per chunk, then enqueues the chunks; a chunk job starts at its cursor, screens its slice on one thread, writes its
/// part atomically and records itself once; the chunk that completes the set claims the merge (exactly one does); the
/// merge ranks the parts into the final Parquet. Every job is idempotent: a duplicate or retry rewrites the same
/// files and its second record is ignored. A failed job is retried after <see cref="ServiceOptions.RetryDelays"/>,
/// then fails its screening with the cause.
/// </summary>
public sealed class ScreeningJobs(IServiceStore store, ResourceCache resources, ResultPaths paths, ScreeningScheduler scheduler, ServiceOptions options, PathRedactor redactor, ILogger<ScreeningJobs> log)
{
    /// <summary>Counts the screening's space, stores its chunk starts and enqueues the chunks not yet enqueued.</summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task PlanAsync(Guid id, int attempt, CancellationToken cancellationToken)
    {
        var screening = await store.GetScreeningAsync(id, cancellationToken).ConfigureAwait(false);
        if (screening is null || States.IsFinal(screening.State))
        {
            return;
        }

        try
        {
            if (!screening.Planned)
            {
                using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                await using var watch = ScreeningWatch.Start(store, id, cancel);
                var (candidates, starts, overLimit) = await CountAsync(screening, cancel.Token).ConfigureAwait(false);
                if (overLimit)
                {
                    await store.TransitionAsync(id, States.Active, States.Failed, string.Create(CultureInfo.InvariantCulture,
                        $"space too large: more than {options.MaxCandidates:N0} candidates pass the chemical filters, the limit of this service; narrow the palette, n_elements, max_coefficient or max_atoms"), CancellationToken.None).ConfigureAwait(false);
                    return;
                }

                await store.SetPlanAsync(id, candidates, starts, cancellationToken).ConfigureAwait(false);
                screening = (await store.GetScreeningAsync(id, cancellationToken).ConfigureAwait(false))!;
            }

            await FindCandidatesBelowHullAsync(screening, cancellationToken).ConfigureAwait(false);

            // A rerun (retry, sweeper) enqueues only what no earlier run enqueued.
            var enqueued = (await store.GetJobsAsync(id, cancellationToken).ConfigureAwait(false)).Where(j => j.Kind == JobKind.Chunk).Select(j => j.Chunk).ToHashSet();
            for (var chunk = 0; chunk < screening.Chunks; chunk++)
            {
                if (!enqueued.Contains(chunk))
                {
                    await scheduler.EnqueueAsync(JobKind.Chunk, id, chunk, screening.Queue, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Cancelled through the API meanwhile.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await FailOrRetryAsync(JobKind.Plan, screening, -1, attempt, e).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Screens chunk <paramref name="chunk"/> of screening <paramref name="id"/>.</summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task RunChunkAsync(Guid id, int chunk, int attempt, CancellationToken cancellationToken)
    {
        var screening = await store.GetScreeningAsync(id, cancellationToken).ConfigureAwait(false);
        if (screening is null || States.IsFinal(screening.State))
        {
            return;
        }

        await store.TransitionAsync(id, [States.Queued], States.Running, cancellationToken: cancellationToken).ConfigureAwait(false);
        var part = paths.Part(id, chunk);
        try
        {
            var clock = Stopwatch.StartNew();
            using var lease = await resources.PlanAsync(Specs.Parse(screening), screening.Tenant, cancellationToken).ConfigureAwait(false);
            var plan = await OnCandidateHullsAsync(lease.Plan, id, cancellationToken).ConfigureAwait(false);
            var start = await store.GetChunkStartAsync(id, chunk, cancellationToken).ConfigureAwait(false);
            var first = chunk * screening.ChunkSize;
            var run = new ScreeningOptions
            {
                Threads = 1,
                Limit = screening.ChunkSize,
                Partial = true,
                StreamOffset = first,
                Start = plan.Space is not null && start is not null ? EnumerationCursor.Parse(start) : null,
                Skip = plan.Space is null ? first : 0,
                ListFile = screening.Upload is null ? null : paths.Upload(id, screening.Upload),
            };

            ScreeningResult result;
            using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                await using var watch = ScreeningWatch.Start(store, id, cancel);
                result = ScreeningEngine.Run(plan, run, cancel.Token);
            }

            Directory.CreateDirectory(paths.Folder(id));
            await PartFile.WriteAsync(result.Rows, plan.Quantities, part, cancellationToken).ConfigureAwait(false);
            var progress = await store.RecordChunkAsync(id, new ChunkResult(chunk, result.Processed, result.Survivors, [.. result.Stages.Select(s => s.Passed)], [.. result.Stages.Select(s => s.Seconds)], clock.Elapsed.TotalSeconds), cancellationToken).ConfigureAwait(false);
            if (progress.CompletedTheSet && await store.ClaimMergeAsync(id, cancellationToken).ConfigureAwait(false))
            {
                await scheduler.EnqueueAsync(JobKind.Merge, id, -1, screening.Queue, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            // Cancelled while this part was being written: the sweeper may already have cleaned the folder, so the
            // part is removed here (a cancel after this check finds the part on disk and the sweeper removes it).
            var now = await store.GetScreeningAsync(id, cancellationToken).ConfigureAwait(false);
            if (now is null || (States.IsFinal(now.State) && now.State != States.Succeeded))
            {
                Data.Tables.AtomicFile.TryDelete(part);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Cancelled through the API (or failed by another chunk): nothing to retry, and this chunk's part is not needed.
            Data.Tables.AtomicFile.TryDelete(part);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await FailOrRetryAsync(JobKind.Chunk, screening, chunk, attempt, e).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Ranks every part into the final result and marks the screening Succeeded.</summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task MergeAsync(Guid id, int attempt, CancellationToken cancellationToken)
    {
        var screening = await store.GetScreeningAsync(id, cancellationToken).ConfigureAwait(false);
        if (screening is null || States.IsFinal(screening.State))
        {
            return;
        }

        try
        {
            using var lease = await resources.PlanAsync(Specs.Parse(screening), screening.Tenant, cancellationToken).ConfigureAwait(false);
            var plan = await OnCandidateHullsAsync(lease.Plan, id, cancellationToken).ConfigureAwait(false);
            var chunks = await store.GetChunksAsync(id, cancellationToken).ConfigureAwait(false);
            var parts = new List<IReadOnlyList<CandidateRow>>();
            foreach (var c in chunks)
            {
                parts.Add(await PartFile.ReadAsync(paths.Part(id, c.Chunk), plan.Quantities, cancellationToken).ConfigureAwait(false));
            }

            var stages = screening.Stages.Select((name, s) => new StageReport(name, chunks.Sum(c => c.Passed[s]), chunks.Sum(c => c.Seconds[s]))).ToArray();
            var merged = ResultMerger.Merge(plan, parts, chunks.Sum(c => c.Processed), chunks.Sum(c => c.Survivors), stages, [], DateTimeOffset.UtcNow - screening.Created);
            await ResultTable.WriteAsync(merged, screening.Spec, paths.Result(id), cancellationToken).ConfigureAwait(false);
            if (await store.TransitionAsync(id, States.Active, States.Succeeded, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                foreach (var c in chunks)
                {
                    Data.Tables.AtomicFile.TryDelete(paths.Part(id, c.Chunk));
                }

                Data.Tables.AtomicFile.TryDelete(paths.CandidateHull(id));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await FailOrRetryAsync(JobKind.Merge, screening, -1, attempt, e).ConfigureAwait(false);
            throw;
        }
    }

    // A self-consistent screening's first pass, over the whole space once, before any chunk: every chunk and the merge
    // then judge stability on the same hulls, so the result equals one process's. A rerun reuses a finished file.
    private async Task FindCandidatesBelowHullAsync(ScreeningRecord screening, CancellationToken cancellationToken)
    {
        var spec = Specs.Parse(screening);
        var path = paths.CandidateHull(screening.Id);
        if (spec.Stability is not { SelfConsistent: true } || File.Exists(path))
        {
            return;
        }

        using var lease = await resources.PlanAsync(spec, screening.Tenant, cancellationToken).ConfigureAwait(false);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var watch = ScreeningWatch.Start(store, screening.Id, cancel);
        var run = new ScreeningOptions { Threads = 1, ListFile = screening.Upload is null ? null : paths.Upload(screening.Id, screening.Upload) };
        var candidates = ScreeningEngine.CandidatesBelowHull(lease.Plan, run, cancel.Token);
        Directory.CreateDirectory(paths.Folder(screening.Id));
        await CandidateHullFile.WriteAsync(candidates, path, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ScreeningPlan> OnCandidateHullsAsync(ScreeningPlan plan, Guid id, CancellationToken cancellationToken) =>
        plan.Spec.Stability is { SelfConsistent: true }
            ? ScreeningEngine.WithCandidates(plan, await CandidateHullFile.ReadAsync(paths.CandidateHull(id), cancellationToken).ConfigureAwait(false))
            : plan;

    private async Task<(long Candidates, string?[] Starts, bool OverLimit)> CountAsync(ScreeningRecord screening, CancellationToken cancellationToken)
    {
        using var lease = await resources.PlanAsync(Specs.Parse(screening), screening.Tenant, cancellationToken).ConfigureAwait(false);
        var plan = lease.Plan;
        if (plan.Space is { } space)
        {
            // Counting is CPU work on this worker's thread; it stops at the limit and when the screening is cancelled.
            var partition = SpacePartitioner.Partition(space, screening.ChunkSize, options.MaxCandidates, Environment.ProcessorCount, cancellationToken);
            return (partition.Candidates, partition.Starts.Count == 0 ? [null] : [.. partition.Starts.Select(s => s.ToString())], partition.OverLimit);
        }

        var rows = ScreeningEngine.ReadCandidates(plan.Spec, new ScreeningOptions { ListFile = screening.Upload is null ? null : paths.Upload(screening.Id, screening.Upload) }, cancellationToken).Values.Length;
        var chunks = (int)Math.Max(1, (rows + screening.ChunkSize - 1) / screening.ChunkSize);
        return (rows, new string?[chunks], rows > options.MaxCandidates);
    }

    private async Task FailOrRetryAsync(JobKind kind, ScreeningRecord screening, int chunk, int attempt, Exception e)
    {
        var what = kind switch { JobKind.Chunk => $"chunk {chunk}", JobKind.Plan => "planning", _ => "merge" };
        if (attempt < options.RetryDelays.Count)
        {
            log.LogWarning(e, "Screening {Id}: {What} failed (attempt {Attempt}); retrying in {Delay}.", screening.Id, what, attempt + 1, options.RetryDelays[attempt]);
            await scheduler.EnqueueAsync(kind, screening.Id, chunk, screening.Queue, attempt + 1, options.RetryDelays[attempt], CancellationToken.None).ConfigureAwait(false);
            return;
        }

        log.LogError(e, "Screening {Id}: {What} failed {Attempts} times; the screening fails.", screening.Id, what, attempt + 1);
        var message = e is MaterialsDbException or IOException ? e.Message : $"{e.GetType().Name}: {e.Message}";
        await store.TransitionAsync(screening.Id, States.Active, States.Failed, $"{what}: {redactor.Redact(message)}", CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary>Reads a stored spec back as the service parsed it when it was submitted.</summary>
internal static class Specs
{
    /// <summary>The spec as submitted, reading the database version fixed at submission.</summary>
    public static ScreeningSpec Parse(ScreeningRecord screening)
    {
        var spec = SpecParser.Parse(screening.Spec, SpecOrigin.Service, screening.Upload is null ? [] : [screening.Upload]);
        return spec.Stability is { UsesDatabase: true } st ? spec with { Stability = st with { DatabaseVersion = screening.DatabaseVersion } } : spec;
    }
}
