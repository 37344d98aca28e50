namespace MaterialsDb.Chemistry;

/// <summary>Why a formula failed to parse.</summary>
public enum FormulaErrorKind
{
    /// <summary>Parsed without error.</summary>
    None = 0,

    /// <summary>The formula is empty or only white space.</summary>
    Empty,

    /// <summary>A symbol that is not an element (symbols are case-sensitive: <c>FE</c> is F then E).</summary>
    UnknownElement,

    /// <summary>An opening bracket without its closing one, a closing one without an opening one, or a mismatched pair.</summary>
    UnbalancedBracket,

    /// <summary>A group with nothing inside, such as <c>()</c>.</summary>
    EmptyGroup,

    /// <summary>An amount or multiplier that is not a finite number (<c>Fe1.2.3</c>, <c>Fe1e</c>, <c>Fe-2</c>).</summary>
    InvalidAmount,

    /// <summary>A character that cannot appear where it stands.</summary>
    UnexpectedCharacter,

    /// <summary>The amounts add up to zero or less.</summary>
    NonPositiveTotal,

    /// <summary>The formula is longer than <see cref="FormulaParser.MaxLength"/> characters.</summary>
    TooLong,
}
