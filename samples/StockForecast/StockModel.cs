// samples/StockForecast's model, in a file of its own so tests/NeuralDsl.Onnx.Tests compiles this very declaration
// (linked) instead of a copy. Global namespace, as Program.cs's top-level statements use it.
using NeuralDsl;
using StockForecast;

/// <summary>Keras: Sequential([Input((12, 1)), LSTM(50), Dense(1)]), mean squared error.</summary>
[Sequential(Loss = Loss.MeanSquaredError)]
[Input(StockSeries.Window, 1)]
[LSTM(50)]
[Dense(1)]
public partial class StockModel;
