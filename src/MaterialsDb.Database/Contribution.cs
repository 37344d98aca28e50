namespace MaterialsDb.Database;

/// <summary>One contributed row as read from JSON, CSV or Parquet, before validation; null = not given.</summary>
public sealed record ContributionRow
{
    public string? Formula { get; init; }

    /// <summary>Formation energy, eV/atom (required).</summary>
    public double? EFormPerAtom { get; init; }

    public string? Scheme { get; init; }

    public string? SourceKind { get; init; }

    public string? Visibility { get; init; }

    /// <summary>Total energy, eV/atom.</summary>
    public double? TotalEnergyPerAtom { get; init; }

    /// <summary>Band gap, eV.</summary>
    public double? BandGap { get; init; }

    public IReadOnlyDictionary<string, PropertyValue>? Properties { get; init; }

    public MethodInfo? Method { get; init; }

    public string? Label { get; init; }

    public string? Reference { get; init; }

    public string? Licence { get; init; }

    public string? Contributor { get; init; }
}

/// <summary>Values for the whole batch, used where a row gives none (query parameters, CLI options).</summary>
public sealed record ContributionDefaults
{
    public string? Scheme { get; init; }

    public string? SourceKind { get; init; }

    /// <summary>Private unless said otherwise.</summary>
    public string? Visibility { get; init; }

    public string? Label { get; init; }

    public string? Reference { get; init; }

    public string? Licence { get; init; }

    public string? Contributor { get; init; }
}

/// <summary>The ids a contribution was given and the database version that holds it.</summary>
/// <param name="Ids">One id per row, in row order.</param>
/// <param name="Version">The version of the change.</param>
/// <param name="Replayed">True when the idempotency key had been used with the same body: nothing new was stored.</param>
public sealed record ContributionResult(IReadOnlyList<string> Ids, long Version, bool Replayed = false);

/// <summary>A retry-safety key of a contribution and the hash of the body it came with.</summary>
public sealed record IdempotencyKey(string Key, string BodySha256);

/// <summary>A change to an entry by its owner (null fields stay as they are).</summary>
public sealed record MaterialChange
{
    public double? EFormPerAtom { get; init; }

    public double? TotalEnergyPerAtom { get; init; }

    public double? BandGap { get; init; }

    public IReadOnlyDictionary<string, PropertyValue>? Properties { get; init; }

    public MethodInfo? Method { get; init; }

    public string? Visibility { get; init; }

    public string? Reference { get; init; }

    public string? Licence { get; init; }

    public string? Label { get; init; }

    public string? Contributor { get; init; }

    /// <summary>When given, the change is refused unless the entry is still at this revision (lost-update guard).</summary>
    public int? ExpectedRevision { get; init; }
}
