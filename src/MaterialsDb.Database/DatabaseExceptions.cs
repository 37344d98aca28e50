namespace MaterialsDb.Database;

/// <summary>A contribution or change refused; <see cref="MaterialsDbException.Problems"/> names every bad row and field.</summary>
public sealed class ContributionException(string message, IReadOnlyList<FieldProblem> problems) : MaterialsDbException(message, problems);

/// <summary>No entry with this id is visible to the caller (the same answer whether it does not exist or is someone else's private entry).</summary>
public sealed class EntryNotFoundException(string id) : MaterialsDbException($"No entry '{id}' is visible to you.")
{
    public string EntryId { get; } = id;
}

/// <summary>The caller may read the entry but not make this change (not the owner, or publishing without operator rights).</summary>
public sealed class EntryForbiddenException(string message) : MaterialsDbException(message);

/// <summary>The entry changed since the caller read it, or an idempotency key was reused with another body.</summary>
public sealed class EntryConflictException(string message) : MaterialsDbException(message);
