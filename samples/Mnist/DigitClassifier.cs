// samples/Mnist's model, in a file of its own so tests/NeuralDsl.Onnx.Tests compiles this very declaration
// (linked) instead of a copy. Global namespace, as Program.cs's top-level statements use it.
using NeuralDsl;

/// <summary>Keras: Sequential([Input((28, 28)), Flatten(), Dense(128, "relu"), Dense(10, "softmax")]).</summary>
[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class DigitClassifier;
