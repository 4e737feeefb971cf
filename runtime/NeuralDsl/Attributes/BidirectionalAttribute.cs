using System;

namespace NeuralDsl;

/// <summary>
/// Keras <c>Bidirectional(layer, merge_mode)</c>: written right before the recurrent layer it wraps
/// (<c>[Bidirectional] [LSTM(32)]</c>). The layer runs twice with weights of its own: forward, and backward with
/// <c>GoBackwards</c> (a returned sequence is turned back to input order), and the two outputs are merged. Weights
/// are named as Keras 3 names them (<c>bidirectional.forward_lstm.kernel</c>, <c>bidirectional.backward_lstm.kernel</c>,
/// ...), and the summary shows one row with both directions' parameters.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BidirectionalAttribute : LayerAttribute
{
    /// <summary>How the two outputs are combined (Keras default concat).</summary>
    public MergeMode MergeMode { get; set; } = MergeMode.Concat;
}
