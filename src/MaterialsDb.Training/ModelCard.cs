using System.Globalization;
using System.Text;
using MaterialsDb.Models.Packages;

namespace MaterialsDb.Training;

/// <summary>Writes <c>MODEL_CARD.md</c>: what a model predicts, how accurate and how well calibrated it is, what it costs, where it fails.</summary>
public static class ModelCard
{
    /// <summary>File name inside the package.</summary>
    public const string FileName = "MODEL_CARD.md";

    /// <summary>Writes the card for <paramref name="manifest"/> and <paramref name="report"/>.</summary>
    public static void Write(string path, ModelManifest manifest, TrainingReport report)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(report);
        var u = manifest.Units;
        var cv = report.CrossValidation;
        var sb = new StringBuilder();
        void Line(FormattableString s) => sb.AppendLine(s.ToString(CultureInfo.InvariantCulture));

        Line($"# Model card: `{manifest.Id}`");
        sb.AppendLine();
        var engine = report.Engine == InferenceEngine.Native ? "MaterialsDb's native tree evaluator (ONNX Runtime's results bit for bit, faster)" : "ONNX Runtime";
        if (manifest.IsClassifier)
        {
            var platt = manifest.ProbabilityCalibration is { } pc ? $"recalibrated as σ(a · logit(p) + b) with a = {pc.A:0.###}, b = {pc.B:0.###} (Platt scaling fitted on held-out rows, see calibration)" : "used as it is (no calibration ensemble was trained)";
            Line($"Predicts the **probability that {manifest.Target} = 1** ({u}) from the chemical formula alone, with the `{manifest.Preset}` features ({manifest.FeatureCount} per composition). An ensemble of {manifest.Files.Count} LightGBM binary classifiers (ML.NET), one per Matbench fold, run with ONNX Runtime; each member's graph outputs its P(1) (ML.NET's own Platt scaling included). The prediction is the members' mean probability, {platt}; the `_std` column is the members' raw spread. Screening constraints on this model bound the probability (see docs/screening.md).");
        }
        else if (manifest.Hyperparameters?.GetValueOrDefault("gateThresholds") is { } thresholds)
        {
            // The native gate's sigmoid may differ from ONNX Runtime's by an ulp (see NativeModel).
            engine = report.Engine == InferenceEngine.Native ? "MaterialsDb's native tree evaluator (ONNX Runtime's results, faster; a row whose probability lies within about 1e-7 of the threshold could be gated differently)" : engine;
            Line($"Predicts **{manifest.Target}** ({u}) from the chemical formula alone, with the `{manifest.Preset}` features ({manifest.FeatureCount} per composition). An ensemble of {manifest.Files.Count} gated members, one per Matbench fold, run with {engine}. Each member is one ONNX graph joining two ML.NET LightGBM models: a classifier giving P({manifest.Target} ≠ 0) (output `{GatedGraph.GateName}`) and a regressor trained on the rows with a non-zero target; the member predicts 0 unless P exceeds its threshold, tuned for the least MAE on a held-out fifth of its own training rows (thresholds per fold: {thresholds}). The prediction is the members' mean and its uncertainty their standard deviation times {manifest.UncertaintyScale ?? 1:0.###} (see calibration).");
        }
        else if (manifest.Hyperparameters?.GetValueOrDefault("messageLayers") is { } layers)
        {
            var h = manifest.Hyperparameters;
            Line($"Predicts **{manifest.Target}** ({u}) from the chemical formula alone, with the `{manifest.Preset}` features ({manifest.FeatureCount} per composition). An ensemble of {manifest.Files.Count} attention networks, one per Matbench fold, run with {engine}. Each member reads the composition from the features' element fractions, starts every element from its `{h["embedding"]}` vector, passes messages between the elements through {layers} layers of fraction-weighted soft attention (width {h["width"]}, as Roost does), pools them by attention, and feeds the pooled vector with the standardized features through ReLU layers of {h["hidden"].Replace(",", ", ", StringComparison.Ordinal)} units to one linear output; trained by MaterialsDb's own trainer for absolute error (AdamW, cosine learning-rate schedule, {h["epochs"]} epochs of batches of {h["batchSize"]}). A composition with more elements than any row the members were trained on gets no prediction. The prediction is the members' mean and its uncertainty their standard deviation times {manifest.UncertaintyScale ?? 1:0.###} (see calibration).");
        }
        else if (manifest.Hyperparameters?.GetValueOrDefault("hidden") is { } hidden)
        {
            Line($"Predicts **{manifest.Target}** ({u}) from the chemical formula alone, with the `{manifest.Preset}` features ({manifest.FeatureCount} per composition). An ensemble of {manifest.Files.Count} multilayer perceptrons, one per Matbench fold, run with {engine}. Each member standardizes the features with its training rows' mean and deviation (missing values become the mean), passes them through ReLU layers of {hidden.Replace(",", ", ", StringComparison.Ordinal)} units to one linear output, and was trained by MaterialsDb's own trainer for absolute error (AdamW, cosine learning-rate schedule, {manifest.Hyperparameters["epochs"]} epochs of batches of {manifest.Hyperparameters["batchSize"]}). The prediction is the members' mean and its uncertainty their standard deviation times {manifest.UncertaintyScale ?? 1:0.###} (see calibration).");
        }
        else
        {
            Line($"Predicts **{manifest.Target}** ({u}) from the chemical formula alone, with the `{manifest.Preset}` features ({manifest.FeatureCount} per composition). An ensemble of {manifest.Files.Count} LightGBM regressors (ML.NET), one per Matbench fold, run with {engine}; the prediction is the members' mean and its uncertainty their standard deviation times {manifest.UncertaintyScale ?? 1:0.###} (see calibration).");
        }
        if (manifest.Hyperparameters?.GetValueOrDefault("robustPasses") is { } passes)
        {
            sb.AppendLine();
            Line($"Fitted for absolute error: after a least-squares pass, {passes} more passes reweight each training row by 1 / max(|residual|, {manifest.Hyperparameters["robustDelta"]} {u}) (iteratively reweighted least squares), so outliers pull the trees less; MAE drops, RMSE rises a little.");
        }

        sb.AppendLine();
        sb.AppendLine("## Training data");
        sb.AppendLine();
        Line($"{(manifest.Dataset is { } d ? $"Catalog dataset `{d.Id}` (SHA-256 `{d.Sha256}`)" : "A user-supplied CSV")}, {report.Rows} rows; every row is used, in file order, so the Matbench folds apply.");
        sb.AppendLine();
        if (manifest.Dataset is { } source && MaterialsDb.Data.Catalog.DatasetCatalog.Default.TryGet(source.Id, out var entry))
        {
            Line($"- Licence of the data: {entry.License}.");
            Line($"- Cite: {entry.Citation}");
            sb.AppendLine();
        }

        sb.AppendLine("## Intended use");
        sb.AppendLine();
        Line($"Ranking and filtering candidate compositions by {(manifest.IsClassifier ? $"the probability that {manifest.Target} = 1" : manifest.Target)} in screenings and design campaigns, ahead of computation or experiment — a prior that says which candidates deserve a closer look, with an honest spread. Not a substitute for computing or measuring a shortlisted compound, and not for compositions unlike the training data (see the limits below).");
        sb.AppendLine();
        if (manifest.Dataset?.TestFile is { } testFile)
        {
            Line($"The dataset is published as a train/val/test split (CrabNet's): the folds below divide train ∪ val ({string.Join(" + ", manifest.Dataset.TrainFiles?.Select(f => $"`{f.File}`") ?? [])}); `{testFile.File}` (SHA-256 `{testFile.Sha256}`) is scored once by the finished package.");
            sb.AppendLine();
        }

        sb.AppendLine("## Accuracy: Matbench v0.1 protocol");
        sb.AppendLine();
        sb.AppendLine("Five-fold cross-validation with the Matbench folds (`KFold(5, shuffle=True, random_state=18012019)`); member *k* is trained on the rows outside fold *k* and scored on fold *k*.");
        sb.AppendLine();
        sb.Append(report.Classification?.ToMarkdown() ?? cv.ToMarkdown(u));
        sb.AppendLine();
        if (report.Classification is not null)
        {
            sb.AppendLine("ROC-AUC is Matbench's ranking metric for classification; accuracy, precision, recall and F1 take P ≥ 0.5 as class 1; the calibration error is the expected calibration error over ten equal-width probability bins (these are the single members' probabilities, before the package's recalibration). Leaderboard context (composition-only entries such as MODNet, AMMExpress and RF-SCM/Magpie): https://matbench.materialsproject.org.");
            sb.AppendLine();
        }

        if (report.Test is { } t)
        {
            sb.AppendLine("## Accuracy on the dataset's own test split");
            sb.AppendLine();
            Line($"The package as shipped (five members' mean, ONNX) on `{manifest.Dataset?.TestFile?.File}`, rows none of its members saw:");
            sb.AppendLine();
            Line($"| predictor | test rows | MAE ({u}) | RMSE ({u}) | max error ({u}) | errors within 1σ | within 2σ |");
            sb.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
            Line($"| **`{manifest.Id}`** | {t.TestRows} | **{MetricText.Of(t.Mae)}** | {MetricText.Of(t.Rmse)} | {MetricText.Of(t.MaxError)} | {report.TestWithin1Sigma:P1} | {report.TestWithin2Sigma:P1} |");
            Line($"| trivial: the training median for every row | {t.TestRows} | {MetricText.Of(report.TestMedianBaselineMae)} | | | | |");
            sb.AppendLine();
        }

        if (report.ClassificationTest is { } ct)
        {
            sb.AppendLine("## Accuracy on the dataset's own test split");
            sb.AppendLine();
            sb.AppendLine("| test rows | ROC-AUC | accuracy | precision | recall | F1 | Brier | calibration error |");
            sb.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
            Line($"| {ct.TestRows} | {ct.RocAuc:0.####} | {ct.Accuracy:0.####} | {ct.Precision:0.####} | {ct.Recall:0.####} | {ct.F1:0.####} | {ct.Brier:0.####} | {ct.CalibrationError:0.####} |");
            sb.AppendLine();
        }
        var published = PublishedResults.For(manifest.Dataset?.Id);
        if (published.Count > 0)
        {
            Line($"| method (Matbench v0.1 leaderboard) | MAE ({u}) |");
            sb.AppendLine("| --- | --- |");
            Line($"| **MaterialsDb `{manifest.Id}`** | **{MetricText.Of(cv.MaeMean)}** |");
            foreach (var p in published)
            {
                Line($"| {p.Method} | {p.Mae:0.####} |");
            }

            sb.AppendLine();
        }

        sb.AppendLine(manifest.IsClassifier ? "## Probability calibration" : "## Uncertainty calibration");
        sb.AppendLine();
        if (report.ProbabilityCalibration is { } pf)
        {
            Line($"A second five-member ensemble, trained inside fold 0's training rows, predicts fold 0's {pf.Rows * 2} held-out rows. Platt scaling σ(a · logit(p) + b) of the members' mean probability is fitted on half of them (a = {pf.Calibration.A:0.###}, b = {pf.Calibration.B:0.###}); the figures below are measured on the other {pf.Rows}.");
            sb.AppendLine();
            sb.AppendLine("| probability | Brier score | expected calibration error (10 bins) |");
            sb.AppendLine("| --- | --- | --- |");
            Line($"| members' mean | {pf.RawBrier:0.####} | {pf.RawCalibrationError:0.####} |");
            Line($"| recalibrated (what `predict` reports) | {pf.Brier:0.####} | {pf.CalibrationError:0.####} |");
        }
        else if (report.Calibration is { } c)
        {
            Line($"A second five-member ensemble, trained inside fold 0's training rows, predicts fold 0's {c.Rows * 2} held-out rows. The scale {c.Scale:0.###} is fitted on half of them so that 68.3 % of errors fall within 1σ; the shares below are measured on the other {c.Rows}.");
            sb.AppendLine();
            sb.AppendLine("| σ | errors within 1σ | errors within 2σ |");
            sb.AppendLine("| --- | --- | --- |");
            Line($"| raw ensemble spread | {c.RawWithin1Sigma:P1} | {c.RawWithin2Sigma:P1} |");
            Line($"| spread × {c.Scale:0.###} (what `predict` reports) | {c.Within1Sigma:P1} | {c.Within2Sigma:P1} |");
            Line($"| a normal distribution | 68.3% | 95.4% |");
        }
        else if (manifest.IsClassifier)
        {
            sb.AppendLine("Not measured; the members' mean probability is used as it is.");
        }
        else
        {
            sb.AppendLine(report.Rows < 50
                ? "Not measured (too few rows); σ is the raw ensemble spread."
                : "Not measured (trained with `--no-calibration`); σ is the raw ensemble spread, which underestimates the errors (typically only 25–60 % fall within it).");
        }

        sb.AppendLine();
        sb.AppendLine("## Cost");
        sb.AppendLine();
        var size = manifest.Files.Sum(f => new FileInfo(Path.Combine(Path.GetDirectoryName(path)!, f.File)).Length);
        var how = manifest.Hyperparameters?.ContainsKey("hidden") == true
            ? "each batch split into four fixed parts run in parallel and summed in order, so reruns give the same bytes"
            : "LightGBM single-threaded for reproducibility";
        Line($"- Training: {report.TrainingTime.TotalSeconds:0} s on {Environment.ProcessorCount} cores (members trained one after the other, {how}), calibration ensemble included.");
        Line($"- Size: {size / 1e6:0.0} MB of ONNX.");
        Line($"- Inference: about {report.RowsPerSecond:N0} rows/s on one thread ({(report.Engine == InferenceEngine.Native ? "native tree evaluator" : "ONNX Runtime")}, batches of 4,096 featurized rows; measured once at training time — `benchmarks/` has the careful figures).");
        sb.AppendLine();
        sb.AppendLine("## Known limits");
        sb.AppendLine();
        sb.AppendLine("- Composition only: polymorphs of one formula get one prediction; structure-sensitive properties carry that error.");
        sb.AppendLine("- Trustworthy near the training data only: compositions with elements or chemistries rare in the dataset get larger errors — watch σ.");
        foreach (var limit in DatasetLimits(manifest.Dataset?.Id))
        {
            sb.AppendLine("- " + limit);
        }

        sb.AppendLine();
        sb.AppendLine("## Hyperparameters");
        sb.AppendLine();
        foreach (var (k, v) in manifest.Hyperparameters ?? new Dictionary<string, string>())
        {
            Line($"- {k}: {v}");
        }

        sb.AppendLine();
        sb.AppendLine("## Reproduce");
        sb.AppendLine();
        Line($"```\n{manifest.Command}\n```");
        File.WriteAllText(path, sb.ToString());
    }

    private static string[] DatasetLimits(string? dataset) => dataset switch
    {
        "mp_e_form" => ["Learns DFT (PBE/PBE+U, Materials Project) formation energies, with their systematic errors; a low predicted energy above hull is a hint to compute, not a synthesis guarantee."],
        "mp_gap" => ["Learns PBE band gaps, which underestimate experimental gaps (often by 30–50 %); many metals in the data have gap 0, so small positive predictions usually mean 'metallic'."],
        "expt_gap" => ["Learned from about 4,600 experimental gaps (Zhuo et al.); unusual chemistries are sparsely covered."],
        "steels_yield" => ["Learned from 312 steel compositions (Fe-based alloys given as element fractions); meaningless outside steels, and heat treatment is not an input."],
        "expt_is_metal" => ["Learned from 4,921 experimentally classified compositions (Zhuo et al.); a probability, not a band gap: pair it with a gap model for semiconductors."],
        "glass" => ["Learned from 5,680 melt-spun ternary alloys (Matbench glass): 'glass' means an amorphous ribbon by melt spinning; casting thickness (bulk glass) is not predicted, and compositions far from the ternary metal systems of the data are guesses."],
        "aflow_bulk_modulus" or "aflow_shear_modulus" or "aflow_debye_temperature" => ["AFLOW AEL values are DFT (PBE) elastic constants of the lowest-energy structure AFLOW computed; polymorphs differ, and about 4,900 compositions cover little of composition space."],
        "aflow_thermal_conductivity" or "aflow_thermal_expansion" => ["AFLOW AGL values come from a quasi-harmonic Debye model (Slack's formula for conductivity): fast and correlated with experiment, but off by factors of 2–3 for single materials; rank, don't quote."],
        "mp_bulk_modulus" or "mp_shear_modulus" or "mp_elastic_anisotropy" => ["Materials Project elastic tensors (PBE) of about 6,000 compositions; the anisotropy index spans orders of magnitude and a few unphysical negative values of the source remain, so its MAE is dominated by outliers."],
        "mp_magnetic_moment" => ["The total magnetization of the computed cell as published (not per atom or per formula unit), from ferromagnetic initialisations; antiferromagnets appear as 0."],
        "mp_e_hull" => ["Learns the energy above the Materials Project hull of the time; it cannot know phases added since, and a composition's value is that of one computed polymorph. Prefer the hull computed from a predicted formation energy (screening's stability section) when a reference database is at hand."],
        "oqmd_volume" => ["Trained on CrabNet's OQMD validation split only (its training split is not pinned in the catalog), so it has seen about 51,000 compositions."],
        "aflow_gap" or "oqmd_gap" => ["Learns PBE band gaps (underestimated, often by 30–50 %); more than half of the rows are metals with gap 0."],
        _ => [],
    };

    /// <summary>
    /// Writes a <c>## heading</c> section into an existing card: replaces the section of that heading if the card has
    /// one, else inserts it before <c>## Cost</c> (or at the end). Retraining rewrites the whole card without it.
    /// </summary>
    public static void WriteSection(string path, string heading, string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var lines = File.ReadAllLines(path).ToList();
        var title = "## " + heading;
        var start = lines.IndexOf(title);
        if (start >= 0)
        {
            var end = lines.FindIndex(start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
            lines.RemoveRange(start, (end < 0 ? lines.Count : end) - start);
        }
        else
        {
            start = lines.IndexOf("## Cost");
            start = start < 0 ? lines.Count : start;
        }

        lines.InsertRange(start, [title, string.Empty, .. body.TrimEnd().Split('\n'), string.Empty]);
        var staging = path + ".writing";
        File.WriteAllLines(staging, lines);
        File.Move(staging, path, overwrite: true);
    }
}
