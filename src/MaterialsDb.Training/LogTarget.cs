using Google.Protobuf;
using Onnx;

namespace MaterialsDb.Training;

/// <summary>
/// Trees fitted to ln(target) for positive, heavy-tailed properties (thermal conductivity spans four decades): the
/// member learns the logarithm and its ONNX graph ends in an Exp, so what it outputs — and what every metric scores —
/// is the property itself, never negative.
/// </summary>
public static class LogTarget
{
    /// <summary>Trains <paramref name="fit"/> on ln(target) of <paramref name="train"/> and returns exp of its predictions and graph.</summary>
    /// <exception cref="InvalidOptionException">A training target is not positive (the message names its row).</exception>
    public static MemberFit Fit(float[] targets, int[] train, Func<float[], (byte[] Onnx, float[] Predictions)> fit)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(fit);
        var logs = new float[targets.Length];
        foreach (var r in train)
        {
            if (!(targets[r] > 0))
            {
                throw new InvalidOptionException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"--log-target needs positive targets; row {r + 1} has {targets[r]}."));
            }

            logs[r] = MathF.Log(targets[r]);
        }

        var (onnx, predictions) = fit(logs);
        return new MemberFit(AppendExp(onnx, LightGbmRegressor.OutputName), [.. predictions.Select(MathF.Exp)]);
    }

    /// <summary>The graph with Exp applied to <paramref name="output"/>, under the same name.</summary>
    public static byte[] AppendExp(byte[] graphBytes, string output)
    {
        var model = ModelProto.Parser.ParseFrom(graphBytes);
        var graph = model.Graph;
        var producer = graph.Node.SingleOrDefault(n => n.Output.Contains(output)) ?? throw new InvalidOperationException($"No node produces '{output}'.");
        producer.Output[producer.Output.IndexOf(output)] = "log/" + output;
        var exp = new NodeProto { OpType = "Exp", Name = "log/exp" };
        exp.Input.Add("log/" + output);
        exp.Output.Add(output);
        graph.Node.Add(exp);
        return model.ToByteArray();
    }
}
