namespace MaterialsDb.Models.Packages;

/// <summary>
/// Where model packages are found by id: the folder named by <c>MATERIALSDB_MODELS</c> if set; otherwise <c>./models</c>
/// and then the <c>models/</c> folder of the repository or install the program runs from (so the shipped models work
/// from any working directory). New packages are registered in the first folder.
/// </summary>
public sealed class ModelRegistry
{
    /// <summary>Environment variable naming the folder of model packages.</summary>
    public const string Variable = "MATERIALSDB_MODELS";

    /// <summary>Manifest file name of a package.</summary>
    public const string ManifestFile = "manifest.json";

    private readonly string[] _fallbacks;

    /// <summary>A registry over one root folder, with further folders searched after it.</summary>
    public ModelRegistry(string root, params string[] fallbacks)
    {
        Root = Path.GetFullPath(root);
        _fallbacks = [.. fallbacks.Select(Path.GetFullPath).Where(f => f != Root).Distinct()];
    }

    /// <summary>The folder holding one sub-folder per package; registrations go here.</summary>
    public string Root { get; }

    /// <summary>The registry chosen by the environment (see the class summary).</summary>
    public static ModelRegistry FromEnvironment()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
        {
            return new ModelRegistry(configured);
        }

        var local = Path.GetFullPath("models");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "models");
            if (HasPackages(candidate))
            {
                return new ModelRegistry(local, candidate);
            }
        }

        return new ModelRegistry(local);
    }

    /// <summary>Package folders, ordered by id; an id in <see cref="Root"/> hides the same id further down.</summary>
    public IReadOnlyList<string> Packages() =>
        [.. new[] { Root }.Concat(_fallbacks).Where(Directory.Exists)
            .SelectMany(r => Directory.GetDirectories(r).Where(d => !Path.GetFileName(d).StartsWith('.') && File.Exists(Path.Combine(d, ManifestFile))))
            .DistinctBy(Path.GetFileName).OrderBy(Path.GetFileName, StringComparer.Ordinal)];

    /// <summary>The package folder for a folder path or an id in <see cref="Root"/>.</summary>
    /// <exception cref="ModelPackageException">Neither exists; the message lists the known ids.</exception>
    public string Resolve(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (File.Exists(Path.Combine(model, ManifestFile)))
        {
            return Path.GetFullPath(model);
        }

        if (model.IndexOfAny(['/', '\\']) < 0 && Packages().FirstOrDefault(p => Path.GetFileName(p) == model) is { } byId)
        {
            return byId;
        }

        var known = Packages().Select(Path.GetFileName).ToArray();
        throw new ModelPackageException($"Model '{model}' is neither a package folder nor a package in {string.Join(" or ", new[] { Root }.Concat(_fallbacks))} (known: {(known.Length == 0 ? "none" : string.Join(", ", known))}).");
    }

    /// <summary>
    /// The package folder of a registered id, never a path: what a remote caller may name. The message of a failure
    /// lists the known ids and no folder.
    /// </summary>
    /// <exception cref="ModelPackageException">No package has this id.</exception>
    public string ResolveId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (Packages().FirstOrDefault(p => Path.GetFileName(p) == id) is { } byId && id.IndexOfAny(['/', '\\']) < 0 && id is not ("." or ".."))
        {
            return byId;
        }

        var known = Packages().Select(Path.GetFileName).ToArray();
        throw new ModelPackageException($"Unknown model id '{id}' (known: {(known.Length == 0 ? "none" : string.Join(", ", known))}).");
    }

    private static bool HasPackages(string folder) =>
        Directory.Exists(folder) && Directory.EnumerateDirectories(folder).Any(d => File.Exists(Path.Combine(d, ManifestFile)));
}
