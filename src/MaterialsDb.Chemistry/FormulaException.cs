namespace MaterialsDb.Chemistry;

/// <summary>Thrown by <see cref="FormulaParser.Parse(string)"/> for a formula that cannot be read.</summary>
public sealed class FormulaException : MaterialsDbException
{
    /// <summary>Creates the exception for <paramref name="formula"/>.</summary>
    public FormulaException(string formula, FormulaError error)
        : base($"Invalid formula '{Shorten(formula)}' {error.Message}.")
    {
        Formula = formula;
        Error = error;
    }

    /// <summary>The text that failed.</summary>
    public string Formula { get; }

    /// <summary>What failed and where.</summary>
    public FormulaError Error { get; }

    /// <summary>Shortcut for <c>Error.Kind</c>.</summary>
    public FormulaErrorKind Kind => Error.Kind;

    /// <summary>Shortcut for <c>Error.Position</c> (0-based character index).</summary>
    public int Position => Error.Position;

    // A 10,000-character formula would drown the message; its position still points into the full text.
    private static string Shorten(string formula) => formula.Length <= 80 ? formula : string.Concat(formula.AsSpan(0, 77), "...");
}
