using System.Text.Json;
using MaterialsDb.Models.Evaluation;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Models.Tests;

/// <summary>The folds equal scikit-learn's for every task in shared/reference/matbench_folds.</summary>
public sealed class MatbenchFoldTests
{
    [Theory]
    [InlineData("expt_gap")]
    [InlineData("expt_is_metal")]
    [InlineData("glass")]
    [InlineData("mp_e_form")]
    [InlineData("mp_gap")]
    [InlineData("steels_yield")]
    public void FoldsEqualScikitLearn(string task)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(SharedFiles.Reference(Path.Combine("matbench_folds", task + ".json"))));
        var n = json.RootElement.GetProperty("n").GetInt32();
        var expected = json.RootElement.GetProperty("test_indices").EnumerateArray().Select(f => f.EnumerateArray().Select(i => i.GetInt32()).ToArray()).ToArray();

        var folds = MatbenchFolds.TestIndices(n);

        Assert.Equal(expected.Length, folds.Length);
        for (var k = 0; k < folds.Length; k++)
        {
            Assert.Equal(expected[k], folds[k]);
        }
    }

    [Fact]
    public void FoldsPartitionTheRows()
    {
        var folds = MatbenchFolds.TestIndices(103);
        Assert.Equal(Enumerable.Range(0, 103), folds.SelectMany(f => f).Order());
        Assert.Equal([21, 21, 21, 20, 20], folds.Select(f => f.Length));
        var train = MatbenchFolds.TrainIndices(103, folds, 2);
        Assert.Empty(train.Intersect(folds[2]));
        Assert.Equal(103 - folds[2].Length, train.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => MatbenchFolds.TestIndices(3, 5));
    }
}
