// Copies of the samples' models (their Program.cs files hold top-level statements, so they cannot be linked), as
// declared there; the small ResNet is linked from samples/ResNet (NeuralDsl.Onnx.Tests.csproj).
namespace NeuralDsl.Onnx.Tests.Models;

/// <summary>samples/Mnist: the MNIST MLP.</summary>
[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class DigitClassifier;

/// <summary>samples/MnistCnn: the MNIST CNN.</summary>
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

/// <summary>samples/SeedCnn: the seed-image CNN.</summary>
[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(64, 64, 3)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPooling2D]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(1, Activation.Sigmoid)]
public partial class SeedCnn;

/// <summary>samples/BreastCancer: the tumour classifier.</summary>
[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(30)]
[Dense(12, Activation.ReLU)]
[Dense(8, Activation.ReLU)]
[Dense(1, Activation.Sigmoid)]
public partial class TumourClassifier;

/// <summary>samples/RainTomorrow: SimpleRNN over 14 days of 7 features.</summary>
[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(14, 7)]
[SimpleRNN(50)]
[Dense(1, Activation.Sigmoid)]
public partial class RainModel;

/// <summary>samples/StockForecast: LSTM over a 12-month window.</summary>
[Sequential(Loss = Loss.MeanSquaredError)]
[Input(12, 1)]
[LSTM(50)]
[Dense(1)]
public partial class StockModel;

/// <summary>samples/SpamFilter: masked token ids into a bidirectional GRU; the mask makes it not exportable.</summary>
[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(200)]
[Embedding(20_000, 32, MaskZero = true)]
[Bidirectional]
[GRU(32)]
[Dense(1, Activation.Sigmoid)]
public partial class SpamModel;

/// <summary>samples/SpamFilter's model without the mask (padding ids then count as tokens): exportable.</summary>
[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(200)]
[Embedding(20_000, 32)]
[Bidirectional]
[GRU(32)]
[Dense(1, Activation.Sigmoid)]
public partial class SpamModelUnmasked;
