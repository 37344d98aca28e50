namespace MaterialsDb.Data.Catalog;

/// <summary>How a dataset's files are laid out.</summary>
/// <param name="Kind"><c>csv</c>, <c>element-table</c>, <c>smact-oxidation-states</c> or <c>smact-element-data</c> or <c>element-embedding</c>.</param>
/// <param name="Columns">CSV columns in file order (CSV datasets only).</param>
/// <param name="FormulaColumn">The column holding the chemical formula (CSV datasets only).</param>
/// <param name="Target">The column holding the property (CSV datasets only).</param>
/// <param name="Task"><c>regression</c> or <c>classification</c> (CSV datasets only).</param>
/// <param name="Units">Unit of each quantity, by column or property name.</param>
public sealed record DatasetFormat(
    string Kind,
    IReadOnlyList<string>? Columns,
    string? FormulaColumn,
    string? Target,
    string? Task,
    IReadOnlyDictionary<string, string> Units);
