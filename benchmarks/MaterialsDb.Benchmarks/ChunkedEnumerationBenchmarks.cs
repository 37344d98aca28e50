using BenchmarkDotNet.Attributes;
using MaterialsDb.Chemistry;
using MaterialsDb.Screening.Enumeration;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// What splitting a job into chunks costs the enumeration: the charge-neutral (icsd24) candidates of 20 elements,
/// 2–4 per candidate, coefficients 1..8, split into chunks of <see cref="ChunkSize"/>, every chunk enumerated on one
/// thread. Baseline: one pass over the whole space. "skip": each chunk enumerates from the first candidate and skips
/// to its own (how chunks worked before cursors). "cursor": the partitioner's counting pass places a cursor per
/// chunk and each chunk starts there. Setup prints how many candidates each way enumerates.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class ChunkedEnumerationBenchmarks
{
    private CandidateSpace _space = null!;
    private long _candidates;

    /// <summary>Candidates per chunk.</summary>
    [Params(100_000)]
    public long ChunkSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _space = BenchmarkData.TwentyElementQuaternaries();
        _candidates = OnePass();
        var chunks = (_candidates + ChunkSize - 1) / ChunkSize;
        if (Skip() != _candidates || Cursor() != _candidates)
        {
            throw new InvalidOperationException("The chunked runs did not enumerate the space exactly once.");
        }

        // Skipping enumerates every candidate before a chunk's own: chunk j passes j × size candidates first.
        var skipped = ChunkSize * chunks * (chunks - 1) / 2;
        Console.WriteLine($"// {_candidates:N0} candidates in {chunks:N0} chunks of {ChunkSize:N0}; chunks enumerate {_candidates:N0} (cursor) or {_candidates + skipped:N0} (skip); the cursor run's counting pass enumerates the space once more");
    }

    [Benchmark(Baseline = true, Description = "one pass, no chunks")]
    public long OnePass() => CandidateEnumerator.Enumerate(_space, static (_, _) => { });

    [Benchmark(Description = "chunks that skip to their start")]
    public long Skip()
    {
        var total = 0L;
        for (var first = 0L; first < _candidates; first += ChunkSize)
        {
            total += Take(first, ChunkSize);
        }

        return total;
    }

    [Benchmark(Description = "counting pass + chunks from cursors")]
    public long Cursor()
    {
        var partition = SpacePartitioner.Partition(_space, ChunkSize, threads: 1);
        var total = 0L;
        foreach (var start in partition.Starts)
        {
            var taken = 0L;
            try
            {
                CandidateEnumerator.Enumerate(_space, (_, _) =>
                {
                    if (++taken == ChunkSize)
                    {
                        throw new ChunkFull();
                    }
                }, start);
            }
            catch (ChunkFull)
            {
            }

            total += taken;
        }

        return total;
    }

    // The pre-cursor chunk: enumerate from the beginning, ignore the first candidates, stop after the chunk's own.
    private long Take(long skip, long count)
    {
        var seen = 0L;
        var taken = 0L;
        try
        {
            CandidateEnumerator.Enumerate(_space, (_, _) =>
            {
                if (seen++ < skip)
                {
                    return;
                }

                if (++taken == count)
                {
                    throw new ChunkFull();
                }
            });
        }
        catch (ChunkFull)
        {
        }

        return taken;
    }

    private sealed class ChunkFull : Exception
    {
    }
}
