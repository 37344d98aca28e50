namespace MaterialsDb.Service.Jobs;

/// <summary>Where a screening's files live under the results folder: <c>&lt;id&gt;/part-00042.parquet</c> and <c>&lt;id&gt;/result.parquet</c>.</summary>
public sealed class ResultPaths(ServiceOptions options)
{
    /// <summary>The screening's folder.</summary>
    public string Folder(Guid id) => Path.Combine(options.ResultsFolder, id.ToString("N"));

    /// <summary>A chunk's part.</summary>
    public string Part(Guid id, int chunk) => Path.Combine(Folder(id), $"part-{chunk:D5}.parquet");

    /// <summary>The final ranked result.</summary>
    public string Result(Guid id) => Path.Combine(Folder(id), "result.parquet");
}
