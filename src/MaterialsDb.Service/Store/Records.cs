namespace MaterialsDb.Service.Store;

/// <summary>What a key may do: members screen and read their tenant's data; operators also see workers and the dashboard; admins everything.</summary>
public enum Role
{
    /// <summary>Submit and read the tenant's screenings, predict, read models, datasets and materials.</summary>
    Member,

    /// <summary>Member rights plus the operator endpoints and the Hangfire dashboard.</summary>
    Operator,

    /// <summary>Everything.</summary>
    Admin,
}

/// <summary>Screening states as the API reports them.</summary>
public static class States
{
    public const string Queued = "Queued";
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string Cancelled = "Cancelled";

    /// <summary>States a screening never leaves.</summary>
    public static bool IsFinal(string state) => state is Succeeded or Failed or Cancelled;
}

/// <summary>A stored API key: only its SHA-256 is kept.</summary>
public sealed record ApiKeyRecord(Guid Id, string Tenant, Role Role, string Sha256, DateTimeOffset Created, bool Revoked);

/// <summary>One screening job.</summary>
public sealed record ScreeningRecord
{
    public required Guid Id { get; init; }

    public required string Tenant { get; init; }

    public required string Name { get; init; }

    /// <summary>The spec text as submitted (YAML or JSON).</summary>
    public required string Spec { get; init; }

    public required string Queue { get; init; }

    public required string State { get; init; }

    /// <summary>Candidates to screen (after the chemical filters).</summary>
    public required long Candidates { get; init; }

    public required int Chunks { get; init; }

    public required long ChunkSize { get; init; }

    public int ChunksDone { get; init; }

    public long Processed { get; init; }

    public long Survivors { get; init; }

    public string? Error { get; init; }

    public required DateTimeOffset Created { get; init; }

    public DateTimeOffset Updated { get; init; }
}

/// <summary>What one chunk reported: counts and thread time per stage.</summary>
public sealed record ChunkResult(int Chunk, long Processed, long Survivors, long[] Passed, double[] Seconds, double WallSeconds);
