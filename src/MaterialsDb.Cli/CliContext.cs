using MaterialsDb.Data.Downloads;

namespace MaterialsDb.Cli;

/// <summary>What every command needs: where to write, and the dataset cache.</summary>
public sealed record CliContext(TextWriter Output, TextWriter Error, DatasetStore Store);
