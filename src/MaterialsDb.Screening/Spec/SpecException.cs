namespace MaterialsDb.Screening.Spec;

/// <summary>A screening spec that cannot be run; each problem names its field (<c>candidates.enumerate.n_elements</c>).</summary>
public sealed class SpecException(IReadOnlyList<string> problems)
    : MaterialsDbException($"Invalid screening spec: {string.Join("; ", problems)}.", [.. problems.Select(FieldProblem.Parse)])
{
    /// <summary>One entry per problem, each starting with the field path (<c>"field: problem"</c>).</summary>
    public IReadOnlyList<string> Texts { get; } = problems;
}
