namespace NeuralDsl.Generator.Model;

/// <summary>
/// One <c>[Perceptron]</c> class, compared by value: its identity, sizes and the attribute's settings (scikit-learn's
/// defaults where not written). The output of the perceptron Parse step; emitted when there are no errors, else a
/// placeholder whose members throw.
/// </summary>
/// <param name="Namespace">Containing namespace as C# source writes it, empty for the global namespace.</param>
/// <param name="ClassName">The class identifier as C# source writes it.</param>
/// <param name="MetadataName">Fully qualified metadata name, used for the hint name.</param>
/// <param name="Features">Features per sample (<c>[Input(n)]</c>).</param>
/// <param name="Classes">Number of classes.</param>
/// <param name="Penalty">The attribute's <c>Penalty</c>.</param>
/// <param name="Alpha">The attribute's <c>Alpha</c>.</param>
/// <param name="L1Ratio">The attribute's <c>L1Ratio</c>.</param>
/// <param name="FitIntercept">The attribute's <c>FitIntercept</c>.</param>
/// <param name="MaxIter">The attribute's <c>MaxIter</c>.</param>
/// <param name="Tol">The tolerance, NaN for none.</param>
/// <param name="NIterNoChange">The attribute's <c>NIterNoChange</c>.</param>
/// <param name="Shuffle">The attribute's <c>Shuffle</c>.</param>
/// <param name="Eta0">The attribute's <c>Eta0</c>.</param>
/// <param name="EarlyStopping">The attribute's <c>EarlyStopping</c>.</param>
/// <param name="ValidationFraction">The attribute's <c>ValidationFraction</c>.</param>
/// <param name="ClassWeight">The attribute's <c>ClassWeight</c>.</param>
/// <param name="ClassWeights">Explicit class weights, or null.</param>
/// <param name="HasUserSummary">The user's doc comment has a summary: the generated table goes into remarks.</param>
/// <param name="Location">The <c>[Perceptron]</c> attribute.</param>
/// <param name="ErrorIds">For a placeholder: the ids of the errors that keep the class from being generated.</param>
internal sealed record PerceptronSpec(
    string Namespace,
    string ClassName,
    string MetadataName,
    int Features,
    int Classes,
    Penalty Penalty,
    double Alpha,
    double L1Ratio,
    bool FitIntercept,
    int MaxIter,
    double Tol,
    int NIterNoChange,
    bool Shuffle,
    double Eta0,
    bool EarlyStopping,
    double ValidationFraction,
    ClassWeight ClassWeight,
    EquatableArray<double>? ClassWeights,
    bool HasUserSummary,
    LocationInfo? Location,
    EquatableArray<string> ErrorIds)
{
    /// <summary>Rows of the weight matrix: 1 for two classes, else one per class.</summary>
    public int CoefRows => Classes == 2 ? 1 : Classes;
}
