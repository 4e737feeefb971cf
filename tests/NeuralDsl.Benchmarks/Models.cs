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
