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

// Issue 3: the MnistCnn sample's network is samples/MnistCnn/DigitCnn.cs itself (linked in the project file); here a
// simpler one-convolution CNN, NHWC 28×28×1 input.

[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPooling2D]
[Flatten]
[Dense(10, Activation.Softmax)]
public partial class SimpleCnn;

// Issue 11: the recurrent suites, LSTM(50) and GRU(50) over 30 steps × 8 features → Dense(1, sigmoid), and the 8-unit
// LSTM whose streaming Step is measured (the step count only sizes Predict's buffers).
[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(30, 8)]
[LSTM(50)]
[Dense(1, Activation.Sigmoid)]
public partial class RecurrentLstm50;

[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(30, 8)]
[GRU(50)]
[Dense(1, Activation.Sigmoid)]
public partial class RecurrentGru50;

[Sequential]
[Input(30, 8)]
[LSTM(8)]
public partial class StreamingLstm8;

// Issue 12: the seed's GAN, generator 100 → 256 (ReLU) → 784 (tanh) and discriminator 784 → 1024 (ReLU) → 1 (sigmoid).
[Sequential]
[Input(100)]
[Dense(256, Activation.ReLU)]
[Dense(784, Activation.Tanh)]
public partial class GanGenerator;

[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(784)]
[Dense(1024, Activation.ReLU)]
[Dense(1, Activation.Sigmoid)]
public partial class GanDiscriminator;

// Issue 14: one KerasHub TransformerEncoder block (model dim 64 from the input, 4 heads of 16, feed-forward 128,
// post-norm) over 64 steps, averaged over time, then Dense(1, sigmoid).
[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(64, 64)]
[TransformerEncoder(128, 4)]
[GlobalAveragePooling1D]
[Dense(1, Activation.Sigmoid)]
public partial class TransformerBlock64;
