// Shared as source with the generator (linked there): keep this file free of runtime-only APIs.
namespace NeuralDsl;

/// <summary>Keras padding modes of convolution and pooling windows.</summary>
public enum Padding
{
    /// <summary>No padding: windows that do not fit are dropped; out = floor((in − window) / stride) + 1.</summary>
    Valid = 0,
    /// <summary>Zero padding so that out = ceil(in / stride); the extra row or column goes bottom/right.</summary>
    Same = 1,
}
