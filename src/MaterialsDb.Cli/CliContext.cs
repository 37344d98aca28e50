using MaterialsDb.Data.Downloads;

namespace MaterialsDb.Cli;

/// <summary>What every command needs: where to write, and the dataset cache.</summary>
public sealed record CliContext(TextWriter Output, TextWriter Error, DatasetStore Store)
{
    /// <summary>The global --quiet: print nothing but results and errors (no progress, no summaries).</summary>
    public bool Quiet { get; set; }
}
