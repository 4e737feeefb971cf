// The samples' models are compiled from the samples' own files (linked in NeuralDsl.Onnx.Tests.csproj); this variant
// of samples/SpamFilter's model exists only here.
namespace NeuralDsl.Onnx.Tests.Models;

/// <summary>samples/SpamFilter's model without the mask (padding ids then count as tokens): exportable.</summary>
[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(200)]
[Embedding(20_000, 32)]
[Bidirectional]
[GRU(32)]
[Dense(1, Activation.Sigmoid)]
public partial class SpamModelUnmasked;
