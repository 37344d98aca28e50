using System.Security.Cryptography;
using MaterialsDb.Features;
using MaterialsDb.Models.Trees;
using Microsoft.ML.OnnxRuntime;

namespace MaterialsDb.Models.Packages;

/// <summary>
/// A loaded, validated model package: one ONNX Runtime session per ensemble member, created once and shared by all
/// threads. A prediction is the members' mean; its uncertainty their standard deviation (or the model's own
/// uncertainty output for a single-file model that has one; 0 otherwise).
/// </summary>
/// <remarks>
/// Sessions run single-threaded (intra- and inter-op threads = 1): callers parallelise over row blocks, which keeps
/// results independent of batch size and thread count. When every member is a tree ensemble, plain or gated (what
/// <c>models train</c> writes), predictions run on <see cref="TreeEvaluator"/> instead, which gives ONNX Runtime's
/// results bit for bit in about two thirds of the time (see benchmarks/TreeEvaluatorBenchmarks and
/// <see cref="NativeModel"/> for the one caveat of gated graphs).
/// </remarks>
public sealed class OnnxModel : IDisposable
{
    private readonly InferenceSession[] _sessions;
    private readonly RunOptions _runOptions = new();

    private OnnxModel(string folder, ModelManifest manifest, InferenceSession[] sessions, NativeModel[]? trees)
    {
        Folder = folder;
        Manifest = manifest;
        _sessions = sessions;
        Trees = trees;
    }

    /// <summary>What runs the predictions.</summary>
    public InferenceEngine Engine => Trees is null ? InferenceEngine.OnnxRuntime : InferenceEngine.Native;

    /// <summary>The members as compiled tree ensembles when <see cref="Engine"/> is native.</summary>
    internal NativeModel[]? Trees { get; }

    /// <summary>The package folder.</summary>
    public string Folder { get; }

    /// <summary>The validated manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>Number of ensemble members.</summary>
    public int MemberCount => _sessions.Length;

    /// <summary>
    /// Loads <c>manifest.json</c> and its ONNX files from <paramref name="folder"/> and checks them: checksums, the
    /// input's name and width against the manifest and the featurizer, the outputs' names and [N, 1] shapes.
    /// </summary>
    /// <param name="folder">The package folder.</param>
    /// <param name="featurizer">The preset whose features the model reads.</param>
    /// <param name="engine">Auto: the native tree evaluator when every member is a plain tree ensemble, else ONNX Runtime.</param>
    /// <exception cref="ModelPackageException">Any mismatch (or <see cref="InferenceEngine.Native"/> asked of a graph it cannot run); the message names it.</exception>
    public static OnnxModel Load(string folder, ICompositionFeaturizer featurizer, InferenceEngine engine = InferenceEngine.Auto)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(featurizer);
        var manifestPath = Path.Combine(folder, "manifest.json");
        if (!File.Exists(manifestPath))
        {
            throw new ModelPackageException($"{folder}: no manifest.json; a model package is a folder with manifest.json and its ONNX files.");
        }

        var manifest = ModelManifest.Read(manifestPath);
        if (manifest.Preset != featurizer.Id)
        {
            throw new ModelPackageException($"{manifestPath}: the model reads preset '{manifest.Preset}', but the featurizer given is '{featurizer.Id}'.");
        }

        if (manifest.FeatureCount != featurizer.FeatureLabels.Count)
        {
            throw new ModelPackageException($"{manifestPath}: featureCount is {manifest.FeatureCount}, but preset '{featurizer.Id}' has {featurizer.FeatureLabels.Count} features.");
        }

        var labels = ModelManifest.HashLabels(featurizer.FeatureLabels);
        if (manifest.LabelsSha256 != labels)
        {
            throw new ModelPackageException($"{manifestPath}: labelsSha256 {manifest.LabelsSha256} does not match preset '{featurizer.Id}' ({labels}): the feature order differs.");
        }

        if (manifest.Files.Count == 0)
        {
            throw new ModelPackageException($"{manifestPath}: lists no ONNX file.");
        }

        var sessions = new List<InferenceSession>();
        var trees = new List<NativeModel>();
        string? whyNot = manifest.UncertaintyOutputName is null ? null : "the model has its own uncertainty output";
        try
        {
            foreach (var file in manifest.Files)
            {
                var (session, graph) = OpenChecked(folder, manifest, file);
                sessions.Add(session);
                if (engine != InferenceEngine.OnnxRuntime && whyNot is null)
                {
                    if (OnnxTreeImport.TryReadModel(graph, manifest.InputName, manifest.OutputName, manifest.FeatureCount, out var reason) is { } ensemble)
                    {
                        trees.Add(ensemble);
                    }
                    else
                    {
                        whyNot = $"{file.File}: {reason}";
                    }
                }
            }

            if (engine == InferenceEngine.Native && whyNot is not null)
            {
                throw new ModelPackageException($"{folder}: the native tree evaluator cannot run this model: {whyNot}.");
            }
        }
        catch
        {
            sessions.ForEach(s => s.Dispose());
            throw;
        }

        return new OnnxModel(folder, manifest, [.. sessions], engine != InferenceEngine.OnnxRuntime && whyNot is null ? [.. trees] : null);
    }

    /// <summary>Rows one <see cref="Predict"/> call hands ONNX Runtime at a time.</summary>
    public const int PredictBlockRows = 4096;

    /// <summary>
    /// Predicts <paramref name="rows"/> rows of row-major features (width = the manifest's feature count) into
    /// <paramref name="mean"/> and <paramref name="std"/>. Rows containing NaN features get NaN. Allocates its buffers
    /// per call; hot loops use one <see cref="OnnxPredictor"/> per thread instead.
    /// </summary>
    /// <remarks>
    /// Runs in blocks of <see cref="PredictBlockRows"/>: ONNX Runtime sizes every intermediate tensor by the rows of
    /// one run and keeps its arenas at their largest, so a million rows in one run took more than 24 GB.
    /// </remarks>
    public void Predict(ReadOnlySpan<float> features, int rows, Span<float> mean, Span<float> std)
    {
        var width = Manifest.FeatureCount;
        if (features.Length < rows * width || mean.Length < rows || std.Length < rows)
        {
            throw new ArgumentException($"Buffers too small for {rows} rows of {width} features.");
        }

        if (rows == 0)
        {
            return;
        }

        using var predictor = CreatePredictor(Math.Min(rows, PredictBlockRows));
        for (var start = 0; start < rows; start += PredictBlockRows)
        {
            var block = Math.Min(PredictBlockRows, rows - start);
            features.Slice(start * width, block * width).CopyTo(predictor.Input(block));
            predictor.Run(block, mean.Slice(start, block), std.Slice(start, block));
        }
    }

    /// <summary>A predictor with buffers for up to <paramref name="capacity"/> rows; use one per thread.</summary>
    public OnnxPredictor CreatePredictor(int capacity) => new(this, capacity);

    internal InferenceSession Session(int member) => _sessions[member];

    internal RunOptions RunOptions => _runOptions;

    /// <summary>Predictions of one ensemble member alone (for checks against its trainer).</summary>
    public void PredictMember(int member, ReadOnlySpan<float> features, int rows, Span<float> predictions)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)member, (uint)_sessions.Length, nameof(member));
        var width = Manifest.FeatureCount;
        if (features.Length < rows * width || predictions.Length < rows)
        {
            throw new ArgumentException($"Buffers too small for {rows} rows of {width} features.");
        }

        if (rows == 0)
        {
            return;
        }

        using var tensor = OrtValue.CreateTensorValueFromMemory(features[..(rows * width)].ToArray(), [rows, width]);
        using var results = _sessions[member].Run(_runOptions, [Manifest.InputName], [tensor], [Manifest.OutputName]);
        results[0].GetTensorDataAsSpan<float>()[..rows].CopyTo(predictions);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var s in _sessions)
        {
            s.Dispose();
        }

        _runOptions.Dispose();
    }

    private static (InferenceSession Session, byte[] Graph) OpenChecked(string folder, ModelManifest manifest, ModelFile file)
    {
        var path = Path.Combine(folder, file.File);
        if (!File.Exists(path))
        {
            throw new ModelPackageException($"{path}: listed in the manifest but missing.");
        }

        var bytes = File.ReadAllBytes(path);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (sha != file.Sha256)
        {
            throw new ModelPackageException($"{path}: SHA-256 is {sha}, but the manifest says {file.Sha256}.");
        }

        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        InferenceSession session;
        byte[] graph;
        try
        {
            graph = OnnxFiles.IsCompressed(path) ? OnnxFiles.Decompress(bytes) : bytes;
            session = new InferenceSession(graph, options);
        }
        catch (Exception e) when (e is OnnxRuntimeException or InvalidDataException)
        {
            throw new ModelPackageException($"{path}: ONNX Runtime cannot load it: {e.Message}", e);
        }

        try
        {
            if (!session.InputMetadata.TryGetValue(manifest.InputName, out var input))
            {
                throw new ModelPackageException($"{path}: no input named '{manifest.InputName}'; the graph's inputs are: {string.Join(", ", session.InputMetadata.Keys)}.");
            }

            var dims = input.Dimensions;
            if (dims.Length != 2 || dims[1] != manifest.FeatureCount || input.ElementType != typeof(float))
            {
                throw new ModelPackageException($"{path}: input '{manifest.InputName}' is {input.ElementType.Name}[{string.Join(", ", dims)}], but the manifest needs float32[N, {manifest.FeatureCount}].");
            }

            foreach (var name in new[] { manifest.OutputName, manifest.UncertaintyOutputName }.OfType<string>())
            {
                if (!session.OutputMetadata.TryGetValue(name, out var output))
                {
                    throw new ModelPackageException($"{path}: no output named '{name}'; the graph's outputs are: {string.Join(", ", session.OutputMetadata.Keys)}.");
                }

                if (output.Dimensions.Length != 2 || output.Dimensions[1] != 1)
                {
                    throw new ModelPackageException($"{path}: output '{name}' has shape [{string.Join(", ", output.Dimensions)}], not [N, 1].");
                }
            }

            return (session, graph);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }
}

/// <summary>What runs a model's predictions.</summary>
public enum InferenceEngine
{
    /// <summary>The native tree evaluator where the graphs allow it, else ONNX Runtime.</summary>
    Auto,

    /// <summary>ONNX Runtime sessions.</summary>
    OnnxRuntime,

    /// <summary><see cref="TreeEvaluator"/> on the members' tree ensembles (same results as ONNX Runtime).</summary>
    Native,
}
