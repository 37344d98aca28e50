namespace MaterialsDb.Service;

/// <summary>How a service node runs. The defaults suit one machine; a cluster sets <see cref="Postgres"/> and a shared <see cref="ResultsFolder"/>.</summary>
public sealed record ServiceOptions
{
    /// <summary>Listen address (loopback by default).</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5080";

    /// <summary>PostgreSQL connection string; null = embedded mode (in-memory Hangfire and state).</summary>
    public string? Postgres { get; init; }

    /// <summary>Folder for chunk parts and final results; all nodes of a cluster must reach the same one.</summary>
    public string ResultsFolder { get; init; } = Path.Combine(Data.Downloads.DatasetStoreOptions.FromEnvironment().Home, "service", "results");

    /// <summary>Hangfire workers in this process (each runs one chunk at a time on one thread); 0 = none (API only).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Queues this node's workers take jobs from, highest priority first.</summary>
    public IReadOnlyList<string> Queues { get; init; } = ["critical", "default", "low"];

    /// <summary>Candidates per chunk job.</summary>
    public long ChunkSize { get; init; } = 100_000;

    /// <summary>Largest space (candidates after the chemical filters) one screening may have.</summary>
    public long MaxCandidates { get; init; } = 200_000_000;

    /// <summary>Queued or running screenings a tenant may have at once.</summary>
    public int MaxActivePerTenant { get; init; } = 4;

    /// <summary>Requests per minute per API key.</summary>
    public int RequestsPerMinute { get; init; } = 600;

    /// <summary>Largest request body.</summary>
    public long MaxBodyBytes { get; init; } = 1_000_000;

    /// <summary>Formulas one <c>POST /predict</c> may carry.</summary>
    public int MaxPredictFormulas { get; init; } = 10_000;

    /// <summary>After this long without a heartbeat, a job fetched by a dead worker is handed to another (PostgreSQL mode).</summary>
    public TimeSpan InvisibilityTimeout { get; init; } = TimeSpan.FromMinutes(5);
}
