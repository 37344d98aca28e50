namespace MaterialsDb.Service.Jobs;

/// <summary>
/// Where a screening's files live under the results folder: <c>&lt;id&gt;/upload.csv</c> (a candidate list sent with the
/// spec), <c>&lt;id&gt;/part-00042.parquet</c> (a chunk's survivors) and <c>&lt;id&gt;/result.parquet</c>.
/// </summary>
public sealed class ResultPaths(ServiceOptions options)
{
    /// <summary>The results folder.</summary>
    public string Root { get; } = Path.GetFullPath(options.ResultsFolder);

    /// <summary>The screening's folder.</summary>
    public string Folder(Guid id) => Path.Combine(Root, id.ToString("N"));

    /// <summary>A chunk's part.</summary>
    public string Part(Guid id, int chunk) => Path.Combine(Folder(id), $"part-{chunk:D5}.parquet");

    /// <summary>A self-consistent screening's candidates below the reference hull (its first pass, shared by every chunk).</summary>
    public string CandidateHull(Guid id) => Path.Combine(Folder(id), "candidate-hull.parquet");

    /// <summary>The final ranked result.</summary>
    public string Result(Guid id) => Path.Combine(Folder(id), "result.parquet");

    /// <summary>The uploaded candidate list (named by us, with the extension of the uploaded name: .csv or .parquet).</summary>
    public string Upload(Guid id, string uploadedName) => Path.Combine(Folder(id), "upload" + Path.GetExtension(uploadedName).ToLowerInvariant());

    /// <summary>A scratch folder for an upload being received, before its screening exists.</summary>
    public string Incoming() => Path.Combine(Root, ".incoming", Guid.NewGuid().ToString("N"));
}
