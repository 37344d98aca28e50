namespace MaterialsDb.Database;

/// <summary>
/// Who reads: anonymous callers see public entries; a tenant sees public and cluster entries and its own private ones.
/// Every read of the database goes through a viewer, so no query can forget the rule.
/// </summary>
/// <param name="Tenant">The tenant; null for anonymous readers.</param>
/// <param name="IsOperator">Operators may publish entries of any tenant to <see cref="Visibility.Public"/>.</param>
public sealed record Viewer(string? Tenant, bool IsOperator = false)
{
    /// <summary>An anonymous reader.</summary>
    public static Viewer Anonymous { get; } = new((string?)null);

    /// <summary>The owner recorded on catalog imports (no tenant can act as it).</summary>
    public const string CatalogOwner = "(catalog)";

    /// <summary>True when this viewer may read an entry of <paramref name="owner"/> with <paramref name="visibility"/>.</summary>
    public bool CanSee(string owner, Visibility visibility) =>
        visibility == Visibility.Public || (Tenant is not null && (visibility == Visibility.Cluster || owner == Tenant));

    /// <summary>The version scopes whose changes this viewer can observe (see <see cref="IMaterialsStore.VersionAsync"/>).</summary>
    public IEnumerable<string> Scopes() => Tenant is null ? [PublicScope] : [PublicScope, ClusterScope, TenantScope(Tenant)];

    internal const string PublicScope = "public", ClusterScope = "cluster";

    internal static string TenantScope(string tenant) => "tenant:" + tenant;

    internal static string ScopeOf(string owner, Visibility visibility) => visibility switch
    {
        Visibility.Public => PublicScope,
        Visibility.Cluster => ClusterScope,
        _ => TenantScope(owner),
    };
}
