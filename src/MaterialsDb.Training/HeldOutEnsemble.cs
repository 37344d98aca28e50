using MaterialsDb.Models.Evaluation;

namespace MaterialsDb.Training;

/// <summary>
/// An ensemble trained the way packages are (one member per Matbench fold of a pool of rows) that predicts rows none
/// of its members saw: what calibration and the discovery protocol judge a recipe by, without writing a package.
/// </summary>
public static class HeldOutEnsemble
{
    /// <summary>Trains one member per Matbench fold of <paramref name="pool"/> and predicts <paramref name="predict"/>.</summary>
    /// <returns>Per predicted row: the members' mean and their (population) standard deviation, unscaled.</returns>
    public static (float[] Mean, float[] Std) Predict(float[] features, int width, float[] targets, int[] pool, int[] predict, TrainerOptions options, Action<int>? memberDone = null, string task = TrainingTasks.Regression)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(predict);
        var innerFolds = MatbenchFolds.TestIndices(pool.Length);
        var sum = new double[predict.Length];
        var squares = new double[predict.Length];
        for (var k = 0; k < innerFolds.Length; k++)
        {
            var train = MatbenchFolds.TrainIndices(pool.Length, innerFolds, k).Select(i => pool[i]).ToArray();
            var p = EnsembleTrainer.FitMember(features, width, targets, train, predict, options, task).Predictions;
            for (var i = 0; i < p.Length; i++)
            {
                sum[i] += p[i];
                squares[i] += (double)p[i] * p[i];
            }

            memberDone?.Invoke(k);
        }

        var mean = new float[predict.Length];
        var std = new float[predict.Length];
        for (var i = 0; i < predict.Length; i++)
        {
            var m = sum[i] / innerFolds.Length;
            mean[i] = (float)m;
            std[i] = (float)Math.Sqrt(Math.Max(0, (squares[i] / innerFolds.Length) - (m * m)));
        }

        return (mean, std);
    }
}
