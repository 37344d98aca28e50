namespace MaterialsDb.Screening.Enumeration;

/// <summary>How a space splits into chunks: the exact number of candidates and the cursor where each chunk starts.</summary>
/// <param name="Candidates">Candidates that pass the chemical filters (counted up to the limit).</param>
/// <param name="Starts">One cursor per chunk: chunk j starts at candidate j × chunk size. Empty when there are no candidates.</param>
/// <param name="OverLimit">True when counting stopped because the space has more candidates than the limit.</param>
public sealed record SpacePartition(long Candidates, IReadOnlyList<EnumerationCursor> Starts, bool OverLimit);

/// <summary>
/// Counts a candidate space exactly and finds the cursor of every chunk boundary, in one pass that runs element
/// combinations in parallel (each combination's candidates are independent of the others'), then walks the running
/// total to place the boundaries; only a combination that contains a boundary is enumerated a second time.
/// </summary>
public static class SpacePartitioner
{
    private const int Batch = 2048;

    /// <summary>Partitions <paramref name="space"/> into chunks of <paramref name="chunkSize"/> candidates.</summary>
    /// <param name="space">The space.</param>
    /// <param name="chunkSize">Candidates per chunk (the last may hold fewer).</param>
    /// <param name="limit">Stop counting once more than this many candidates are found (<see cref="SpacePartition.OverLimit"/>).</param>
    /// <param name="threads">Counting threads.</param>
    /// <param name="cancellationToken">Checked between batches of combinations.</param>
    public static SpacePartition Partition(CandidateSpace space, long chunkSize, long limit = long.MaxValue, int threads = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        var palette = CandidateEnumerator.SortedPalette(space);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount, CancellationToken = cancellationToken };
        var starts = new List<EnumerationCursor>();
        var counts = new long[Batch];
        var batch = new List<int[]>(Batch);
        long total = 0, next = 0;

        // Returns false once over the limit.
        bool Flush()
        {
            cancellationToken.ThrowIfCancellationRequested();
            Parallel.For(0, batch.Count, parallel, i => counts[i] = CandidateEnumerator.EnumerateCombination(space, palette, batch[i], static (_, _) => { }));
            for (var i = 0; i < batch.Count; i++)
            {
                if (next < total + counts[i])
                {
                    // Boundaries inside this combination: enumerate it once more and take the candidates at those offsets.
                    var offset = 0L;
                    var first = total;
                    CandidateEnumerator.EnumerateCombination(space, palette, batch[i], (z, c) =>
                    {
                        if (first + offset == next)
                        {
                            starts.Add(new EnumerationCursor(z, c));
                            next += chunkSize;
                        }

                        offset++;
                    });
                }

                total += counts[i];
                if (total > limit)
                {
                    return false;
                }
            }

            batch.Clear();
            return true;
        }

        for (var k = space.MinElements; k <= space.MaxElements; k++)
        {
            foreach (var combination in CandidateEnumerator.Combinations(palette.Length, k))
            {
                batch.Add((int[])combination.Clone());
                if (batch.Count == Batch && !Flush())
                {
                    return new SpacePartition(total, starts, true);
                }
            }
        }

        return Flush() ? new SpacePartition(total, starts, false) : new SpacePartition(total, starts, true);
    }
}
