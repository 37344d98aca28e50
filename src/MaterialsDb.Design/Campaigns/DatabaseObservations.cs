using MaterialsDb.Data;
using MaterialsDb.Design.Spec;

namespace MaterialsDb.Design.Campaigns;

/// <summary>
/// Turns database entries into observations: each property is read from the entry value of the same name (or the one
/// <c>observations.columns</c> maps it to); an entry with none of them is not an observation. Units must agree — with
/// the objective's units when the spec gives them, else among the entries — because a surrogate fitted on MPa and GPa
/// together is wrong without a word.
/// </summary>
public static class DatabaseObservations
{
    /// <summary>The observations in the entries.</summary>
    /// <exception cref="InputDataException">No entry holds a property, or units disagree (the entries are named).</exception>
    public static ObservationRows Rows(DatabaseRecords read, DatabaseObservationQuery query, IReadOnlyList<string> properties, IReadOnlyDictionary<string, string> columns, IReadOnlyDictionary<string, string?> units)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(properties);
        var valueOf = properties.Select(p => columns.GetValueOrDefault(p) ?? p).ToArray();
        var formulas = new List<string>();
        var values = new List<double[]>();
        var seen = new string?[properties.Count];
        var firstWith = new string?[properties.Count];
        var problems = new List<string>();
        foreach (var record in read.Records)
        {
            var row = new double[properties.Count];
            var any = false;
            for (var p = 0; p < properties.Count; p++)
            {
                row[p] = double.NaN;
                if (!record.Values.TryGetValue(valueOf[p], out var v))
                {
                    continue;
                }

                var expected = units.GetValueOrDefault(properties[p]) ?? seen[p];
                if (expected is not null && v.Unit != expected)
                {
                    problems.Add($"{record.Id} gives {valueOf[p]} in '{v.Unit}', not '{expected}'{(seen[p] is null || units.GetValueOrDefault(properties[p]) is not null ? string.Empty : $" as {firstWith[p]} does")}");
                    continue;
                }

                (seen[p], firstWith[p]) = (v.Unit, firstWith[p] ?? record.Id);
                row[p] = v.Value;
                any = true;
            }

            if (any)
            {
                formulas.Add(record.Formula);
                values.Add(row);
            }
        }

        var where = $"observations.database (scheme {query.Scheme}{(query.Chemsys ?? query.Elements ?? query.Formula) switch { null => string.Empty, var q => $", {q}" }}, version {read.Version})";
        if (problems.Count > 0)
        {
            throw new InputDataException($"{where}: units disagree: {string.Join("; ", problems.Take(5))}{(problems.Count > 5 ? $"; and {problems.Count - 5} more" : string.Empty)}.");
        }

        if (formulas.Count == 0)
        {
            throw new InputDataException($"{where}: {read.Records.Count:N0} entries match, none with a value for {string.Join(", ", properties.Select((p, i) => valueOf[i] == p ? p : $"{p} (as '{valueOf[i]}')"))}.");
        }

        return new ObservationRows(formulas, values, [], read.Version);
    }
}
