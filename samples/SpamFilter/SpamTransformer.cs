// samples/SpamFilter's model, in a file of its own so tests/NeuralDsl.Onnx.Tests compiles this very declaration
// (linked) instead of a copy. Global namespace, as Program.cs's top-level statements use it.
using NeuralDsl;

/// <summary>
/// KerasHub: Sequential([Input((200,)), TokenAndPositionEmbedding(20000, 200, 32, mask_zero=True),
/// TransformerEncoder(intermediate_dim=32, num_heads=2), GlobalAveragePooling1D(), Dense(1, "sigmoid")]): one post-norm
/// encoder block (2 heads of 16, feed-forward 32) over the same 200 ids; the padding mask keeps the padded steps out of
/// every softmax and out of the average.
/// </summary>
[Sequential(Loss = Loss.BinaryCrossEntropy)]
[Input(200)]
[TokenAndPositionEmbedding(20_000, 200, 32, MaskZero = true)]
[TransformerEncoder(32, 2)]
[GlobalAveragePooling1D]
[Dense(1, Activation.Sigmoid)]
public partial class SpamTransformer;
