using Microsoft.ML;
using Microsoft.ML.Data;

namespace MaterialsDb.Training;

/// <summary>Row-major float32 features as ML.NET data views (the typed rows ML.NET's trainers and ONNX export read).</summary>
internal static class MlRows
{
    /// <summary>The given rows with their labels and weights (column <c>Weight</c>; 1 without <paramref name="weight"/>).</summary>
    public static IDataView Labelled(MLContext ml, float[] features, int width, int[] rows, Func<int, float> label, Func<int, float>? weight = null) =>
        ml.Data.LoadFromEnumerable(rows.Select(r => new LabelledRow { Features = Row(features, width, r), Label = label(r), Weight = weight?.Invoke(r) ?? 1f }), Schema<LabelledRow>(width));

    /// <summary>The given rows with their labels as booleans (for classifiers).</summary>
    public static IDataView Classified(MLContext ml, float[] features, int width, int[] rows, Func<int, bool> label) =>
        ml.Data.LoadFromEnumerable(rows.Select(r => new ClassifiedRow { Features = Row(features, width, r), Label = label(r) }), Schema<ClassifiedRow>(width));

    /// <summary>The given rows, features only: the view predictions and ONNX conversion read.</summary>
    public static IDataView Unlabelled(MLContext ml, float[] features, int width, int[] rows) =>
        ml.Data.LoadFromEnumerable(rows.Select(r => new FeatureRow { Features = Row(features, width, r) }), Schema<FeatureRow>(width));

    private static float[] Row(float[] features, int width, int row) => features.AsSpan(row * width, width).ToArray();

    private static SchemaDefinition Schema<T>(int width)
    {
        var schema = SchemaDefinition.Create(typeof(T));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return schema;
    }

    private sealed class LabelledRow
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }

        public float Weight { get; set; }
    }

    private sealed class ClassifiedRow
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
    }
}
