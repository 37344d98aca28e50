namespace MaterialsDb.Chemistry;

/// <summary>A chemical element: atomic number, symbol, English name and standard atomic mass (u).</summary>
/// <remarks>
/// For elements with no stable isotope the mass is that of the longest-lived isotope, as pymatgen does.
/// Instances are the rows of <see cref="PeriodicTable"/>; compare them by <see cref="Z"/>.
/// </remarks>
public sealed record Element(int Z, string Symbol, string Name, double AtomicMassU)
{
    /// <inheritdoc />
    public override string ToString() => Symbol;
}
