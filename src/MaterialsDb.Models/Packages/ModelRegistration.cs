using System.Security.Cryptography;
using MaterialsDb.Features;

namespace MaterialsDb.Models.Packages;

/// <summary>
/// Turns a user's ONNX regression model (float32 [N, F] features → [N, 1], optionally a second [N, 1] uncertainty
/// output) into a package like the shipped ones: the file copied in, a manifest written, the result loaded and checked.
/// </summary>
public static class ModelRegistration
{
    /// <summary>What the user states about the model.</summary>
    public sealed record Request(string Id, string OnnxPath, string Target, string Units, string InputName, string OutputName, string? UncertaintyOutputName);

    /// <summary>The graph's only input and first output: the names <see cref="Request"/> defaults to.</summary>
    /// <exception cref="ModelPackageException">ONNX Runtime cannot load the file, or the graph has more than one input.</exception>
    public static (string Input, string Output) GraphNames(string onnxPath)
    {
        try
        {
            using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnxPath);
            if (session.InputMetadata.Count != 1)
            {
                throw new ModelPackageException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{onnxPath}: the graph has {session.InputMetadata.Count} inputs; say which one takes the features."));
            }

            return (session.InputMetadata.Keys.First(), session.OutputMetadata.Keys.First());
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException e)
        {
            throw new ModelPackageException($"{onnxPath}: ONNX Runtime cannot load it: {e.Message}", e);
        }
    }

    /// <summary>Registers into <c>registry.Root/id</c>; returns the package folder.</summary>
    /// <exception cref="ModelPackageException">The id is taken or invalid, or the graph does not fit the featurizer; nothing is left behind.</exception>
    public static string Register(ModelRegistry registry, Request request, ICompositionFeaturizer featurizer)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(featurizer);
        if (request.Id.Length == 0 || request.Id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || request.Id.StartsWith('.'))
        {
            throw new ModelPackageException($"Model id '{request.Id}' must be letters, digits, '-', '_' or '.', not starting with '.'.");
        }

        if (!File.Exists(request.OnnxPath))
        {
            throw new ModelPackageException($"{request.OnnxPath}: no such ONNX file.");
        }

        var folder = Path.Combine(registry.Root, request.Id);
        if (Directory.Exists(folder))
        {
            throw new ModelPackageException($"{folder}: a model with id '{request.Id}' exists; pick another id or remove it.");
        }

        // Build the package next to its final place and move it in only once it loads.
        var staging = Path.Combine(registry.Root, $".{request.Id}.{Guid.NewGuid():N}.partial");
        Directory.CreateDirectory(staging);
        try
        {
            const string fileName = "model.onnx";
            File.Copy(request.OnnxPath, Path.Combine(staging, fileName));
            var manifest = new ModelManifest
            {
                Id = request.Id,
                Version = "1",
                Target = request.Target,
                Units = request.Units,
                Preset = featurizer.Id,
                LabelsSha256 = ModelManifest.HashLabels(featurizer.FeatureLabels),
                FeatureCount = featurizer.FeatureLabels.Count,
                InputName = request.InputName,
                OutputName = request.OutputName,
                UncertaintyOutputName = request.UncertaintyOutputName,
                Files = [new ModelFile(fileName, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(request.OnnxPath))))],
                Command = $"materialsdb models register {request.OnnxPath} --id {request.Id}",
            };
            manifest.Write(Path.Combine(staging, ModelRegistry.ManifestFile));
            using (OnnxModel.Load(staging, featurizer))
            {
            }

            Directory.Move(staging, folder);
            return folder;
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
    }
}
