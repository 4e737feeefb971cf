// samples/SeedCnn's model, in a file of its own so tests/NeuralDsl.Onnx.Tests compiles this very declaration
// (linked) instead of a copy. Global namespace, as Program.cs's top-level statements use it.
using NeuralDsl;

/// <summary>
/// The seed's CNN, Keras: Conv2D(32, (3, 3), activation='relu', input_shape=(64, 64, 3)), MaxPooling2D(), Flatten(),
/// Dense(128, activation='relu'), Dense(1, activation='sigmoid'), loss binary_crossentropy.
/// </summary>
/// <remarks>
/// The seed wrote it without Flatten:
/// <code>
/// [Sequential(Loss = Loss.BinaryCrossEntropy)]
/// [Input(64, 64, 3)]
/// [Conv2D(32, 3, Activation.ReLU)]
/// [MaxPooling2D]
/// [Dense(128, Activation.ReLU)]
/// [Dense(1, Activation.Sigmoid)]
/// </code>
/// and the generator rejects that at compile time, on the first Dense attribute:
/// <code>
/// error NDSL1003: [Dense(128, ReLU)] 'dense' receives [31, 31, 32] and acts on its last axis, so the model outputs
/// [31, 31, 1]; loss BinaryCrossEntropy needs one vector per sample ([classes]), or one per input step
/// ([steps, classes] for [Input(steps)]) when the first layer takes token ids: insert [Flatten] before this layer
/// (docs/diagnostics/NDSL1003.md)
/// </code>
/// </remarks>
[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(64, 64, 3)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPooling2D]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(1, Activation.Sigmoid)]
public partial class SeedCnn;
