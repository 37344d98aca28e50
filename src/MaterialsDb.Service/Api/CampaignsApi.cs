using System.Globalization;
using Hangfire;
using MaterialsDb.Database;
using MaterialsDb.Design.Campaigns;
using MaterialsDb.Design.Spec;
using MaterialsDb.Screening.Spec;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Jobs;
using MaterialsDb.Service.Materials;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace MaterialsDb.Service.Api;

/// <summary>
/// <c>/api/v1/campaigns</c>: inverse-design campaigns. Rounds are proposed by Hangfire jobs; results are reported as
/// CSV. A tenant sees only its own campaigns; another tenant's is reported exactly like a missing one.
/// </summary>
internal static class CampaignsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        var group = api.MapGroup("/campaigns").WithTags("Campaigns");
        group.MapPost("/", StartAsync).WithName("startCampaign")
            .WithSummary("Start a design campaign")
            .WithDescription("The campaign spec as YAML or JSON (docs/design.md), or multipart/form-data with a 'spec' part and one CSV the spec names in observations.csv (or a candidate list in space.candidates.list). Answers 202 at once; a job fits the surrogates and proposes round 1.")
            .Produces<CampaignSubmitted>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapGet("/", ListAsync).WithName("listCampaigns")
            .WithSummary("The caller's tenant's campaigns, newest first")
            .Produces<CampaignList>();
        group.MapGet("/{id:guid}", GetAsync).WithName("getCampaign")
            .WithSummary("State, rounds and history (best observation per round, the model's error on reported results)")
            .Produces<CampaignDetail>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:guid}/rounds/{round:int}", RoundAsync).WithName("getCampaignRound")
            .WithSummary("A round's proposals: formula, mean ± σ per property, acquisition value, why chosen, reported values")
            .Produces<CampaignRound>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:guid}/rounds/{round:int}/batch", BatchAsync).WithName("downloadCampaignBatch")
            .WithSummary("A round's batch file: format=parquet (default) or csv")
            .Produces(StatusCodes.Status200OK, contentType: "application/vnd.apache.parquet").ProducesProblem(StatusCodes.Status404NotFound).ProducesValidationProblem();
        group.MapPost("/{id:guid}/results", ReportAsync).WithName("reportCampaignResults")
            .WithSummary("Report measured or computed results")
            .WithDescription("A CSV body (text/csv): a 'formula' column and a column per property; an empty cell is 'not measured'. Each row answers the latest pending proposal of its composition; other rows are extra observations. The same file twice is refused.")
            .Accepts<string>("text/csv")
            .Produces<CampaignReported>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        group.MapPost("/{id:guid}/next", NextAsync).WithName("nextCampaignRound")
            .WithSummary("Propose the next round (a job refits on every observation)")
            .Produces<CampaignSubmitted>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/{id:guid}/contributions", ContributeAsync).WithName("contributeCampaignResults")
            .WithSummary("Contribute the reported results to the shared materials database")
            .WithDescription("Every reported result not contributed before becomes an entry owned by the caller's tenant, in one transaction: e_form_per_atom, band_gap and total_energy_per_atom fill those fields; other properties are stored with their units (the objective's, or 'units' here). The entries carry the campaign's name and round; a result is contributed once.")
            .Accepts<CampaignContributionRequest>("application/json")
            .Produces<ContributionResponse>(StatusCodes.Status201Created).Produces<ContributionResponse>()
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> StartAsync(HttpContext http, CampaignFolders folders, ResultPaths paths, ServiceOptions options, IBackgroundJobClient jobs, CancellationToken ct)
    {
        var caller = Caller.Of(http);
        var (submission, problem) = await SubmissionReader.ReadAsync(http, options, paths, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        using (submission)
        {
            var uploads = submission!.UploadName is null ? Array.Empty<string>() : [submission.UploadName];
            var spec = CampaignSpecParser.Parse(submission.Spec, SpecOrigin.Service, uploads);
            if (submission.UploadName is not null && spec.Observations?.Csv != submission.UploadName && spec.Discrete?.List != submission.UploadName)
            {
                return Problems.Invalid("observations.csv", $"a file '{submission.UploadName}' was uploaded, but the spec names it neither in observations.csv nor in space.candidates.list", ProblemKind.InvalidSpec);
            }

            // Campaign pools are screened with the catalog's references; the shared database's hulls are not wired in yet.
            if (spec.Discrete?.Stability is { UsesDatabase: true })
            {
                return Problems.Invalid("space.stability.reference", "campaigns take a catalog reference (e.g. mp_e_form); 'database' is for screenings", ProblemKind.InvalidSpec);
            }

            if (await TooManyAsync(http, folders, caller, options, ct).ConfigureAwait(false) is { } busy)
            {
                return busy;
            }

            var status = new CampaignStatus { Id = Guid.CreateVersion7(), Tenant = caller.Tenant, Name = spec.Name, State = CampaignStates.Queued, Round = 1, SubmittedBy = caller.KeyId, Created = DateTimeOffset.UtcNow };
            Directory.CreateDirectory(folders.Uploads(caller.Tenant, status.Id));
            await File.WriteAllTextAsync(folders.Spec(caller.Tenant, status.Id), submission.Spec, ct).ConfigureAwait(false);
            if (submission.UploadPath is not null)
            {
                File.Move(submission.UploadPath, Path.Combine(folders.Uploads(caller.Tenant, status.Id), submission.UploadName!));
            }

            await folders.WriteAsync(status, ct).ConfigureAwait(false);
            jobs.Enqueue<CampaignJobs>("default", j => j.ProposeAsync(caller.Tenant, status.Id, 1, CancellationToken.None));
            var links = Links(status.Id);
            return TypedResults.Accepted(links.Self, new CampaignSubmitted(status.Id, status.State, 1, links));
        }
    }

    private static async Task<IResult> ListAsync(HttpContext http, CampaignFolders folders, CancellationToken ct)
    {
        var caller = Caller.Of(http);
        var list = await folders.ListAsync(caller.Tenant, ct).ConfigureAwait(false);
        return TypedResults.Ok(new CampaignList([.. list.Select(Summary)]));
    }

    private static async Task<IResult> GetAsync(HttpContext http, CampaignFolders folders, Guid id, CancellationToken ct)
    {
        var caller = Caller.Of(http);
        if (await folders.ReadAsync(caller.Tenant, id, ct).ConfigureAwait(false) is not { } status)
        {
            return NotFound(id);
        }

        var folder = folders.Campaign(caller.Tenant, id);
        if (!File.Exists(Path.Combine(folder, CampaignRunner.StateFile)))
        {
            return TypedResults.Ok(new CampaignDetail(Summary(status), [], [], [], Links(id)));
        }

        var (_, spec, state) = await CampaignRunner.LoadAsync(folder, ct).ConfigureAwait(false);
        var history = CampaignHistory.Of(spec, state);
        var rounds = state.Rounds.Select(r => new CampaignRoundSummary(r.Round, r.Proposals.Count, r.Proposals.Count(p => p.Reported is not null), r.ObservationsUsed, r.Calibration, Math.Round(r.Seconds, 3), $"/api/v1/campaigns/{id}/rounds/{r.Round}")).ToList();
        return TypedResults.Ok(new CampaignDetail(Summary(status), rounds, history.Columns, [.. history.Rows.Select(r => r.Select(Number).ToArray())], Links(id)));
    }

    private static async Task<IResult> RoundAsync(HttpContext http, CampaignFolders folders, Guid id, int round, CancellationToken ct)
    {
        var (state, problem) = await StateAsync(http, folders, id, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        if (round < 1 || round > state!.Rounds.Count)
        {
            return Problems.Result(ProblemKind.NotFound, $"campaign {id} has no round {round}");
        }

        var r = state.Rounds[round - 1];
        return TypedResults.Ok(new CampaignRound(r.Round, r.Created, r.ObservationsUsed, r.Scored, r.Feasible, r.Calibration,
            [.. r.Proposals.Select(p => new CampaignProposal(p.Rank, p.Formula, p.Mean, p.Std, p.Acquisition, p.ConstraintProbability, p.Reason, p.Reported))],
            $"/api/v1/campaigns/{id}/rounds/{round}/batch"));
    }

    private static async Task<IResult> BatchAsync(HttpContext http, CampaignFolders folders, Guid id, int round, string? format, CancellationToken ct)
    {
        var (state, problem) = await StateAsync(http, folders, id, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        format ??= "parquet";
        if (format is not ("parquet" or "csv"))
        {
            return Problems.Invalid("format", "must be parquet or csv");
        }

        if (round < 1 || round > state!.Rounds.Count)
        {
            return Problems.Result(ProblemKind.NotFound, $"campaign {id} has no round {round}");
        }

        // The file name comes from the state, which only this service writes; the route gives only numbers.
        var file = state.Rounds[round - 1].Files.Single(f => f.EndsWith("." + format, StringComparison.Ordinal));
        var path = Path.Combine(folders.Campaign(Caller.Of(http).Tenant, id), file);
        return TypedResults.PhysicalFile(path, format == "csv" ? "text/csv" : "application/vnd.apache.parquet", $"{state.Name}-{file}");
    }

    private static async Task<IResult> ReportAsync(HttpContext http, CampaignFolders folders, ResultPaths paths, Data.Downloads.DatasetStore datasets, Models.Packages.ModelRegistry registry, Guid id, CancellationToken ct)
    {
        var caller = Caller.Of(http);
        if (await folders.ReadAsync(caller.Tenant, id, ct).ConfigureAwait(false) is not { } status)
        {
            return NotFound(id);
        }

        if (http.Request.ContentType is not { } type || !type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.Result(ProblemKind.UnsupportedMediaType, "send the results as text/csv: a 'formula' column and a column per property");
        }

        if (CampaignStates.Busy(status.State))
        {
            return Problems.Result(ProblemKind.Conflict, $"campaign {id} is proposing round {status.Round}; report when it is {CampaignStates.Ready}");
        }

        var scratch = paths.Incoming();
        Directory.CreateDirectory(scratch);
        var file = Path.Combine(scratch, "results.csv");
        try
        {
            // Kestrel's request limit (MaxBodyBytes) bounds the copy; a larger body ends in 413.
            await using (var output = File.Create(file))
            {
                await http.Request.Body.CopyToAsync(output, ct).ConfigureAwait(false);
            }

            using var held = await folders.LockAsync(caller.Tenant, id, TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
            if (held is null)
            {
                return Problems.Result(ProblemKind.Conflict, $"campaign {id} is busy; try again");
            }

            try
            {
                var summary = await new CampaignRunner(datasets, registry)
                    .ReportAsync(folders.Campaign(caller.Tenant, id), file, cancellationToken: ct).ConfigureAwait(false);
                return TypedResults.Ok(new CampaignReported(summary.Added, summary.Matched, summary.Ignored));
            }
            catch (CampaignException e) when (e.Message.Contains("reported already", StringComparison.Ordinal))
            {
                return Problems.Result(ProblemKind.Conflict, "these results were reported already (same content); nothing added");
            }
            catch (MaterialsDbException e)
            {
                return Problems.Invalid("results", e.Message.Replace(file, "results.csv", StringComparison.Ordinal));
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static async Task<IResult> NextAsync(HttpContext http, CampaignFolders folders, ServiceOptions options, IBackgroundJobClient jobs, Guid id, CancellationToken ct)
    {
        var caller = Caller.Of(http);
        if (await folders.ReadAsync(caller.Tenant, id, ct).ConfigureAwait(false) is not { } status)
        {
            return NotFound(id);
        }

        if (CampaignStates.Busy(status.State))
        {
            return Problems.Result(ProblemKind.Conflict, $"campaign {id} is already proposing round {status.Round}");
        }

        if (await TooManyAsync(http, folders, caller, options, ct).ConfigureAwait(false) is { } busy)
        {
            return busy;
        }

        var done = await folders.RoundsDoneAsync(caller.Tenant, id, ct).ConfigureAwait(false);
        (status.State, status.Round, status.Error) = (CampaignStates.Queued, done + 1, null);
        await folders.WriteAsync(status, ct).ConfigureAwait(false);
        jobs.Enqueue<CampaignJobs>("default", j => j.ProposeAsync(caller.Tenant, id, done + 1, CancellationToken.None));
        return TypedResults.Accepted(Links(id).Self, new CampaignSubmitted(id, status.State, status.Round, Links(id)));
    }

    private static async Task<IResult> ContributeAsync(HttpContext http, CampaignFolders folders, SharedDatabase shared, Guid id, [FromBody] CampaignContributionRequest? request, CancellationToken ct)
    {
        var caller = Caller.Of(http);
        if (await folders.ReadAsync(caller.Tenant, id, ct).ConfigureAwait(false) is null)
        {
            return NotFound(id);
        }

        if (request is null)
        {
            return Problems.Invalid("body", "send a JSON object with at least 'scheme' and 'licence'");
        }

        if (request.Units is { Count: > 64 } || request.Units?.Any(u => u.Key.Length > 64 || u.Value is null or { Length: > 64 }) == true)
        {
            return Problems.Invalid("units", "at most 64 properties, each name and unit up to 64 characters");
        }

        var folder = folders.Campaign(caller.Tenant, id);
        if (!File.Exists(Path.Combine(folder, CampaignRunner.StateFile)))
        {
            return Problems.Result(ProblemKind.Conflict, $"campaign {id} has no round yet, so no results to contribute");
        }

        using var held = await folders.LockAsync(caller.Tenant, id, TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        if (held is null)
        {
            return Problems.Result(ProblemKind.Conflict, $"campaign {id} is busy; try again");
        }

        var (_, _, state) = await CampaignRunner.LoadAsync(folder, ct).ConfigureAwait(false);
        if (CampaignRunner.UncontributedResults(state).Count == 0)
        {
            return Problems.Result(ProblemKind.Conflict, state.Contributions.Count > 0
                ? "every reported result of this campaign was contributed already; nothing added"
                : "the campaign has no reported results to contribute; report them first");
        }

        var database = await shared.ReadyAsync(ct).ConfigureAwait(false);
        var defaults = new ContributionDefaults { Scheme = request.Scheme, Visibility = request.Visibility, Licence = request.Licence, Reference = request.Reference, Label = request.Label, Contributor = request.Contributor };
        var result = await CampaignContributions.ContributeAsync(folder, database, MaterialsApi.ViewerOf(http), defaults, request.Units, ct).ConfigureAwait(false);
        var response = new ContributionResponse(result.Ids, result.Version, result.Ids.Count, result.Replayed);
        return result.Replayed ? TypedResults.Ok(response) : TypedResults.Created((string?)null, response);
    }

    private static async Task<IResult?> TooManyAsync(HttpContext http, CampaignFolders folders, Caller caller, ServiceOptions options, CancellationToken ct)
    {
        var active = (await folders.ListAsync(caller.Tenant, ct).ConfigureAwait(false)).Count(s => CampaignStates.Busy(s.State));
        if (active < options.MaxActivePerTenant)
        {
            return null;
        }

        Problems.RetryAfter(http, TimeSpan.FromSeconds(10));
        return Problems.Result(ProblemKind.TooManyActiveScreenings, $"tenant '{caller.Tenant}' already has {active} campaign rounds queued or running");
    }

    private static async Task<(CampaignState? State, IResult? Problem)> StateAsync(HttpContext http, CampaignFolders folders, Guid id, CancellationToken ct)
    {
        var tenant = Caller.Of(http).Tenant;
        if (await folders.ReadAsync(tenant, id, ct).ConfigureAwait(false) is null)
        {
            return (null, NotFound(id));
        }

        var folder = folders.Campaign(tenant, id);
        return File.Exists(Path.Combine(folder, CampaignRunner.StateFile))
            ? ((await CampaignRunner.LoadAsync(folder, ct).ConfigureAwait(false)).State, null)
            : (null, Problems.Result(ProblemKind.NotFound, $"campaign {id} has no round yet"));
    }

    private static double? Number(object? cell) => cell switch
    {
        int i => i,
        long l => l,
        double d => d,
        _ => null,
    };

    private static IResult NotFound(Guid id) => Problems.Result(ProblemKind.NotFound, $"there is no campaign {id}");

    private static CampaignLinks Links(Guid id) => new($"/api/v1/campaigns/{id}", $"/api/v1/campaigns/{id}/results", $"/api/v1/campaigns/{id}/next", $"/api/v1/campaigns/{id}/contributions");

    private static CampaignSummary Summary(CampaignStatus s) => new(s.Id, s.Name, s.State, s.Round, s.Error, s.Created, s.Updated, s.SubmittedBy);
}
