// Models shaped like the Dense and Activation cases of the libtorch conformance set (Fixtures/README.md), in both
// element types, so the generated code itself is compared with the reference outputs and gradients.
namespace NeuralDsl.Tests.Models;

[Sequential] [Input(5)] [Dense(4)] public partial class DenseLinearF;
[Sequential(ElementType = typeof(double))] [Input(5)] [Dense(4)] public partial class DenseLinearD;
[Sequential] [Input(6)] [Dense(3, Activation.ReLU)] public partial class DenseReluF;
[Sequential(ElementType = typeof(double))] [Input(6)] [Dense(3, Activation.ReLU)] public partial class DenseReluD;
[Sequential] [Input(4)] [Dense(5, Activation.Softmax)] public partial class DenseSoftmaxF;
[Sequential(ElementType = typeof(double))] [Input(4)] [Dense(5, Activation.Softmax)] public partial class DenseSoftmaxD;
[Sequential] [Input(3, 4)] [Dense(3, Activation.Sigmoid)] public partial class DenseSigmoidRank3F;
[Sequential(ElementType = typeof(double))] [Input(3, 4)] [Dense(3, Activation.Sigmoid)] public partial class DenseSigmoidRank3D;
[Sequential] [Input(4)] [Dense(2, Activation.Tanh, UseBias = false)] public partial class DenseTanhNoBiasF;
[Sequential(ElementType = typeof(double))] [Input(4)] [Dense(2, Activation.Tanh, UseBias = false)] public partial class DenseTanhNoBiasD;

[Sequential] [Input(5)] [Activation(Activation.Linear)] public partial class ActLinearF;
[Sequential] [Input(5)] [Activation(Activation.ReLU)] public partial class ActReluF;
[Sequential] [Input(5)] [Activation(Activation.Sigmoid)] public partial class ActSigmoidF;
[Sequential] [Input(5)] [Activation(Activation.Tanh)] public partial class ActTanhF;
[Sequential] [Input(3, 4)] [Activation(Activation.Softmax)] public partial class ActSoftmaxF;
[Sequential] [Input(5)] [Activation(Activation.LeakyReLU)] public partial class ActLeakyReluF;
[Sequential] [Input(5)] [Activation(Activation.ELU)] public partial class ActEluF;
[Sequential] [Input(5)] [Activation(Activation.GELU)] public partial class ActGeluF;
[Sequential] [Input(5)] [Activation(Activation.Swish)] public partial class ActSwishF;
[Sequential] [Input(5)] [Activation(Activation.SELU)] public partial class ActSeluF;
[Sequential] [Input(5)] [Activation(Activation.Softplus)] public partial class ActSoftplusF;

// Conv2D and MaxPooling2D cases: shapes and settings of the conv2d_* and max_pooling2d* fixtures.
[Sequential] [Input(5, 5, 2)] [Conv2D(3, 3)] public partial class ConvValid3x3F;
[Sequential(ElementType = typeof(double))] [Input(5, 5, 2)] [Conv2D(3, 3)] public partial class ConvValid3x3D;
[Sequential] [Input(4, 5, 3)] [Conv2D(2, 3, Activation.ReLU, Padding = Padding.Same)] public partial class ConvSame3x3ReluF;
[Sequential(ElementType = typeof(double))] [Input(4, 5, 3)] [Conv2D(2, 3, Activation.ReLU, Padding = Padding.Same)] public partial class ConvSame3x3ReluD;
[Sequential] [Input(6, 7, 2)] [Conv2D(3, 3, Strides = 2, Padding = Padding.Same)] public partial class ConvSame3x3S2F;
[Sequential(ElementType = typeof(double))] [Input(6, 7, 2)] [Conv2D(3, 3, Strides = 2, Padding = Padding.Same)] public partial class ConvSame3x3S2D;
[Sequential] [Input(4, 4, 2)] [Conv2D(2, 2, Padding = Padding.Same)] public partial class ConvSame2x2F;
[Sequential(ElementType = typeof(double))] [Input(4, 4, 2)] [Conv2D(2, 2, Padding = Padding.Same)] public partial class ConvSame2x2D;
[Sequential] [Input(7, 8, 2)] [Conv2D(2, 4, Strides = 3, Padding = Padding.Same)] public partial class ConvSame4x4S3F;
[Sequential(ElementType = typeof(double))] [Input(7, 8, 2)] [Conv2D(2, 4, Strides = 3, Padding = Padding.Same)] public partial class ConvSame4x4S3D;
[Sequential] [Input(6, 5, 1)] [Conv2D(2, 2, 3, Activation.Tanh, StrideHeight = 2, StrideWidth = 1)] public partial class ConvValid2x3TanhF;
[Sequential(ElementType = typeof(double))] [Input(6, 5, 1)] [Conv2D(2, 2, 3, Activation.Tanh, StrideHeight = 2, StrideWidth = 1)] public partial class ConvValid2x3TanhD;
[Sequential] [Input(6, 6, 2)] [Conv2D(2, 3, Dilation = 2, Padding = Padding.Same)] public partial class ConvDilation2F;
[Sequential(ElementType = typeof(double))] [Input(6, 6, 2)] [Conv2D(2, 3, Dilation = 2, Padding = Padding.Same)] public partial class ConvDilation2D;
[Sequential] [Input(5, 4, 3)] [MaxPooling2D] public partial class MaxPoolF;
[Sequential(ElementType = typeof(double))] [Input(5, 4, 3)] [MaxPooling2D] public partial class MaxPoolD;
[Sequential] [Input(5, 5, 2)] [MaxPooling2D(Padding = Padding.Same)] public partial class MaxPoolSameF;
[Sequential(ElementType = typeof(double))] [Input(5, 5, 2)] [MaxPooling2D(Padding = Padding.Same)] public partial class MaxPoolSameD;

// Global pooling cases: shapes of the global_* fixtures.
[Sequential] [Input(3, 4, 3)] [GlobalAveragePooling2D] public partial class GlobalAvgPool2DF;
[Sequential(ElementType = typeof(double))] [Input(3, 4, 3)] [GlobalAveragePooling2D] public partial class GlobalAvgPool2DD;
[Sequential] [Input(3, 3, 2)] [GlobalMaxPooling2D] public partial class GlobalMaxPool2DF;
[Sequential(ElementType = typeof(double))] [Input(3, 3, 2)] [GlobalMaxPooling2D] public partial class GlobalMaxPool2DD;
[Sequential] [Input(5, 3)] [GlobalAveragePooling1D] public partial class GlobalAvgPool1DF;
[Sequential(ElementType = typeof(double))] [Input(5, 3)] [GlobalAveragePooling1D] public partial class GlobalAvgPool1DD;

// Embedding case: shape of the embedding fixture (ids [2, 5], embeddings [7, 3]).
[Sequential] [Input(5)] [Embedding(7, 3)] public partial class EmbeddingF;
[Sequential(ElementType = typeof(double))] [Input(5)] [Embedding(7, 3)] public partial class EmbeddingD;

// AveragePooling2D and MaxPooling1D cases: shapes and settings of the average_pooling2d* and max_pooling1d fixtures.
[Sequential] [Input(4, 5, 2)] [AveragePooling2D] public partial class AvgPoolF;
[Sequential(ElementType = typeof(double))] [Input(4, 5, 2)] [AveragePooling2D] public partial class AvgPoolD;
[Sequential] [Input(5, 3, 2)] [AveragePooling2D(2, Padding = Padding.Same)] public partial class AvgPoolSameF;
[Sequential(ElementType = typeof(double))] [Input(5, 3, 2)] [AveragePooling2D(2, Padding = Padding.Same)] public partial class AvgPoolSameD;
[Sequential] [Input(7, 3)] [MaxPooling1D] public partial class MaxPool1DF;
[Sequential(ElementType = typeof(double))] [Input(7, 3)] [MaxPooling1D] public partial class MaxPool1DD;

// Conv1D cases: shapes and settings of the conv1d_* fixtures.
[Sequential] [Input(7, 3)] [Conv1D(4, 3)] public partial class Conv1DValidF;
[Sequential(ElementType = typeof(double))] [Input(7, 3)] [Conv1D(4, 3)] public partial class Conv1DValidD;
[Sequential] [Input(6, 2)] [Conv1D(3, 4, Activation.ReLU, Padding = Padding.Same)] public partial class Conv1DSameReluF;
[Sequential(ElementType = typeof(double))] [Input(6, 2)] [Conv1D(3, 4, Activation.ReLU, Padding = Padding.Same)] public partial class Conv1DSameReluD;
[Sequential] [Input(8, 2)] [Conv1D(2, 3, Strides = 2, Padding = Padding.Same)] public partial class Conv1DSameS2F;
[Sequential(ElementType = typeof(double))] [Input(8, 2)] [Conv1D(2, 3, Strides = 2, Padding = Padding.Same)] public partial class Conv1DSameS2D;

// BatchNormalization cases (training on [6,4] and NHWC [2,3,3,3]; inference on [4,5]).
[Sequential] [Input(4)] [BatchNormalization] public partial class BatchNorm2DF;
[Sequential(ElementType = typeof(double))] [Input(4)] [BatchNormalization] public partial class BatchNorm2DD;
[Sequential] [Input(3, 3, 3)] [BatchNormalization] public partial class BatchNormNhwcF;
[Sequential(ElementType = typeof(double))] [Input(3, 3, 3)] [BatchNormalization] public partial class BatchNormNhwcD;
[Sequential] [Input(5)] [BatchNormalization] public partial class BatchNormInferenceF;
[Sequential(ElementType = typeof(double))] [Input(5)] [BatchNormalization] public partial class BatchNormInferenceD;

// Recurrent cases: shapes and settings of the simple_rnn_*, lstm_* and gru_* fixtures.
[Sequential] [Input(4, 3)] [SimpleRNN(5)] public partial class SimpleRnnLastF;
[Sequential(ElementType = typeof(double))] [Input(4, 3)] [SimpleRNN(5)] public partial class SimpleRnnLastD;
[Sequential] [Input(5, 2)] [SimpleRNN(4, ReturnSequences = true)] public partial class SimpleRnnSequencesF;
[Sequential(ElementType = typeof(double))] [Input(5, 2)] [SimpleRNN(4, ReturnSequences = true)] public partial class SimpleRnnSequencesD;
[Sequential] [Input(5, 3)] [LSTM(4)] public partial class LstmLastF;
[Sequential(ElementType = typeof(double))] [Input(5, 3)] [LSTM(4)] public partial class LstmLastD;
[Sequential] [Input(4, 2)] [LSTM(3, ReturnSequences = true)] public partial class LstmSequencesF;
[Sequential(ElementType = typeof(double))] [Input(4, 2)] [LSTM(3, ReturnSequences = true)] public partial class LstmSequencesD;
[Sequential] [Input(4, 2)] [LSTM(3, ReturnSequences = true, GoBackwards = true)] public partial class LstmBackwardsF;
[Sequential(ElementType = typeof(double))] [Input(4, 2)] [LSTM(3, ReturnSequences = true, GoBackwards = true)] public partial class LstmBackwardsD;
[Sequential] [Input(5, 3)] [GRU(4)] public partial class GruLastF;
[Sequential(ElementType = typeof(double))] [Input(5, 3)] [GRU(4)] public partial class GruLastD;
[Sequential] [Input(4, 2)] [GRU(3, ReturnSequences = true)] public partial class GruSequencesF;
[Sequential(ElementType = typeof(double))] [Input(4, 2)] [GRU(3, ReturnSequences = true)] public partial class GruSequencesD;
