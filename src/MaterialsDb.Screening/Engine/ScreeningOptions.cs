namespace MaterialsDb.Screening.Engine;

/// <summary>How a screening runs; none of these change its result.</summary>
public sealed record ScreeningOptions
{
    /// <summary>Candidates generated before the cascade runs on them; memory is bounded by this and <c>top</c>.</summary>
    public int TileSize { get; init; } = 16_384;

    /// <summary>Worker threads (default: every core).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Skip the first this many candidates of the stream (of a list: rows; a chunk of a list starts here).</summary>
    public long Skip { get; init; }

    /// <summary>
    /// Resume an enumerated space at this candidate (a chunk's cursor from <see cref="Enumeration.SpacePartitioner"/>)
    /// instead of enumerating and skipping everything before it.
    /// </summary>
    public Enumeration.EnumerationCursor? Start { get; init; }

    /// <summary>
    /// Place in the whole stream of the first candidate this run screens (the ranking's last tie-break), when it is not
    /// <see cref="Skip"/>: a chunk that starts at a cursor passes its first candidate's index here.
    /// </summary>
    public long? StreamOffset { get; init; }

    /// <summary>
    /// The candidate list to read instead of resolving <c>candidates.list</c> against <see cref="BaseDirectory"/>: the
    /// service passes the file uploaded with the spec (a spec from the service never names a server path).
    /// </summary>
    public string? ListFile { get; init; }

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
