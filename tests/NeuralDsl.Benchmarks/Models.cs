// The NeuralDsl side of the model suites: declared with the DSL, written by the source generator at compile time.
using NeuralDsl;

[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(8)]
[Dense(12, Activation.ReLU)]
[Dense(8, Activation.ReLU)]
[Dense(1, Activation.Sigmoid)]
public partial class SmallMlp;

[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(784)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class MnistMlp;

// Issue 3: the MnistCnn sample's network (samples/MnistCnn) and a simpler one-convolution CNN, NHWC 28×28×1 input.
[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPooling2D]
[Conv2D(64, 3, Activation.ReLU)]
[MaxPooling2D]
[Flatten]
[Dropout(0.5)]
[Dense(10, Activation.Softmax)]
public partial class MnistCnn;

[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPooling2D]
[Flatten]
[Dense(10, Activation.Softmax)]
public partial class SimpleCnn;
