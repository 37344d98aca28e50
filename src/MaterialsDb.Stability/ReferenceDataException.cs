namespace MaterialsDb.Stability;

/// <summary>Reference entries that cannot be used: duplicated ids, non-finite energies, unparseable formulas.</summary>
public sealed class ReferenceDataException(string message) : MaterialsDbException(message);
