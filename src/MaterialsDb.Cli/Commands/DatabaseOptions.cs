using System.CommandLine;
using MaterialsDb.Database;

namespace MaterialsDb.Cli.Commands;

/// <summary>
/// The options of the commands that read or write the shared materials database (<c>db</c>, <c>design start</c>,
/// <c>design contribute</c>), made in one place so they are spelled and explained alike.
/// </summary>
internal static class DatabaseOptions
{
    /// <summary>Where the database is: PostgreSQL, or the embedded database in <see cref="Results"/>.</summary>
    public static Option<string?> Postgres() => new("--postgres") { Description = "PostgreSQL connection string (cluster mode); without it, the embedded database in --results." };

    /// <summary>The embedded database's results folder.</summary>
    public static Option<string?> Results() => new("--results") { Description = "Embedded mode: the service's results folder, whose .database folder holds the database (default $MATERIALSDB_HOME/service/results)." };

    /// <summary>The tenant whose view, and whose entries, these are.</summary>
    public static Option<string> Tenant() => new("--tenant") { Description = "The tenant whose view (and, contributing, whose entries) this is.", DefaultValueFactory = _ => "local" };

    /// <summary>What a contribution is filed under: scheme, visibility, licence, reference and label.</summary>
    /// <param name="scheme">The scheme option's description, before the list of schemes.</param>
    /// <param name="rows">Which rows the licence and reference apply to (" of rows that name none"), or empty.</param>
    /// <param name="label">The label option's description.</param>
    public static Filing FilingOptions(string scheme, string rows, string label) => new(
        new("--scheme") { Description = scheme + string.Join(", ", EnergySchemes.All.Select(s => s.Name)) + "." },
        new("--visibility") { Description = "private (default), cluster or public." },
        new("--licence") { Description = $"SPDX licence id{rows}, e.g. CC-BY-4.0." },
        new("--reference") { Description = $"DOI or citation{rows}." },
        new("--label") { Description = label });

    /// <summary>The filing options of one command.</summary>
    public sealed record Filing(Option<string?> Scheme, Option<string?> Visibility, Option<string?> Licence, Option<string?> Reference, Option<string?> Label)
    {
        /// <summary>The options, to add to a command.</summary>
        public IEnumerable<Option> All => [Scheme, Visibility, Licence, Reference, Label];

        /// <summary>The batch-wide values the command line gives, the person running it as contributor.</summary>
        public ContributionDefaults Defaults(ParseResult parse, string? defaultLabel = null) => new()
        {
            Scheme = parse.GetValue(Scheme),
            Visibility = parse.GetValue(Visibility),
            Licence = parse.GetValue(Licence),
            Reference = parse.GetValue(Reference),
            Label = parse.GetValue(Label) ?? defaultLabel,
            Contributor = Environment.UserName,
        };
    }
}
