using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MaterialsDb.Models.Packages;

/// <summary>One ONNX file of a model package and its checksum.</summary>
public sealed record ModelFile(string File, string Sha256);

/// <summary>The dataset a model was trained on.</summary>
/// <param name="Id">Catalog id (or the CSV's name).</param>
/// <param name="Sha256">Checksum of the (first) training file.</param>
public sealed record TrainingDataset(string Id, string Sha256)
{
    /// <summary>For a dataset published as a split: the files trained on (train, val), in row order.</summary>
    public IReadOnlyList<ModelFile>? TrainFiles { get; init; }

    /// <summary>For a dataset published as a split: the test file the finished package was scored on.</summary>
    public ModelFile? TestFile { get; init; }
}

/// <summary>
/// Platt scaling of a classifier ensemble's mean probability, fitted on rows none of its members saw:
/// P = σ(A · logit(p) + B), see <see cref="Apply"/>.
/// </summary>
/// <param name="A">Slope on the logit of the raw probability (1 = no change).</param>
/// <param name="B">Offset added to the scaled logit (0 = no change).</param>
public sealed record ProbabilityCalibration(double A, double B)
{
    /// <summary>Probabilities are clamped to [ε, 1 − ε] before their logit is taken.</summary>
    public const double Epsilon = 1e-6;

    /// <summary>The calibrated probability of a raw one: σ(A · logit(p) + B). NaN stays NaN.</summary>
    public double Apply(double p)
    {
        if (double.IsNaN(p))
        {
            return p;
        }

        var q = Math.Clamp(p, Epsilon, 1 - Epsilon);
        return 1 / (1 + Math.Exp(-((A * Math.Log(q / (1 - q))) + B)));
    }
}

/// <summary>
/// <c>manifest.json</c> of a model package: what the model predicts, from which features, how it was made and how good
/// it is. Several ONNX files form an ensemble whose mean is the prediction and whose spread is the uncertainty.
/// </summary>
public sealed record ModelManifest
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Model id, e.g. <c>formation-energy</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Version of this model.</summary>
    public required string Version { get; init; }

    /// <summary>Predicted property.</summary>
    public required string Target { get; init; }

    /// <summary>Unit of the prediction, e.g. <c>eV/atom</c>.</summary>
    public required string Units { get; init; }

    /// <summary>Featurizer preset the model reads (<c>magpie</c>, <c>ward2016</c>).</summary>
    public required string Preset { get; init; }

    /// <summary>SHA-256 of the preset's labels joined by newlines, so a changed feature order is caught.</summary>
    public required string LabelsSha256 { get; init; }

    /// <summary>Number of input features.</summary>
    public required int FeatureCount { get; init; }

    /// <summary>Name of the float32 [N, F] input tensor.</summary>
    public required string InputName { get; init; }

    /// <summary>Name of the float32 [N, 1] prediction output.</summary>
    public required string OutputName { get; init; }

    /// <summary>Optional float32 [N, 1] uncertainty output of a single-file model.</summary>
    public string? UncertaintyOutputName { get; init; }

    /// <summary>
    /// Factor applied to the raw uncertainty (ensemble spread or the model's own output) so that about 68 % of held-out
    /// errors fall within one standard deviation; fitted on held-out rows at training time. 1 when absent.
    /// </summary>
    public double? UncertaintyScale { get; init; }

    /// <summary>
    /// For formation-energy models: σ of an energy above the hull = the members' standard deviation × this scale,
    /// fitted by <c>models evaluate --protocol discovery --update-card</c> on held-out chemical systems (an energy above
    /// a hull of known phases errs more than the formation energy, since phases are missing). Screening uses it for
    /// <c>e_above_hull_std</c>; without it, the formation energy's σ.
    /// </summary>
    public double? StabilityUncertaintyScale { get; init; }

    /// <summary><c>regression</c> (when absent) or <c>classification</c>: the output is then P(class 1) per member.</summary>
    public string? Task { get; init; }

    /// <summary>A classifier's calibration of the members' mean probability (absent: used as it is).</summary>
    public ProbabilityCalibration? ProbabilityCalibration { get; init; }

    /// <summary>True for a classifier package.</summary>
    [JsonIgnore]
    public bool IsClassifier => Task == "classification";

    /// <summary>The ONNX files; more than one form an ensemble.</summary>
    public required IReadOnlyList<ModelFile> Files { get; init; }

    /// <summary>Training data, when known.</summary>
    public TrainingDataset? Dataset { get; init; }

    /// <summary>Trainer settings.</summary>
    public IReadOnlyDictionary<string, string>? Hyperparameters { get; init; }

    /// <summary>Cross-validated metrics (name → value).</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    /// <summary>The command that produced the package.</summary>
    public string? Command { get; init; }

    /// <summary>SHA-256 (lowercase hex) of labels joined by <c>\n</c>.</summary>
    public static string HashLabels(IEnumerable<string> labels) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', labels))));

    /// <summary>Reads a manifest.</summary>
    /// <exception cref="ModelPackageException">The JSON is malformed or a required field is missing.</exception>
    public static ModelManifest Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(path), Json)
                ?? throw new ModelPackageException($"{path}: the manifest is empty.");
        }
        catch (JsonException e)
        {
            throw new ModelPackageException($"{path}: not a valid manifest: {e.Message}", e);
        }
    }

    /// <summary>Writes the manifest as indented JSON.</summary>
    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");
}
