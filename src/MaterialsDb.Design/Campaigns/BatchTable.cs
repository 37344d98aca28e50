using MaterialsDb.Chemistry;
using MaterialsDb.Data.Tables;
using MaterialsDb.Design.Rounds;
using MaterialsDb.Design.Space;
using MaterialsDb.Design.Spec;

namespace MaterialsDb.Design.Campaigns;

/// <summary>
/// A round's batch as a table: rank, formula, (continuous spaces) each element's fraction in the spec's basis and unit,
/// mean and σ per property, the constraints' probability, the acquisition value, supply risk, the reason, and (discrete
/// spaces) the screening's columns.
/// </summary>
public static class BatchTable
{
    /// <summary>Builds the table of <paramref name="proposals"/>.</summary>
    public static ColumnTable Build(CampaignSpec spec, IReadOnlyList<string> properties, IReadOnlyList<Proposal> proposals, CandidatePool? pool)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(properties);
        ArgumentNullException.ThrowIfNull(proposals);
        var table = new ColumnTable([
            new LongColumn("rank", [.. proposals.Select(p => (long)p.Rank)]),
            new StringColumn("formula", [.. proposals.Select(p => p.Formula)]),
        ]);
        if (spec.Continuous is { } space)
        {
            var basis = $"{(space.WeightBasis ? "weight" : "atomic")}_{(space.Percent ? "percent" : "fraction")}";
            var elements = space.Elements.Select(e => e.Z).Append(space.Balance).ToArray();
            for (var d = 0; d < elements.Length; d++)
            {
                var at = d;
                table.Add(new DoubleColumn($"{basis}_{PeriodicTable.FromZ(elements[d]).Symbol}", [.. proposals.Select(p => p.BasisFractions is { } b ? Math.Round(b[at], 9) : double.NaN)]));
            }
        }

        for (var i = 0; i < properties.Count; i++)
        {
            var at = i;
            table.Add(new DoubleColumn(properties[i] + "_mean", [.. proposals.Select(p => p.Mean[at])]));
            table.Add(new DoubleColumn(properties[i] + "_std", [.. proposals.Select(p => p.Std[at])]));
        }

        if (spec.Constraints.Count > 0)
        {
            table.Add(new DoubleColumn("p_constraints", [.. proposals.Select(p => p.ConstraintProbability)]));
        }

        table.Add(new DoubleColumn("acquisition", [.. proposals.Select(p => p.Acquisition)]));
        table.Add(new DoubleColumn("hhi_production", [.. proposals.Select(p => p.HhiProduction)]));
        table.Add(new DoubleColumn("hhi_reserve", [.. proposals.Select(p => p.HhiReserve)]));
        table.Add(new StringColumn("reason", [.. proposals.Select(p => p.Reason)]));
        if (pool?.Extras is { } extras)
        {
            foreach (var column in extras.Columns.OfType<DoubleColumn>())
            {
                table.Add(new DoubleColumn(column.Name, [.. proposals.Select(p => p.PoolRow >= 0 ? column.Values[p.PoolRow] : double.NaN)]));
            }
        }

        return table;
    }
}
