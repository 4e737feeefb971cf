// Real generated models used by the model tests: each exercises one Dense code path (register columns, register
// dot product, GEMM), activation, loss or layer kind. Double precision where gradients are checked numerically.
namespace NeuralDsl.Tests.Models;

// ---- One model per activation: Dense(act) in registers, Dense(act) through the GEMM, and an Activation layer. ----
[Sequential(ElementType = typeof(double))] [Input(6)] [Dense(5, Activation.Linear)] [Activation(Activation.Linear)] [Dense(33, Activation.Linear)] public partial class GradLinear;
[Sequential(ElementType = typeof(double))] [Input(6)] [Dense(5, Activation.ReLU)] [Activation(Activation.ReLU)] [Dense(33, Activation.ReLU)] public partial class GradRelu;
[Sequential(ElementType = typeof(double))] [Input(6)] [Dense(5, Activation.Sigmoid)] [Activation(Activation.Sigmoid)] [Dense(33, Activation.Sigmoid)] public partial class GradSigmoid;
[Sequential(ElementType = typeof(double))] [Input(6)] [Dense(5, Activation.Tanh)] [Activation(Activation.Tanh)] [Dense(33, Activation.Tanh)] public partial class GradTanh;
[Sequential(ElementType = typeof(double))] [Input(6)] [Dense(5, Activation.Softmax)] [Activation(Activation.Softmax)] [Dense(33, Activation.Softmax)] public partial class GradSoftmax;
[Sequential(ElementType = typeof(double))] [Input(6)] [Dense(5, Activation.LeakyReLU)] [Activation(Activation.LeakyReLU)] [Dense(33, Activation.LeakyReLU)] public partial class GradLeakyRelu;
[Sequential(ElementType = typeof(double))] [Input(6)] [Dense(5, Activation.ELU)] [Activation(Activation.ELU)] [Dense(33, Activation.ELU)] public partial class GradElu;
[Sequential(ElementType = typeof(double))] [Input(6)] [Dense(5, Activation.SELU)] [Activation(Activation.SELU)] [Dense(33, Activation.SELU)] public partial class GradSelu;
[Sequential(ElementType = typeof(double))] [Input(6)] [Dense(5, Activation.GELU)] [Activation(Activation.GELU)] [Dense(33, Activation.GELU)] public partial class GradGelu;
[Sequential(ElementType = typeof(double))] [Input(6)] [Dense(5, Activation.Swish)] [Activation(Activation.Swish)] [Dense(33, Activation.Swish)] public partial class GradSwish;
[Sequential(ElementType = typeof(double))] [Input(6)] [Dense(5, Activation.Softplus)] [Activation(Activation.Softplus)] [Dense(33, Activation.Softplus)] public partial class GradSoftplus;

// ---- Dense configurations: no bias (both code paths), one unit (dot form), a wide input (GEMM), a rank-3 input
// ---- (acting on the last axis), Flatten in front, and the smallest vector widths (2 and 3 units). ----
[Sequential(ElementType = typeof(double))] [Input(7)] [Dense(9, Activation.Tanh, UseBias = false)] [Dense(40, UseBias = false)] public partial class GradNoBias;
[Sequential(ElementType = typeof(double))] [Input(11)] [Dense(1, Activation.Sigmoid)] public partial class GradDot;
[Sequential(ElementType = typeof(double))] [Input(70)] [Dense(1, Activation.Tanh)] public partial class GradWideDot;
[Sequential(ElementType = typeof(double))] [Input(3, 4)] [Dense(5, Activation.ReLU)] [Dense(37)] public partial class GradRank3;
[Sequential(ElementType = typeof(double))] [Input(2, 3, 4)] [Flatten] [Dense(3)] [Dense(2, Activation.Swish)] public partial class GradFlatten;
[Sequential(ElementType = typeof(double))] [Input(4)] [Dense(2)] [Dense(3)] [Dense(7)] [Dense(13, Activation.ELU)] public partial class GradNarrow;

// ---- One model per loss, for ComputeGradients (fused where the final activation allows). ----
[Sequential(Loss = Loss.BinaryCrossEntropy, ElementType = typeof(double))] [Input(5)] [Dense(4, Activation.Tanh)] [Dense(3, Activation.Sigmoid)] public partial class LossBce;
[Sequential(Loss = Loss.BinaryCrossEntropy, ElementType = typeof(double))] [Input(5)] [Dense(3, Activation.Sigmoid)] [Activation(Activation.Linear)] public partial class LossBceUnfused;
[Sequential(Loss = Loss.CategoricalCrossEntropy, ElementType = typeof(double))] [Input(5)] [Dense(4, Activation.Tanh)] [Dense(6, Activation.Softmax)] public partial class LossCce;
[Sequential(Loss = Loss.CategoricalCrossEntropy, ElementType = typeof(double))] [Input(5)] [Dense(6)] [Activation(Activation.Softmax)] public partial class LossCceActivationLayer;
[Sequential(Loss = Loss.SparseCategoricalCrossEntropy, ElementType = typeof(double))] [Input(5)] [Dense(4, Activation.Tanh)] [Dense(6, Activation.Softmax)] public partial class LossSparse;
[Sequential(Loss = Loss.MeanSquaredError, ElementType = typeof(double))] [Input(5)] [Dense(4, Activation.Tanh)] [Dense(3)] public partial class LossMse;
[Sequential(Loss = Loss.MeanAbsoluteError, ElementType = typeof(double))] [Input(5)] [Dense(4, Activation.Tanh)] [Dense(3)] public partial class LossMae;
[Sequential(Loss = Loss.Huber, ElementType = typeof(double))] [Input(5)] [Dense(4, Activation.Tanh)] [Dense(3)] public partial class LossHuber;

// ---- Dropout, and the float models the behaviour tests use. ----
[Sequential(Loss = Loss.MeanSquaredError, ElementType = typeof(double))] [Input(8)] [Dense(16, Activation.ReLU)] [Dropout(0.5)] [Dense(2)] public partial class WithDropout;

[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(8)]
[Dense(12, Activation.ReLU)]
[Dense(8, Activation.ReLU)]
[Dense(1, Activation.Sigmoid)]
public partial class CreditModel;

[Sequential(Loss = Loss.SparseCategoricalCrossEntropy, Name = "mnist_mlp")]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dropout(0.2)]
[Dense(10, Activation.Softmax)]
public partial class MnistMlp;

[Sequential] [Input(4)] [Dense(3)] public partial class NoLossModel;

// ---- Convolutional models: Conv2D (strided, same, dilated, no bias) and MaxPooling2D feeding Dense through Flatten. ----
[Sequential(Loss = Loss.CategoricalCrossEntropy, ElementType = typeof(double))]
[Input(7, 6, 2)]
[Conv2D(3, 3, Activation.Tanh, Padding = Padding.Same, Strides = 2)]
[Conv2D(4, 2, 3, Activation.ReLU, Dilation = 1, UseBias = false)]
[MaxPooling2D(2, Padding = Padding.Same)]
[Flatten]
[Dense(3, Activation.Softmax)]
public partial class GradCnn;

[Sequential(ElementType = typeof(double))]
[Input(8, 8, 1)]
[Conv2D(2, 3, Activation.Swish, Dilation = 2)]
[MaxPooling2D(3, Strides = 1)]
[Conv2D(3, 1)]
public partial class GradCnnDilated;

// 3×3, stride-1 convolutions on ≥ 8 channels take Winograd forward (the backward passes stay im2col): a same-padded
// one with an activation outside the fused pair (Tanh keeps z) on a 6×5 output, where 4×4 tiles would need as many
// products as 2×2 ones, so F(2×2, 3×3); and a valid one with the fused ReLU on a 4×3 output, one 4×4 tile against
// four 2×2 ones, so F(4×4, 3×3).
[Sequential(ElementType = typeof(double))]
[Input(6, 5, 8)]
[Conv2D(9, 3, Activation.Tanh, Padding = Padding.Same)]
[Conv2D(3, 3, Activation.ReLU)]
[Flatten]
[Dense(2)]
public partial class GradCnnWinograd;

// ---- Global pooling: average and max over an image, average over steps. ----
[Sequential(ElementType = typeof(double))]
[Input(5, 4, 2)]
[Conv2D(3, 2, Activation.Tanh)]
[GlobalMaxPooling2D]
[Dense(2)]
public partial class GradGlobalMax;

[Sequential(ElementType = typeof(double))]
[Input(4, 3, 2)]
[Conv2D(3, 1, Activation.Tanh)]
[GlobalAveragePooling2D]
[Dense(2)]
public partial class GradGlobalAverage;

[Sequential(ElementType = typeof(double))]
[Input(5, 3)]
[Dense(4, Activation.Tanh)]
[GlobalAveragePooling1D]
[Dense(2)]
public partial class GradGlobalAverage1D;

[Sequential(ElementType = typeof(double))]
[Input(5, 3)]
[Dense(4, Activation.Tanh)]
[GlobalMaxPooling1D]
[Dense(2)]
public partial class GradGlobalMax1D;

// ---- AveragePooling2D (overlapping and same-padded windows) and MaxPooling1D (strided, same-padded). ----
[Sequential(ElementType = typeof(double))]
[Input(5, 6, 2)]
[AveragePooling2D(3, 2, Strides = 1)]
[Conv2D(2, 1, Activation.Tanh)]
[AveragePooling2D(2, Padding = Padding.Same)]
[Flatten]
[Dense(2)]
public partial class GradAveragePool;

[Sequential(ElementType = typeof(double))]
[Input(9, 2)]
[Dense(3, Activation.Tanh)]
[MaxPooling1D(3, Strides = 2, Padding = Padding.Same)]
[MaxPooling1D]
[Flatten]
[Dense(2)]
public partial class GradMaxPool1D;

// ---- Conv1D: strided same, dilated valid without bias, then a pointwise one. ----
[Sequential(ElementType = typeof(double))]
[Input(11, 2)]
[Conv1D(3, 4, Activation.Tanh, Strides = 2, Padding = Padding.Same)]
[Conv1D(2, 2, Activation.Swish, Dilation = 2, UseBias = false)]
[Conv1D(2, 1)]
public partial class GradConv1D;

// ---- ZeroPadding2D: symmetric, per-axis and one-sided padding around convolutions (no fixture; gradient check only). ----
[Sequential(ElementType = typeof(double))]
[Input(4, 3, 2)]
[ZeroPadding2D]
[Conv2D(2, 3, Activation.Tanh)]
[ZeroPadding2D(2, 0, Bottom = 1, Right = 3)]
[Conv2D(2, 2, Strides = 2)]
[Flatten]
[Dense(2)]
public partial class GradZeroPadding;

// ---- BatchNormalization: after a convolution (statistics over batch·h·w per channel) and first in the model. ----
[Sequential(ElementType = typeof(double))]
[Input(4, 3, 2)]
[Conv2D(3, 2, Activation.Tanh)]
[BatchNormalization]
[Flatten]
[Dense(2)]
public partial class GradBatchNorm;

[Sequential(Loss = Loss.MeanSquaredError, ElementType = typeof(double))]
[Input(5)]
[BatchNormalization(Momentum = 0.9)]
[Dense(3, Activation.Swish)]
public partial class GradBatchNormFirst;

// ---- Recurrent layers: backpropagation through time for every cell, both outputs, both directions, GRU without
// reset_after, a non-default pair of activations, no bias, and a stack of three. ----
[Sequential(ElementType = typeof(double))] [Input(6, 3)] [SimpleRNN(4)] public partial class GradSimpleRnn;
[Sequential(ElementType = typeof(double))] [Input(5, 2)] [SimpleRNN(3, ReturnSequences = true, GoBackwards = true)] public partial class GradSimpleRnnSequencesBackwards;
[Sequential(ElementType = typeof(double))] [Input(6, 3)] [LSTM(4)] public partial class GradLstm;
[Sequential(ElementType = typeof(double))] [Input(5, 3)] [LSTM(3, ReturnSequences = true)] public partial class GradLstmSequences;
[Sequential(ElementType = typeof(double))] [Input(5, 2)] [LSTM(3, GoBackwards = true)] public partial class GradLstmBackwards;
[Sequential(ElementType = typeof(double))] [Input(4, 2)] [LSTM(3, Activation = Activation.Sigmoid, RecurrentActivation = Activation.Tanh, UseBias = false)] public partial class GradLstmOtherActivations;
[Sequential(ElementType = typeof(double))] [Input(6, 3)] [GRU(4)] public partial class GradGru;
[Sequential(ElementType = typeof(double))] [Input(5, 2)] [GRU(3, ReturnSequences = true, GoBackwards = true)] public partial class GradGruSequencesBackwards;
[Sequential(ElementType = typeof(double))] [Input(6, 3)] [GRU(4, ResetAfter = false)] public partial class GradGruResetBefore;
[Sequential(ElementType = typeof(double))] [Input(5, 2)] [GRU(3, ResetAfter = false, ReturnSequences = true, GoBackwards = true)] public partial class GradGruResetBeforeSequences;
[Sequential(ElementType = typeof(double))] [Input(4, 2)] [GRU(3, UseBias = false)] public partial class GradGruNoBias;

[Sequential(ElementType = typeof(double))]
[Input(6, 3)]
[LSTM(4, ReturnSequences = true)]
[GRU(3, ReturnSequences = true, GoBackwards = true)]
[SimpleRNN(2)]
[Dense(1)]
public partial class GradRecurrentStack;

[Sequential(Loss = Loss.BinaryCrossEntropy, ElementType = typeof(double))] [Input(5, 2)] [LSTM(3)] [Dense(1, Activation.Sigmoid)] public partial class LossLstmBce;

// Input dropout on recurrent layers (one mask per sequence): a Dense in front so the masked input gradient reaches
// parameters, and a second recurrent layer reading the first one's sequence.
[Sequential(ElementType = typeof(double))]
[Input(4, 2)]
[Dense(3, Activation.Tanh)]
[LSTM(3, Dropout = 0.4, ReturnSequences = true)]
[GRU(2, Dropout = 0.3, ResetAfter = false)]
[Dense(1)]
public partial class GradRecurrentDropout;

// Recurrent dropout (one mask on h_{t-1} per sequence) in every cell, with and without input dropout.
[Sequential(ElementType = typeof(double))]
[Input(5, 2)]
[Dense(3, Activation.Tanh)]
[SimpleRNN(3, RecurrentDropout = 0.3, ReturnSequences = true)]
[LSTM(3, Dropout = 0.2, RecurrentDropout = 0.4, ReturnSequences = true, GoBackwards = true)]
[GRU(3, RecurrentDropout = 0.35, ReturnSequences = true)]
[GRU(2, Dropout = 0.25, RecurrentDropout = 0.3, ResetAfter = false)]
[Dense(1)]
public partial class GradRecurrentStateDropout;
