namespace NeuralDsl.Tests.Models;

// Models for TrainableTests: layers frozen with Trainable = false, a model frozen whole, and models switched at run time.

// Double precision, for the gradient checks: a frozen layer in the middle of each layer kind that has parameters.
[Sequential(ElementType = typeof(double))] [Input(4)] [Dense(5, Activation.Tanh)] [Dense(6, Activation.Tanh, Trainable = false)] [Dense(2)]
public partial class FrozenDenseD;

[Sequential(ElementType = typeof(double))] [Input(40)] [Dense(30, Activation.Tanh, Trainable = false)] [Dense(3)]
public partial class FrozenWideDenseD;

[Sequential(ElementType = typeof(double))]
[Input(6, 6, 2)]
[Conv2D(3, 3, Activation.ReLU, Trainable = false)]
[Conv2D(2, 3, Activation.Tanh, Trainable = false)]
[Flatten]
[Dense(2)]
public partial class FrozenConvD;

[Sequential(ElementType = typeof(double))] [Input(4)] [Dense(3, Activation.Tanh)] [BatchNormalization(Trainable = false)] [Dense(2)]
public partial class FrozenBatchNormD;

[Sequential(ElementType = typeof(double))] [Input(4, 3)] [LSTM(3, ReturnSequences = true, Trainable = false)] [GRU(2)]
public partial class FrozenLstmD;

[Sequential(ElementType = typeof(double), Trainable = false)] [Input(4)] [Dense(5, Activation.Tanh)] [Dense(2)]
public partial class FrozenModelD;

[Sequential(ElementType = typeof(double))] [Input(4)] [Dense(5, Activation.Tanh)] [Dense(2)]
public partial class FrozenModelTwinD;

[Sequential(ElementType = typeof(double))] [Input(4)] [Embedding(6, 3, Trainable = false)] [GlobalAveragePooling1D] [Dense(2)]
public partial class FrozenEmbeddingD;

// Float, trained with Adam: frozen tensors must stay bit-identical.
[Sequential(Loss = Loss.MeanSquaredError)]
[Input(4)]
[Dense(8, Activation.ReLU)]
[BatchNormalization]
[Dense(8, Activation.ReLU, Trainable = false)]
[BatchNormalization(Trainable = false)]
[Dense(1)]
public partial class FrozenAdamF;

// Keras counts: dense 15 (trainable), batch_normalization 12 (6 trainable, 6 moving statistics), dense_1 8 (frozen).
[Sequential(Loss = Loss.MeanSquaredError)] [Input(4)] [Dense(3)] [BatchNormalization] [Dense(2, Trainable = false)]
public partial class SummaryCountsF;

[Sequential(Loss = Loss.MeanSquaredError)] [Input(3)] [BatchNormalization(Trainable = false)]
public partial class FrozenBatchNormF;

// Switched at run time: a GEMM-sized Dense and a register-sized one, and a BatchNormalization.
[Sequential(Loss = Loss.BinaryCrossEntropy)] [Input(6)] [Dense(40, Activation.ReLU)] [Dense(1, Activation.Sigmoid)]
public partial class RuntimeSwitchF;

[Sequential(Loss = Loss.MeanSquaredError)] [Input(3)] [Dense(4)] [BatchNormalization]
public partial class RuntimeBatchNormF;
