using NeuralDsl;

namespace PerceptronSample;

/// <summary>The seed's example: scikit-learn's <c>Perceptron(tol=1e-3, random_state=0)</c> on two points in the plane.</summary>
[Perceptron(2, Tol = 1e-3)]
[Input(2)]
public partial class SeedPerceptron;

/// <summary>Spam or not, from which of the 10,000 most frequent training words an e-mail contains (binary bag of words).</summary>
[Perceptron(2)]
[Input(10_000)]
public partial class SpamPerceptron;

/// <summary>The 8×8 handwritten digits (64 grey levels 0–16): ten classes, one weight vector per class (one-vs-rest).</summary>
[Perceptron(10)]
[Input(64)]
public partial class DigitsPerceptron;
