// The ResNet-18 that the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 (0.24.0) ships as
// tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx, declared with the DSL exactly as that file computes it. In a file of
// its own so the benchmarks compile this very declaration (linked) instead of a copy.
using NeuralDsl;

namespace PretrainedResNet18;

/// <summary>
/// The CNTK export of ImageNet ResNet-18 in the ML.NET featurizer package, as its graph reads (inspected node by node):
/// <list type="bullet">
/// <item>NCHW 1×3×224×224 input there, NHWC [224, 224, 3] here (callers transpose); the output is the 512 features of the
/// global average pooling (the file has no classifier).</item>
/// <item>Stem: 7×7 Conv(64, stride 2) with CNTK's asymmetric pads (3 before, 2 after), BN, ReLU, 3×3 MaxPool(stride 2) with
/// pads (1 before, 0 after): written as ZeroPadding2D then "valid" layers, since Keras' "same" puts the extra pixel after.
/// Zero padding before the max pool equals ONNX's −∞ padding because it follows a ReLU.</item>
/// <item>Basic blocks conv3×3-BN-ReLU-conv3×3-BN + shortcut, then ReLU: 2, 2, 2 and 3 blocks of 64, 128, 256 and 512
/// filters (CNTK's model has a third block in the last stage, 22 convolutions in all). A stage's first block halves
/// the size with a stride-2 3×3 convolution padded (1 before, 0 after) and a 1×1 stride-2 convolution + BN shortcut.</item>
/// <item>No convolution has a bias; every BatchNormalization has epsilon 1e-5 (LoadOnnxWeights checks it).</item>
/// </list>
/// </summary>
[Sequential]
[Input(224, 224, 3)]
// Stem: [224, 224, 3] → [112, 112, 64] → [56, 56, 64]
[ZeroPadding2D(2, Top = 3, Left = 3, Name = "stem_pad")]
[Conv2D(64, 7, Strides = 2, UseBias = false, Name = "stem_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "stem_bn")]
[Activation(Activation.ReLU, Name = "stem_relu")]
[ZeroPadding2D(0, Top = 1, Left = 1, Name = "pool_pad")]
[MaxPooling2D(3, Strides = 2, Name = "pool")]
// block1a, 64 filters, identity shortcut: [56, 56, 64] → [56, 56, 64]
[Conv2D(64, 3, Padding = Padding.Same, UseBias = false, Name = "block1a_1_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block1a_1_bn")]
[Activation(Activation.ReLU, Name = "block1a_1_relu")]
[Conv2D(64, 3, Padding = Padding.Same, UseBias = false, Name = "block1a_2_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block1a_2_bn")]
[Add(From = "pool", Name = "block1a_add")]
[Activation(Activation.ReLU, Name = "block1a_out")]
// block1b, 64 filters, identity shortcut: [56, 56, 64] → [56, 56, 64]
[Conv2D(64, 3, Padding = Padding.Same, UseBias = false, Name = "block1b_1_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block1b_1_bn")]
[Activation(Activation.ReLU, Name = "block1b_1_relu")]
[Conv2D(64, 3, Padding = Padding.Same, UseBias = false, Name = "block1b_2_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block1b_2_bn")]
[Add(From = "block1a_out", Name = "block1b_add")]
[Activation(Activation.ReLU, Name = "block1b_out")]
// block2a, 128 filters, stride 2, projection shortcut: [56, 56, 64] → [28, 28, 128]
[ZeroPadding2D(0, Top = 1, Left = 1, Name = "block2a_pad")]
[Conv2D(128, 3, Strides = 2, UseBias = false, Name = "block2a_1_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block2a_1_bn")]
[Activation(Activation.ReLU, Name = "block2a_1_relu")]
[Conv2D(128, 3, Padding = Padding.Same, UseBias = false, Name = "block2a_2_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block2a_2_bn")]
[Conv2D(128, 1, Strides = 2, UseBias = false, Input = "block1b_out", Name = "block2a_0_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block2a_0_bn")]
[Add(From = "block2a_2_bn", Name = "block2a_add")]
[Activation(Activation.ReLU, Name = "block2a_out")]
// block2b, 128 filters, identity shortcut: [28, 28, 128] → [28, 28, 128]
[Conv2D(128, 3, Padding = Padding.Same, UseBias = false, Name = "block2b_1_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block2b_1_bn")]
[Activation(Activation.ReLU, Name = "block2b_1_relu")]
[Conv2D(128, 3, Padding = Padding.Same, UseBias = false, Name = "block2b_2_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block2b_2_bn")]
[Add(From = "block2a_out", Name = "block2b_add")]
[Activation(Activation.ReLU, Name = "block2b_out")]
// block3a, 256 filters, stride 2, projection shortcut: [28, 28, 128] → [14, 14, 256]
[ZeroPadding2D(0, Top = 1, Left = 1, Name = "block3a_pad")]
[Conv2D(256, 3, Strides = 2, UseBias = false, Name = "block3a_1_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block3a_1_bn")]
[Activation(Activation.ReLU, Name = "block3a_1_relu")]
[Conv2D(256, 3, Padding = Padding.Same, UseBias = false, Name = "block3a_2_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block3a_2_bn")]
[Conv2D(256, 1, Strides = 2, UseBias = false, Input = "block2b_out", Name = "block3a_0_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block3a_0_bn")]
[Add(From = "block3a_2_bn", Name = "block3a_add")]
[Activation(Activation.ReLU, Name = "block3a_out")]
// block3b, 256 filters, identity shortcut: [14, 14, 256] → [14, 14, 256]
[Conv2D(256, 3, Padding = Padding.Same, UseBias = false, Name = "block3b_1_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block3b_1_bn")]
[Activation(Activation.ReLU, Name = "block3b_1_relu")]
[Conv2D(256, 3, Padding = Padding.Same, UseBias = false, Name = "block3b_2_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block3b_2_bn")]
[Add(From = "block3a_out", Name = "block3b_add")]
[Activation(Activation.ReLU, Name = "block3b_out")]
// block4a, 512 filters, stride 2, projection shortcut: [14, 14, 256] → [7, 7, 512]
[ZeroPadding2D(0, Top = 1, Left = 1, Name = "block4a_pad")]
[Conv2D(512, 3, Strides = 2, UseBias = false, Name = "block4a_1_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block4a_1_bn")]
[Activation(Activation.ReLU, Name = "block4a_1_relu")]
[Conv2D(512, 3, Padding = Padding.Same, UseBias = false, Name = "block4a_2_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block4a_2_bn")]
[Conv2D(512, 1, Strides = 2, UseBias = false, Input = "block3b_out", Name = "block4a_0_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block4a_0_bn")]
[Add(From = "block4a_2_bn", Name = "block4a_add")]
[Activation(Activation.ReLU, Name = "block4a_out")]
// block4b, 512 filters, identity shortcut: [7, 7, 512] → [7, 7, 512]
[Conv2D(512, 3, Padding = Padding.Same, UseBias = false, Name = "block4b_1_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block4b_1_bn")]
[Activation(Activation.ReLU, Name = "block4b_1_relu")]
[Conv2D(512, 3, Padding = Padding.Same, UseBias = false, Name = "block4b_2_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block4b_2_bn")]
[Add(From = "block4a_out", Name = "block4b_add")]
[Activation(Activation.ReLU, Name = "block4b_out")]
// block4c, 512 filters, identity shortcut: [7, 7, 512] → [7, 7, 512]
[Conv2D(512, 3, Padding = Padding.Same, UseBias = false, Name = "block4c_1_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block4c_1_bn")]
[Activation(Activation.ReLU, Name = "block4c_1_relu")]
[Conv2D(512, 3, Padding = Padding.Same, UseBias = false, Name = "block4c_2_conv")]
[BatchNormalization(Epsilon = 1e-5, Name = "block4c_2_bn")]
[Add(From = "block4b_out", Name = "block4c_add")]
[Activation(Activation.ReLU, Name = "block4c_out")]
// Features: [7, 7, 512] → [512]
[GlobalAveragePooling2D(Name = "avg_pool")]
public partial class ResNet18Features;
