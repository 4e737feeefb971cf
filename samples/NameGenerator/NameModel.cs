// The character-level causal transformer of samples/NameGenerator, in a file of its own so the tests compile this very
// declaration (linked) instead of a copy.
using NeuralDsl;

namespace NameGenerator;

/// <summary>
/// Causal self-attention: 4 heads of 16 over [16, 64]; step t attends to steps 0..t only (dropout 0.1 on the attention
/// probabilities in training).
/// </summary>
[Block]
[MultiHeadAttention(4, 16, UseCausalMask = true, Dropout = 0.1)]
public partial class CausalSelfAttention;

/// <summary>
/// A post-norm transformer decoder block without cross-attention (GPT-1's block; KerasHub's TransformerDecoder with no
/// encoder input): x + attention(x), layer norm, then a ReLU feed-forward of 128 back to 64 (dropout 0.1 in training)
/// added to its own input, layer norm. [16, 64] → [16, 64].
/// </summary>
[Block]
[Residual(typeof(CausalSelfAttention), Name = "attention")]
[LayerNormalization(Name = "attention_norm")]
[Dense(128, Activation.ReLU, Name = "feed_forward")]
[Dense(64, Name = "feed_forward_out")]
[Dropout(0.1, Name = "feed_forward_dropout")]
[Add(From = "attention_norm", Name = "feed_forward_add")]
[LayerNormalization(Name = "feed_forward_norm")]
public partial class DecoderBlock;

/// <summary>
/// Next-character prediction over names of up to 15 characters: the input is [start, c1, ..., cn, padding...] (16 token
/// ids of <see cref="CharacterVocabulary"/>, 30 tokens), the output at step t the distribution of token t + 1 of
/// [c1, ..., cn, end, padding...]. Token and position embeddings of 64, two causal decoder blocks, and a softmax over the
/// 30 tokens at every step, trained with sparse categorical cross-entropy (one label per step). The causal mask keeps
/// every step blind to the steps after it, so the padding after a name changes none of its predictions.
/// </summary>
[Sequential(Loss = Loss.SparseCategoricalCrossEntropy, Name = "name_generator")]
[Input(16)]
[TokenAndPositionEmbedding(30, 16, 64)]
[Block(typeof(DecoderBlock), Name = "decoder1")]
[Block(typeof(DecoderBlock), Name = "decoder2")]
[Dense(30, Activation.Softmax, Name = "next_token")]
public partial class NameModel;
