using NeuralDsl.Generator.Model;

namespace NeuralDsl.Generator.Shapes;

/// <summary>
/// A model with every shape and offset resolved: the output of the Plan step and the only input of emission.
/// </summary>
internal sealed record ModelPlan(ModelSpec Spec, EquatableArray<PlannedLayer> Layers, Shape OutputShape, int ParameterCount)
{
    public int InputSize => Spec.InputShape.Size;

    public int OutputSize => OutputShape.Size;

    /// <summary>Target elements per sample: one class index per row for sparse labels, else the output size.</summary>
    public int TargetSize => Spec.Loss == Loss.SparseCategoricalCrossEntropy ? OutputShape.LeadingSize : OutputShape.Size;
}

/// <summary>One layer with its resolved Keras name, shapes and parameter tensors.</summary>
internal sealed record PlannedLayer(int Index, string Name, LayerSpec Spec, Shape Input, Shape Output, EquatableArray<PlannedParameter> Parameters)
{
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

/// <summary>A parameter tensor placed in the flat parameter vector.</summary>
/// <param name="Name">File name, e.g. <c>dense_1.kernel</c>.</param>
/// <param name="Offset">First element in the flat vector.</param>
internal sealed record PlannedParameter(string Name, ParameterSpec Spec, int Offset)
{
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
