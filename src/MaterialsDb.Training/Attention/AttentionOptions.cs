using System.Globalization;
using MaterialsDb.Data.Downloads;

namespace MaterialsDb.Training.Attention;

/// <summary>
/// Settings of an attention member (<see cref="AttentionRegressor"/>): Roost-style weighted soft-attention message
/// passing over a composition's elements, pooled by attention, then a ReLU head on the pooled vector and the
/// standardized descriptors; absolute-error loss, AdamW, cosine schedule.
/// </summary>
public sealed record AttentionOptions : TrainerOptions
{
    /// <summary>Width of each element's hidden vector (and of each pair's hidden layer).</summary>
    public int Width { get; init; } = 64;

    /// <summary>Message-passing layers.</summary>
    public int MessageLayers { get; init; } = 3;

    /// <summary>Hidden widths of the head, input side first.</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [256, 128, 64];

    /// <summary>Passes over the training rows.</summary>
    public int Epochs { get; init; } = 60;

    /// <summary>Rows per optimizer step.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Peak learning rate (cosine decay to 0).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Decoupled weight decay (AdamW); 0 = none.</summary>
    public double WeightDecay { get; init; }

    /// <summary>The catalog's element embedding the elements start from.</summary>
    public string EmbeddingId { get; init; } = ElementEmbedding.DefaultId;

    /// <summary>The loaded embedding (<see cref="EmbeddingId"/>); the caller loads it, since a fit never downloads.</summary>
    public ElementEmbedding? Embedding { get; init; }

    /// <inheritdoc/>
    public override string Trainer => "attention";

    /// <summary>Attention settings whose head and optimizer are <paramref name="head"/>'s (hidden widths, epochs, batch, learning rate, decay, seed).</summary>
    public static AttentionOptions Around(MlpOptions head, int width, int messageLayers, string embeddingId = ElementEmbedding.DefaultId)
    {
        ArgumentNullException.ThrowIfNull(head);
        return new AttentionOptions
        {
            Width = width,
            MessageLayers = messageLayers,
            EmbeddingId = embeddingId,
            Hidden = head.Hidden,
            Epochs = head.Epochs,
            BatchSize = head.BatchSize,
            LearningRate = head.LearningRate,
            WeightDecay = head.WeightDecay,
            Seed = head.Seed,
        };
    }

    /// <summary>Attention settings with their embedding loaded (downloaded and checked on first use); any other settings unchanged.</summary>
    public static async Task<TrainerOptions> WithEmbeddingAsync(TrainerOptions options, DatasetStore store, CancellationToken cancellationToken = default) =>
        options is AttentionOptions { Embedding: null } attention
            ? attention with { Embedding = await ElementEmbedding.LoadAsync(attention.EmbeddingId, store, cancellationToken).ConfigureAwait(false) }
            : options;

    /// <inheritdoc/>
    public override string CommandLine() => string.Create(CultureInfo.InvariantCulture,
        $"--trainer attention --width {Width} --message-layers {MessageLayers} --hidden {string.Join(",", Hidden)} --epochs {Epochs} --batch-size {BatchSize} --learning-rate {LearningRate} --weight-decay {WeightDecay}");

    /// <inheritdoc/>
    public override void Validate()
    {
        if (Width is < 1 or > 1024 || MessageLayers is < 0 or > 8)
        {
            throw new InvalidOptionException(string.Create(CultureInfo.InvariantCulture, $"Need 1 ≤ --width ≤ 1024 and 0 ≤ --message-layers ≤ 8; got {Width}, {MessageLayers}."));
        }

        HeadOptions().Validate();
        if (Embedding is { } e && e.Id != EmbeddingId)
        {
            throw new ArgumentException($"The loaded embedding is '{e.Id}', the settings name '{EmbeddingId}'.");
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, string> ToDictionary() => new Dictionary<string, string>(HeadOptions().ToDictionary())
    {
        ["trainer"] = "MaterialsDb attention (Roost-style message passing over elements, L1 loss, AdamW, cosine schedule)",
        ["width"] = Width.ToString(CultureInfo.InvariantCulture),
        ["messageLayers"] = MessageLayers.ToString(CultureInfo.InvariantCulture),
        ["embedding"] = EmbeddingId,
    };

    // The head and optimizer settings, which are an MLP's.
    private MlpOptions HeadOptions() => new() { Hidden = Hidden, Epochs = Epochs, BatchSize = BatchSize, LearningRate = LearningRate, WeightDecay = WeightDecay, Seed = Seed };
}
