// samples/RainTomorrow's model, in a file of its own so tests/NeuralDsl.Onnx.Tests compiles this very declaration
// (linked) instead of a copy. Global namespace, as Program.cs's top-level statements use it.
using NeuralDsl;
using RainTomorrow;

/// <summary>Keras: Sequential([Input((14, 7)), SimpleRNN(50), Dense(1, "sigmoid")]), binary cross-entropy.</summary>
[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(WeatherWindows.Days, WeatherWindows.Features)]
[SimpleRNN(50)]
[Dense(1, Activation.Sigmoid)]
public partial class RainModel;
