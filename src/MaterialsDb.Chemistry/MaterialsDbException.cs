namespace MaterialsDb;

/// <summary>
/// A failure the user can fix from the message alone: bad input (a formula, a file, a spec), an unknown id, a refused
/// option. Every user-facing error of MaterialsDb derives from this type, so front ends (CLI, service) report these as
/// one-line errors and treat anything else as a bug with its stack trace.
/// </summary>
public class MaterialsDbException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MaterialsDbException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with one problem per field.</summary>
    public MaterialsDbException(string message, IReadOnlyList<FieldProblem> problems, Exception? inner = null)
        : base(message, inner)
    {
        Problems = problems ?? [];
    }

    /// <summary>The problems by field (a spec path, a column, an option); empty when the message says it all.</summary>
    public IReadOnlyList<FieldProblem> Problems { get; } = [];
}

/// <summary>One problem of an input, with the path of the field it concerns (<c>candidates.enumerate.elements</c>, <c>--threads</c>, <c>row 12: formula</c>).</summary>
/// <param name="Field">Where the problem is.</param>
/// <param name="Message">What is wrong there.</param>
public sealed record FieldProblem(string Field, string Message)
{
    /// <summary>Splits <c>"field: message"</c> at its first <c>": "</c>; a text without one concerns the whole document.</summary>
    public static FieldProblem Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 ? new FieldProblem(text[..colon], text[(colon + 2)..]) : new FieldProblem("(document)", text);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>
/// A command or library call given options it cannot use (a value out of range, options that exclude each other). The
/// CLI reports it as a usage error (exit code 2).
/// </summary>
public sealed class InvalidOptionException(string message) : MaterialsDbException(message);
