namespace MaterialsDb.Screening.Engine;

/// <summary>A candidate that passed every constraint: its place in the candidate stream, composition and quantities.</summary>
public sealed class CandidateRow(long sequence, byte[] atomicNumbers, double[] amounts, double[] values, string? sourceFormula)
{
    /// <summary>Position in the candidate stream (enumeration order or list row); the final tie-breaker.</summary>
    public long Sequence { get; } = sequence;

    /// <summary>Atomic numbers.</summary>
    public byte[] AtomicNumbers { get; } = atomicNumbers;

    /// <summary>Amounts (enumerated coefficients, or the list's amounts).</summary>
    public double[] Amounts { get; } = amounts;

    /// <summary>Quantities in <see cref="Quantities"/> order.</summary>
    public double[] Values { get; } = values;

    /// <summary>The formula as the candidate list gave it (null for enumerated candidates).</summary>
    public string? SourceFormula { get; } = sourceFormula;

    /// <summary>Pareto front (0 = non-dominated) when ranking by Pareto fronts.</summary>
    public int Front { get; set; }
}
