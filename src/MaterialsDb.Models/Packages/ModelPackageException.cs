namespace MaterialsDb.Models.Packages;

/// <summary>A model package that cannot be used; the message names the file and the mismatch.</summary>
public sealed class ModelPackageException : MaterialsDbException
{
    /// <summary>Creates the exception.</summary>
    public ModelPackageException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
