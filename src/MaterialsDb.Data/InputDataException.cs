namespace MaterialsDb.Data;

/// <summary>An input file or table that cannot be used: empty, malformed, a missing column, a bad row. The message names the file and the line or column.</summary>
public sealed class InputDataException(string message, Exception? inner = null) : MaterialsDbException(message, inner);
