// samples/BreastCancer's model, in a file of its own so tests/NeuralDsl.Onnx.Tests compiles this very declaration
// (linked) instead of a copy. Global namespace, as Program.cs's top-level statements use it.
using NeuralDsl;

/// <summary>The seed's binary classifier: 30 → 12 (relu) → 8 (relu) → 1 (sigmoid), binary cross-entropy.</summary>
[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(30)]
[Dense(12, Activation.ReLU)]
[Dense(8, Activation.ReLU)]
[Dense(1, Activation.Sigmoid)]
public partial class TumourClassifier;
