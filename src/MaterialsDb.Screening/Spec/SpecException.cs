namespace MaterialsDb.Screening.Spec;

/// <summary>A screening spec that cannot be run; each problem names its field (<c>candidates.enumerate.n_elements</c>).</summary>
public sealed class SpecException(IReadOnlyList<string> problems)
    : FormatException($"Invalid screening spec: {string.Join("; ", problems)}.")
{
    /// <summary>One entry per problem, each starting with the field path.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}
