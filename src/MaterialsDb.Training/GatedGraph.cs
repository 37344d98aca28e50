using System.Globalization;
using Google.Protobuf;
using Onnx;

namespace MaterialsDb.Training;

/// <summary>
/// Joins a classifier graph and a regressor graph (both exported by ML.NET, both reading <c>Features</c>) into one ONNX
/// graph: <c>Score.output</c> = the regressor's prediction where the classifier's P(target ≠ 0) exceeds a threshold,
/// else 0; <c>Gate.output</c> = that probability. One graph per member keeps the package format unchanged: anything
/// that runs a plain regressor package runs a gated one.
/// </summary>
public static class GatedGraph
{
    /// <summary>Output holding P(target ≠ 0).</summary>
    public const string GateName = "Gate.output";

    private const string Prefix = "gate/";

    /// <summary>The joined graph's bytes.</summary>
    /// <param name="classifier">A <see cref="LightGbmClassifier"/> graph (output <c>Probability.output</c>).</param>
    /// <param name="regressor">A <see cref="LightGbmRegressor"/> graph (output <c>Score.output</c>).</param>
    /// <param name="threshold">Predict 0 where P(target ≠ 0) ≤ this.</param>
    public static byte[] Join(byte[] classifier, byte[] regressor, float threshold)
    {
        var gate = ModelProto.Parser.ParseFrom(classifier);
        var model = ModelProto.Parser.ParseFrom(regressor);
        var graph = model.Graph;
        var input = graph.Input.Single().Name;
        var score = Producer(graph, LightGbmRegressor.OutputName).Input.Single();
        var probability = Producer(gate.Graph, LightGbmClassifier.ProbabilityName).Input.Single();

        // The classifier's nodes that the probability needs, renamed apart from the regressor's; both read the same input.
        string Rename(string name) => name == input || name.Length == 0 ? name : Prefix + name;
        var index = 0;
        foreach (var node in Needed(gate.Graph, probability))
        {
            var copy = node.Clone();
            copy.Name = string.Create(CultureInfo.InvariantCulture, $"{Prefix}{index++}_{copy.Name}");
            Relabel(copy.Input, Rename);
            Relabel(copy.Output, Rename);
            graph.Node.Add(copy);
        }

        foreach (var init in gate.Graph.Initializer)
        {
            var copy = init.Clone();
            copy.Name = Rename(copy.Name);
            graph.Initializer.Add(copy);
        }

        graph.Initializer.Add(Scalar(Prefix + "threshold", threshold));
        graph.Initializer.Add(Scalar(Prefix + "zero", 0f));
        graph.Node.Add(Node("Greater", [Rename(probability), Prefix + "threshold"], [Prefix + "open"]));
        graph.Node.Add(Node("Where", [Prefix + "open", score, Prefix + "zero"], [Prefix + "gated"]));

        // Outputs: the gated prediction under the regressor's output name, and the probability.
        graph.Node.Remove(Producer(graph, LightGbmRegressor.OutputName));
        graph.Node.Add(Node("Identity", [Prefix + "gated"], [LightGbmRegressor.OutputName]));
        graph.Node.Add(Node("Identity", [Rename(probability)], [GateName]));
        var outputType = graph.Output.Single(o => o.Name == LightGbmRegressor.OutputName).Type;
        foreach (var unused in graph.Output.Where(o => o.Name != LightGbmRegressor.OutputName).ToList())
        {
            graph.Output.Remove(unused);
            graph.Node.Remove(Producer(graph, unused.Name));
        }

        graph.Output.Add(new ValueInfoProto { Name = GateName, Type = outputType.Clone() });
        graph.Name = "gated_regression";
        return model.ToByteArray();
    }

    private static NodeProto Producer(GraphProto graph, string output) =>
        graph.Node.SingleOrDefault(n => n.Output.Contains(output)) ?? throw new InvalidOperationException($"No node of graph '{graph.Name}' produces '{output}'.");

    // Nodes the tensor depends on, in graph order.
    private static List<NodeProto> Needed(GraphProto graph, string tensor)
    {
        var wanted = new HashSet<string> { tensor };
        var needed = new List<NodeProto>();
        for (var i = graph.Node.Count - 1; i >= 0; i--)
        {
            var node = graph.Node[i];
            if (node.Output.Any(wanted.Contains))
            {
                needed.Add(node);
                wanted.UnionWith(node.Input);
            }
        }

        needed.Reverse();
        return needed;
    }

    private static void Relabel(Google.Protobuf.Collections.RepeatedField<string> names, Func<string, string> rename)
    {
        for (var i = 0; i < names.Count; i++)
        {
            names[i] = rename(names[i]);
        }
    }

    private static TensorProto Scalar(string name, float value)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.FloatData.Add(value);
        return tensor;
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = op, Name = string.Create(CultureInfo.InvariantCulture, $"{Prefix}{op}_{outputs[0]}") };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }
}
