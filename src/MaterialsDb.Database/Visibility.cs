namespace MaterialsDb.Database;

/// <summary>Who may read an entry.</summary>
public enum Visibility
{
    /// <summary>The owning tenant only.</summary>
    Private,

    /// <summary>Every tenant of this installation.</summary>
    Cluster,

    /// <summary>Every tenant and anonymous readers (OPTIMADE clients).</summary>
    Public,
}

/// <summary>Where a value comes from; a hull only ever holds <see cref="Dft"/> entries of one scheme.</summary>
public enum SourceKind
{
    /// <summary>A density-functional calculation.</summary>
    Dft,

    /// <summary>A measurement.</summary>
    Experiment,

    /// <summary>A machine-learned prediction.</summary>
    Ml,
}
