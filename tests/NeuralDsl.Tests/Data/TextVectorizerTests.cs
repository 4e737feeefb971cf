using System;
using System.IO;
using NeuralDsl.Tests.IO;
using Xunit;

namespace NeuralDsl.Tests.Data;

public sealed class TextVectorizerTests
{
    // Keras' TextVectorization docstring example: adapt(["foo bar", "bar baz", "baz bada boom"]) with
    // output_sequence_length=4 gives [[4, 1, 3, 0], [1, 2, 0, 0]] for ["foo qux bar", "qux baz"]. Counts: bar 2, baz 2,
    // the others 1; ties go high to low, so baz (2) before bar (3), and foo (4), boom (5), bada (6).
    [Fact]
    public void Adapt_MatchesKerasDocstringExample()
    {
        var v = new TextVectorizer(maxTokens: 5000, outputSequenceLength: 4);
        v.Adapt(["foo bar", "bar baz", "baz bada boom"]);

        Assert.Equal(["", "[UNK]", "baz", "bar", "foo", "boom", "bada"], v.Vocabulary);
        var ids = new int[4];
        Assert.Equal(3, v.Vectorize("foo qux bar", ids));
        Assert.Equal([4, 1, 3, 0], ids);
        Assert.Equal(2, v.Vectorize("qux baz", ids));
        Assert.Equal([1, 2, 0, 0], ids);
    }

    [Fact]
    public void Tokenize_LowercasesAsciiStripsPunctuationAndSplitsOnAsciiWhitespace()
    {
        Assert.Equal(["hello", "world", "its", "email", "new", "line", "ok"],
            TextVectorizer.Tokenize("  Hello, World! It's e-mail.\tNEW\r\nline -- \v\f ok?  "));
        // tf.strings.lower without an encoding lowercases ASCII only; non-ASCII punctuation stays; U+00A0 is no split.
        Assert.Equal(["École", "café", "a—b", "x\u00A0y", "«quoted»"], TextVectorizer.Tokenize("ÉCOLE Café a—b x\u00A0y «QUOTED»"));
        Assert.Empty(TextVectorizer.Tokenize(" ... !? \t"));
        Assert.Empty(TextVectorizer.Tokenize(""));
    }

    [Fact]
    public void Tokenize_RemovesExactlyTheThirtyTwoAsciiPunctuationCharacters()
    {
        const string punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
        Assert.Equal(32, punctuation.Length);
        Assert.Equal(["ab"], TextVectorizer.Tokenize("a" + punctuation + "b"));
        for (char c = '!'; c <= '~'; c++)
        {
            string[] tokens = TextVectorizer.Tokenize("a" + c + "b");
            string expected = punctuation.Contains(c) ? "ab" : c is >= 'A' and <= 'Z' ? "a" + (char)(c + 32) + "b" : "a" + c + "b";
            Assert.Equal([expected], tokens);
        }
    }

    [Fact]
    public void Adapt_BreaksTiesHighToLowInUtf8ByteOrder()
    {
        // U+E000 is EE 80 80 in UTF-8 and U+1F600 is F0 9F 98 80: in code-point (= UTF-8) order U+1F600 is higher, so
        // it comes first; ordinal UTF-16 order (D83D < E000) would give the opposite.
        var v = new TextVectorizer();
        v.Adapt(["\uE000 \U0001F600 b a c c"]);
        Assert.Equal(["", "[UNK]", "c", "\U0001F600", "\uE000", "b", "a"], v.Vocabulary);
    }

    [Fact]
    public void Adapt_KeepsTheMostFrequentTokensUpToMaxTokens()
    {
        var v = new TextVectorizer(maxTokens: 4, outputSequenceLength: 5);
        v.Adapt(["the cat the dog", "a cat the end"]);
        // the 3, cat 2, then dog/end/a 1 each: MaxTokens 4 leaves room for two learned tokens.
        Assert.Equal(["", "[UNK]", "the", "cat"], v.Vocabulary);
        Assert.Equal(4, v.VocabularySize);
        Assert.Equal([2, 3, 1, 0, 0], v.Vectorize("The CAT sat."));
        Assert.Equal(1, v.TokenId("dog"));
        Assert.Equal(2, v.TokenId("the"));

        // Adapting again replaces the vocabulary.
        v.Adapt(["dog dog end"]);
        Assert.Equal(["", "[UNK]", "dog", "end"], v.Vocabulary);
    }

    [Fact]
    public void Vectorize_TruncatesKeepingTheBeginningAndPadsAtTheEnd()
    {
        var v = new TextVectorizer(outputSequenceLength: 3);
        v.SetVocabulary(["one", "two", "three", "four"]);
        var ids = new int[3];
        Assert.Equal(3, v.Vectorize("one two three four one", ids));
        Assert.Equal([2, 3, 4], ids);
        Assert.Equal(1, v.Vectorize("four", ids));
        Assert.Equal([5, 0, 0], ids);
        ids.AsSpan().Fill(9);
        Assert.Equal(0, v.Vectorize("", ids));
        Assert.Equal([0, 0, 0], ids);

        // Variable length when no OutputSequenceLength is set.
        var free = new TextVectorizer();
        free.SetVocabulary(["", "[UNK]", "one", "two"]);
        Assert.Equal([2, 1, 3, 2, 2], free.Vectorize("one zero two one one"));
        Assert.Throws<InvalidOperationException>(() => free.Vectorize("one", new int[5]));
    }

    [Fact]
    public void Vectorize_FloatDoubleAndBatchOverloadsGiveTheSameIds()
    {
        var v = new TextVectorizer(maxTokens: 100, outputSequenceLength: 6);
        v.Adapt(["red green blue", "green blue", "blue", "yellow!"]);
        string[] texts = ["Blue, green & red.", "purple yellow", "blue blue blue blue blue blue blue"];

        var ints = new int[18];
        var floats = new float[18];
        var doubles = new double[18];
        v.Vectorize(texts, ints);
        v.Vectorize(texts, floats);
        v.Vectorize<double>(texts, doubles);
        for (int i = 0; i < texts.Length; i++)
        {
            var single = new int[6];
            v.Vectorize(texts[i], single);
            Assert.Equal(single, ints.AsSpan(i * 6, 6).ToArray());
        }

        for (int i = 0; i < ints.Length; i++)
        {
            Assert.Equal(ints[i], floats[i]);
            Assert.Equal(ints[i], doubles[i]);
        }

        Assert.Equal([2, 3, 5, 0, 0, 0], ints.AsSpan(0, 6).ToArray()); // blue 3, green 2, then ties: yellow (4) before red (5)
    }

    [Fact]
    public void Vectorize_AllocatesNothing_EvenForTokensLongerThanTheStackBuffer()
    {
        var v = new TextVectorizer(outputSequenceLength: 8);
        string longToken = new('X', 1000);
        v.Adapt(["alpha beta", longToken.ToLowerInvariant()]);
        string text = "Alpha, BETA! gamma " + longToken + " beta";
        var ids = new int[8];
        var floats = new float[8];
        v.Vectorize(text, ids);
        v.Vectorize(text, floats);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            v.Vectorize(text, ids);
            v.Vectorize(text, floats);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        // All counts 1, so high to low: "xxx…" (2), "beta" (3), "alpha" (4); "gamma" is out of vocabulary.
        Assert.Equal([4, 3, 1, 2, 3, 0, 0, 0], ids);
    }

    [Fact]
    public void SaveWeightsWithVectorizer_RoundTripsAndGivesTheSameIds()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        var model = new TinyModel<float>(seed: 3);
        var v = new TextVectorizer(maxTokens: 50, outputSequenceLength: 7);
        v.Adapt(["Free money now!!!", "meeting at noon", "free FREE free lunch", "naïve café \U0001F600 \"quotes\""]);
        model.SaveWeights(path, v);

        var loadedModel = new TinyModel<float>(seed: 9);
        loadedModel.LoadWeights(path, out TextVectorizer loaded);
        Assert.Equal(model.Parameters.ToArray(), loadedModel.Parameters.ToArray());
        Assert.Equal(v.Vocabulary, loaded.Vocabulary);
        Assert.Equal(v.MaxTokens, loaded.MaxTokens);
        Assert.Equal(v.OutputSequenceLength, loaded.OutputSequenceLength);
        foreach (string text in new[] { "free lunch at noon", "naïve café \U0001F600", "unknown words only" })
            Assert.Equal(v.Vectorize(text), loaded.Vectorize(text));

        // The plain weight loader reads the same file, and TextVectorizer.Load reads the vectorizer alone.
        var plain = new TinyModel<float>(seed: 5);
        plain.LoadWeights(path);
        Assert.Equal(model.Parameters.ToArray(), plain.Parameters.ToArray());
        Assert.Equal(v.Vocabulary, TextVectorizer.Load(path).Vocabulary);

        // No limits set: nulls round-trip too.
        var unlimited = new TextVectorizer();
        unlimited.Adapt(["a b"]);
        TextVectorizer back = TextVectorizer.FromJson(unlimited.ToJson());
        Assert.Null(back.MaxTokens);
        Assert.Null(back.OutputSequenceLength);
        Assert.Equal(unlimited.Vocabulary, back.Vocabulary);
    }

    [Fact]
    public void LoadWeightsWithVectorizer_FileWithoutOne_ThrowsAndLeavesTheModelUnchanged()
    {
        using var dir = new TempDirectory();
        string path = dir.File("plain.safetensors");
        new TinyModel<float>(seed: 3).SaveWeights(path);
        var model = new TinyModel<float>(seed: 4);
        float[] before = model.Parameters.ToArray();

        var e = Assert.Throws<InvalidDataException>(() => model.LoadWeights(path, out _));
        Assert.Contains("text_vectorizer", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void BadArguments_ThrowClearExceptions()
    {
        foreach (int bad in new[] { 1, 0, -3 })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TextVectorizer(maxTokens: bad));
            Assert.Equal("maxTokens", e.ParamName);
            Assert.Contains("at least 2", e.Message);
        }

        Assert.Equal("outputSequenceLength", Assert.Throws<ArgumentOutOfRangeException>(() => new TextVectorizer(outputSequenceLength: 0)).ParamName);

        var v = new TextVectorizer(maxTokens: 4, outputSequenceLength: 5);
        Assert.Contains("Adapt", Assert.Throws<InvalidOperationException>(() => v.Vectorize("a", new int[5])).Message);
        Assert.Throws<ArgumentException>(() => v.Adapt([]));
        var nullText = Assert.Throws<ArgumentException>(() => v.Adapt(["a", null!, "b"]));
        Assert.Contains("Text 1", nullText.Message);

        v.Adapt(["a b c"]);
        var length = Assert.Throws<ArgumentException>(() => v.Vectorize("a", new int[4]));
        Assert.Contains("length 4", length.Message);
        Assert.Contains("OutputSequenceLength = 5", length.Message);
        var batch = Assert.Throws<ArgumentException>(() => v.Vectorize(["a", "b"], new float[9]));
        Assert.Contains("2 texts × 5 = 10", batch.Message);

        Assert.Contains("'Hello' contains 'H'", Assert.Throws<ArgumentException>(() => v.SetVocabulary(["Hello"])).Message);
        Assert.Contains("appears twice", Assert.Throws<ArgumentException>(() => v.SetVocabulary(["x", "x"])).Message);
        Assert.Contains("more than MaxTokens = 4", Assert.Throws<ArgumentException>(() => v.SetVocabulary(["x", "y", "z"])).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => v.SetVocabulary(["x", ""])).Message);

        Assert.Contains("malformed JSON", Assert.Throws<InvalidDataException>(() => TextVectorizer.FromJson("{")).Message);
        string wrongSpecials = "{\"standardize\":\"lower_and_strip_punctuation\",\"split\":\"whitespace\",\"max_tokens\":null,\"output_sequence_length\":null,\"vocabulary\":[\"a\",\"b\"]}";
        Assert.Contains("must start with", Assert.Throws<InvalidDataException>(() => TextVectorizer.FromJson(wrongSpecials)).Message);
        string otherSplit = "{\"standardize\":\"lower_and_strip_punctuation\",\"split\":\"character\",\"vocabulary\":[\"\",\"[UNK]\"]}";
        Assert.Contains("split is 'character'", Assert.Throws<InvalidDataException>(() => TextVectorizer.FromJson(otherSplit)).Message);
    }

    [Fact]
    public void CompareUtf8_OrdersLikeUtf8Bytes()
    {
        string[] samples = ["", "a", "ab", "b", "z", "é", "\u07FF", "\u0800", "\uD7FF", "\uE000", "\uFFFD", "\U00010000", "\U0001F600", "\U0010FFFF"];
        foreach (string a in samples)
        {
            foreach (string b in samples)
            {
                int expected = Math.Sign(((ReadOnlySpan<byte>)System.Text.Encoding.UTF8.GetBytes(a)).SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(b)));
                Assert.Equal(expected, Math.Sign(TextVectorizer.CompareUtf8(a, b)));
            }
        }
    }
}
