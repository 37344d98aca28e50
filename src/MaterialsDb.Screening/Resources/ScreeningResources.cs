using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Features;
using MaterialsDb.Models.ElementSources;
using MaterialsDb.Models.Packages;
using MaterialsDb.Screening.Enumeration;
using MaterialsDb.Screening.Scoring;
using MaterialsDb.Screening.Spec;
using MaterialsDb.Stability;

namespace MaterialsDb.Screening.Resources;

/// <summary>
/// Everything a spec needs, loaded once: models (shared ONNX sessions), their featurizers, the oxidation-state set, the
/// reference hulls and the supply-risk tables. Load once per process and reuse for many screenings.
/// </summary>
public sealed class ScreeningResources : IDisposable
{
    private ScreeningResources(IReadOnlyDictionary<string, OnnxModel> models, IReadOnlyDictionary<string, ICompositionFeaturizer> featurizers, OxidationStateSet? oxidationStates, PhaseDiagramCache? hulls, string? referenceSha256, SupplyRisk supply)
    {
        Models = models;
        Featurizers = featurizers;
        OxidationStates = oxidationStates;
        Hulls = hulls;
        ReferenceSha256 = referenceSha256;
        Supply = supply;
    }

    /// <summary>Loaded models by id (the predicted ones and the stability model).</summary>
    public IReadOnlyDictionary<string, OnnxModel> Models { get; }

    /// <summary>Featurizers by preset id.</summary>
    public IReadOnlyDictionary<string, ICompositionFeaturizer> Featurizers { get; }

    /// <summary>The oxidation-state set of an enumerated, charge-neutral space.</summary>
    public OxidationStateSet? OxidationStates { get; }

    /// <summary>Hulls of the stability reference, built per chemical system on demand.</summary>
    public PhaseDiagramCache? Hulls { get; }

    /// <summary>SHA-256 of the reference dataset's file, when it is a catalog dataset.</summary>
    public string? ReferenceSha256 { get; }

    /// <summary>Mass-weighted HHI scorer.</summary>
    public SupplyRisk Supply { get; }

    /// <summary>Loads what <paramref name="spec"/> names.</summary>
    /// <param name="spec">The spec.</param>
    /// <param name="store">Where catalog datasets come from.</param>
    /// <param name="registry">Where model packages come from.</param>
    /// <param name="cancellationToken">Stops loading.</param>
    /// <param name="referenceSource">
    /// Where the stability reference comes from first (the service's materials database); null from it, or no source,
    /// means the catalog dataset or CSV file the spec names.
    /// </param>
    /// <exception cref="SpecException">A model id is unknown, or an element of the palette has no oxidation states; the message names the field.</exception>
    public static async Task<ScreeningResources> LoadAsync(ScreeningSpec spec, DatasetStore store, ModelRegistry registry, CancellationToken cancellationToken = default, Func<string, CancellationToken, Task<PhaseEntrySet?>>? referenceSource = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(registry);
        var magpie = await MagpieElementData.LoadAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false);
        var models = new Dictionary<string, OnnxModel>(StringComparer.Ordinal);
        var featurizers = new Dictionary<string, ICompositionFeaturizer>(StringComparer.Ordinal);
        try
        {
            var wanted = spec.Predict.Select((id, i) => (Id: id, Field: $"predict[{i}]")).ToList();
            if (spec.Stability is { } s)
            {
                wanted.Add((s.Model, "stability.model"));
            }

            foreach (var (id, field) in wanted.Where(w => !string.IsNullOrEmpty(w.Id)))
            {
                if (models.ContainsKey(id))
                {
                    continue;
                }

                string folder;
                try
                {
                    folder = spec.Origin == SpecOrigin.Service ? registry.ResolveId(id) : registry.Resolve(id);
                }
                catch (ModelPackageException problem)
                {
                    throw new SpecException([$"{field}: {problem.Message}"]);
                }

                var preset = ModelManifest.Read(Path.Combine(folder, ModelRegistry.ManifestFile)).Preset;
                if (!featurizers.TryGetValue(preset, out var featurizer))
                {
                    featurizer = featurizers[preset] = FeaturizerPresets.Create(preset, magpie);
                }

                models[id] = OnnxModel.Load(folder, featurizer);
            }

            // The hull compares formation energies per atom: a model of anything else (a band gap in eV) would give
            // numbers that look plausible and mean nothing.
            if (spec.Stability is { } st && models[st.Model].Manifest.Units != "eV/atom")
            {
                var m = models[st.Model].Manifest;
                throw new SpecException([$"stability.model: '{st.Model}' predicts {m.Target} in {m.Units}; the hull needs a formation-energy model in eV/atom (e.g. formation-energy)"]);
            }

            OxidationStateSet? states = null;
            if (spec.Enumerate is { ChargeNeutral: true } e)
            {
                states = await OxidationStateSets.LoadAsync(e.OxidationStateSet, e.OxidationStateOverrides, store, cancellationToken).ConfigureAwait(false);
                var missing = e.Elements.Where(z => !spec.ExcludeElements.Contains(z) && states.States(z).IsEmpty).ToArray();
                if (missing.Length > 0)
                {
                    throw new SpecException([$"candidates.enumerate.oxidation_states: set '{states.Name}' has no oxidation states for {string.Join(", ", missing.Select(z => Chemistry.PeriodicTable.FromZ(z).Symbol))}; give them in a map, e.g. {{{Chemistry.PeriodicTable.FromZ(missing[0]).Symbol}: [2]}}, or set charge_neutral: false"]);
                }
            }

            PhaseDiagramCache? hulls = null;
            string? referenceSha = null;
            if (spec.Stability is { } stability)
            {
                var reference = referenceSource is null ? null : await referenceSource(stability.Reference, cancellationToken).ConfigureAwait(false);
                hulls = new PhaseDiagramCache(reference ?? await ReferenceSetLoader.LoadAsync(stability.Reference, store, cancellationToken, allowFiles: spec.Origin == SpecOrigin.Local).ConfigureAwait(false));
                referenceSha = DatasetCatalog.Default.TryGet(stability.Reference, out var entry) ? entry.Files[0].Sha256 : null;
            }

            var hhi = await Data.Tables.ElementTableSet.LoadAsync(store, DatasetCatalog.Default.Get(MagpieElementData.DatasetId), ["HHIp", "HHIr"], cancellationToken).ConfigureAwait(false);
            return new ScreeningResources(models, featurizers, states, hulls, referenceSha, new SupplyRisk(hhi["HHIp"], hhi["HHIr"]));
        }
        catch
        {
            foreach (var m in models.Values)
            {
                m.Dispose();
            }

            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var m in Models.Values)
        {
            m.Dispose();
        }
    }
}
