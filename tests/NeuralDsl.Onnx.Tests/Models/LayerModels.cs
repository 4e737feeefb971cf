// One small model per layer kind and option ONNX export converts (OnnxLayerExportTests), float unless the name ends in D.
namespace NeuralDsl.Onnx.Tests.Models;

// Dense: one axis (Gemm), a sequence (MatMul + Add on the last axis), no bias.
[Sequential] [Input(6)] [Dense(5, Activation.ReLU)] [Dense(3, Activation.Softmax)] public partial class DenseMlp;
[Sequential] [Input(4, 3)] [Dense(5, Activation.Sigmoid)] public partial class DenseOnSequence;
[Sequential] [Input(4)] [Dense(2, Activation.Tanh, UseBias = false)] public partial class DenseNoBias;
[Sequential(ElementType = typeof(double))] [Input(6)] [Dense(5, Activation.Tanh)] [Dense(3, Activation.Softmax)] public partial class DenseMlpD;

// Every activation, as a layer after a Dense (so inputs of both signs reach it).
[Sequential] [Input(5)] [Dense(6)] [Activation(Activation.ReLU)] public partial class ActRelu;
[Sequential] [Input(5)] [Dense(6)] [Activation(Activation.Sigmoid)] public partial class ActSigmoid;
[Sequential] [Input(5)] [Dense(6)] [Activation(Activation.Tanh)] public partial class ActTanh;
[Sequential] [Input(3, 5)] [Dense(6)] [Activation(Activation.Softmax)] public partial class ActSoftmax;
[Sequential] [Input(5)] [Dense(6)] [Activation(Activation.LeakyReLU)] public partial class ActLeakyRelu;
[Sequential] [Input(5)] [Dense(6)] [Activation(Activation.ELU)] public partial class ActElu;
[Sequential] [Input(5)] [Dense(6)] [Activation(Activation.SELU)] public partial class ActSelu;
[Sequential] [Input(5)] [Dense(6)] [Activation(Activation.GELU)] public partial class ActGelu;
[Sequential] [Input(5)] [Dense(6)] [Activation(Activation.Swish)] public partial class ActSwish;
[Sequential] [Input(5)] [Dense(6)] [Activation(Activation.Softplus)] public partial class ActSoftplus;
[Sequential] [Input(5)] [Dense(6)] [Activation(Activation.Linear)] public partial class ActLinear;

// Conv2D: valid, same with strides, dilation, unequal strides, an activation applied channels-first; Conv1D.
[Sequential] [Input(5, 5, 2)] [Conv2D(3, 3)] public partial class ConvValid;
[Sequential] [Input(6, 7, 2)] [Conv2D(3, 3, Activation.ReLU, Strides = 2, Padding = Padding.Same)] public partial class ConvSameStrides;
[Sequential] [Input(6, 6, 2)] [Conv2D(2, 3, Activation.ELU, Dilation = 2, Padding = Padding.Same)] public partial class ConvDilation;
[Sequential] [Input(6, 5, 1)] [Conv2D(2, 2, 3, Activation.Tanh, StrideHeight = 2, StrideWidth = 1)] public partial class ConvUnequal;
[Sequential] [Input(7, 8, 2)] [Conv2D(2, 4, Activation.Swish, Strides = 3, Padding = Padding.Same, UseBias = false)] public partial class ConvSameEvenKernel;
[Sequential] [Input(7, 3)] [Conv1D(4, 3)] public partial class Conv1DValid;
[Sequential] [Input(8, 2)] [Conv1D(3, 4, Activation.ReLU, Strides = 2, Padding = Padding.Same)] public partial class Conv1DSame;
[Sequential] [Input(9, 2)] [Conv1D(3, 3, Activation.GELU, Dilation = 2)] public partial class Conv1DDilation;

// Poolings, flattening in NHWC order, ZeroPadding2D in either layout, global poolings channels-first and in Keras layout.
[Sequential] [Input(6, 6, 2)] [Conv2D(3, 3)] [MaxPooling2D] [Flatten] [Dense(4)] public partial class ConvPoolFlatten;
[Sequential] [Input(5, 5, 2)] [MaxPooling2D(Padding = Padding.Same)] public partial class MaxPoolSame;
[Sequential] [Input(7, 6, 2)] [MaxPooling2D(3, Strides = 2)] public partial class MaxPoolStrides;
[Sequential] [Input(4, 5, 2)] [AveragePooling2D] public partial class AveragePool;
[Sequential] [Input(5, 3, 2)] [AveragePooling2D(2, Padding = Padding.Same)] public partial class AveragePoolSame;
[Sequential] [Input(7, 3)] [MaxPooling1D(2, Strides = 1, Padding = Padding.Same)] public partial class MaxPool1D;
[Sequential] [Input(4, 4, 2)] [ZeroPadding2D(1, 2, Bottom = 0)] [Flatten] public partial class ZeroPaddingKeras;
[Sequential] [Input(4, 4, 2)] [Conv2D(3, 2)] [ZeroPadding2D(2, Top = 0)] [Conv2D(2, 3)] public partial class ZeroPaddingChannelsFirst;
[Sequential] [Input(5, 5, 2)] [Conv2D(3, 3)] [GlobalAveragePooling2D] public partial class GlobalAverage2D;
[Sequential] [Input(5, 5, 2)] [Conv2D(3, 3)] [GlobalMaxPooling2D] public partial class GlobalMax2D;
[Sequential] [Input(3, 4, 3)] [GlobalAveragePooling2D] public partial class GlobalAverage2DKeras;
[Sequential] [Input(6, 3)] [GlobalMaxPooling1D] public partial class GlobalMax1DKeras;
[Sequential] [Input(6, 3)] [Conv1D(4, 2)] [GlobalAveragePooling1D] public partial class GlobalAverage1D;

// Normalization and dropout.
[Sequential] [Input(4)] [Dense(5)] [BatchNormalization] [Dropout(0.3)] [Dense(2)] public partial class BatchNormDense;
[Sequential] [Input(5, 5, 2)] [Conv2D(3, 3)] [BatchNormalization(Epsilon = 1e-5)] [Activation(Activation.ReLU)] public partial class BatchNormConv;
[Sequential] [Input(3, 3, 3)] [BatchNormalization] public partial class BatchNormNhwc;
[Sequential] [Input(4, 6)] [LayerNormalization] public partial class LayerNormModel;
[Sequential] [Input(4, 6)] [LayerNormalization(Center = false, Epsilon = 1e-5)] public partial class LayerNormNoCenter;
[Sequential] [Input(4, 6)] [LayerNormalization(RmsScaling = true)] public partial class LayerNormRms;

// Graphs: every merge, channels-first (after convolutions) and in Keras layout.
[Sequential]
[Input(6, Name = "x")]
[Dense(4, Activation.Tanh, Name = "a")]
[Dense(4, Activation.Sigmoid, Input = "x", Name = "b")]
[Dense(4, Input = "x", Name = "c")]
[Add("a", "b", "c", Name = "sum")]
[Subtract("sum", "c", Name = "difference")]
[Multiply("difference", "b", "a", Name = "product")]
[Average("product", "a", Name = "mean")]
[Maximum("mean", "b", Name = "max")]
[Concatenate("max", "a", "x", Name = "joined")]
[Dense(3, Activation.Softmax)]
public partial class Merges;

[Sequential]
[Input(5, 5, 2, Name = "x")]
[Conv2D(3, 3, Padding = Padding.Same, Name = "left")]
[Conv2D(3, 3, Padding = Padding.Same, Input = "x", Name = "right")]
[Add(From = "left", Name = "sum")]
[Maximum("sum", "right", Name = "max")]
[Concatenate("max", "left", Axis = 2, Name = "joined")]
[Conv2D(2, 1)]
public partial class MergesChannelsFirst;

// Token ids and positions.
[Sequential] [Input(5)] [Embedding(7, 3)] [Flatten] [Dense(2)] public partial class EmbeddingIds;
[Sequential] [Input(4, 6)] [PositionEmbedding(6)] public partial class PositionEmbeddingModel;
[Sequential] [Input(4, 6)] [SinePositionEncoding] public partial class SinePositionModel;
[Sequential] [Input(5)] [TokenAndPositionEmbedding(11, 8, 4)] [Dense(2)] public partial class TokenAndPositionModel;

// Recurrent layers and Bidirectional.
[Sequential] [Input(4, 3)] [SimpleRNN(5)] public partial class SimpleRnnLast;
[Sequential] [Input(5, 2)] [SimpleRNN(4, Activation = Activation.ReLU, ReturnSequences = true)] public partial class SimpleRnnSequences;
[Sequential] [Input(5, 3)] [LSTM(4)] public partial class LstmLast;
[Sequential] [Input(4, 2)] [LSTM(3, ReturnSequences = true)] public partial class LstmSequences;
[Sequential] [Input(4, 2)] [LSTM(3, ReturnSequences = true, GoBackwards = true)] public partial class LstmBackwards;
[Sequential] [Input(4, 2)] [LSTM(3, GoBackwards = true, UseBias = false)] public partial class LstmBackwardsLast;
[Sequential] [Input(5, 3)] [GRU(4)] public partial class GruLast;
[Sequential] [Input(4, 2)] [GRU(3, ReturnSequences = true)] public partial class GruSequences;
[Sequential] [Input(4, 2)] [GRU(3, ResetAfter = false, ReturnSequences = true)] public partial class GruResetBefore;
[Sequential] [Input(5, 2)] [Bidirectional] [LSTM(3, ReturnSequences = true)] [Bidirectional(MergeMode = MergeMode.Sum)] [GRU(2)] public partial class BidirectionalStack;
[Sequential] [Input(5, 2)] [Bidirectional(MergeMode = MergeMode.Average)] [SimpleRNN(3, ReturnSequences = true)] [Flatten] [Dense(2)] public partial class BidirectionalAverage;
[Sequential] [Input(5, 2)] [Bidirectional(MergeMode = MergeMode.Multiply)] [GRU(3, ResetAfter = false)] public partial class BidirectionalMultiply;

// MultiHeadAttention: self, causal, cross with a key, projections of other sizes, no bias.
[Sequential] [Input(4, 6)] [MultiHeadAttention(2, 3)] public partial class AttentionModel;
[Sequential] [Input(5, 4)] [MultiHeadAttention(3, 2, UseCausalMask = true)] [Dense(2, Activation.Tanh)] public partial class AttentionCausal;
[Sequential] [Input(5, 4)] [MultiHeadAttention(2, 3, ValueDim = 2, OutputShape = 3, UseBias = false)] public partial class AttentionSizes;

[Sequential]
[Input(4, 3, Name = "x")]
[Dense(3, Name = "memory")]
[Dense(3, Activation.Tanh, Input = "x", Name = "keys")]
[MultiHeadAttention(2, 3, Input = "x", Value = "memory", Key = "keys")]
public partial class AttentionCross;
