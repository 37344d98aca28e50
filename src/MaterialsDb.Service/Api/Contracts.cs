using System.ComponentModel;

namespace MaterialsDb.Service.Api;

// The API's response and request bodies. Property names are written in snake_case (the JSON options' naming policy);
// these types are what the OpenAPI document publishes, so a generated client sees exactly these shapes.

/// <summary>Counts of a list page.</summary>
/// <param name="Returned">Items on this page.</param>
/// <param name="Limit">The page size asked for (or the default).</param>
public sealed record ListMeta(int Returned, int Limit);

/// <summary>Links of a list page.</summary>
/// <param name="Next">The next page (same query, with a cursor); absent on the last page.</param>
public sealed record ListLinks(string? Next);

/// <summary>Every list endpoint's envelope: the items, counts and the link to the next page.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Data">Items of this page (only the requested fields when <c>fields</c> is given).</param>
/// <param name="Meta">Counts.</param>
/// <param name="Links">Paging.</param>
public sealed record ListEnvelope<T>(IReadOnlyList<T> Data, ListMeta Meta, ListLinks Links);

/// <summary>Where a screening's resources are.</summary>
/// <param name="Self">Its status.</param>
/// <param name="Results">Its ranked result (once it has succeeded).</param>
public sealed record ScreeningLinks(string Self, string Results);

/// <summary>A screening as lists show it.</summary>
public sealed record ScreeningSummary(
    [property: Description("Screening id.")] Guid Id,
    [property: Description("The spec's name.")] string Name,
    [property: Description("Queued, Running, Succeeded, Failed or Cancelled.")] string State,
    [property: Description("Job queue it runs on.")] string Queue,
    [property: Description("True once the space has been counted and split into chunks.")] bool Planned,
    [property: Description("Candidates after the chemical filters (0 until planned).")] long Candidates,
    [property: Description("Chunk jobs (0 until planned).")] int Chunks,
    [property: Description("Chunk jobs finished.")] int ChunksDone,
    [property: Description("Candidates screened so far.")] long Processed,
    [property: Description("Candidates that passed every constraint so far.")] long Survivors,
    [property: Description("Why it failed or was cancelled, if it did.")] string? Error,
    [property: Description("Submission time.")] DateTimeOffset Created,
    [property: Description("Last change.")] DateTimeOffset Updated,
    [property: Description("Id of the API key that submitted it (null for screenings from before this was recorded).")] Guid? SubmittedBy = null);

/// <summary>Progress of a screening.</summary>
/// <param name="ChunksDone">Chunk jobs finished.</param>
/// <param name="Chunks">Chunk jobs (0 until planned).</param>
/// <param name="CandidatesProcessed">Candidates screened so far.</param>
/// <param name="Candidates">Candidates after the chemical filters.</param>
/// <param name="Survivors">Candidates that passed every constraint so far.</param>
/// <param name="Fraction">Candidates screened as a fraction of all (1 once final).</param>
/// <param name="EtaSeconds">Seconds until it finishes at the pace so far (running screenings with progress).</param>
public sealed record ScreeningProgressInfo(int ChunksDone, int Chunks, long CandidatesProcessed, long Candidates, long Survivors, double Fraction, double? EtaSeconds = null);

/// <summary>Candidates that passed one stage of the cascade, and the thread time it took.</summary>
public sealed record StageCount(string Stage, long Passed, double ThreadSeconds);

/// <summary>A screening's status in full.</summary>
public sealed record ScreeningDetail(ScreeningSummary Summary, ScreeningProgressInfo Progress, IReadOnlyList<StageCount> Stages, double ChunkWallSeconds, ScreeningLinks Links);

/// <summary>The answer to a submission: the screening exists and is queued; its space is counted by a job.</summary>
public sealed record SubmitResponse(Guid Id, string State, ScreeningLinks Links);

/// <summary>What a dry run learnt: the space's size and a time estimate; nothing was stored.</summary>
/// <param name="Name">The spec's name.</param>
/// <param name="Candidates">Candidates after the chemical filters (or rows of the list); null when the space is too large to count on a request (the plan job counts it).</param>
/// <param name="UpperBound">Reduced compositions before the chemical filters (enumerated spaces).</param>
/// <param name="Sampled">Candidates screened for the estimate.</param>
/// <param name="MicrosecondsPerCandidate">Thread time per candidate in the sample.</param>
/// <param name="EstimatedThreadSeconds">Thread time for every candidate (divide by the workers that share the chunks).</param>
/// <param name="Stages">The cascade's stages, in order.</param>
public sealed record DryRunResponse(string Name, long? Candidates, long? UpperBound, long Sampled, double MicrosecondsPerCandidate, double? EstimatedThreadSeconds, IReadOnlyList<string> Stages);

/// <summary>The answer to a cancellation.</summary>
public sealed record CancelResponse(Guid Id, string State);

/// <summary>Body of <c>POST /predict</c>.</summary>
/// <param name="Model">A registered model id (see <c>GET /models</c>).</param>
/// <param name="Formulas">1 to 10,000 formulas.</param>
public sealed record PredictRequest(string? Model, IReadOnlyList<string>? Formulas);

/// <summary>One formula's prediction, or why it has none.</summary>
/// <param name="Formula">As sent.</param>
/// <param name="Prediction">Ensemble mean in the model's units; null when the formula could not be read.</param>
/// <param name="Std">Calibrated ensemble standard deviation; null with <paramref name="Prediction"/>.</param>
/// <param name="Error">The parser's message when the formula could not be read.</param>
public sealed record FormulaPrediction(string Formula, double? Prediction, double? Std, string? Error);

/// <summary>The answer to <c>POST /predict</c>.</summary>
public sealed record PredictResponse(string Model, string Target, string Units, IReadOnlyList<FormulaPrediction> Predictions);

/// <summary>A model package.</summary>
/// <param name="Id">Id used in specs and <c>/predict</c>.</param>
/// <param name="Column">The result-file column its predictions go to.</param>
/// <param name="Version">Package version.</param>
/// <param name="Target">The predicted quantity.</param>
/// <param name="Units">Its units.</param>
/// <param name="Preset">Featurizer preset it reads.</param>
/// <param name="Members">Ensemble members.</param>
/// <param name="Metrics">Cross-validated metrics from the manifest.</param>
/// <param name="Dataset">Training dataset from the manifest.</param>
/// <param name="Task"><c>regression</c>, or <c>classification</c>: the prediction is then the probability of class 1 and constraints bound it.</param>
public sealed record ModelInfo(string Id, string Column, string Version, string Target, string Units, string Preset, int Members, IReadOnlyDictionary<string, double>? Metrics, Models.Packages.TrainingDataset? Dataset, string Task);

/// <summary>A file of a catalog dataset.</summary>
public sealed record DatasetFileInfo(string Name, string Sha256, long Size);

/// <summary>A catalog dataset.</summary>
public sealed record DatasetInfo(string Id, string Title, string License, string Citation, IReadOnlyList<DatasetFileInfo> Files);

/// <summary>A Hangfire server (node) as operators see it.</summary>
public sealed record WorkerServer(string Name, int Workers, IReadOnlyList<string> Queues, DateTime? Heartbeat);

/// <summary>A queue's length.</summary>
public sealed record QueueInfo(string Name, long Length, long? Fetched);

/// <summary>Job counts by state.</summary>
public sealed record JobCounts(long Enqueued, long Scheduled, long Processing, long Succeeded, long Failed, long Deleted, long Servers);

/// <summary>A tenant's usage.</summary>
/// <param name="Tenant">Tenant name.</param>
/// <param name="Screenings">Screenings submitted (every state).</param>
/// <param name="Active">Screenings queued or running now.</param>
/// <param name="Candidates">Candidates screened.</param>
/// <param name="ThreadSeconds">Thread time of the cascade's stages.</param>
public sealed record UsageInfo(string Tenant, long Screenings, long Active, long Candidates, double ThreadSeconds);

/// <summary>Operators' view of the job system.</summary>
public sealed record WorkersInfo(IReadOnlyList<WorkerServer> Servers, IReadOnlyList<QueueInfo> Queues, JobCounts Jobs);

/// <summary>Body of <c>POST /session</c>.</summary>
/// <param name="ApiKey">The key to exchange for a session cookie.</param>
public sealed record SessionRequest(string? ApiKey);

/// <summary>The signed-in caller, and the anti-forgery token state-changing requests with the cookie must send as <c>X-CSRF-TOKEN</c>.</summary>
public sealed record SessionInfo(string Tenant, string Role, Guid KeyId, DateTimeOffset? Expires, string? CsrfToken);

/// <summary>Liveness.</summary>
public sealed record HealthInfo(string Status, string Version, string Mode);

/// <summary>A kind of problem the API reports.</summary>
public sealed record ProblemTypeInfo(string Type, int Status, string Title, string Description);

/// <summary>Metadata of a result in JSON: units per column, the model behind each model column, provenance, rows.</summary>
public sealed record ResultMeta(int Returned, int TotalRows, IReadOnlyDictionary<string, string> Units, IReadOnlyDictionary<string, string> Models, object? Provenance);

/// <summary>A result as JSON: one object per ranked candidate (missing values are null) and its metadata.</summary>
public sealed record ResultEnvelope(IReadOnlyList<IReadOnlyDictionary<string, object?>> Data, ResultMeta Meta);

/// <summary>Where a campaign's resources are.</summary>
/// <param name="Self">Its state and history.</param>
/// <param name="Results">Where results are reported (POST text/csv).</param>
/// <param name="Next">Where the next round is asked for (POST).</param>
/// <param name="Contributions">Where reported results are contributed to the shared materials database (POST).</param>
public sealed record CampaignLinks(string Self, string Results, string Next, string Contributions);

/// <summary>A campaign as lists show it.</summary>
/// <param name="Id">The campaign.</param>
/// <param name="Name">The spec's name.</param>
/// <param name="State">queued, running, ready or failed.</param>
/// <param name="Round">The round the pending or last job proposes.</param>
/// <param name="Error">Why the last round failed.</param>
/// <param name="Created">Created.</param>
/// <param name="Updated">Last change.</param>
/// <param name="SubmittedBy">The key that started it.</param>
public sealed record CampaignSummary(Guid Id, string Name, string State, int Round, string? Error, DateTimeOffset Created, DateTimeOffset Updated, Guid SubmittedBy);

/// <summary>The answer to starting a campaign or asking for a round.</summary>
public sealed record CampaignSubmitted(Guid Id, string State, int Round, CampaignLinks Links);

/// <summary>The tenant's campaigns.</summary>
public sealed record CampaignList(IReadOnlyList<CampaignSummary> Data);

/// <summary>A round in a campaign's detail.</summary>
public sealed record CampaignRoundSummary(int Round, int Proposed, int Reported, int Observations, IReadOnlyDictionary<string, double> Calibration, double Seconds, string Self);

/// <summary>A campaign: state, rounds, and its history as a table (columns, then rows of numbers).</summary>
public sealed record CampaignDetail(CampaignSummary Campaign, IReadOnlyList<CampaignRoundSummary> Rounds, IReadOnlyList<string> HistoryColumns, IReadOnlyList<double?[]> History, CampaignLinks Links);

/// <summary>One proposal of a round.</summary>
public sealed record CampaignProposal(int Rank, string Formula, IReadOnlyDictionary<string, double> Mean, IReadOnlyDictionary<string, double> Std, double Acquisition, double ConstraintProbability, string Reason, IReadOnlyDictionary<string, double?>? Reported);

/// <summary>A round's proposals.</summary>
public sealed record CampaignRound(int Round, DateTimeOffset Created, int Observations, long Scored, long Feasible, IReadOnlyDictionary<string, double> Calibration, IReadOnlyList<CampaignProposal> Proposals, string Batch);

/// <summary>What a report added.</summary>
public sealed record CampaignReported(int Added, int Matched, IReadOnlyList<string> IgnoredColumns);

/// <summary>What a campaign's reported results are filed under in the shared materials database.</summary>
/// <param name="Scheme">Energy scheme: experiment for measured results, a DFT scheme (mp2020, ...) for computed formation energies, ml for predictions.</param>
/// <param name="Visibility">private (default), cluster, or public (operators only).</param>
/// <param name="Licence">SPDX licence id, e.g. CC-BY-4.0.</param>
/// <param name="Reference">A DOI or citation.</param>
/// <param name="Label">The batch label (default: "design campaign &lt;name&gt;").</param>
/// <param name="Contributor">The person or pipeline contributing.</param>
/// <param name="Units">Property → unit, for properties whose objective names no units.</param>
public sealed record CampaignContributionRequest(string? Scheme, string? Visibility, string? Licence, string? Reference, string? Label, string? Contributor, IReadOnlyDictionary<string, string>? Units);
