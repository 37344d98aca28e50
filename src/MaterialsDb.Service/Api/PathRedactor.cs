using System.Text.RegularExpressions;

namespace MaterialsDb.Service.Api;

/// <summary>
/// Removes server paths from messages sent to clients: library errors name files (a model package's folder, a cached
/// dataset) for the operator's benefit, but a tenant must never learn the server's layout. Known folders become short
/// labels; any other absolute path becomes <c>&lt;server path&gt;</c>.
/// </summary>
public sealed partial class PathRedactor
{
    private readonly (string Path, string Label)[] _folders;

    /// <summary>Creates a redactor for the folders this node uses.</summary>
    public PathRedactor(ServiceOptions options, Models.Packages.ModelRegistry registry, Data.Downloads.DatasetStore datasets)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(datasets);
        _folders = [.. new[]
            {
                (Path.GetFullPath(options.ResultsFolder), "<results>"),
                (registry.Root, "<models>"),
                (datasets.Options.Home, "<datasets>"),
                (Path.GetTempPath().TrimEnd('/'), "<tmp>"),
                (Environment.CurrentDirectory, "<cwd>"),
                (AppContext.BaseDirectory.TrimEnd('/'), "<app>"),
            }.Where(f => f.Item1.Length > 1).OrderByDescending(f => f.Item1.Length)];
    }

    /// <summary>The text without server paths.</summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var (path, label) in _folders)
        {
            text = text.Replace(path, label, StringComparison.Ordinal);
        }

        return AbsolutePath().Replace(text, "<server path>");
    }

    // An absolute Unix or Windows path not glued to a word (so "eV/atom" stays).
    [GeneratedRegex(@"(?<![\w.<>/:])(?:/|[A-Za-z]:\\)(?:[\w.@+~-]+[/\\])*[\w.@+~-]+", RegexOptions.CultureInvariant)]
    private static partial Regex AbsolutePath();
}
