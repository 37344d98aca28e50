namespace MaterialsDb.Design.Optimisation;

/// <summary>Settings of <see cref="DifferentialEvolution"/>.</summary>
/// <param name="Population">Points per generation (at least 4).</param>
/// <param name="Generations">Generations after the first.</param>
/// <param name="Weight">Differential weight F.</param>
/// <param name="Crossover">Crossover probability CR.</param>
/// <param name="Seed">Seeds every random choice.</param>
public sealed record EvolutionOptions(int Population = 40, int Generations = 60, double Weight = 0.7, double Crossover = 0.9, int Seed = 1);

/// <summary>The best point found and what it cost.</summary>
public sealed record EvolutionResult(double[] Best, double Value, int Evaluations);

/// <summary>
/// Differential evolution (Storn and Price 1997, DE/rand/1/bin) maximising a function over a box. Each generation is
/// evaluated in one call, so a surrogate scores the whole generation as one batch. No .NET library we depend on has a
/// global optimiser (MathNet.Numerics offers local ones), so this is written once here and tested on the standard test
/// functions (sphere, Rosenbrock, Rastrigin).
/// </summary>
public static class DifferentialEvolution
{
    /// <summary>Maximises <paramref name="evaluate"/> (which fills one value per point of a generation) over [low, high].</summary>
    public static EvolutionResult Maximise(double[] low, double[] high, Action<double[][], double[]> evaluate, EvolutionOptions options)
    {
        ArgumentNullException.ThrowIfNull(low);
        ArgumentNullException.ThrowIfNull(high);
        ArgumentNullException.ThrowIfNull(evaluate);
        ArgumentNullException.ThrowIfNull(options);
        var (d, np) = (low.Length, Math.Max(4, options.Population));
        var random = new Random(options.Seed);
        var population = new double[np][];
        for (var i = 0; i < np; i++)
        {
            population[i] = new double[d];
            for (var j = 0; j < d; j++)
            {
                population[i][j] = low[j] + (random.NextDouble() * (high[j] - low[j]));
            }
        }

        var fitness = new double[np];
        evaluate(population, fitness);
        var evaluations = np;
        var trials = new double[np][];
        for (var i = 0; i < np; i++)
        {
            trials[i] = new double[d];
        }

        var trialFitness = new double[np];
        for (var g = 0; g < options.Generations; g++)
        {
            for (var i = 0; i < np; i++)
            {
                int a, b, c;
                do
                {
                    a = random.Next(np);
                }
                while (a == i);

                do
                {
                    b = random.Next(np);
                }
                while (b == i || b == a);

                do
                {
                    c = random.Next(np);
                }
                while (c == i || c == a || c == b);

                var forced = random.Next(d);
                for (var j = 0; j < d; j++)
                {
                    var x = population[i][j];
                    if (j == forced || random.NextDouble() < options.Crossover)
                    {
                        x = population[a][j] + (options.Weight * (population[b][j] - population[c][j]));
                        // Bounce back inside the box: a point between the base vector's coordinate and the violated bound.
                        if (x < low[j])
                        {
                            x = low[j] + (random.NextDouble() * (population[a][j] - low[j]));
                        }
                        else if (x > high[j])
                        {
                            x = high[j] - (random.NextDouble() * (high[j] - population[a][j]));
                        }
                    }

                    trials[i][j] = x;
                }
            }

            evaluate(trials, trialFitness);
            evaluations += np;
            for (var i = 0; i < np; i++)
            {
                if (trialFitness[i] >= fitness[i])
                {
                    (population[i], trials[i]) = (trials[i], population[i]);
                    fitness[i] = trialFitness[i];
                }
            }
        }

        var best = 0;
        for (var i = 1; i < np; i++)
        {
            best = fitness[i] > fitness[best] ? i : best;
        }

        return new EvolutionResult([.. population[best]], fitness[best], evaluations);
    }
}
