using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MaterialsDb.Chemistry;
using MaterialsDb.Data;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Data.Tables;
using MaterialsDb.Design.Rounds;
using MaterialsDb.Design.Space;
using MaterialsDb.Design.Spec;
using MaterialsDb.Features;
using MaterialsDb.Models.ElementSources;
using MaterialsDb.Models.Packages;
using MaterialsDb.Screening.Scoring;
using MaterialsDb.Screening.Spec;

namespace MaterialsDb.Design.Campaigns;

/// <summary>A campaign that cannot take the step asked of it (already started, nothing left to propose, a file reported twice).</summary>
public sealed class CampaignException(string message) : MaterialsDbException(message);

/// <summary>What a report added.</summary>
/// <param name="Added">Observations added.</param>
/// <param name="Matched">Of those, answers to proposals.</param>
/// <param name="Ignored">Columns of the file that are no property.</param>
public sealed record ReportSummary(int Added, int Matched, IReadOnlyList<string> Ignored);

/// <summary>
/// Runs a campaign kept in a folder: <c>campaign.yaml</c> (the spec as given), <c>state.json</c> (observations, rounds,
/// reports; replaced atomically after every step), a CSV and a Parquet file per round's batch, and
/// <c>observations.csv</c>. Every step is deterministic under the spec's seed, so a step cut short by a crash is simply
/// run again and gives the same batch.
/// </summary>
/// <param name="store">Catalog datasets (element data, observations of a catalog dataset).</param>
/// <param name="registry">Shipped models (a discrete space's screening).</param>
/// <param name="database">The shared materials database, for campaigns whose observations are a query of it.</param>
public sealed class CampaignRunner(DatasetStore store, ModelRegistry registry, IObservationDatabase? database = null)
{
    /// <summary>The spec file in a campaign folder.</summary>
    public const string SpecFile = "campaign.yaml";

    /// <summary>The state file in a campaign folder.</summary>
    public const string StateFile = "state.json";

    /// <summary>The observations export in a campaign folder.</summary>
    public const string ObservationsFile = "observations.csv";

    /// <summary>Most observations a campaign holds.</summary>
    public const int MaxObservations = 200_000;

    /// <summary>Starts a campaign in <paramref name="folder"/> and proposes its first batch.</summary>
    /// <param name="specText">The campaign spec.</param>
    /// <param name="specDirectory">Where the spec's relative paths start.</param>
    /// <param name="folder">The campaign folder: new, empty, or left by a start that did not finish.</param>
    /// <param name="cancellationToken">Stops the step; nothing is saved.</param>
    public async Task<RoundRecord> StartAsync(string specText, string specDirectory, string folder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(specText);
        var spec = CampaignSpecParser.Parse(specText);
        var full = Path.GetFullPath(folder);
        var specPath = Path.Combine(full, SpecFile);
        if (File.Exists(Path.Combine(full, StateFile)))
        {
            throw new CampaignException($"'{full}' already holds a campaign; use 'design next' to continue it, or choose another folder.");
        }

        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
        {
            // A start that crashed leaves the same spec and maybe batch files; anything else belongs to someone.
            if (!File.Exists(specPath) || await File.ReadAllTextAsync(specPath, cancellationToken).ConfigureAwait(false) != specText)
            {
                throw new CampaignException($"'{full}' is not empty; a campaign starts in a new or empty folder.");
            }
        }

        var observations = spec.Observations is null
            ? new ObservationRows([], [], [])
            : await ObservationLoader.LoadAsync(spec.Observations, spec.Properties, spec.Objectives.ToDictionary(o => o.Property, o => o.Units), store, database, specDirectory, spec.Seed, cancellationToken).ConfigureAwait(false);
        if (observations.Formulas.Count > MaxObservations)
        {
            throw new InputDataException($"observations: {observations.Formulas.Count:N0} rows; a campaign holds at most {MaxObservations:N0} (use 'sample').");
        }

        var now = DateTimeOffset.UtcNow;
        var state = new CampaignState
        {
            Name = spec.Name,
            SpecSha256 = Sha256(specText),
            SpecDirectory = Path.GetFullPath(specDirectory),
            Properties = [.. spec.Properties],
            Created = now,
            DatabaseVersion = observations.DatabaseVersion,
            Observations = [.. observations.Formulas.Select((f, i) => new ObservationRecord { Formula = f, Values = Values(spec.Properties, observations.Values[i]), Round = 0, Source = "initial", Added = now })],
        };
        Directory.CreateDirectory(full);
        await WriteAtomicAsync(specPath, specText, cancellationToken).ConfigureAwait(false);
        return await ProposeAsync(full, spec, state, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Proposes the next batch from every observation so far (pending proposals are never proposed again).</summary>
    public async Task<RoundRecord> NextAsync(string folder, CancellationToken cancellationToken = default)
    {
        var (full, spec, state) = await LoadAsync(folder, cancellationToken).ConfigureAwait(false);
        return await ProposeAsync(full, spec, state, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds measured or computed results: a CSV with <c>formula</c> and a column per property (empty: not measured).</summary>
    /// <param name="folder">The campaign folder.</param>
    /// <param name="resultsPath">The results CSV.</param>
    /// <param name="columns">Property → column of the file, for files whose headers are not the property names.</param>
    /// <param name="cancellationToken">Stops the step; nothing is saved.</param>
    public async Task<ReportSummary> ReportAsync(string folder, string resultsPath, IReadOnlyDictionary<string, string>? columns = null, CancellationToken cancellationToken = default)
    {
        var (full, _, state) = await LoadAsync(folder, cancellationToken).ConfigureAwait(false);
        if (columns?.Keys.FirstOrDefault(k => !state.Properties.Contains(k)) is { } unknown)
        {
            throw new InvalidOptionException($"'{unknown}' is not a property of this campaign; its properties are: {string.Join(", ", state.Properties)}.");
        }

        if (!File.Exists(resultsPath))
        {
            throw new InputDataException($"'{resultsPath}' does not exist.");
        }

        var sha = Sha256(await File.ReadAllBytesAsync(resultsPath, cancellationToken).ConfigureAwait(false));
        if (state.ReportedFiles.Contains(sha))
        {
            throw new CampaignException($"'{resultsPath}' was reported already (same content); nothing added.");
        }

        var rows = ObservationLoader.Read(resultsPath, "formula", state.Properties, columns);
        if (state.Observations.Count + rows.Formulas.Count > MaxObservations)
        {
            throw new InputDataException($"{resultsPath}: the campaign would hold more than {MaxObservations:N0} observations.");
        }

        // A result answers the latest pending proposal of the same composition; others are extra observations.
        var pending = state.Rounds.SelectMany(r => r.Proposals.Select(p => (Round: r.Round, Proposal: p))).Where(x => x.Proposal.Reported is null).Reverse().ToList();
        var now = DateTimeOffset.UtcNow;
        var matched = 0;
        for (var i = 0; i < rows.Formulas.Count; i++)
        {
            var key = CompositionKey.OfFormula(rows.Formulas[i]);
            var values = Values(state.Properties, rows.Values[i]);
            var answer = pending.FindIndex(x => x.Proposal.Key == key);
            var round = state.Rounds.Count;
            if (answer >= 0)
            {
                pending[answer].Proposal.Reported = values;
                round = pending[answer].Round;
                pending.RemoveAt(answer);
                matched++;
            }

            state.Observations.Add(new ObservationRecord { Formula = rows.Formulas[i], Values = values, Round = round, Source = "reported", Added = now });
        }

        state.ReportedFiles.Add(sha);
        await SaveAsync(full, state, cancellationToken).ConfigureAwait(false);
        return new ReportSummary(rows.Formulas.Count, matched, rows.Ignored);
    }

    /// <summary>
    /// The reported results not yet contributed to the shared materials database, as indexes into the observations:
    /// initial observations came from elsewhere (a file, a catalog dataset) and are never contributed from a campaign;
    /// a result with no value measured has nothing to contribute.
    /// </summary>
    public static IReadOnlyList<int> UncontributedResults(CampaignState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var done = state.Contributions.SelectMany(c => c.Observations).ToHashSet();
        return [.. Enumerable.Range(0, state.Observations.Count)
            .Where(i => state.Observations[i] is { Source: "reported" } o && o.Values.Values.Any(v => v is not null) && !done.Contains(i))];
    }

    /// <summary>Records a contribution of reported results in the campaign's state.</summary>
    /// <exception cref="CampaignException">An observation was recorded as contributed already.</exception>
    public static async Task RecordContributionAsync(string folder, ContributionRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var (full, _, state) = await LoadAsync(folder, cancellationToken).ConfigureAwait(false);
        if (record.Observations.Intersect(state.Contributions.SelectMany(c => c.Observations)).Any())
        {
            throw new CampaignException("These results were recorded as contributed already; nothing recorded.");
        }

        state.Contributions.Add(record);
        await SaveAsync(full, state, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a campaign folder.</summary>
    /// <exception cref="CampaignException">The folder holds no campaign, or its state is unreadable.</exception>
    public static async Task<(string Folder, CampaignSpec Spec, CampaignState State)> LoadAsync(string folder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var full = Path.GetFullPath(folder);
        var statePath = Path.Combine(full, StateFile);
        if (!File.Exists(statePath))
        {
            throw new CampaignException($"'{full}' holds no campaign (no {StateFile}); start one with 'design start'.");
        }

        CampaignState state;
        try
        {
            await using var stream = File.OpenRead(statePath);
            state = await JsonSerializer.DeserializeAsync<CampaignState>(stream, CampaignState.Json, cancellationToken).ConfigureAwait(false)
                ?? throw new CampaignException($"{statePath} is empty.");
        }
        catch (JsonException e)
        {
            throw new CampaignException($"{statePath} is not a campaign state: {e.Message}");
        }

        if (state.Format != CampaignState.CurrentFormat)
        {
            throw new CampaignException($"{statePath} has format {state.Format}; this version reads {CampaignState.CurrentFormat}.");
        }

        var text = await File.ReadAllTextAsync(Path.Combine(full, SpecFile), cancellationToken).ConfigureAwait(false);
        if (Sha256(text) != state.SpecSha256)
        {
            throw new CampaignException($"{Path.Combine(full, SpecFile)} changed since the campaign started; a campaign keeps its spec (start a new one to change it).");
        }

        return (full, CampaignSpecParser.Parse(text), state);
    }

    /// <summary>Loads what a campaign's rounds share: the featurizer and the supply-risk table.</summary>
    public static async Task<DesignContext> ContextAsync(CampaignSpec spec, DatasetStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var (featurizer, supply) = await ResourcesAsync(spec.Surrogate.Featurizer, store, cancellationToken).ConfigureAwait(false);
        return new DesignContext(spec, featurizer, supply);
    }

    /// <summary>The featurizer of a preset and the supply-risk table, from the Magpie element data.</summary>
    public static async Task<(ICompositionFeaturizer Featurizer, SupplyRisk Supply)> ResourcesAsync(string preset, DatasetStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var magpie = await MagpieElementData.LoadAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false);
        var hhi = await ElementTableSet.LoadAsync(store, DatasetCatalog.Default.Get(MagpieElementData.DatasetId), ["HHIp", "HHIr"], cancellationToken).ConfigureAwait(false);
        return (FeaturizerPresets.Create(preset, magpie), new SupplyRisk(hhi["HHIp"], hhi["HHIr"]));
    }

    private async Task<RoundRecord> ProposeAsync(string folder, CampaignSpec spec, CampaignState state, CancellationToken cancellationToken)
    {
        var context = await ContextAsync(spec, store, cancellationToken).ConfigureAwait(false);
        CandidatePool? pool = null;
        if (spec.Discrete is { } discrete)
        {
            pool = await PoolBuilder.ScreenAsync(discrete, context.Featurizer, store, registry, state.SpecDirectory, (z, a) => Within(spec.HhiProduction, context.Supply.Production(z, a)) && Within(spec.HhiReserve, context.Supply.Reserves(z, a)), cancellationToken).ConfigureAwait(false);
        }

        var data = Observations(state);
        var exclude = new HashSet<ulong>(state.Observations.Select(o => CompositionKey.OfFormula(o.Formula)));
        exclude.UnionWith(state.Rounds.SelectMany(r => r.Proposals).Where(p => p.Reported is null).Select(p => p.Key));
        var number = state.Rounds.Count + 1;
        var result = await Task.Run(() => RoundEngine.Propose(context, data, exclude, pool, Seeds.Derive(spec.Seed, number), cancellationToken), cancellationToken).ConfigureAwait(false);
        if (result.Proposals.Count == 0)
        {
            throw new CampaignException($"Round {number}: no candidate of the space is feasible and new ({result.Scored:N0} scored); loosen the constraints or the space.");
        }

        var round = new RoundRecord
        {
            Round = number,
            Created = DateTimeOffset.UtcNow,
            ObservationsUsed = state.Observations.Count,
            Calibration = state.Properties.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => result.Calibration[x.i]),
            Scored = result.Scored,
            Feasible = result.Feasible,
            Seconds = result.FitSeconds + result.ScoreSeconds,
            Proposals = [.. result.Proposals.Select(p => new ProposalRecord
            {
                Rank = p.Rank,
                Formula = p.Formula,
                Key = CompositionKey.OfFormula(p.Formula),
                Mean = state.Properties.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => p.Mean[x.i]),
                Std = state.Properties.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => p.Std[x.i]),
                Acquisition = p.Acquisition,
                ConstraintProbability = p.ConstraintProbability,
                Reason = p.Reason,
            })],
        };

        // Batch files first, state last: a crash in between leaves the old state, and the rerun writes the same files.
        var stem = string.Create(CultureInfo.InvariantCulture, $"round-{number:000}");
        var table = BatchTable.Build(spec, state.Properties, result.Proposals, pool);
        var metadata = new Dictionary<string, string>
        {
            ["materialsdb.campaign"] = JsonSerializer.Serialize(new { name = spec.Name, round = number, seed = spec.Seed, acquisition = RoundEngine.Name(spec.Acquisition.Function), observations = state.Observations.Count, spec_sha256 = state.SpecSha256, database_version = state.DatabaseVersion }),
        };
        foreach (var extension in new[] { ".csv", ".parquet" })
        {
            await TableWriter.WriteAsync(table, Path.Combine(folder, stem + extension), metadata, cancellationToken).ConfigureAwait(false);
            round.Files.Add(stem + extension);
        }

        state.Rounds.Add(round);
        await SaveAsync(folder, state, cancellationToken).ConfigureAwait(false);
        return round;
    }

    /// <summary>The observations as the round engine reads them.</summary>
    public static ObservationData Observations(CampaignState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var batch = new CompositionBatch(Math.Max(1, state.Observations.Count));
        foreach (var o in state.Observations)
        {
            batch.Add(Composition.Parse(o.Formula));
        }

        var values = state.Properties.Select(p => state.Observations.Select(o => o.Values.GetValueOrDefault(p) ?? double.NaN).ToArray()).ToArray();
        return new ObservationData(batch, values);
    }

    private static async Task SaveAsync(string folder, CampaignState state, CancellationToken cancellationToken)
    {
        var observations = new ColumnTable([
            new StringColumn("formula", [.. state.Observations.Select(o => o.Formula)]),
            .. state.Properties.Select(p => (Column)new DoubleColumn(p, [.. state.Observations.Select(o => o.Values.GetValueOrDefault(p) ?? double.NaN)])),
            new LongColumn("round", [.. state.Observations.Select(o => (long)o.Round)]),
            new StringColumn("source", [.. state.Observations.Select(o => o.Source)]),
        ]);
        await TableWriter.WriteAsync(observations, Path.Combine(folder, ObservationsFile), cancellationToken: cancellationToken).ConfigureAwait(false);
        await WriteAtomicAsync(Path.Combine(folder, StateFile), JsonSerializer.Serialize(state, CampaignState.Json), cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteAtomicAsync(string path, string text, CancellationToken cancellationToken)
    {
        var temp = AtomicFile.TempPathFor(path);
        try
        {
            await File.WriteAllTextAsync(temp, text, cancellationToken).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            AtomicFile.TryDelete(temp);
        }
    }

    private static Dictionary<string, double?> Values(IReadOnlyList<string> properties, double[] row) =>
        properties.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => double.IsNaN(row[x.i]) ? (double?)null : row[x.i]);

    private static bool Within(Bound? bound, double value) => bound is null || ((bound.Min is null || value >= bound.Min) && (bound.Max is null || value <= bound.Max));

    private static string Sha256(string text) => Sha256(Encoding.UTF8.GetBytes(text));

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
