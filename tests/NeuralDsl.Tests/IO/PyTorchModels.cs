namespace NeuralDsl.Tests.IO;

// The networks of tests/NeuralDsl.Benchmarks/Infrastructure/PyTorchFixtures.cs, declared with the DSL so that
// LoadPyTorchWeights can fill them from the libtorch state dicts in Fixtures/pytorch/. Hyper-parameters that are not
// weights are declared to match PyTorch's: BatchNorm and LayerNorm epsilon 1e-5, padding=1 as Same.

/// <summary>fc1 = Linear(4, 8), ReLU, fc2 = Linear(8, 3).</summary>
[Sequential]
[Input(4)]
[Dense(8, Activation.ReLU)]
[Dense(3)]
public partial class TorchMlpNet;

/// <summary><see cref="TorchMlpNet"/> in double.</summary>
[Sequential(ElementType = typeof(double))]
[Input(4)]
[Dense(8, Activation.ReLU)]
[Dense(3)]
public partial class TorchMlpNetDouble;

/// <summary>
/// features.0 = Conv2d(3, 4, 3, padding=1), features.1 = BatchNorm2d(4) (eval), ReLU, MaxPool2d(2),
/// features.4 = Conv2d(4, 6, 3) (1×1 map), Flatten, fc = Linear(6, 3); NHWC here, NCHW in PyTorch.
/// </summary>
[Sequential]
[Input(6, 6, 3)]
[Conv2D(4, 3, Padding = Padding.Same)]
[BatchNormalization(Epsilon = 1e-5)]
[Activation(Activation.ReLU)]
[MaxPooling2D(2)]
[Conv2D(6, 3)]
[Flatten]
[Dense(3)]
public partial class TorchCnnNet;

/// <summary>lstm = LSTM(3, 5, batch_first) → last step → head = Linear(5, 2).</summary>
[Sequential]
[Input(6, 3)]
[LSTM(5)]
[Dense(2)]
public partial class TorchLstmNet;

/// <summary>gru = GRU(3, 5, batch_first) → last step → head = Linear(5, 2); Keras' reset_after GRU.</summary>
[Sequential]
[Input(6, 3)]
[GRU(5)]
[Dense(2)]
public partial class TorchGruNet;

/// <summary>The GRU network declared with ResetAfter = false: another function, which the import refuses.</summary>
[Sequential]
[Input(6, 3)]
[GRU(5, ResetAfter = false)]
[Dense(2)]
public partial class TorchGruResetBeforeNet;

/// <summary>A bias-less reset_after GRU (its layout alone cannot tell the reset position; the attribute does).</summary>
[Sequential]
[Input(6, 3)]
[GRU(5, UseBias = false)]
[Dense(2)]
public partial class TorchGruNoBiasNet;

/// <summary>A bias-less reset_before GRU: refused like <see cref="TorchGruResetBeforeNet"/>.</summary>
[Sequential]
[Input(6, 3)]
[GRU(5, UseBias = false, ResetAfter = false)]
[Dense(2)]
public partial class TorchGruNoBiasResetBeforeNet;

/// <summary>
/// embedding = Embedding(10, 4), norm = LayerNorm(4), conv = Conv1d(4, 3, 3) over the steps, Flatten,
/// fc = Linear(12, 2), on 6 token ids.
/// </summary>
[Sequential]
[Input(6)]
[Embedding(10, 4)]
[LayerNormalization(Epsilon = 1e-5)]
[Conv1D(3, 3)]
[Flatten]
[Dense(2)]
public partial class TorchSequenceNet;
