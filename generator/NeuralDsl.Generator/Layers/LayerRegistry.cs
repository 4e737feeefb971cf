using System;
using System.Collections.Generic;
using System.Linq;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;

namespace NeuralDsl.Generator.Layers;

/// <summary>
/// Attribute metadata name → layer parser. Adding a layer kind adds one line here (and its attribute, its
/// <c>Layers/X.cs</c> and <c>Layers/X.Emit.cs</c>).
/// </summary>
internal static class LayerRegistry
{
    private static readonly Dictionary<string, Func<AttributeArguments, LocationInfo?, LayerSpec>> Parsers = new(StringComparer.Ordinal)
    {
        ["NeuralDsl.DenseAttribute"] = DenseSpec.Parse,
        ["NeuralDsl.ActivationAttribute"] = ActivationSpec.Parse,
        ["NeuralDsl.DropoutAttribute"] = DropoutSpec.Parse,
        ["NeuralDsl.FlattenAttribute"] = FlattenSpec.Parse,
        ["NeuralDsl.Conv2DAttribute"] = Conv2DSpec.Parse,
        ["NeuralDsl.BatchNormalizationAttribute"] = BatchNormalizationSpec.Parse,
        ["NeuralDsl.LayerNormalizationAttribute"] = LayerNormalizationSpec.Parse,
        ["NeuralDsl.MaxPooling2DAttribute"] = MaxPooling2DSpec.Parse,
        ["NeuralDsl.Conv1DAttribute"] = Conv1DSpec.Parse,
        ["NeuralDsl.AveragePooling2DAttribute"] = AveragePooling2DSpec.Parse,
        ["NeuralDsl.MaxPooling1DAttribute"] = MaxPooling1DSpec.Parse,
        ["NeuralDsl.ZeroPadding2DAttribute"] = ZeroPadding2DSpec.Parse,
        ["NeuralDsl.GlobalAveragePooling2DAttribute"] = GlobalPoolingSpec.ParseAverage2D,
        ["NeuralDsl.GlobalMaxPooling2DAttribute"] = GlobalPoolingSpec.ParseMax2D,
        ["NeuralDsl.GlobalAveragePooling1DAttribute"] = GlobalPoolingSpec.ParseAverage1D,
        ["NeuralDsl.GlobalMaxPooling1DAttribute"] = GlobalPoolingSpec.ParseMax1D,
        ["NeuralDsl.EmbeddingAttribute"] = EmbeddingSpec.Parse,
        ["NeuralDsl.SimpleRNNAttribute"] = RecurrentSpec.ParseSimpleRnn,
        ["NeuralDsl.LSTMAttribute"] = RecurrentSpec.ParseLstm,
        ["NeuralDsl.GRUAttribute"] = RecurrentSpec.ParseGru,
        ["NeuralDsl.AddAttribute"] = MergeSpec.ParseAdd,
        ["NeuralDsl.SubtractAttribute"] = MergeSpec.ParseSubtract,
        ["NeuralDsl.MultiplyAttribute"] = MergeSpec.ParseMultiply,
        ["NeuralDsl.AverageAttribute"] = MergeSpec.ParseAverage,
        ["NeuralDsl.MaximumAttribute"] = MergeSpec.ParseMaximum,
        ["NeuralDsl.ConcatenateAttribute"] = MergeSpec.ParseConcatenate,
        ["NeuralDsl.GraphConvAttribute"] = GraphConvSpec.Parse,
        ["NeuralDsl.MultiHeadAttentionAttribute"] = MultiHeadAttentionSpec.Parse,
        ["NeuralDsl.PositionEmbeddingAttribute"] = PositionEmbeddingSpec.Parse,
        ["NeuralDsl.SinePositionEncodingAttribute"] = SinePositionEncodingSpec.Parse,
        ["NeuralDsl.TokenAndPositionEmbeddingAttribute"] = TokenAndPositionEmbeddingSpec.Parse,
        ["NeuralDsl.BidirectionalAttribute"] = BidirectionalSpec.Parse, // folded with the next layer by ModelParser
        ["NeuralDsl.ResNetBasicBlockAttribute"] = ResidualSpec.ParseBasicBlock, // expanded like [Residual] (BlockExpansion)
        ["NeuralDsl.ResNetBottleneckAttribute"] = ResidualSpec.ParseBottleneck,
        ["NeuralDsl.TransformerEncoderAttribute"] = TransformerEncoder.Parse, // a block of two residuals (BlockExpansion)
    };

    public static bool IsLayer(string attributeName) => Parsers.ContainsKey(attributeName) || BlockParser.IsUse(attributeName);

    /// <summary>
    /// The metadata names of every layer attribute, including the block uses (<c>[Block(typeof(X))]</c>), which name a
    /// class and so are parsed by <see cref="BlockParser"/>, never by <see cref="Parse"/>.
    /// </summary>
    public static IEnumerable<string> AttributeNames => Parsers.Keys.Concat(BlockParser.UseAttributeNames);

    public static LayerSpec Parse(string attributeName, AttributeArguments arguments, LocationInfo? location) =>
        Parsers[attributeName](arguments, location);
}
