using MaterialsDb.Design.Spec;

namespace MaterialsDb.Design.Campaigns;

/// <summary>
/// A campaign's history as a table, a row per round (round 0: the initial data): proposals and results, the best
/// observation so far per objective (for a window: observations inside it so far), and per objective the surrogate's
/// error on the results reported for that round's proposals (mean absolute error, share within ±1σ).
/// </summary>
public sealed record CampaignHistory(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows)
{
    /// <summary>The history of <paramref name="state"/>.</summary>
    public static CampaignHistory Of(CampaignSpec spec, CampaignState state)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(state);
        var columns = new List<string> { "round", "proposed", "reported", "observations" };
        foreach (var o in spec.Objectives)
        {
            columns.Add(o.Goal == Goal.Window ? $"{o.Property} in window" : $"best {o.Property}");
            columns.Add($"{o.Property} MAE");
            columns.Add($"{o.Property} within 1σ");
        }

        var rows = new List<object?[]>();
        for (var r = 0; r <= state.Rounds.Count; r++)
        {
            var round = r == 0 ? null : state.Rounds[r - 1];
            var seen = state.Observations.Where(x => x.Round <= r).ToList();
            var row = new List<object?>
            {
                r,
                round?.Proposals.Count ?? 0,
                round?.Proposals.Count(p => p.Reported is not null) ?? 0,
                seen.Count,
            };
            foreach (var o in spec.Objectives)
            {
                var values = seen.Select(x => x.Values.GetValueOrDefault(o.Property)).OfType<double>().ToList();
                row.Add(o.Goal switch
                {
                    _ when values.Count == 0 => null,
                    Goal.Max => values.Max(),
                    Goal.Min => values.Min(),
                    _ => values.Count(v => v >= o.Low && v <= o.High),
                });
                var answered = round?.Proposals.Where(p => p.Reported?.GetValueOrDefault(o.Property) is not null).ToList() ?? [];
                row.Add(answered.Count == 0 ? null : Math.Round(answered.Average(p => Math.Abs(p.Reported![o.Property]!.Value - p.Mean[o.Property])), 6));
                row.Add(answered.Count == 0 ? null : Math.Round(answered.Average(p => Math.Abs(p.Reported![o.Property]!.Value - p.Mean[o.Property]) <= p.Std[o.Property] ? 1.0 : 0.0), 3));
            }

            rows.Add([.. row]);
        }

        return new CampaignHistory(columns, rows);
    }
}
