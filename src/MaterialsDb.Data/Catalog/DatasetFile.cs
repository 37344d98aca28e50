namespace MaterialsDb.Data.Catalog;

/// <summary>One file of a dataset: its name in the cache, the URL pinned to a commit, and its checksum and size.</summary>
public sealed record DatasetFile(string Name, Uri Url, string Sha256, long Size);
