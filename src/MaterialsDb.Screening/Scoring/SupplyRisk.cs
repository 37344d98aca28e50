using MaterialsDb.Chemistry;

namespace MaterialsDb.Screening.Scoring;

/// <summary>
/// Supply risk of a composition as the mass-fraction-weighted Herfindahl–Hirschman index of its elements' production
/// (HHIp) or reserves (HHIr), after Gaultois et al., Chem. Mater. 25, 2911 (2013). 0 … 10,000; higher means the
/// element's supply is concentrated in fewer countries. An element without a value makes the index NaN.
/// </summary>
public sealed class SupplyRisk
{
    private readonly double[] _production;
    private readonly double[] _reserves;

    /// <summary>Creates the scorer from HHI tables indexed by Z − 1 (NaN where unknown).</summary>
    public SupplyRisk(double[] productionByZ, double[] reservesByZ)
    {
        ArgumentNullException.ThrowIfNull(productionByZ);
        ArgumentNullException.ThrowIfNull(reservesByZ);
        _production = productionByZ;
        _reserves = reservesByZ;
    }

    /// <summary>Mass-weighted HHI of production.</summary>
    public double Production(ReadOnlySpan<byte> atomicNumbers, ReadOnlySpan<double> amounts) => Weighted(_production, atomicNumbers, amounts);

    /// <summary>Mass-weighted HHI of reserves.</summary>
    public double Reserves(ReadOnlySpan<byte> atomicNumbers, ReadOnlySpan<double> amounts) => Weighted(_reserves, atomicNumbers, amounts);

    private static double Weighted(double[] table, ReadOnlySpan<byte> z, ReadOnlySpan<double> amounts)
    {
        double mass = 0, weighted = 0;
        for (var i = 0; i < z.Length; i++)
        {
            var m = amounts[i] * PeriodicTable.FromZ(z[i]).AtomicMassU;
            var h = z[i] - 1 < table.Length ? table[z[i] - 1] : double.NaN;
            mass += m;
            weighted += m * h;
        }

        return weighted / mass;
    }
}
