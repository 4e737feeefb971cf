using Microsoft.CodeAnalysis;

namespace NeuralDsl.Generator.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports. Ids: NDSL0xxx declaration and usage, NDSL1xxx shapes, NDSL2xxx generator
/// limits. Each is reported on the attribute or identifier the user has to change.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "NeuralDsl";

    private static DiagnosticDescriptor Error(string id, string title, string format) =>
        new(id, title, format, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(id));

    private static DiagnosticDescriptor Warning(string id, string title, string format) =>
        new(id, title, format, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(id));

    private static string HelpLink(string id) => "docs/diagnostics/" + id + ".md";

    /// <summary>"Model class '{0}' must be declared partial so the generator can add its forward and backward passes"</summary>
    public static readonly DiagnosticDescriptor ClassNotPartial = Error(
        "NDSL0001", "Model class must be partial",
        "Model class '{0}' must be declared partial so the generator can add its forward and backward passes");

    /// <summary>"Model class '{0}' is {1}: [Sequential] models must be non-generic, non-static, top-level classes (not records) that are not file-local"</summary>
    public static readonly DiagnosticDescriptor NestedOrGenericClass = Error(
        "NDSL0002", "Unsupported kind of model class",
        "Model class '{0}' is {1}: [Sequential] models must be non-generic, non-static, top-level classes (not records) that are not file-local");

    /// <summary>"Model '{0}' has no [Input(...)] attribute: declare the per-sample input shape first, e.g. [Input(784)]"</summary>
    public static readonly DiagnosticDescriptor MissingInput = Error(
        "NDSL0003", "Missing [Input]",
        "Model '{0}' has no [Input(...)] attribute: declare the per-sample input shape first, e.g. [Input(784)]");

    /// <summary>"[Input] must come once, before every layer attribute: {0}"</summary>
    public static readonly DiagnosticDescriptor MisplacedInput = Error(
        "NDSL0004", "Misplaced or repeated [Input]",
        "[Input] must come once, before every layer attribute: {0}");

    /// <summary>"Layer attributes of model '{0}' must all be on the partial declaration that carries [Sequential]; their order across files is undefined"</summary>
    public static readonly DiagnosticDescriptor LayersSplitAcrossDeclarations = Error(
        "NDSL0005", "Layers split across partial declarations",
        "Layer attributes of model '{0}' must all be on the partial declaration that carries [Sequential]; their order across files is undefined");

    /// <summary>"ElementType must be typeof(float) or typeof(double), not '{0}'"</summary>
    public static readonly DiagnosticDescriptor UnsupportedElementType = Error(
        "NDSL0006", "Unsupported element type",
        "ElementType must be typeof(float) or typeof(double), not '{0}'");

    /// <summary>"Layer name '{0}' {1}; weight names and the generated member names must be unique"</summary>
    public static readonly DiagnosticDescriptor DuplicateLayerName = Error(
        "NDSL0007", "Duplicate layer name",
        "Layer name '{0}' {1}; weight names and the generated member names must be unique");

    /// <summary>"{0} value {1} is not a member of {0}"</summary>
    public static readonly DiagnosticDescriptor UndefinedEnumValue = Error(
        "NDSL0008", "Undefined enum value",
        "{0} value {1} is not a member of {0}");

    /// <summary>"Name '{0}' is not valid: {1}"</summary>
    public static readonly DiagnosticDescriptor InvalidName = Error(
        "NDSL0009", "Invalid model or layer name",
        "Name '{0}' is not valid: {1}");

    /// <summary>"Model class '{0}' has the name of its generated member '{1}', which C# does not allow; rename the class"</summary>
    public static readonly DiagnosticDescriptor ClassNamedLikeGeneratedMember = Error(
        "NDSL0010", "Model class named like a generated member",
        "Model class '{0}' has the name of its generated member '{1}', which C# does not allow; rename the class");

    /// <summary>"{0} conflicts with the member '{2}' generated for model '{1}': {3}; rename it"</summary>
    public static readonly DiagnosticDescriptor MemberCollidesWithGeneratedMember = Error(
        "NDSL0011", "Member conflicts with a generated member",
        "{0} conflicts with the member '{2}' generated for model '{1}': {3}; rename it");

    /// <summary>"Class '{0}' carries layer attributes but no [Sequential], so no model is generated for it"</summary>
    public static readonly DiagnosticDescriptor LayersWithoutSequential = Warning(
        "NDSL0012", "Layer attributes without [Sequential]",
        "Class '{0}' carries layer attributes but no [Sequential], so no model is generated for it");

    // ---- Blocks ([Block], [Residual]; NDSL0014–NDSL0016) ----

    /// <summary>"Block '{0}' uses itself ({1}); a block cannot contain itself, directly or through other blocks"</summary>
    public static readonly DiagnosticDescriptor BlockUsesItself = Error(
        "NDSL0014", "Block uses itself",
        "Block '{0}' uses itself ({1}); a block cannot contain itself, directly or through other blocks");

    /// <summary>"{0} on block class '{1}': a block takes its shapes from each place of use and is no model; remove it (a model using the block declares [Sequential] and [Input])"</summary>
    public static readonly DiagnosticDescriptor ModelAttributeOnBlock = Error(
        "NDSL0015", "[Input] or [Sequential] on a block",
        "{0} on block class '{1}': a block takes its shapes from each place of use and is no model; remove it (a model using the block declares [Sequential] and [Input])");

    /// <summary>"'{0}' {1}; [Block(typeof(X))] and [Residual(typeof(X))] need a class X marked [Block] that declares layers"</summary>
    public static readonly DiagnosticDescriptor NotABlock = Error(
        "NDSL0016", "Not a block class",
        "'{0}' {1}; [Block(typeof(X))] and [Residual(typeof(X))] need a class X marked [Block] that declares layers");

    /// <summary>"{0}: the projection shortcut cannot map the block's input {1} to its output {2}: {3}"</summary>
    public static readonly DiagnosticDescriptor ProjectionImpossible = Error(
        "NDSL1017", "Residual projection impossible",
        "{0}: the projection shortcut cannot map the block's input {1} to its output {2}: {3}");

    /// <summary>"{0}: the block turns its input {1} into {2}, so x + f(x) needs a projection shortcut, but Projection = false; ..."</summary>
    public static readonly DiagnosticDescriptor ResidualShapesDiffer = Error(
        "NDSL1018", "Residual shapes differ without projection",
        "{0}: the block turns its input {1} into {2}, so x + f(x) needs a projection shortcut, but Projection = false; remove it (a 1×1 convolution or Dense then projects where the shapes differ) or make the block keep the shape");
    /// <summary>"Perceptron setting {0} is {1}; it must be {2}"</summary>
    public static readonly DiagnosticDescriptor PerceptronSettingOutOfRange = Error(
        "NDSL0018", "Perceptron setting out of range",
        "Perceptron setting {0} is {1}; it must be {2}");

    /// <summary>"Class '{0}' is a [Perceptron] and cannot also carry [{1}]: a perceptron is a model of its own, with no layers"</summary>
    public static readonly DiagnosticDescriptor PerceptronWithLayers = Error(
        "NDSL0019", "Perceptron mixed with [Sequential] or layers",
        "Class '{0}' is a [Perceptron] and cannot also carry [{1}]: a perceptron is a model of its own, with no layers");

    /// <summary>"ClassWeight = ClassWeight.Balanced and explicit ClassWeights are both given; keep one of them"</summary>
    public static readonly DiagnosticDescriptor ClassWeightGivenTwice = Error(
        "NDSL0020", "Balanced and explicit class weights",
        "ClassWeight = ClassWeight.Balanced and explicit ClassWeights are both given; keep one of them");

    /// <summary>"{0} must be positive, but is {1}"</summary>
    public static readonly DiagnosticDescriptor NonPositiveSize = Error(
        "NDSL1001", "Non-positive size",
        "{0} must be positive, but is {1}");

    /// <summary>"{0} must be {1}, but is {2}" (a setting with a range other than "positive", e.g. momentum in [0, 1])</summary>
    public static readonly DiagnosticDescriptor ValueOutOfRange = Error(
        "NDSL1007", "Value out of range",
        "{0} must be {1}, but is {2}");

    /// <summary>"{0} needs a per-sample input of rank {1} ({2}), but receives {3}"</summary>
    public static readonly DiagnosticDescriptor WrongInputRank = Error(
        "NDSL1005", "Wrong input rank",
        "{0} needs a per-sample input of rank {1} ({2}), but receives {3}");

    /// <summary>"{0}: the {1} window spans {2} but the padded input is only {3} along that axis, so there is no output"</summary>
    public static readonly DiagnosticDescriptor WindowLargerThanInput = Error(
        "NDSL1006", "Window larger than its input",
        "{0}: the {1} window spans {2} but the padded input is only {3} along that axis, so there is no output");

    /// <summary>"Dropout rate must be in [0, 1), but is {0}"</summary>
    public static readonly DiagnosticDescriptor DropoutRateOutOfRange = Error(
        "NDSL1002", "Dropout rate out of range",
        "Dropout rate must be in [0, 1), but is {0}");

    /// <summary>"{0}, so the model outputs {1}; loss {2} needs one vector per sample ([classes]), or one per input step ([steps, classes] for [Input(steps)]) when the first layer takes token ids: {3}"</summary>
    public static readonly DiagnosticDescriptor OutputDoesNotFitLoss = Error(
        "NDSL1003", "Output shape does not fit the loss",
        "{0}, so the model outputs {1}; loss {2} needs one vector per sample ([classes]), or one per input step ([steps, classes] for [Input(steps)]) when the first layer takes token ids: {3}");

    /// <summary>"{0} over a last axis of size 1 is constant; use Sigmoid with BinaryCrossEntropy for one output, or more units"</summary>
    public static readonly DiagnosticDescriptor DegenerateClassAxis = Warning(
        "NDSL1004", "Class axis of size 1",
        "{0} over a last axis of size 1 is constant; use Sigmoid with BinaryCrossEntropy for one output, or more units");

    /// <summary>"{0} takes token ids, so it must be the first layer, right after [Input(steps)]; here it is {1}"</summary>
    public static readonly DiagnosticDescriptor TokenLayerNotFirst = Error(
        "NDSL1010", "Embedding not first",
        "{0} takes token ids, so it must be the first layer, right after [Input(steps)]; here it is {1}");

    /// <summary>"MaskZero masks padded steps, but the mask reaches {0}; {1}" ({0}: a layer "which cannot honour it", or the output "unconsumed")</summary>
    public static readonly DiagnosticDescriptor MaskNotHonoured = Error(
        "NDSL1011", "Mask not honoured",
        "MaskZero masks padded steps, but the mask reaches {0}; {1}");

    /// <summary>"[Bidirectional] wraps the recurrent layer written right after it (SimpleRNN, LSTM or GRU), but {0} follows"</summary>
    public static readonly DiagnosticDescriptor BidirectionalWithoutRecurrent = Error(
        "NDSL1012", "Bidirectional not followed by a recurrent layer",
        "[Bidirectional] wraps the recurrent layer written right after it (SimpleRNN, LSTM or GRU), but {0} follows");

    /// <summary>"[{0}] inside [Bidirectional] sets Input = "{1}", but the wrapper reads the input of both directions: write Input = "{1}" on the [Bidirectional] instead"</summary>
    public static readonly DiagnosticDescriptor InputInsideBidirectional = Error(
        "NDSL1030", "Input on the layer a Bidirectional wraps",
        "[{0}] inside [Bidirectional] sets Input = \"{1}\", but the wrapper reads the input of both directions: write Input = \"{1}\" on the [Bidirectional] instead");

    /// <summary>"{0} reads '{1}', which {2}; it can read {3}"</summary>
    public static readonly DiagnosticDescriptor UnknownInputName = Error(
        "NDSL1013", "Unknown or later input name",
        "{0} reads '{1}', which {2}; it can read {3}");

    /// <summary>"{0} cannot merge {1} of shape {2} with {3} of shape {4}: {5}"</summary>
    public static readonly DiagnosticDescriptor ShapesCannotMerge = Error(
        "NDSL1014", "Shapes that cannot be merged",
        "{0} cannot merge {1} of shape {2} with {3} of shape {4}: {5}");

    /// <summary>"{0} computes an output no later layer reads: {1}"</summary>
    public static readonly DiagnosticDescriptor UnusedBranch = Error(
        "NDSL1015", "Branch whose output is never used",
        "{0} computes an output no later layer reads: {1}");

    /// <summary>"{0} is not a valid merge: {1}"</summary>
    public static readonly DiagnosticDescriptor InvalidMerge = Error(
        "NDSL1016", "Invalid merge",
        "{0} is not a valid merge: {1}");

    /// <summary>"{0} needs a per-sample input of shape (steps, features), but receives {1}"</summary>
    public static readonly DiagnosticDescriptor RecurrentInputNotSequence = Error(
        "NDSL1008", "Recurrent layer input is not a sequence",
        "{0} needs a per-sample input of shape (steps, features), but receives {1}");

    /// <summary>"{0} '{1}' returns only its last output, so the {2} after it receives {3} instead of a sequence: set ReturnSequences = true on '{1}'"</summary>
    public static readonly DiagnosticDescriptor RecurrentAfterLastOutput = Error(
        "NDSL1009", "Recurrent layer after one that returns only its last output",
        "{0} '{1}' returns only its last output, so the {2} after it receives {3} instead of a sequence: set ReturnSequences = true on '{1}'");

    /// <summary>"{0} needs {1}: an echo state network is [Reservoir(units)], [Input(features)] and [Readout(outputs)] on one partial class"</summary>
    public static readonly DiagnosticDescriptor ReservoirPartMissing = Error(
        "NDSL0021", "Echo state network part missing",
        "{0} needs {1}: an echo state network is [Reservoir(units)], [Input(features)] and [Readout(outputs)] on one partial class");

    /// <summary>"Class '{0}' carries [Reservoir] and {1}: an echo state network is not a [Sequential] model and takes no layer attributes"</summary>
    public static readonly DiagnosticDescriptor ReservoirMixedWithLayers = Error(
        "NDSL0022", "Echo state network mixed with a layer model",
        "Class '{0}' carries [Reservoir] and {1}: an echo state network is not a [Sequential] model and takes no layer attributes");

    /// <summary>"The reservoir activation must act on each unit alone; {0} does not"</summary>
    public static readonly DiagnosticDescriptor ReservoirActivationNotElementwise = Error(
        "NDSL0023", "Reservoir activation not element-wise",
        "The reservoir activation must act on each unit alone; {0} does not");

    /// <summary>"{0} must be in (0, 1], but is {1}"</summary>
    public static readonly DiagnosticDescriptor ReservoirRateOutOfRange = Error(
        "NDSL1021", "Reservoir rate or density outside (0, 1]",
        "{0} must be in (0, 1], but is {1}");

    /// <summary>"{0} must be finite and non-negative, but is {1}"</summary>
    public static readonly DiagnosticDescriptor ReservoirSettingNegative = Error(
        "NDSL1022", "Negative or non-finite echo state setting",
        "{0} must be finite and non-negative, but is {1}");

    /// <summary>"[Reservoir] reads one vector of features per step, so [Input] takes one dimension (the features), but it has {0}"</summary>
    public static readonly DiagnosticDescriptor ReservoirInputNotVector = Error(
        "NDSL1023", "Echo state input is not a feature vector",
        "[Reservoir] reads one vector of features per step, so [Input] takes one dimension (the features), but it has {0}");
    /// <summary>"A perceptron takes one feature vector per sample: [Input] must have one dimension, but has {0} ({1})"</summary>
    public static readonly DiagnosticDescriptor PerceptronInputNotVector = Error(
        "NDSL1019", "Perceptron input is not a vector",
        "A perceptron takes one feature vector per sample: [Input] must have one dimension, but has {0} ({1})");

    /// <summary>"ClassWeights has {0} value(s) but the perceptron has {1} classes: give one weight per class, in label order"</summary>
    public static readonly DiagnosticDescriptor ClassWeightsLengthMismatch = Error(
        "NDSL1020", "Class weights do not match the classes",
        "ClassWeights has {0} value(s) but the perceptron has {1} classes: give one weight per class, in label order");
    /// <summary>"GraphConv '{0}' reads one feature vector per node (the batch axis is the graph's nodes), so its input must have the per-node shape [features], but {1} has shape {2}"</summary>
    /// <remarks>NDSL0024 and NDSL1025, reserved beside it for graph layers, are unused and free.</remarks>
    public static readonly DiagnosticDescriptor GraphConvInputNotNodeFeatures = Error(
        "NDSL1024", "GraphConv input is not one feature vector per node",
        "GraphConv '{0}' reads one feature vector per node (the batch axis is the graph's nodes), so its input must have the per-node shape [features], but {1} has shape {2}");

    /// <summary>"{0} cannot attend with its {1} of shape {2} and its {3} of shape {4}: {5}"</summary>
    public static readonly DiagnosticDescriptor AttentionShapesMismatch = Error(
        "NDSL1026", "Attention operands of mismatched shapes",
        "{0} cannot attend with its {1} of shape {2} and its {3} of shape {4}: {5}");

    /// <summary>"{0} needs a {1} of per-sample shape (steps, features), but {2} has shape {3}"</summary>
    public static readonly DiagnosticDescriptor AttentionInputNotSequence = Error(
        "NDSL1027", "Attention input is not a sequence",
        "{0} needs a {1} of per-sample shape (steps, features), but {2} has shape {3}");

    /// <summary>"{0} is not a valid attention: {1}"</summary>
    public static readonly DiagnosticDescriptor InvalidAttention = Error(
        "NDSL1028", "Invalid attention setting",
        "{0} is not a valid attention: {1}");

    /// <summary>"{0} splits its model dim {1} over {2} heads, but {1} is not a multiple of {2}: ..."</summary>
    public static readonly DiagnosticDescriptor ModelDimNotDivisibleByHeads = Error(
        "NDSL1029", "Model dim not a multiple of the attention heads",
        "{0} splits its model dim {1} over {2} heads, but {1} is not a multiple of {2}: each head takes model dim / heads query, key and value elements; choose a head count that divides {1}, or a model dim that is a multiple of {2}");

    /// <summary>"Model '{0}' has {1} elements in a tensor or in its parameters, more than one array can index ({2})"</summary>
    public static readonly DiagnosticDescriptor ModelTooLarge = Error(
        "NDSL2001", "Model too large",
        "Model '{0}' has {1} elements in a tensor or in its parameters, more than one array can index ({2})");


    /// <summary>"The NeuralDsl generator failed on model '{0}': {1}. Please report this with the model declaration."</summary>
    public static readonly DiagnosticDescriptor InternalError = Error(
        "NDSL2000", "Internal generator error",
        "The NeuralDsl generator failed on model '{0}': {1}. Please report this with the model declaration.");
}
