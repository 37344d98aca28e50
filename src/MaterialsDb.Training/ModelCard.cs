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
        if (manifest.Hyperparameters?.GetValueOrDefault("gateThresholds") is { } thresholds)
        {
            // The native gate's sigmoid may differ from ONNX Runtime's by an ulp (see NativeModel).
            engine = report.Engine == InferenceEngine.Native ? "MaterialsDb's native tree evaluator (ONNX Runtime's results, faster; a row whose probability lies within about 1e-7 of the threshold could be gated differently)" : engine;
            Line($"Predicts **{manifest.Target}** ({u}) from the chemical formula alone, with the `{manifest.Preset}` features ({manifest.FeatureCount} per composition). An ensemble of {manifest.Files.Count} gated members, one per Matbench fold, run with {engine}. Each member is one ONNX graph joining two ML.NET LightGBM models: a classifier giving P({manifest.Target} ≠ 0) (output `{GatedGraph.GateName}`) and a regressor trained on the rows with a non-zero target; the member predicts 0 unless P exceeds its threshold, tuned for the least MAE on a held-out fifth of its own training rows (thresholds per fold: {thresholds}). The prediction is the members' mean and its uncertainty their standard deviation times {manifest.UncertaintyScale ?? 1:0.###} (see calibration).");
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
        sb.AppendLine("## Accuracy: Matbench v0.1 protocol");
        sb.AppendLine();
        sb.AppendLine("Five-fold cross-validation with the Matbench folds (`KFold(5, shuffle=True, random_state=18012019)`); member *k* is trained on the rows outside fold *k* and scored on fold *k*.");
        sb.AppendLine();
        sb.Append(cv.ToMarkdown(u));
        sb.AppendLine();
        var published = PublishedResults.For(manifest.Dataset?.Id);
        if (published.Count > 0)
        {
            Line($"| method (Matbench v0.1 leaderboard) | MAE ({u}) |");
            sb.AppendLine("| --- | --- |");
            Line($"| **MaterialsDb `{manifest.Id}`** | **{cv.MaeMean:0.####}** |");
            foreach (var p in published)
            {
                Line($"| {p.Method} | {p.Mae:0.####} |");
            }

            sb.AppendLine();
        }

        sb.AppendLine("## Uncertainty calibration");
        sb.AppendLine();
        if (report.Calibration is { } c)
        {
            Line($"A second five-member ensemble, trained inside fold 0's training rows, predicts fold 0's {c.Rows * 2} held-out rows. The scale {c.Scale:0.###} is fitted on half of them so that 68.3 % of errors fall within 1σ; the shares below are measured on the other {c.Rows}.");
            sb.AppendLine();
            sb.AppendLine("| σ | errors within 1σ | errors within 2σ |");
            sb.AppendLine("| --- | --- | --- |");
            Line($"| raw ensemble spread | {c.RawWithin1Sigma:P1} | {c.RawWithin2Sigma:P1} |");
            Line($"| spread × {c.Scale:0.###} (what `predict` reports) | {c.Within1Sigma:P1} | {c.Within2Sigma:P1} |");
            Line($"| a normal distribution | 68.3% | 95.4% |");
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
