namespace MaterialsDb.Screening.Engine;

/// <summary>One stage of the cascade: candidates that passed it and the thread time spent in it.</summary>
public sealed record StageReport(string Stage, long Passed, double Seconds);

/// <summary>A candidate-list row that could not be screened.</summary>
public sealed record CandidateError(long Row, string? Formula, string Error);

/// <summary>What a screening produced: the ranked rows (best first, at most <c>top</c>) and how it got there.</summary>
public sealed record ScreeningResult(
    ScreeningPlan Plan,
    IReadOnlyList<CandidateRow> Rows,
    long Processed,
    long Survivors,
    IReadOnlyList<StageReport> Stages,
    IReadOnlyList<CandidateError> Errors,
    TimeSpan Elapsed);
