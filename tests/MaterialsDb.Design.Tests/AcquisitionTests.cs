using MaterialsDb.Design.Acquisition;
using MaterialsDb.Design.Spec;

namespace MaterialsDb.Design.Tests;

/// <summary>Acquisition values against closed forms and Monte Carlo; hypervolumes against hand-computed areas.</summary>
public sealed class AcquisitionTests
{
    private static readonly Objective Max = new("y", Goal.Max);
    private static readonly Objective Min = new("y", Goal.Min);
    private static readonly Objective Window = new("y", Goal.Window, 1.1, 1.5);

    [Theory]
    [InlineData(1.0, 0.5, 0.8)]
    [InlineData(0.0, 2.0, 1.5)]
    [InlineData(3.0, 0.1, 1.0)]
    public void ExpectedImprovementMatchesMonteCarlo(double mean, double sd, double best)
    {
        var random = new Random(1);
        double sum = 0;
        const int Draws = 400_000;
        for (var i = 0; i < Draws; i++)
        {
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            sum += Math.Max(mean + (sd * z) - best, 0);
        }

        var closed = Acquisitions.Value(AcquisitionKind.Ei, Max, mean, sd, best, 2, 0);
        Assert.True(Math.Abs((sum / Draws) - closed) < 3e-3 * Math.Max(1, closed), $"Monte Carlo {sum / Draws} vs {closed}");
    }

    [Fact]
    public void ClosedFormsAndLimits()
    {
        // EI at the best with σ = 1 is φ(0) = 0.39894; PI is ½; UCB adds κσ; with σ = 0 EI is the plain improvement.
        Assert.Equal(0.398942, Acquisitions.Value(AcquisitionKind.Ei, Max, 2, 1, 2, 2, 0), 5);
        Assert.Equal(0.5, Acquisitions.Value(AcquisitionKind.Pi, Max, 2, 1, 2, 2, 0), 10);
        Assert.Equal(4.5, Acquisitions.Value(AcquisitionKind.Ucb, Max, 2.5, 1, 0, 2, 0), 10);
        Assert.Equal(0.7, Acquisitions.Value(AcquisitionKind.Ei, Max, 2.7, 0, 2, 2, 0), 10);
        Assert.Equal(0, Acquisitions.Value(AcquisitionKind.Ei, Max, 1.7, 0, 2, 2, 0));
        // Minimising flips the frame: a mean of 1 against a best observed 2 improves by 1 (utilities −1 vs −2).
        Assert.Equal(1, Acquisitions.Value(AcquisitionKind.Ei, Min, 1, 0, Min.Utility(2), 2, 0), 10);
        Assert.Equal(-3, Acquisitions.Value(AcquisitionKind.Greedy, Min, 3, 1, 0, 2, 0));
        Assert.Equal(0.25, Acquisitions.Value(AcquisitionKind.Explore, Max, 3, 0.25, 0, 2, 0));
        Assert.Equal(0.625, Acquisitions.Value(AcquisitionKind.Random, Max, 3, 0.25, 0, 2, 0.625));
    }

    [Fact]
    public void WindowGoalsScoreTheChanceOfLandingInside()
    {
        // N(1.3, 0.2²) inside [1.1, 1.5]: Φ(1) − Φ(−1) = 0.6827.
        Assert.Equal(0.682689, Acquisitions.Value(AcquisitionKind.Ei, Window, 1.3, 0.2, 0, 2, 0), 5);
        Assert.Equal(0.682689, Acquisitions.Value(AcquisitionKind.Pi, Window, 1.3, 0.2, 0, 2, 0), 5);
        Assert.True(Acquisitions.Value(AcquisitionKind.Ei, Window, 3, 0.2, 0, 2, 0) < 1e-9);
        Assert.Equal(1, Acquisitions.Within(1.2, 0, 1.1, 1.5));
        Assert.Equal(0, Acquisitions.Within(1.6, 0, 1.1, 1.5));
        // Greedy aims at the centre; UCB rewards σ beside the distance from the window.
        Assert.True(Acquisitions.Value(AcquisitionKind.Greedy, Window, 1.3, 0.1, 0, 2, 0) > Acquisitions.Value(AcquisitionKind.Greedy, Window, 1.45, 0.1, 0, 2, 0));
        Assert.Equal(-0.5 + 0.2, Acquisitions.Value(AcquisitionKind.Ucb, Window, 2.0, 0.1, 0, 2, 0), 10);
    }

    [Fact]
    public void HypervolumeOfAStaircase()
    {
        // Front (3,1), (2,2), (1,3) above (0,0): 3 + 2 + 1 = 6; (1,1) is dominated and changes nothing.
        var hv = new Hypervolume([(3, 1), (2, 2), (1, 3), (1, 1)], 0, 0);
        Assert.Equal(3, hv.FrontSize);
        Assert.Equal(6, hv.Volume, 12);
        Assert.Equal(0, hv.Improvement(1, 1));
        Assert.Equal(0, hv.Improvement(2, 2));
        // (2.5, 2.5): its box is 6.25, the front covers 2.5·1 + 2·1 + 1·0.5 = 5 of it.
        Assert.Equal(1.25, hv.Improvement(2.5, 2.5), 12);
        // A point beyond everything adds its box minus the whole front.
        Assert.Equal(16 - 6, hv.Improvement(4, 4), 12);
        // With σ = 0 every draw is the mean: the expectation is the improvement itself.
        Assert.Equal(1.25, hv.ExpectedImprovement(2.5, 0, 2.5, 0, [0.3, -1.2, 2.0, 0.1], (_, v) => v), 12);
    }
}
