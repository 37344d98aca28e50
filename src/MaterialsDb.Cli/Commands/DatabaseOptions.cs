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

    /// <summary>The energy scheme of what is contributed.</summary>
    public static Option<string?> Scheme(string what) => new("--scheme") { Description = what + string.Join(", ", EnergySchemes.All.Select(s => s.Name)) + "." };

    /// <summary>Who may read what is contributed.</summary>
    public static Option<string?> Visibility() => new("--visibility") { Description = "private (default), cluster or public." };

    /// <summary>The licence of what is contributed.</summary>
    public static Option<string?> Licence(string what) => new("--licence") { Description = $"SPDX licence id{what}, e.g. CC-BY-4.0." };

    /// <summary>The reference of what is contributed.</summary>
    public static Option<string?> Reference(string what) => new("--reference") { Description = $"DOI or citation{what}." };
}
