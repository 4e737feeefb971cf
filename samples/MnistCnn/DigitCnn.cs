// samples/MnistCnn's model, in a file of its own so tests/NeuralDsl.Onnx.Tests compiles this very declaration
// (linked) instead of a copy. Global namespace, as Program.cs's top-level statements use it.
using NeuralDsl;

/// <summary>Keras: Conv2D(32, 3, relu), MaxPooling2D(), Conv2D(64, 3, relu), MaxPooling2D(), Flatten(), Dropout(0.5), Dense(10, softmax).</summary>
[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPooling2D]
[Conv2D(64, 3, Activation.ReLU)]
[MaxPooling2D]
[Flatten]
[Dropout(0.5)]
[Dense(10, Activation.Softmax)]
public partial class DigitCnn;
