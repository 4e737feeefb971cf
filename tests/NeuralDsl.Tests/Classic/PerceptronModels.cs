namespace NeuralDsl.Tests.Classic;

/// <summary>The seed's example: scikit-learn's <c>Perceptron(tol=1e-3, random_state=0)</c> on two points.</summary>
[Perceptron(2, Tol = 1e-3)]
[Input(2)]
public partial class SeedPerceptron;

/// <summary>The "iris:tol" case of perceptron.json as a generated class: three classes, no shuffling, tol 1e-3.</summary>
[Perceptron(3, Shuffle = false)]
[Input(4)]
public partial class IrisPerceptron;

/// <summary>Iris with every other setting away from its default, to exercise the literals the generator writes.</summary>
[Perceptron(3, Penalty = Penalty.ElasticNet, Alpha = 0.001, L1Ratio = 0.5, FitIntercept = false, MaxIter = 50, Tol = double.NaN,
    NIterNoChange = 3, Shuffle = false, Eta0 = 0.5, ClassWeights = new[] { 1.0, 2.0, 0.5 })]
[Input(4)]
public partial class TunedIrisPerceptron;
