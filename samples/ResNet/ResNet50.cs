using NeuralDsl;

namespace ResNet;

/// <summary>
/// Keras' <c>keras.applications.ResNet50(weights=None)</c>, layer for layer and with Keras' names: the stem
/// (conv1_pad, conv1_conv 7×7/2, conv1_bn, conv1_relu, pool1_pad, pool1_pool 3×3/2), four stages of bottleneck blocks
/// (3, 4, 6, 3; the first block of each stage projects its shortcut, stride 1 in conv2 and 2 in the others), global
/// average pooling and the 1000-class softmax. 25,636,712 parameters, as Keras counts them.
/// </summary>
[Sequential(Loss = Loss.SparseCategoricalCrossEntropy, Name = "resnet50")]
[Input(224, 224, 3)]
[ZeroPadding2D(3, Name = "conv1_pad")]
[Conv2D(64, 7, Strides = 2, Name = "conv1_conv")]
[BatchNormalization(Epsilon = 1.001e-5, Name = "conv1_bn")]
[Activation(Activation.ReLU, Name = "conv1_relu")]
[ZeroPadding2D(1, Name = "pool1_pad")]
[MaxPooling2D(3, Strides = 2, Name = "pool1_pool")]
[ResNetBottleneck(64, Name = "conv2_block1")]
[ResNetBottleneck(64, Name = "conv2_block2")]
[ResNetBottleneck(64, Name = "conv2_block3")]
[ResNetBottleneck(128, Strides = 2, Name = "conv3_block1")]
[ResNetBottleneck(128, Name = "conv3_block2")]
[ResNetBottleneck(128, Name = "conv3_block3")]
[ResNetBottleneck(128, Name = "conv3_block4")]
[ResNetBottleneck(256, Strides = 2, Name = "conv4_block1")]
[ResNetBottleneck(256, Name = "conv4_block2")]
[ResNetBottleneck(256, Name = "conv4_block3")]
[ResNetBottleneck(256, Name = "conv4_block4")]
[ResNetBottleneck(256, Name = "conv4_block5")]
[ResNetBottleneck(256, Name = "conv4_block6")]
[ResNetBottleneck(512, Strides = 2, Name = "conv5_block1")]
[ResNetBottleneck(512, Name = "conv5_block2")]
[ResNetBottleneck(512, Name = "conv5_block3")]
[GlobalAveragePooling2D(Name = "avg_pool")]
[Dense(1000, Activation.Softmax, Name = "predictions")]
public partial class ResNet50;
