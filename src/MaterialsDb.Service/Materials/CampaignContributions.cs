using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using MaterialsDb.Database;
using MaterialsDb.Design.Campaigns;

namespace MaterialsDb.Service.Materials;

/// <summary>A campaign's contribution: the entries made (one per result), the database version, whether it was replayed.</summary>
public sealed record CampaignContribution(IReadOnlyList<string> Ids, long Version, bool Replayed);

/// <summary>
/// Contributes a campaign's reported results to the shared materials database, with their provenance: one entry per
/// result, owned by the caller, labelled with the campaign, its round in the method settings. A property named like an
/// entry field (<c>e_form_per_atom</c>, <c>band_gap</c>, <c>total_energy_per_atom</c>) fills that field; any other is
/// a typed property with the objective's units. The campaign records what it contributed, so a result goes in once;
/// the contribution carries an idempotency key made from the results it holds, so a contribution cut off between the
/// database and the campaign's record is replayed, not stored twice.
/// </summary>
public static class CampaignContributions
{
    private static readonly Dictionary<string, string> FieldUnits = new(StringComparer.Ordinal)
    {
        ["e_form_per_atom"] = "eV/atom",
        ["total_energy_per_atom"] = "eV/atom",
        ["band_gap"] = "eV",
    };

    /// <summary>Contributes every reported result of the campaign in <paramref name="folder"/> not contributed before.</summary>
    /// <param name="folder">The campaign folder.</param>
    /// <param name="database">The shared database.</param>
    /// <param name="viewer">Who contributes (the entries' owner).</param>
    /// <param name="defaults">What the batch is filed under: scheme, visibility, licence, reference, label (default <c>design campaign &lt;name&gt;</c>), contributor.</param>
    /// <param name="units">Property → unit, for properties whose objective names no units.</param>
    /// <param name="cancellationToken">Stops the contribution before it is stored.</param>
    /// <exception cref="CampaignException">Nothing to contribute, or a property has no unit.</exception>
    /// <exception cref="ContributionException">A result is not a valid entry (each is named by its observation and formula).</exception>
    public static async Task<CampaignContribution> ContributeAsync(string folder, MaterialsDatabase database, Viewer viewer, ContributionDefaults defaults, IReadOnlyDictionary<string, string>? units = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(defaults);
        var (full, spec, state) = await CampaignRunner.LoadAsync(folder, cancellationToken).ConfigureAwait(false);
        var pending = CampaignRunner.UncontributedResults(state);
        if (pending.Count == 0)
        {
            var reported = state.Observations.Count(o => o.Source == "reported");
            throw new CampaignException(reported == 0
                ? "The campaign has no reported results to contribute; report them first ('design report')."
                : $"Nothing new to contribute: the campaign's {reported:N0} reported result(s) were contributed already.");
        }

        var unitOf = UnitsOf(state.Properties, spec.Objectives.ToDictionary(o => o.Property, o => o.Units), units);
        defaults = defaults with { Label = defaults.Label ?? $"design campaign {state.Name}" };
        var ids = new List<string>(pending.Count);
        var version = 0L;
        var replayed = false;
        foreach (var part in pending.Chunk(ContributionValidator.MaxRows))
        {
            var rows = part.Select(i => Row(state, i, unitOf)).ToArray();

            // The key names the results; the body's hash covers what is filed, so the same results sent again with other
            // settings are refused rather than stored twice.
            var key = string.Create(CultureInfo.InvariantCulture, $"design:{state.SpecSha256[..16]}:{state.Created.UtcTicks}:{part[0]}:{part.Length}");
            var body = Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(new { rows, defaults })));
            ContributionResult result;
            try
            {
                result = await database.ContributeAsync(rows, defaults, viewer, new IdempotencyKey(key, body), cancellationToken).ConfigureAwait(false);
            }
            catch (ContributionException e)
            {
                throw Renamed(e, state, part);
            }
            catch (EntryConflictException)
            {
                throw new CampaignException("These results were contributed before with other settings (scheme, visibility, licence, reference, label or units), but the campaign did not record it; contribute them with the same settings to record that contribution.");
            }

            await CampaignRunner.RecordContributionAsync(full, new ContributionRecord { Observations = [.. part], Ids = [.. result.Ids], DatabaseVersion = result.Version, Scheme = defaults.Scheme!, Created = DateTimeOffset.UtcNow }, cancellationToken).ConfigureAwait(false);
            ids.AddRange(result.Ids);
            (version, replayed) = (result.Version, replayed || result.Replayed);
        }

        return new CampaignContribution(ids, version, replayed);
    }

    // Every property needs a unit: the option's, else its objective's, else the fixed one of an entry field.
    private static Dictionary<string, string> UnitsOf(IReadOnlyList<string> properties, Dictionary<string, string?> objectiveUnits, IReadOnlyDictionary<string, string>? given)
    {
        if (given?.Keys.FirstOrDefault(k => !properties.Contains(k)) is { } unknown)
        {
            throw new CampaignException($"--unit names '{unknown}', which is not a property of this campaign ({string.Join(", ", properties)}).");
        }

        var units = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in properties)
        {
            var unit = given?.GetValueOrDefault(p) ?? objectiveUnits.GetValueOrDefault(p) ?? FieldUnits.GetValueOrDefault(p);
            if (string.IsNullOrWhiteSpace(unit))
            {
                throw new CampaignException($"Property '{p}' has no unit: give one with --unit {p}=<unit> (the API's 'units'), or 'units' in its objective.");
            }

            if (FieldUnits.TryGetValue(p, out var fixedUnit) && unit != fixedUnit)
            {
                throw new CampaignException($"Property '{p}' is the entries' {p} field, which is in {fixedUnit}, not '{unit}'.");
            }

            units[p] = unit;
        }

        return units;
    }

    private static ContributionRow Row(CampaignState state, int index, Dictionary<string, string> units)
    {
        var o = state.Observations[index];
        var measured = o.Values.Where(v => v.Value is not null).ToDictionary(v => v.Key, v => v.Value!.Value, StringComparer.Ordinal);
        var properties = measured.Where(v => !FieldUnits.ContainsKey(v.Key)).ToDictionary(v => v.Key, v => new PropertyValue(v.Value, units[v.Key]), StringComparer.Ordinal);
        var settings = JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["campaign"] = state.Name, ["campaign_round"] = o.Round, ["spec_sha256"] = state.SpecSha256 });
        return new ContributionRow
        {
            Formula = o.Formula,
            EFormPerAtom = measured.TryGetValue("e_form_per_atom", out var e) ? e : null,
            TotalEnergyPerAtom = measured.TryGetValue("total_energy_per_atom", out var t) ? t : null,
            BandGap = measured.TryGetValue("band_gap", out var g) ? g : null,
            Properties = properties.Count > 0 ? properties : null,
            Method = new MethodInfo(Settings: settings),
        };
    }

    // The validator counts rows of the batch; the user knows the results by observation and formula.
    private static ContributionException Renamed(ContributionException e, CampaignState state, int[] part)
    {
        var problems = e.Problems.Select(p => p with { Field = Rename(p.Field, state, part) }).ToList();
        var shown = string.Join("; ", problems.Take(5));
        return new ContributionException($"The campaign's results were refused, nothing was stored: {shown}{(problems.Count > 5 ? "; …" : string.Empty)}.", problems);
    }

    private static string Rename(string field, CampaignState state, int[] part)
    {
        if (!field.StartsWith("row ", StringComparison.Ordinal))
        {
            return field;
        }

        var end = field.IndexOf(':', StringComparison.Ordinal);
        var digits = end < 0 ? field[4..] : field[4..end];
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var row) && row >= 1 && row <= part.Length
            ? string.Create(CultureInfo.InvariantCulture, $"observation {part[row - 1] + 1} ({state.Observations[part[row - 1]].Formula}){(end < 0 ? string.Empty : field[end..])}")
            : field;
    }
}
