namespace MaterialsDb.Chemistry;

/// <summary>Thrown by <see cref="FormulaParser.Parse(string)"/> for a formula that cannot be read.</summary>
public sealed class FormulaException : FormatException
{
    /// <summary>Creates the exception for <paramref name="formula"/>.</summary>
    public FormulaException(string formula, FormulaError error)
        : base($"Invalid formula '{formula}' {error.Message}.")
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
}
