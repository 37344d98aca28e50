namespace MaterialsDb.Service.Store;

/// <summary>What a key may do: members screen and read their tenant's data; operators also see queues and workers; admins everything, the Hangfire dashboard included.</summary>
public enum Role
{
    /// <summary>Submit and read the tenant's screenings, predict, read models, datasets and materials.</summary>
    Member,

    /// <summary>Member rights plus the operator endpoints (workers, queues).</summary>
    Operator,

    /// <summary>Everything, including the Hangfire dashboard (which shows and can requeue every tenant's jobs).</summary>
    Admin,
}

/// <summary>Screening states as the API reports them.</summary>
public static class States
{
    /// <summary>Accepted; its space is being counted or its chunks wait for a worker.</summary>
    public const string Queued = "Queued";

    /// <summary>At least one chunk has started.</summary>
    public const string Running = "Running";

    /// <summary>The ranked result is ready.</summary>
    public const string Succeeded = "Succeeded";

    /// <summary>Stopped with an error (see the screening's <c>error</c>).</summary>
    public const string Failed = "Failed";

    /// <summary>Cancelled by its tenant.</summary>
    public const string Cancelled = "Cancelled";

    /// <summary>Every state, in lifecycle order.</summary>
    public static IReadOnlyList<string> All { get; } = [Queued, Running, Succeeded, Failed, Cancelled];

    /// <summary>States that count against a tenant's active-screening limit.</summary>
    public static string[] Active { get; } = [Queued, Running];

    /// <summary>States a screening never leaves.</summary>
    public static bool IsFinal(string state) => state is Succeeded or Failed or Cancelled;
}

/// <summary>A stored API key: only its SHA-256 is kept.</summary>
public sealed record ApiKeyRecord(Guid Id, string Tenant, Role Role, string Sha256, DateTimeOffset Created, bool Revoked);

/// <summary>One screening job and its progress.</summary>
public sealed record ScreeningRecord
{
    public required Guid Id { get; init; }

    public required string Tenant { get; init; }

    public required string Name { get; init; }

    /// <summary>The spec text as submitted (YAML or JSON).</summary>
    public required string Spec { get; init; }

    public required string Queue { get; init; }

    public required string State { get; init; }

    /// <summary>Stage names of the cascade, fixed at submission (status never re-plans, so a model removed later cannot break it).</summary>
    public required IReadOnlyList<string> Stages { get; init; }

    /// <summary>Candidates per chunk.</summary>
    public required long ChunkSize { get; init; }

    /// <summary>File name of the candidate list uploaded with the spec, if any (stored in the screening's folder).</summary>
    public string? Upload { get; init; }

    /// <summary>The API key that submitted it (its id; keys are named by id and prefix).</summary>
    public Guid? SubmittedBy { get; init; }

    /// <summary>The materials database version a <c>reference: database</c> screening reads (fixed at submission).</summary>
    public long? DatabaseVersion { get; init; }

    /// <summary>True once the space has been counted and split (<see cref="Candidates"/> and <see cref="Chunks"/> are known).</summary>
    public bool Planned { get; init; }

    /// <summary>Candidates to screen (after the chemical filters); 0 until planned.</summary>
    public long Candidates { get; init; }

    /// <summary>Chunk jobs; 0 until planned.</summary>
    public int Chunks { get; init; }

    public int ChunksDone { get; init; }

    public long Processed { get; init; }

    public long Survivors { get; init; }

    public string? Error { get; init; }

    public required DateTimeOffset Created { get; init; }

    public DateTimeOffset Updated { get; init; }
}

/// <summary>What one tenant has used: screenings, candidates screened, thread time.</summary>
public sealed record TenantUsage(string Tenant, long Screenings, long Active, long Candidates, double ThreadSeconds);

/// <summary>What one chunk reported: counts and thread time per stage.</summary>
public sealed record ChunkResult(int Chunk, long Processed, long Survivors, long[] Passed, double[] Seconds, double WallSeconds);

/// <summary>The outcome of recording a chunk: whether this call recorded it, and how many chunks are done of how many.</summary>
/// <param name="Recorded">False when the chunk had been recorded before (a retried or duplicated job).</param>
/// <param name="Done">Distinct chunks recorded, this one included.</param>
/// <param name="Total">Chunks of the screening.</param>
public readonly record struct ChunkProgress(bool Recorded, int Done, int Total)
{
    /// <summary>True for exactly one call per screening: the one whose record completed the set.</summary>
    public bool CompletedTheSet => Recorded && Done == Total;
}

/// <summary>The kinds of job a screening runs; the sweeper checks each one's Hangfire job.</summary>
public enum JobKind
{
    /// <summary>Counts the space and enqueues the chunks.</summary>
    Plan,

    /// <summary>Screens one chunk.</summary>
    Chunk,

    /// <summary>Ranks the parts into the result.</summary>
    Merge,
}

/// <summary>A Hangfire job enqueued for a screening (chunk = -1 for plan and merge).</summary>
public sealed record ScreeningJob(JobKind Kind, int Chunk, string JobId);

/// <summary>Which screenings a list shows: one tenant's, newest first, after a keyset cursor, with optional filters.</summary>
public sealed record ScreeningQuery(string Tenant, int Limit)
{
    /// <summary>Only screenings created before this one (created, id): the cursor of the previous page.</summary>
    public (DateTimeOffset Created, Guid Id)? After { get; init; }

    /// <summary>Only these states; null = all.</summary>
    public IReadOnlyList<string>? States { get; init; }

    /// <summary>Only screenings with at least this many candidates.</summary>
    public long? CandidatesMin { get; init; }

    /// <summary>Only screenings with at most this many candidates.</summary>
    public long? CandidatesMax { get; init; }

    /// <summary>Only screenings created at or after this time.</summary>
    public DateTimeOffset? CreatedMin { get; init; }

    /// <summary>Only screenings created at or before this time.</summary>
    public DateTimeOffset? CreatedMax { get; init; }

    /// <summary>True when a record passes the filters (the cursor and tenant aside).</summary>
    public bool Matches(ScreeningRecord s) =>
        (States is null || States.Contains(s.State)) && (CandidatesMin is not { } cmin || s.Candidates >= cmin) && (CandidatesMax is not { } cmax || s.Candidates <= cmax)
        && (CreatedMin is not { } tmin || s.Created >= tmin) && (CreatedMax is not { } tmax || s.Created <= tmax);
}
