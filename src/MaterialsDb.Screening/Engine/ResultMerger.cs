namespace MaterialsDb.Screening.Engine;

/// <summary>
/// Combines the parts of a screening run in chunks into the result one run would give: ranking is a total order, so
/// the top <c>k</c> of the union of each chunk's top <c>k</c> is the global top <c>k</c>; Pareto fronts are assigned
/// over every part's survivors.
/// </summary>
public static class ResultMerger
{
    /// <summary>Merges <paramref name="parts"/> (each chunk's rows) with the chunks' stage counts.</summary>
    public static ScreeningResult Merge(ScreeningPlan plan, IEnumerable<IReadOnlyList<CandidateRow>> parts, long processed, long survivors, IReadOnlyList<StageReport> stages, IReadOnlyList<CandidateError> errors, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(parts);
        List<CandidateRow> rows;
        if (plan.Ranking.IsPareto)
        {
            rows = [.. parts.SelectMany(p => p)];
            plan.Ranking.AssignFronts(rows);
            rows.Sort(plan.Ranking);
            if (rows.Count > plan.Spec.Top)
            {
                rows = rows[..plan.Spec.Top];
            }
        }
        else
        {
            var top = new TopK(plan.Spec.Top, plan.Ranking);
            foreach (var row in parts.SelectMany(p => p))
            {
                top.Add(row);
            }

            rows = top.Sorted();
        }

        return new ScreeningResult(plan, rows, processed, survivors, stages, errors, elapsed);
    }
}
