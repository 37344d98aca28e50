namespace MaterialsDb.Data.Downloads;

/// <summary>Progress of one file's transfer.</summary>
public readonly record struct DownloadProgress(string DatasetId, string FileName, long BytesReceived, long TotalBytes);
