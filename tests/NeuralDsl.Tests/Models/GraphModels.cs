// Named graphs (issue 12 item 1): layers that read an earlier output by name and the merge layers. Double precision
// where gradients are checked numerically; every model has a tensor read by more than one layer, so the backward pass
// sums gradients.
namespace NeuralDsl.Tests.Models;

// A hidden tensor read twice: by the Dense after it and by the Add.
[Sequential(ElementType = typeof(double))]
[Input(5)]
[Dense(4, Activation.Tanh, Name = "x")]
[Dense(4, Activation.Sigmoid)]
[Add(From = "x")]
[Dense(3)]
public partial class GraphBranchTwice;

// The named model input read twice (the first Dense and the Add): the input gradient Backward returns is a sum.
[Sequential(ElementType = typeof(double))]
[Input(4, Name = "in")]
[Dense(4, Activation.Tanh)]
[Add(From = "in")]
[Dense(2)]
public partial class GraphInputTwice;

[Sequential(ElementType = typeof(double))]
[Input(4, Name = "in")]
[Dense(3, Activation.Tanh, Name = "a")]
[Dense(3, Input = "in", Name = "b")]
[Subtract("a", "b")]
[Dense(2)]
public partial class GraphSubtract;

// Three operands, one of them the named input read later.
[Sequential(ElementType = typeof(double))]
[Input(3, Name = "x")]
[Dense(3, Activation.Tanh, Name = "a")]
[Dense(3, Activation.Sigmoid, Name = "b")]
[Multiply("a", "b", "x")]
[Dense(2)]
public partial class GraphMultiply;

[Sequential(ElementType = typeof(double))]
[Input(4)]
[Dense(3, Activation.Tanh, Name = "a")]
[Dense(3, Name = "b")]
[Dense(3, Activation.Sigmoid, Input = "a", Name = "c")]
[Average("a", "b", "c")]
[Dense(2)]
public partial class GraphAverage;

[Sequential(ElementType = typeof(double))]
[Input(4)]
[Dense(5, Activation.Tanh, Name = "a")]
[Dense(5)]
[Maximum(From = "a")]
[Dense(2)]
public partial class GraphMaximum;

// Concatenate on the last axis of a sequence, then along its steps axis (Keras axis 1).
[Sequential(ElementType = typeof(double))]
[Input(3, 2, Name = "x")]
[Dense(4, Activation.Tanh, Name = "a")]
[Concatenate("x", "a", Axis = -1)]
[Dense(2, Name = "b")]
[Concatenate("b", "x", Axis = 1)]
[Flatten]
[Dense(3)]
public partial class GraphConcatenate;

// A Flatten output (a view of the convolution's buffer) read by name: the convolution's gradient buffer sums both.
[Sequential(ElementType = typeof(double))]
[Input(3, 3, 2)]
[Conv2D(2, 2, Activation.Tanh, Name = "c")]
[Flatten(Name = "f")]
[Dense(8, Activation.Sigmoid)]
[Add(From = "f")]
[Dense(2)]
public partial class GraphFlattenByName;

// A residual connection over Conv2D + BatchNormalization.
[Sequential(ElementType = typeof(double))]
[Input(4, 4, 2)]
[Conv2D(3, 3, Activation.ReLU, Padding = Padding.Same, Name = "stem")]
[Conv2D(3, 3, Padding = Padding.Same)]
[BatchNormalization]
[Add(From = "stem")]
[Activation(Activation.ReLU)]
[GlobalAveragePooling2D]
[Dense(2)]
public partial class GraphResidualConv;

// Fused softmax + sparse cross-entropy after a merge; and an Activation layer ending the model after a merge (the
// fused gradient lands in the merge's buffer).
[Sequential(Loss = Loss.SparseCategoricalCrossEntropy, ElementType = typeof(double))]
[Input(4, Name = "x")]
[Dense(4, Activation.Tanh)]
[Add(From = "x")]
[Dense(3, Activation.Softmax)]
public partial class GraphFusedSoftmax;

[Sequential(Loss = Loss.CategoricalCrossEntropy, ElementType = typeof(double))]
[Input(4)]
[Dense(3, Name = "a")]
[Dense(3)]
[Add(From = "a")]
[Activation(Activation.Softmax)]
public partial class GraphFusedActivationLayer;

// The model the hand computation checks: s = tanh(x·W1 + b1) + x, y = s·W2 + b2; in both precisions.
[Sequential(Loss = Loss.MeanSquaredError, ElementType = typeof(double))]
[Input(3, Name = "x")]
[Dense(3, Activation.Tanh, Name = "h")]
[Add(From = "x")]
[Dense(2)]
public partial class GraphByHand;

[Sequential(Loss = Loss.MeanSquaredError)]
[Input(3, Name = "x")]
[Dense(3, Activation.Tanh, Name = "h")]
[Add(From = "x")]
[Dense(2)]
public partial class GraphByHandFloat;

// Float, for the allocation test: a residual convolution block with a classifier head.
[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(6, 6, 2)]
[Conv2D(4, 3, Activation.ReLU, Padding = Padding.Same, Name = "stem")]
[Conv2D(4, 3, Padding = Padding.Same)]
[BatchNormalization]
[Add(From = "stem")]
[Activation(Activation.ReLU)]
[Conv2D(2, 1, Name = "narrow")]
[Concatenate("narrow", "activation")]
[GlobalAveragePooling2D]
[Dense(3, Activation.Softmax)]
public partial class GraphResidualFloat;

// Maximum of a tensor with itself: every element ties.
[Sequential(ElementType = typeof(double))]
[Input(3, Name = "x")]
[Maximum("x", "x")]
public partial class GraphMaximumTie;

// Every merge kind on the input and its square, joined on the last axis.
[Sequential(ElementType = typeof(double))]
[Input(4, Name = "x")]
[Multiply("x", "x", Name = "sq")]
[Subtract("x", "sq", Name = "diff")]
[Average("x", "sq", Name = "avg")]
[Maximum("x", "sq", Name = "max")]
[Add("diff", "avg", "max", Name = "sum")]
[Concatenate("x", "sq", "diff", "avg", "max", "sum")]
public partial class GraphMergeValues;
