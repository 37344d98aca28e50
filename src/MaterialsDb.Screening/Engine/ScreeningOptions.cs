namespace MaterialsDb.Screening.Engine;

/// <summary>How a screening runs; none of these change its result.</summary>
public sealed record ScreeningOptions
{
    /// <summary>Candidates generated before the cascade runs on them; memory is bounded by this and <c>top</c>.</summary>
    public int TileSize { get; init; } = 16_384;

    /// <summary>Worker threads (default: every core).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Skip the first this many candidates of the stream (a chunk of a distributed run starts here).</summary>
    public long Skip { get; init; }

    /// <summary>Stop after this many candidates (a sample, or a chunk's size); null = all.</summary>
    public long? Limit { get; init; }

    /// <summary>
    /// A part of a larger run: keep every survivor when ranking by Pareto fronts (fronts need all parts) instead of
    /// ranking and cutting to <c>top</c>.
    /// </summary>
    public bool Partial { get; init; }

    /// <summary>Folder a relative <c>candidates.list</c> path is resolved against.</summary>
    public string BaseDirectory { get; init; } = Environment.CurrentDirectory;

    /// <summary>Receives a report after every tile.</summary>
    public IProgress<ScreeningProgress>? Progress { get; init; }
}

/// <summary>
/// Progress after a tile: candidates seen, the total when known, how many passed every constraint so far, and how
/// many passed each stage of the cascade so far (<see cref="ScreeningPlan.StageNames"/> order).
/// </summary>
public sealed record ScreeningProgress(long Processed, long? Total, long Survivors, IReadOnlyList<StageReport>? Stages = null);
