using MaterialsDb.Chemistry;
using MaterialsDb.Screening.Enumeration;
using MaterialsDb.Screening.Resources;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Screening.Tests;

/// <summary>Chunks start at cursors: together they visit every candidate of the space exactly once, in order.</summary>
public sealed class EnumerationCursorTests
{
    private static int Z(string symbol) => PeriodicTable.FromSymbol(symbol).Z;

    private static async Task<IEnumerable<CandidateSpace>> SpacesAsync()
    {
        var icsd24 = await OxidationStateSets.LoadAsync("icsd24", null, SharedFiles.MirrorStore(), TestContext.Current.CancellationToken);
        int[] palette = [Z("Li"), Z("Na"), Z("Mg"), Z("Al"), Z("Fe"), Z("O"), Z("S"), Z("Cl"), Z("N")];
        return
        [
            new CandidateSpace { Palette = palette, MinElements = 2, MaxElements = 4, MaxCoefficient = 6, OxidationStates = icsd24 },
            new CandidateSpace { Palette = palette, Require = [Z("Li")], RequireAny = [Z("O"), Z("S")], MinElements = 3, MaxElements = 4, MaxCoefficient = 5, OxidationStates = icsd24 },
            new CandidateSpace { Palette = palette, MinElements = 1, MaxElements = 3, MaxCoefficient = 7, MaxAtoms = 9, ChargeNeutral = false },
            new CandidateSpace { Palette = palette, MinElements = 2, MaxElements = 3, MaxCoefficient = 4, ElectronegativityTest = true, OxidationStates = icsd24 },
        ];
    }

    private static List<string> All(CandidateSpace space, EnumerationCursor? start = null, long take = long.MaxValue)
    {
        var found = new List<string>();
        try
        {
            CandidateEnumerator.Enumerate(space, (z, c) =>
            {
                if (found.Count == take)
                {
                    throw new OperationCanceledException();
                }

                found.Add(CandidateEnumerator.Format(z, c));
            }, start);
        }
        catch (OperationCanceledException)
        {
        }

        return found;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    [InlineData(1_000_000)]
    public async Task ChunksFromCursorsConcatenateToTheWholeEnumeration(int chunkSize)
    {
        foreach (var space in await SpacesAsync())
        {
            var whole = All(space);
            var partition = SpacePartitioner.Partition(space, chunkSize, threads: 2, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(whole.Count, partition.Candidates);
            Assert.False(partition.OverLimit);
            Assert.Equal((whole.Count + chunkSize - 1) / chunkSize, partition.Starts.Count);
            var joined = partition.Starts.SelectMany(start => All(space, start, chunkSize)).ToList();
            Assert.Equal(whole, joined);

            // A cursor is the chunk's first candidate.
            for (var j = 0; j < partition.Starts.Count; j++)
            {
                Assert.Equal(whole[j * chunkSize], CandidateEnumerator.Format(partition.Starts[j].AtomicNumbers, partition.Starts[j].Coefficients));
            }
        }
    }

    [Fact]
    public async Task ThePartitionDoesNotDependOnTheThreadCount()
    {
        var space = (await SpacesAsync()).First();
        var one = SpacePartitioner.Partition(space, 333, threads: 1, cancellationToken: TestContext.Current.CancellationToken);
        var two = SpacePartitioner.Partition(space, 333, threads: 2, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(one.Candidates, two.Candidates);
        Assert.Equal(one.Starts.Select(s => s.ToString()), two.Starts.Select(s => s.ToString()));
    }

    [Fact]
    public async Task CountingStopsAtTheLimit()
    {
        var space = (await SpacesAsync()).First();
        var whole = SpacePartitioner.Partition(space, 100, cancellationToken: TestContext.Current.CancellationToken).Candidates;
        var capped = SpacePartitioner.Partition(space, 100, limit: whole / 3, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(capped.OverLimit);
        Assert.True(capped.Candidates > whole / 3 && capped.Candidates < whole);
        Assert.False(SpacePartitioner.Partition(space, 100, limit: whole, cancellationToken: TestContext.Current.CancellationToken).OverLimit);
    }

    [Fact]
    public async Task CountingIsCancellable()
    {
        var space = (await SpacesAsync()).First();
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        Assert.ThrowsAny<OperationCanceledException>(() => SpacePartitioner.Partition(space, 100, cancellationToken: cancel.Token));
    }

    [Fact]
    public void AnEmptySpaceHasNoChunks()
    {
        var space = new CandidateSpace { Palette = [Z("Na"), Z("Li")], MinElements = 2, MaxElements = 2, OxidationStates = new OxidationStateSet("cations", Cations(), new double[118]) };
        var partition = SpacePartitioner.Partition(space, 10, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, partition.Candidates);
        Assert.Empty(partition.Starts);

        static int[][] Cations()
        {
            var states = new int[118][];
            Array.Fill(states, [1]);
            return states;
        }
    }

    [Theory]
    [InlineData("3,8|1,2")]
    [InlineData("26|5")]
    public void CursorsRoundTripThroughText(string text) => Assert.Equal(text, EnumerationCursor.Parse(text).ToString());

    [Theory]
    [InlineData("")]
    [InlineData("3,8|1")]
    [InlineData("3,8|0,1")]
    [InlineData("300|1")]
    [InlineData("a|b")]
    [InlineData("3,8|1,2|4")]
    public void MalformedCursorsAreRefused(string text) => Assert.Throws<FormatException>(() => EnumerationCursor.Parse(text));

    [Fact]
    public async Task ACursorOutsideTheSpaceIsRefused()
    {
        var space = (await SpacesAsync()).First();
        Assert.Throws<ArgumentException>(() => All(space, EnumerationCursor.Parse("79,8|1,1")));     // Au is not in the palette
        Assert.Throws<ArgumentException>(() => All(space, EnumerationCursor.Parse("8,3|1,1")));      // not ascending
        Assert.Throws<ArgumentException>(() => All(space, EnumerationCursor.Parse("3,8|1,99")));     // coefficient above the maximum
    }
}
