namespace MaterialsDb.Data.Downloads;

/// <summary>A dataset file could not be fetched; the message names the dataset, the file and the source.</summary>
public class DatasetDownloadException : MaterialsDbException
{
    /// <summary>Creates the exception.</summary>
    public DatasetDownloadException(string message, string source, Exception? inner = null)
        : base(message, inner)
    {
        SourceLocation = source;
    }

    /// <summary>The URL or mirror path that was tried.</summary>
    public string SourceLocation { get; }
}
