using System.Linq;
using NeuralDsl.Generator.Layers;
using NeuralDsl.Generator.Model;

namespace NeuralDsl.Generator.Shapes;

/// <summary>
/// Which models get streaming inference (<c>Step</c>, <c>ResetState</c>, the state members): the causal ones, where
/// every layer is a recurrent layer that reads forwards or acts on each step alone (Dense, Activation, Dropout), with
/// at least one recurrent layer and no mask, in a plain stack (a graph with named inputs or merges gets no <c>Step</c>:
/// its state would have to follow every branch). One rule for the emitter and for the member list collisions are checked
/// against.
/// </summary>
internal static class Streaming
{
    public static bool IsCausal(ModelPlan plan) =>
        plan.IsChain &&
        !plan.Flow.Mask.Exists &&
        plan.Spec.InputShape.Rank == 2 &&
        plan.Layers.Any(l => l.Spec is RecurrentSpec) &&
        plan.Layers.All(l => l.Spec is RecurrentSpec { GoBackwards: false } or DenseSpec or ActivationSpec or DropoutSpec);
}
