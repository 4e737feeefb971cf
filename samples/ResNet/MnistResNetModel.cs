// The small ResNet of samples/ResNet, in a file of its own so the tests and the benchmarks compile this very
// declaration (linked) instead of a copy.
using NeuralDsl;

namespace ResNet;

/// <summary>
/// A small ResNet for 28×28×1 digits (He et al.'s basic block, Keras layers): a 3×3 stem of 16 filters, basic blocks
/// of 16 (identity shortcut), 32 and 64 filters (stride 2, 1×1 convolution + BN projection shortcuts), global average
/// pooling, Dense(10, softmax). A basic block is conv3×3(stride)-BN-ReLU-conv3×3-BN, plus the shortcut, then ReLU.
/// Convolutions before a BatchNormalization have no bias (the BN's β plays its part), as in torchvision's ResNets.
/// </summary>
[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(28, 28, 1)]
// Stem: [28, 28, 1] → [28, 28, 16]
[Conv2D(16, 3, Padding = Padding.Same, UseBias = false, Name = "stem_conv")]
[BatchNormalization(Name = "stem_bn")]
[Activation(Activation.ReLU, Name = "stem_relu")]
// Block 1, 16 filters, stride 1, identity shortcut: [28, 28, 16] → [28, 28, 16]
[Conv2D(16, 3, Padding = Padding.Same, UseBias = false, Name = "block1_1_conv")]
[BatchNormalization(Name = "block1_1_bn")]
[Activation(Activation.ReLU, Name = "block1_1_relu")]
[Conv2D(16, 3, Padding = Padding.Same, UseBias = false, Name = "block1_2_conv")]
[BatchNormalization(Name = "block1_2_bn")]
[Add(From = "stem_relu", Name = "block1_add")]
[Activation(Activation.ReLU, Name = "block1_out")]
// Block 2, 32 filters, stride 2, projection shortcut: [28, 28, 16] → [14, 14, 32]
[Conv2D(32, 3, Strides = 2, Padding = Padding.Same, UseBias = false, Name = "block2_1_conv")]
[BatchNormalization(Name = "block2_1_bn")]
[Activation(Activation.ReLU, Name = "block2_1_relu")]
[Conv2D(32, 3, Padding = Padding.Same, UseBias = false, Name = "block2_2_conv")]
[BatchNormalization(Name = "block2_2_bn")]
[Conv2D(32, 1, Strides = 2, UseBias = false, Input = "block1_out", Name = "block2_0_conv")]
[BatchNormalization(Name = "block2_0_bn")]
[Add(From = "block2_2_bn", Name = "block2_add")]
[Activation(Activation.ReLU, Name = "block2_out")]
// Block 3, 64 filters, stride 2, projection shortcut: [14, 14, 32] → [7, 7, 64]
[Conv2D(64, 3, Strides = 2, Padding = Padding.Same, UseBias = false, Name = "block3_1_conv")]
[BatchNormalization(Name = "block3_1_bn")]
[Activation(Activation.ReLU, Name = "block3_1_relu")]
[Conv2D(64, 3, Padding = Padding.Same, UseBias = false, Name = "block3_2_conv")]
[BatchNormalization(Name = "block3_2_bn")]
[Conv2D(64, 1, Strides = 2, UseBias = false, Input = "block2_out", Name = "block3_0_conv")]
[BatchNormalization(Name = "block3_0_bn")]
[Add(From = "block3_2_bn", Name = "block3_add")]
[Activation(Activation.ReLU, Name = "block3_out")]
// Head: [7, 7, 64] → [64] → [10]
[GlobalAveragePooling2D(Name = "avg_pool")]
[Dense(10, Activation.Softmax, Name = "predictions")]
public partial class MnistResNet;
