namespace MaterialsDb.Database;

/// <summary>
/// A family of formation energies that may be compared with each other (one code, functional family and set of
/// corrections). A hull only ever mixes entries of one scheme: energies of different functionals or codes are not
/// comparable without explicit corrections.
/// </summary>
/// <param name="Name">The id contributions name.</param>
/// <param name="Kind">The only source kind whose values the scheme holds.</param>
/// <param name="Description">What the energies are.</param>
/// <param name="CatalogDataset">The catalog dataset imported under this scheme, if any.</param>
/// <param name="CatalogLicence">SPDX id of that dataset's data licence.</param>
public sealed record EnergyScheme(string Name, SourceKind Kind, string Description, string? CatalogDataset = null, string? CatalogLicence = null)
{
    /// <summary>True when hulls may be built from the scheme (DFT schemes only).</summary>
    public bool HasHulls => Kind == SourceKind.Dft;
}

/// <summary>The known schemes (<c>GET /api/v1/schemes</c>, docs/database.md).</summary>
public static class EnergySchemes
{
    /// <summary>
    /// Largest |formation energy| a contribution may carry, eV/atom: known compounds lie within about ±5 (Materials
    /// Project −4.6 to +2.5); beyond ±10 the value is a unit error (per formula unit, kJ/mol).
    /// </summary>
    public const double MaxAbsFormationEnergy = Stability.PhaseEntrySet.MaxAbsFormationEnergyEvPerAtom;

    /// <summary>Every scheme, by name.</summary>
    public static IReadOnlyList<EnergyScheme> All { get; } =
    [
        new("mp2020", SourceKind.Dft, "Materials Project GGA/GGA+U formation energies per atom with the MP2020 anion and Hubbard-U corrections (the catalog's mp_e_form).", "mp_e_form", "CC-BY-4.0"),
        new("oqmd", SourceKind.Dft, "OQMD formation enthalpies per atom: GGA (PBE) and GGA+U with OQMD's fitted elemental chemical potentials.", "oqmd_formation_enthalpy", "CC-BY-4.0"),
        new("r2scan", SourceKind.Dft, "r2SCAN meta-GGA formation energies per atom against r2SCAN elemental references, without empirical corrections."),
        new("experiment", SourceKind.Experiment, "Measured values: standard formation enthalpies per atom (calorimetry and similar), band gaps and other measured properties; never mixed into a DFT hull."),
        new("ml", SourceKind.Ml, "Machine-learned predictions (formation energy per atom or other properties); never mixed into a DFT hull."),
    ];

    /// <summary>The scheme called <paramref name="name"/>, or null.</summary>
    public static EnergyScheme? Find(string? name) => All.FirstOrDefault(s => s.Name == name);

    /// <summary>The scheme a catalog dataset is imported under, or null.</summary>
    public static EnergyScheme? ForCatalog(string datasetId) => All.FirstOrDefault(s => s.CatalogDataset == datasetId);
}
