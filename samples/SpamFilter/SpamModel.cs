// samples/SpamFilter's model, in a file of its own so tests/NeuralDsl.Onnx.Tests compiles this very declaration
// (linked) instead of a copy. Global namespace, as Program.cs's top-level statements use it.
using NeuralDsl;

/// <summary>
/// Keras: Sequential([Input((200,)), Embedding(20000, 32, mask_zero=True), Bidirectional(GRU(32)),
/// Dense(1, "sigmoid")]), binary cross-entropy. The ids are padded with 0 at the end; the mask makes both directions
/// skip the padding (a masked step keeps the state), so the forward GRU ends on the last word and the backward one on
/// the subject. 200 and 20,000 are SequenceLength and MaxTokens above (a mismatch throws at the first Fit).
/// </summary>
[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(200)]
[Embedding(20_000, 32, MaskZero = true)]
[Bidirectional]
[GRU(32)]
[Dense(1, Activation.Sigmoid)]
public partial class SpamModel;
