namespace MaterialsDb.Data.Downloads;

/// <summary>A fetched file's SHA-256 differs from the catalog's; the file was discarded.</summary>
public sealed class DatasetIntegrityException : DatasetDownloadException
{
    /// <summary>Creates the exception.</summary>
    public DatasetIntegrityException(string message, string source, string expectedSha256, string actualSha256)
        : base(message, source)
    {
        ExpectedSha256 = expectedSha256;
        ActualSha256 = actualSha256;
    }

    /// <summary>The checksum the catalog pins.</summary>
    public string ExpectedSha256 { get; }

    /// <summary>The checksum of what arrived.</summary>
    public string ActualSha256 { get; }
}
