namespace MaterialsDb.Chemistry;

/// <summary>The outcome of a failed parse: what went wrong and at which character (0-based).</summary>
public readonly record struct FormulaError(FormulaErrorKind Kind, int Position, string Detail)
{
    /// <summary>True when this describes an actual error.</summary>
    public bool IsError => Kind != FormulaErrorKind.None;

    /// <summary>One line naming the position and the problem, e.g. <c>at position 1: 'E' is not an element</c>.</summary>
    public string Message => $"at position {Position}: {Detail}";

    /// <inheritdoc />
    public override string ToString() => Message;
}
