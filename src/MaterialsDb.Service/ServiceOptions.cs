using System.Globalization;

namespace MaterialsDb.Service;

/// <summary>How a service node runs. The defaults suit one machine; a cluster sets <see cref="Postgres"/> and a shared <see cref="ResultsFolder"/>.</summary>
public sealed record ServiceOptions
{
    /// <summary>Listen address (loopback by default).</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5080";

    /// <summary>PostgreSQL connection string; null = embedded mode (in-memory Hangfire and state).</summary>
    public string? Postgres { get; init; }

    /// <summary>Folder for uploads, chunk parts and final results; all nodes of a cluster must reach the same one.</summary>
    public string ResultsFolder { get; init; } = Path.Combine(Data.Downloads.DatasetStoreOptions.FromEnvironment().Home, "service", "results");

    /// <summary>
    /// Embedded mode: the folder of the materials database's journal; null = <c>.database</c> inside
    /// <see cref="ResultsFolder"/>. (PostgreSQL mode keeps the database in PostgreSQL.)
    /// </summary>
    public string? DatabaseFolder { get; init; }

    /// <summary>The embedded database folder in effect.</summary>
    public string DatabaseFolderInEffect => DatabaseFolder ?? Path.Combine(ResultsFolder, ".database");

    /// <summary>Largest contribution body (CSV, JSON or Parquet of up to 100,000 rows).</summary>
    public long MaxContributionBytes { get; init; } = 64_000_000;

    /// <summary>Hangfire workers in this process (each runs one job at a time on one thread); 0 = none (API only).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Queues this node's workers take jobs from, highest priority first.</summary>
    public IReadOnlyList<string> Queues { get; init; } = ["critical", "default", "low"];

    /// <summary>Candidates per chunk job.</summary>
    public long ChunkSize { get; init; } = 100_000;

    /// <summary>Largest space (candidates after the chemical filters) one screening may have.</summary>
    public long MaxCandidates { get; init; } = 200_000_000;

    /// <summary>
    /// Largest space before the chemical filters (reduced compositions, a closed-form count) the service will count.
    /// Counting runs at tens of millions per second per core, so the default bounds a count to a few minutes.
    /// </summary>
    public long MaxRawCompositions { get; init; } = 10_000_000_000;

    /// <summary>Queued or running screenings a tenant may have at once.</summary>
    public int MaxActivePerTenant { get; init; } = 4;

    /// <summary>Requests per minute per API key (per client address for callers without a valid key).</summary>
    public int RequestsPerMinute { get; init; } = 600;

    /// <summary>Unknown API keys one client address may try per minute before further tries are refused without a lookup.</summary>
    public int FailedKeyLookupsPerMinute { get; init; } = 30;

    /// <summary>Largest request body (JSON, YAML).</summary>
    public long MaxBodyBytes { get; init; } = 1_000_000;

    /// <summary>Largest multipart request (a spec with an uploaded candidate list).</summary>
    public long MaxUploadBytes { get; init; } = 256_000_000;

    /// <summary>Result rows the explorer keeps indexed in memory on this node (all screenings together); older results are read again when asked for.</summary>
    public long ExplorerRows { get; init; } = 10_000_000;

    /// <summary>Formulas one <c>POST /predict</c> may carry.</summary>
    public int MaxPredictFormulas { get; init; } = 10_000;

    /// <summary><c>POST /predict</c> requests computed at once on this node; more wait in a short queue, then get 503.</summary>
    public int PredictConcurrency { get; init; } = Environment.ProcessorCount;

    /// <summary>Predict requests that may wait for a free slot.</summary>
    public int PredictQueue { get; init; } = 2 * Environment.ProcessorCount;

    /// <summary>After this long without a heartbeat, a job fetched by a dead worker is handed to another (PostgreSQL mode).</summary>
    public TimeSpan InvisibilityTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Delays before the retries of a failed job; a job fails its screening after <c>RetryDelays.Count</c> retries.</summary>
    public IReadOnlyList<TimeSpan> RetryDelays { get; init; } = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10)];

    /// <summary>How often a node looks for screenings whose jobs vanished or never started.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a screening may wait for a job that was never enqueued (its submitting or planning process died) before
    /// the sweeper enqueues it; longer than any submission takes.
    /// </summary>
    public TimeSpan SweepGrace { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Lifetime of a browser session (the cookie a key is exchanged for).</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(8);

    /// <summary>Refuses options no node could run with, naming each.</summary>
    /// <exception cref="InvalidOptionException">One or more options are out of range.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        void Check(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }

        Check(ChunkSize >= 1, $"--chunk-size must be at least 1, not {ChunkSize}");
        Check(Workers >= 0, $"--workers must be 0 (API only) or more, not {Workers}");
        Check(ExplorerRows >= 1, "the explorer's row budget must be at least 1");
        Check(Queues.Count > 0 && Queues.All(q => q.Length > 0 && q.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')), "--queues must name at least one queue, each lowercase letters, digits or '_'");
        Check(MaxCandidates >= 1, $"--max-candidates must be at least 1, not {MaxCandidates}");
        Check(MaxRawCompositions >= MaxCandidates, "the raw-composition limit must be at least --max-candidates");
        Check(MaxActivePerTenant >= 1, $"the active screenings per tenant must be at least 1, not {MaxActivePerTenant}");
        Check(RequestsPerMinute >= 1 && FailedKeyLookupsPerMinute >= 1, "rate limits must be at least 1 per minute");
        Check(MaxBodyBytes >= 1_024 && MaxUploadBytes >= MaxBodyBytes, "body limits must be at least 1 kB, the upload limit at least the body limit");
        Check(MaxPredictFormulas >= 1 && PredictConcurrency >= 1 && PredictQueue >= 0, "predict limits must be positive");
        Check(InvisibilityTimeout >= TimeSpan.FromSeconds(5), "--invisibility-timeout must be at least 5 seconds");
        Check(RetryDelays.All(d => d >= TimeSpan.Zero) && RetryDelays.Count <= 10, "retry delays must be zero or more, at most 10 of them");
        Check(SweepInterval > TimeSpan.Zero && SweepGrace >= TimeSpan.Zero && SessionLifetime > TimeSpan.Zero, "sweep interval and session lifetime must be positive");
        Check(Uri.TryCreate(Urls.Split(';')[0], UriKind.Absolute, out _), $"--urls '{Urls}' is not an absolute URL like http://127.0.0.1:5080");
        if (problems.Count > 0)
        {
            throw new InvalidOptionException("Cannot start the service: " + string.Join("; ", problems) + ".");
        }
    }

    /// <summary>
    /// These options with <paramref name="maxCandidates"/> as the candidate limit; the limit before the chemical filters
    /// rises with it when it would be lower, since every candidate is one raw composition.
    /// </summary>
    public ServiceOptions WithMaxCandidates(long maxCandidates) =>
        this with { MaxCandidates = maxCandidates, MaxRawCompositions = Math.Max(MaxRawCompositions, maxCandidates) };

    /// <summary>The retry delays in seconds, for messages.</summary>
    internal string RetryText => string.Join(", ", RetryDelays.Select(d => d.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s"));
}
