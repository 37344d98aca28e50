using System.Globalization;
using MaterialsDb.Screening.Engine;
using MaterialsDb.Screening.Enumeration;
using MaterialsDb.Screening.Spec;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Jobs;
using MaterialsDb.Service.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace MaterialsDb.Service.Api;

/// <summary><c>/api/v1/screenings</c>: submit, list, inspect, cancel; results are in <see cref="ResultsApi"/>.</summary>
internal static class ScreeningsApi
{
    private static readonly string[] ListFields = ["id", "name", "state", "queue", "planned", "candidates", "chunks", "chunks_done", "processed", "survivors", "error", "created", "updated", "submitted_by"];

    public static void Map(RouteGroupBuilder api)
    {
        var group = api.MapGroup("/screenings").WithTags("Screenings");
        group.MapPost("/", SubmitAsync).WithName("submitScreening")
            .WithSummary("Submit a screening")
            .WithDescription("The spec as YAML or JSON (schema: /api/v1/schemas/screening-spec.json), or multipart/form-data with a 'spec' part and a candidate file the spec names in candidates.list. Answers 202 at once; a job counts the space and splits it into chunks. With dry_run=true nothing is stored: the answer (200) is the validated spec's candidate count and a time estimate from a small sample.")
            .Produces<SubmitResponse>(StatusCodes.Status202Accepted).Produces<DryRunResponse>()
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/", ListAsync).WithName("listScreenings")
            .WithSummary("The caller's tenant's screenings, newest first")
            .WithDescription("Keyset paging: follow links.next. Filters: state (comma-separated), candidates_min/max, created_min/max (ISO 8601). 'fields' picks the fields of each item.")
            .Produces<ListEnvelope<ScreeningSummary>>().ProducesValidationProblem();
        group.MapGet("/{id:guid}", GetAsync).WithName("getScreening")
            .WithSummary("State, progress, counts and thread time per stage, error")
            .Produces<ScreeningDetail>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id:guid}", CancelAsync).WithName("cancelScreening")
            .WithSummary("Cancel: remaining chunks stop within a second; state Cancelled")
            .Produces<CancelResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> SubmitAsync(HttpContext http, IServiceStore store, ResourceCache resources, ResultPaths paths, ScreeningScheduler scheduler, ServiceOptions options, Materials.SharedDatabase shared, string? queue, [FromQuery(Name = "dry_run")] bool? dryRun, CancellationToken ct)
    {
        var caller = Caller.Of(http);
        queue ??= "default";
        if (!options.Queues.Contains(queue))
        {
            return Problems.Invalid("queue", $"'{queue}' is not a queue of this service; use one of {string.Join(", ", options.Queues)}");
        }

        var (submission, problem) = await SubmissionReader.ReadAsync(http, options, paths, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        using (submission)
        {
            var spec = SpecParser.Parse(submission!.Spec, SpecOrigin.Service, submission.UploadName is null ? [] : [submission.UploadName]);
            if (submission.UploadName is not null && spec.List != submission.UploadName)
            {
                return Problems.Invalid("candidates.list", $"a file '{submission.UploadName}' was uploaded, but the spec does not name it in candidates.list", ProblemKind.InvalidSpec);
            }

            // A database reference reads one version for every chunk: the pinned one, or the newest the caller can see now.
            long? databaseVersion = null;
            if (spec.Stability is { UsesDatabase: true } st)
            {
                var database = await shared.ReadyAsync(ct).ConfigureAwait(false);
                try
                {
                    Database.MaterialsDatabase.HullScheme(st.Scheme);
                }
                catch (MaterialsDbException e)
                {
                    throw new SpecException([$"stability.scheme: {e.Message}"]);
                }

                databaseVersion = await database.ResolveVersionAsync(new Database.Viewer(caller.Tenant), st.DatabaseVersion, ct).ConfigureAwait(false);
                spec = spec with { Stability = st with { DatabaseVersion = databaseVersion } };
            }

            // Loads (once per node) and checks every model, the reference and the oxidation states the spec names.
            using (var lease = await resources.PlanAsync(spec, caller.Tenant, ct).ConfigureAwait(false))
            {
                if (SizeProblem(lease.Plan, submission, options) is { } tooLarge)
                {
                    return tooLarge;
                }

                if (dryRun == true)
                {
                    return TypedResults.Ok(DryRun(lease.Plan, submission, ct));
                }
            }

            var record = new ScreeningRecord
            {
                Id = Guid.CreateVersion7(),
                Tenant = caller.Tenant,
                Name = spec.Name,
                Spec = submission.Spec,
                Queue = queue,
                State = States.Queued,
                Stages = ScreeningPlan.StageNamesFor(spec),
                ChunkSize = options.ChunkSize,
                Upload = submission.UploadName,
                DatabaseVersion = databaseVersion,
                SubmittedBy = caller.KeyId,
                Created = DateTimeOffset.UtcNow,
                Updated = DateTimeOffset.UtcNow,
            };
            if (submission.UploadPath is not null)
            {
                Directory.CreateDirectory(paths.Folder(record.Id));
                File.Move(submission.UploadPath, paths.Upload(record.Id, submission.UploadName!));
            }

            if (!await store.TryAddScreeningAsync(record, options.MaxActivePerTenant, ct).ConfigureAwait(false))
            {
                if (submission.UploadPath is not null)
                {
                    Directory.Delete(paths.Folder(record.Id), recursive: true);
                }

                Problems.RetryAfter(http, TimeSpan.FromSeconds(30));
                return Problems.Result(ProblemKind.TooManyActiveScreenings, $"tenant '{caller.Tenant}' already has {options.MaxActivePerTenant} screenings queued or running");
            }

            // If this process dies right here, the sweeper finds the screening without a plan job and enqueues it.
            await scheduler.EnqueueAsync(JobKind.Plan, record.Id, -1, queue, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            var links = Links(record.Id);
            return TypedResults.Accepted(links.Self, new SubmitResponse(record.Id, record.State, links));
        }
    }

    // Small spaces are counted exactly (enumeration runs at tens of millions per second); the time comes from screening
    // a small sample on one thread, so a dry run stays a sub-second request.
    private static DryRunResponse DryRun(ScreeningPlan plan, Submission submission, CancellationToken ct)
    {
        const long ExactCountLimit = 20_000_000;
        const int Sample = 2048;
        long? candidates = null;
        long? bound = null;
        if (plan.Space is { } space)
        {
            bound = SpaceCounter.UpperBound(space);
            candidates = bound <= ExactCountLimit ? ScreeningEngine.CountEnumerated(space) : null;
        }

        var run = new ScreeningOptions { Threads = 1, Limit = Sample, ListFile = submission.UploadPath };
        if (plan.Space is null)
        {
            candidates = ScreeningEngine.ReadCandidates(plan.Spec, run, ct).Values.Length;
        }

        var sample = ScreeningEngine.Run(plan, run, ct);
        var perCandidate = sample.Processed == 0 ? 0 : sample.Elapsed.TotalSeconds / sample.Processed;
        return new DryRunResponse(plan.Spec.Name, candidates, bound, sample.Processed, Math.Round(perCandidate * 1e6, 3),
            candidates is { } n ? Math.Round(perCandidate * n, 1) : null, ScreeningPlan.StageNamesFor(plan.Spec));
    }

    // The closed-form size is known in microseconds; an exact count (chemical filters) is left to the plan job.
    private static IResult? SizeProblem(ScreeningPlan plan, Submission submission, ServiceOptions options)
    {
        if (plan.Space is { } space)
        {
            var raw = SpaceCounter.UpperBound(space);
            var exact = !space.ChargeNeutral && space.MaxAtoms is null;
            if (raw > options.MaxRawCompositions || (exact && raw > options.MaxCandidates))
            {
                var limit = exact ? options.MaxCandidates : options.MaxRawCompositions;
                return Problems.Invalid("candidates.enumerate", string.Create(CultureInfo.InvariantCulture,
                    $"{(raw == long.MaxValue ? "more than 9.2e18" : raw.ToString("N0", CultureInfo.InvariantCulture))} {(exact ? "candidates" : "reduced compositions before the chemical filters")}; the limit is {limit:N0}"), ProblemKind.SpaceTooLarge);
            }

            return null;
        }

        if (submission.UploadPath is not null)
        {
            int rows;
            try
            {
                rows = ScreeningEngine.ReadList(submission.UploadPath, Path.GetDirectoryName(submission.UploadPath)!).Values.Length;
            }
            catch (MaterialsDbException e)
            {
                // The message names our scratch file; the tenant knows it by the name it uploaded.
                return Problems.Invalid("candidates.list", $"'{submission.UploadName}' cannot be read: {e.Message.Replace(submission.UploadPath, submission.UploadName, StringComparison.Ordinal)}", ProblemKind.InvalidSpec);
            }

            if (rows > options.MaxCandidates)
            {
                return Problems.Invalid("candidates.list", string.Create(CultureInfo.InvariantCulture, $"{rows:N0} rows; the limit is {options.MaxCandidates:N0}"), ProblemKind.SpaceTooLarge);
            }
        }

        return null;
    }

    private static async Task<IResult> ListAsync(HttpContext http, IServiceStore store, string? cursor, int? limit, string? state, [FromQuery(Name = "candidates_min")] long? candidatesMin, [FromQuery(Name = "candidates_max")] long? candidatesMax, [FromQuery(Name = "created_min")] DateTimeOffset? createdMin, [FromQuery(Name = "created_max")] DateTimeOffset? createdMax, string? fields, CancellationToken ct)
    {
        var caller = Caller.Of(http);
        var size = limit ?? 50;
        if (size is < 1 or > 200)
        {
            return Problems.Invalid("limit", "must be 1 to 200");
        }

        var query = new ScreeningQuery(caller.Tenant, size) { CandidatesMin = candidatesMin, CandidatesMax = candidatesMax, CreatedMin = createdMin, CreatedMax = createdMax };
        if (state is not null)
        {
            var states = state.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var unknown = states.Where(s => !States.All.Contains(s)).ToArray();
            if (unknown.Length > 0 || states.Length == 0)
            {
                return Problems.Invalid("state", $"use {string.Join(", ", States.All)} (comma-separated)");
            }

            query = query with { States = states };
        }

        if (cursor is not null)
        {
            if (!Cursors.TryDecodeKeyset(cursor, out var after))
            {
                return Problems.Invalid("cursor", "is not a cursor of this list; follow links.next");
            }

            query = query with { After = after };
        }

        if (Fields.Parse(fields, ListFields) is { Problem: { } fieldProblem })
        {
            return fieldProblem;
        }

        var rows = await store.ListScreeningsAsync(query, ct).ConfigureAwait(false);
        var next = rows.Count == size ? Cursors.NextLink(http, Cursors.EncodeKeyset(rows[^1].Created, rows[^1].Id)) : null;
        return Envelopes.List(http, rows.Select(Summary).ToList(), size, next, fields, ListFields);
    }

    private static async Task<IResult> GetAsync(HttpContext http, IServiceStore store, Guid id, CancellationToken ct)
    {
        if (await OwnAsync(http, store, id, ct).ConfigureAwait(false) is not { } s)
        {
            return NotFound(id);
        }

        var chunks = await store.GetChunksAsync(id, ct).ConfigureAwait(false);
        var stages = s.Stages.Select((name, i) => new StageCount(name, chunks.Sum(c => i < c.Passed.Length ? c.Passed[i] : 0), Math.Round(chunks.Sum(c => i < c.Seconds.Length ? c.Seconds[i] : 0), 3))).ToArray();
        var fraction = s.Candidates == 0 ? (States.IsFinal(s.State) ? 1 : 0) : Math.Round((double)s.Processed / s.Candidates, 4);
        return TypedResults.Ok(new ScreeningDetail(
            Summary(s),
            new ScreeningProgressInfo(s.ChunksDone, s.Chunks, s.Processed, s.Candidates, s.Survivors, fraction, Eta(s, fraction)),
            stages,
            Math.Round(chunks.Sum(c => c.WallSeconds), 3),
            Links(id)));
    }

    // At the pace since submission: the queue wait counts, which errs on the long side.
    private static double? Eta(ScreeningRecord s, double fraction) =>
        s.State == States.Running && fraction is > 0 and < 1 ? Math.Round((DateTimeOffset.UtcNow - s.Created).TotalSeconds * (1 - fraction) / fraction, 1) : null;

    private static async Task<IResult> CancelAsync(HttpContext http, IServiceStore store, Guid id, CancellationToken ct)
    {
        if (await OwnAsync(http, store, id, ct).ConfigureAwait(false) is not { } s)
        {
            return NotFound(id);
        }

        return await store.TransitionAsync(id, States.Active, States.Cancelled, "cancelled by the caller", ct).ConfigureAwait(false)
            ? TypedResults.Ok(new CancelResponse(id, States.Cancelled))
            : Problems.Result(ProblemKind.Conflict, $"screening {id} is already {s.State}");
    }

    /// <summary>The screening if it belongs to the caller's tenant; another tenant's is reported exactly like a missing one.</summary>
    internal static async Task<ScreeningRecord?> OwnAsync(HttpContext http, IServiceStore store, Guid id, CancellationToken ct) =>
        await store.GetScreeningAsync(id, ct).ConfigureAwait(false) is { } s && s.Tenant == Caller.Of(http).Tenant ? s : null;

    internal static IResult NotFound(Guid id) => Problems.Result(ProblemKind.NotFound, $"there is no screening {id}");

    internal static ScreeningLinks Links(Guid id) => new($"/api/v1/screenings/{id}", $"/api/v1/screenings/{id}/results");

    private static ScreeningSummary Summary(ScreeningRecord s) =>
        new(s.Id, s.Name, s.State, s.Queue, s.Planned, s.Candidates, s.Chunks, s.ChunksDone, s.Processed, s.Survivors, s.Error, s.Created, s.Updated, s.SubmittedBy);
}
