// Shared as source with the generator (linked there): keep this file free of runtime-only APIs.
namespace NeuralDsl;

/// <summary>How <c>[Bidirectional]</c> combines the forward and backward outputs (Keras <c>merge_mode</c>).</summary>
public enum MergeMode
{
    /// <summary>Side by side on the last axis, forward first (Keras <c>"concat"</c>, the default): 2·units wide.</summary>
    Concat = 0,
    /// <summary>Elementwise sum (Keras <c>"sum"</c>).</summary>
    Sum = 1,
    /// <summary>Elementwise mean of the two (Keras <c>"ave"</c>).</summary>
    Average = 2,
    /// <summary>Elementwise product (Keras <c>"mul"</c>).</summary>
    Multiply = 3,
}
