using MaterialsDb.Design.Optimisation;

namespace MaterialsDb.Design.Tests;

/// <summary>Differential evolution on the standard test functions, whose optima are known.</summary>
public sealed class OptimiserTests
{
    private static EvolutionResult Run(Func<double[], double> f, int dims, double bound, int population = 40, int generations = 200, int seed = 1) =>
        DifferentialEvolution.Maximise(
            [.. Enumerable.Repeat(-bound, dims)],
            [.. Enumerable.Repeat(bound, dims)],
            (points, values) =>
            {
                for (var i = 0; i < points.Length; i++)
                {
                    values[i] = -f(points[i]);
                }
            },
            new EvolutionOptions(population, generations, Seed: seed));

    [Fact]
    public void SphereInFiveDimensions()
    {
        var result = Run(x => x.Sum(v => v * v), 5, 5);
        Assert.True(-result.Value < 1e-6, $"f = {-result.Value}");
        Assert.All(result.Best, v => Assert.InRange(v, -1e-3, 1e-3));
        Assert.Equal(40 * 201, result.Evaluations);
    }

    [Fact]
    public void RosenbrocksValley()
    {
        static double Rosenbrock(double[] x) => (100 * Math.Pow(x[1] - (x[0] * x[0]), 2)) + Math.Pow(1 - x[0], 2);
        var result = Run(Rosenbrock, 2, 2, generations: 400);
        Assert.InRange(result.Best[0], 0.99, 1.01);
        Assert.InRange(result.Best[1], 0.98, 1.02);
    }

    [Fact]
    public void RastriginsManyLocalMinima()
    {
        static double Rastrigin(double[] x) => (10 * x.Length) + x.Sum(v => (v * v) - (10 * Math.Cos(2 * Math.PI * v)));
        var result = Run(Rastrigin, 2, 5.12, population: 60, generations: 300);
        Assert.True(-result.Value < 1e-4, $"f = {-result.Value} at ({result.Best[0]}, {result.Best[1]})");
    }

    [Fact]
    public void PointsStayInTheBoxAndTheSeedDecides()
    {
        var low = new[] { 0.0, 10.0 };
        var high = new[] { 1.0, 11.0 };
        var seen = new List<double[]>();
        void Evaluate(double[][] points, double[] values)
        {
            for (var i = 0; i < points.Length; i++)
            {
                seen.Add([.. points[i]]);
                values[i] = points[i][0] + points[i][1];
            }
        }

        var a = DifferentialEvolution.Maximise(low, high, Evaluate, new EvolutionOptions(10, 20, Seed: 4));
        Assert.All(seen, p => Assert.True(p[0] >= 0 && p[0] <= 1 && p[1] >= 10 && p[1] <= 11));
        var b = DifferentialEvolution.Maximise(low, high, (p, v) => Evaluate(p, v), new EvolutionOptions(10, 20, Seed: 4));
        var c = DifferentialEvolution.Maximise(low, high, (p, v) => Evaluate(p, v), new EvolutionOptions(10, 20, Seed: 5));
        Assert.Equal(a.Best, b.Best);
        Assert.NotEqual(a.Best, c.Best);
    }
}
