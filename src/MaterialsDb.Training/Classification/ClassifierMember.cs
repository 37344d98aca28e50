using Google.Protobuf;
using Onnx;

namespace MaterialsDb.Training.Classification;

/// <summary>
/// One member of a classifier package: an ML.NET LightGBM binary classifier for P(target = 1), its ONNX graph cut down
/// to that probability as a float32 [N, 1] output (<see cref="OutputName"/>), so the package format stays the
/// regressors' (one [N, 1] output per member).
/// </summary>
public static class ClassifierMember
{
    /// <summary>The member graph's output: P(target = 1).</summary>
    public const string OutputName = LightGbmClassifier.ProbabilityName;

    /// <summary>Trains on <paramref name="train"/> (targets 0 or 1) and predicts P(1) for <paramref name="predict"/>.</summary>
    /// <exception cref="InvalidOptionException">A setting only regressors have is given.</exception>
    public static MemberFit Fit(float[] features, int width, float[] targets, int[] train, int[] predict, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (options is not LightGbmOptions trees)
        {
            throw new InvalidOptionException($"Classification datasets are trained with --trainer lightgbm; '{options?.Trainer}' trains regressors only.");
        }

        if (trees.ZeroGate || trees.RobustPasses > 0 || trees.LogTarget)
        {
            throw new InvalidOptionException("--zero-gate, --robust-passes and --log-target are for regression; a classifier is trained for log loss.");
        }

        var (onnx, probabilities) = LightGbmClassifier.Train(features, width, r => targets[r] >= 0.5f, train, predict, trees);
        return new MemberFit(ProbabilityOnly(onnx), probabilities);
    }

    /// <summary>The classifier graph with its probability as the only output, shaped [N, 1].</summary>
    public static byte[] ProbabilityOnly(byte[] classifier)
    {
        var model = ModelProto.Parser.ParseFrom(classifier);
        var graph = model.Graph;
        var output = graph.Output.Single(o => o.Name == OutputName);
        foreach (var unused in graph.Output.Where(o => o.Name != OutputName).ToList())
        {
            graph.Output.Remove(unused);
            // ML.NET ends each output with its own node (an Identity): drop it with the output.
            if (graph.Node.SingleOrDefault(n => n.Output.Contains(unused.Name)) is { OpType: "Identity" } producer)
            {
                graph.Node.Remove(producer);
            }
        }

        // Reshape to [N, 1] whatever rank ML.NET declared ([N] or [N, 1]).
        var producerOfProbability = graph.Node.Single(n => n.Output.Contains(OutputName));
        producerOfProbability.Output[producerOfProbability.Output.IndexOf(OutputName)] = "probability/flat";
        var shape = new TensorProto { Name = "probability/shape", DataType = (int)TensorProto.Types.DataType.Int64 };
        shape.Dims.Add(2);
        shape.Int64Data.Add([-1, 1]);
        graph.Initializer.Add(shape);
        var reshape = new NodeProto { OpType = "Reshape", Name = "probability/reshape" };
        reshape.Input.Add("probability/flat");
        reshape.Input.Add("probability/shape");
        reshape.Output.Add(OutputName);
        graph.Node.Add(reshape);
        var dims = output.Type.TensorType.Shape.Dim;
        while (dims.Count > 1)
        {
            dims.RemoveAt(dims.Count - 1);
        }

        dims.Add(new TensorShapeProto.Types.Dimension { DimValue = 1 });
        graph.Name = "classifier_probability";
        return model.ToByteArray();
    }
}
