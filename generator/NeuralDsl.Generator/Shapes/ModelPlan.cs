using System.Linq;
using NeuralDsl.Generator.Model;

namespace NeuralDsl.Generator.Shapes;

/// <summary>
/// A model with every shape and offset resolved, and the data flow between its buffers decided: the output of the Plan
/// step and the only input of emission.
/// </summary>
internal sealed record ModelPlan(ModelSpec Spec, EquatableArray<PlannedLayer> Layers, Shape OutputShape, int ParameterCount, int StateCount,
    DataFlow Flow)
{
    /// <summary>A plan whose <see cref="Flow"/> is derived from its layers and loss.</summary>
    public ModelPlan(ModelSpec spec, EquatableArray<PlannedLayer> layers, Shape outputShape, int parameterCount, int stateCount)
        : this(spec, layers, outputShape, parameterCount, stateCount, DataFlow.Of(spec.Loss, layers))
    {
    }

    public int InputSize => Spec.InputShape.Size;

    public int OutputSize => OutputShape.Size;

    /// <summary>
    /// The plan without source locations: what emission sees, so an edit that only moves the declaration (a comment or
    /// a using above it) leaves the output step cached. Diagnostics were taken from the located plan before.
    /// </summary>
    public ModelPlan WithoutLocations() => this with
    {
        Spec = Spec with
        {
            Location = null,
            InputLocation = null,
            IdentifierLocation = null,
            Members = EquatableArray<DeclaredMember>.Empty, // only checked for collisions, never emitted
            Layers = Spec.Layers.Select(l => l.WithoutLocations()).ToEquatableArray(),
        },
        Layers = Layers.Select(l => l with { Spec = l.Spec.WithoutLocations() }).ToEquatableArray(),
    };

    /// <summary>True when every layer reads the output of the layer written just before it: a plain stack.</summary>
    public bool IsChain => Layers.All(l => l.Inputs.Count == 1 && l.InputIndex == l.Index - 1);

    /// <summary>Target elements per sample: one class index per row for sparse labels, else the output size.</summary>
    public int TargetSize => Spec.Loss == Loss.SparseCategoricalCrossEntropy ? OutputShape.LeadingSize : OutputShape.Size;
}

/// <summary>One layer with its resolved Keras name, shapes, parameter tensors and the outputs it reads.</summary>
/// <param name="Index">Its position in the attribute list.</param>
/// <param name="Name">Its Keras name.</param>
/// <param name="Spec">The parsed attribute.</param>
/// <param name="Input">The shape of its first (for most layers, only) input.</param>
/// <param name="Inputs">The layers whose outputs it reads, in operand order; -1 is the model input.</param>
/// <param name="Output">Its per-sample output shape.</param>
/// <param name="Parameters">Its tensors, placed in the flat vectors.</param>
/// <param name="InputShapes">Their per-sample shapes, in the same order.</param>
internal sealed record PlannedLayer(int Index, string Name, LayerSpec Spec, Shape Input, Shape Output, EquatableArray<PlannedParameter> Parameters,
    EquatableArray<int> Inputs, EquatableArray<Shape> InputShapes)
{
    /// <summary>A layer of a plain stack: it reads the output of the layer before it (the model input for the first).</summary>
    public PlannedLayer(int index, string name, LayerSpec spec, Shape input, Shape output, EquatableArray<PlannedParameter> parameters)
        : this(index, name, spec, input, output, parameters, new EquatableArray<int>([index - 1]), new EquatableArray<Shape>([input]))
    {
    }

    /// <summary>The layer whose output its first operand is (-1 the model input).</summary>
    public int InputIndex => Inputs[0];

    public int ParameterCount
    {
        get
        {
            int n = 0;
            foreach (PlannedParameter p in Parameters)
                n += p.Length;
            return n;
        }
    }
}

/// <summary>A tensor placed in the flat parameter vector (or, when not trainable, in the state vector).</summary>
/// <param name="Name">File name, e.g. <c>dense_1.kernel</c>.</param>
/// <param name="Spec">The layer's tensor: shape, initializer, and whether it is trained.</param>
/// <param name="Offset">First element in its flat vector.</param>
internal sealed record PlannedParameter(string Name, ParameterSpec Spec, int Offset)
{
    public bool IsState => !Spec.Trainable;

    public int Length
    {
        get
        {
            int n = 1;
            foreach (int d in Spec.Shape)
                n *= d;
            return n;
        }
    }
}
