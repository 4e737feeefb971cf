using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;

namespace NeuralDsl.Generator.Shapes;

/// <summary>
/// Pure shape inference: walks the layers in order, asks each for its output shape and parameters, assigns Keras
/// names and offsets in the flat parameter vector, and checks that the output fits the loss.
/// </summary>
internal static class ShapeInference
{
    public static Result<ModelPlan> Run(Result<ModelSpec> parsed)
    {
        if (parsed.Value is not { } model)
            return new Result<ModelPlan>(null, parsed.Diagnostics, parsed.Placeholder);

        var context = new ShapeContext(model);
        if (BlockExpansion.HasResiduals(model))
        {
            // Whether a residual's shortcut projects depends on shapes, which the walk finds: a first walk over the
            // model with every residual's add undecided (ResidualJoinSpec) records each decision and continues with the
            // block's output shape, as the projection gives; its plan and diagnostics are dropped. The real walk below
            // then sees the decided layers, with indices that no longer change.
            var probe = new ShapeContext(model) { ProbingResiduals = true };
            if (BlockExpansion.Expand(model, probe) is { } probed)
                Plan(probed, probe);
            context.Residuals = probe.Residuals;
        }
        // Block uses are replaced by their layers before anything else (BlockExpansion states the rule).
        ModelSpec? expanded = BlockExpansion.Expand(model, context);
        ModelPlan? plan = expanded is null ? null : Plan(expanded, context);
        var diagnostics = parsed.Diagnostics.Concat(context.Diagnostics).ToEquatableArray();
        return new Result<ModelPlan>(plan, diagnostics, parsed.Placeholder);
    }

    private static ModelPlan? Plan(ModelSpec model, ShapeContext context)
    {
        foreach (int d in model.InputShape.Dimensions)
        {
            if (d <= 0)
            {
                context.Report(DiagnosticDescriptors.NonPositiveSize, model.InputLocation, "Every [Input] dimension", d.ToString(CultureInfo.InvariantCulture));
                return null;
            }
        }
        if (!context.FitsIndex(model.InputShape.LongSize, model.InputLocation))
            return null;

        string[]? names = AssignNames(model, context);
        if (names is null)
            return null;

        int[][]? inputs = ResolveInputs(model, names, context);
        if (inputs is null)
            return null;

        var layers = new List<PlannedLayer>(model.Layers.Count);
        Shape current = model.InputShape;
        long offset = 0, stateOffset = 0;
        for (int i = 0; i < model.Layers.Count; i++)
        {
            LayerSpec spec = model.Layers[i];
            if (spec.MustBeFirst && i > 0)
            {
                context.ReportOn(spec, DiagnosticDescriptors.TokenLayerNotFirst, "[" + spec.Describe() + "]",
                    "layer " + i.ToString(CultureInfo.InvariantCulture) + ", after [" + model.Layers[i - 1].Describe() + "] '" + names[i - 1] + "'");
                return null;
            }
            context.CurrentOrigin = spec.Origin;
            int[] reads = inputs[i];
            var shapes = reads.Select(j => j < 0 ? model.InputShape : layers[j].Output).ToArray();
            current = shapes[0];
            context.PreviousLayer = reads[0] >= 0 ? layers[reads[0]].Spec : null;
            context.CurrentName = names[i];
            if (spec.SizedByUseInput && spec.SizeSource is { } source)
            {
                // A ready-made block's layer sized by what the block reads (TransformerEncoder: the model dim), an
                // earlier output: the planned layer is the sized one, as if its attribute had said the sizes.
                int at = source.Name is null ? source.Index : model.InputName == source.Name ? -1 : System.Array.IndexOf(names, source.Name);
                if (at >= i || at < -1)
                {
                    context.Report(DiagnosticDescriptors.InternalError, spec.Location, model.ClassName, "the size source " + source + " of '" + names[i] + "' is not an earlier output");
                    return null;
                }
                LayerSpec? sized = spec.SizeFromUseInput(at < 0 ? model.InputShape : layers[at].Output, context);
                if (sized is null)
                    return null;
                spec = sized;
            }
            context.PreviousName = reads[0] >= 0 ? names[reads[0]] : null;
            context.CurrentName = names[i];
            context.OperandShapes = shapes;
            context.OperandNames = reads.Select(j => j < 0 ? "'" + (model.InputName ?? "input_layer") + "'" : "'" + names[j] + "'").ToArray();
            Shape? output = spec.InferShape(current, context);
            if (output is null)
                return null;
            if (!context.FitsIndex(output.LongSize, spec.Location))
                return null;

            // A frozen layer (Trainable = false on it, on the recurrent layer a Bidirectional wraps, or on the model) keeps
            // every tensor in the state vector, as BatchNormalization keeps its moving statistics: the optimizer never
            // sees them, no gradient exists for them, and weight files name them as before.
            bool frozen = !model.Trainable || !spec.Trainable || spec is Layers.BidirectionalSpec { Layer.Trainable: false };
            if (frozen)
                spec = spec with { Trainable = false };
            var parameters = new List<PlannedParameter>();
            foreach (ParameterSpec declared in spec.GetParameters(shapes))
            {
                ParameterSpec p = frozen ? declared with { Trainable = false } : declared;
                if (p.Initializer == Initializer.Orthogonal && !IsMatrix(p))
                {
                    // The runtime fills (fan in) × (length / fan in); Keras too needs a matrix (rows = every axis but the last).
                    context.Report(DiagnosticDescriptors.ValueOutOfRange, spec.Location, spec.KerasType + " " + p.Suffix + " initializer",
                        "one that fits a vector (Orthogonal needs a matrix of fan in " + p.FanIn.ToString(CultureInfo.InvariantCulture) + " rows)", "Orthogonal");
                    return null;
                }
                // Sized in long before anything multiplies in int: a wrapped size would be silently wrong code.
                long length = 1;
                foreach (int d in p.Shape)
                    length = System.Math.Min(length * d, ShapeContext.MaxElements + 1);
                long at = p.Trainable ? offset : stateOffset;
                if (!context.FitsIndex(at + length, spec.Location))
                    return null;
                var placed = new PlannedParameter(names[i] + "." + p.Suffix, p, (int)at);
                parameters.Add(placed);
                if (p.Trainable)
                    offset += placed.Length;
                else
                    stateOffset += placed.Length;
            }
            layers.Add(new PlannedLayer(i, names[i], spec, current, output, parameters.ToEquatableArray(), new EquatableArray<int>(reads),
                new EquatableArray<Shape>(shapes)));
            current = output;
        }
        context.CurrentOrigin = null;

        if (!CheckEveryOutputRead(model, inputs, names, context))
            return null;

        CheckOutputFitsLoss(model, layers, current, context);
        var plan = new ModelPlan(model, layers.ToEquatableArray(), current, (int)offset, (int)stateOffset);
        CheckMask(plan, context);
        MemberCollisions.Check(plan, context);
        return plan;
    }

    /// <summary>
    /// Resolves every layer's operands to layer indices (-1 the model input): the previous output by default, else the
    /// named or indexed earlier output. A name of no tensor, of the layer itself or of a later layer is NDSL1013, so the
    /// attribute order is a topological order and a cycle cannot be written.
    /// </summary>
    private static int[][]? ResolveInputs(ModelSpec model, string[] names, ShapeContext context)
    {
        var index = new Dictionary<string, int>();
        for (int i = 0; i < names.Length; i++)
            index[names[i]] = i;
        if (model.InputName is { } inputName)
        {
            // The [Input]'s name shares the layers' namespace: a reference must say which one it means.
            if (Naming.LayerNameProblem(inputName) is { } problem)
            {
                context.Report(DiagnosticDescriptors.InvalidName, model.InputLocation, inputName, problem);
                return null;
            }
            if (index.ContainsKey(inputName))
            {
                context.Report(DiagnosticDescriptors.DuplicateLayerName, model.InputLocation, inputName, "is also the name of a layer");
                return null;
            }
            index[inputName] = -1;
        }

        var inputs = new int[names.Length][];
        bool ok = true;
        for (int i = 0; i < names.Length; i++)
        {
            LayerSpec spec = model.Layers[i];
            IReadOnlyList<TensorRef?> operands = spec.Operands;
            var reads = new int[operands.Count];
            for (int k = 0; k < operands.Count; k++)
            {
                TensorRef? r = operands[k];
                int at = r is null ? i - 1 : r.Name is null ? r.Index : index.TryGetValue(r.Name, out int found) ? found : int.MinValue;
                if (at < i && at >= -1)
                {
                    reads[k] = at;
                    continue;
                }
                string which = at == int.MinValue ? "is no layer of this model" + (model.InputName is null ? " (an [Input] is named with Name = ...)" : "")
                    : at == i ? "is this layer itself"
                    : at >= names.Length || r!.Name is null ? "is no earlier layer (layer " + at.ToString(CultureInfo.InvariantCulture) + ")"
                    : "is a later layer (layer " + at.ToString(CultureInfo.InvariantCulture) + "): a layer reads only outputs written before it";
                var earlier = new List<string>();
                if (model.InputName is { } n)
                    earlier.Add("'" + n + "' (the [Input])");
                for (int j = 0; j < i; j++)
                    earlier.Add("'" + names[j] + "'");
                context.Report(DiagnosticDescriptors.UnknownInputName, spec.Location, "[" + spec.KerasType + "] '" + names[i] + "'",
                    r!.Name ?? r.ToString(), which,
                    earlier.Count == 0 ? "only the model input, which it reads by default" : string.Join(", ", earlier));
                ok = false;
            }
            inputs[i] = reads;
        }
        return ok ? inputs : null;
    }

    /// <summary>
    /// NDSL1015 on each layer, other than the last, whose output no later layer reads: its work would be wasted and its
    /// parameters never trained, which in a list written in order is almost always a forgotten merge or a wrong name.
    /// (The model input cannot be left unread: the first layer has nothing earlier to read.)
    /// </summary>
    private static bool CheckEveryOutputRead(ModelSpec model, int[][] inputs, string[] names, ShapeContext context)
    {
        var read = new bool[names.Length];
        foreach (int[] reads in inputs)
        {
            foreach (int j in reads)
            {
                if (j >= 0)
                    read[j] = true;
            }
        }
        bool ok = true;
        for (int i = 0; i < names.Length - 1; i++)
        {
            if (read[i])
                continue;
            context.Report(DiagnosticDescriptors.UnusedBranch, model.Layers[i].Location, "[" + model.Layers[i].KerasType + "] '" + names[i] + "'",
                "read it by name (Input = \"" + names[i] + "\", or as a merge operand) or remove the layer; only the last layer's output may stay unread");
            ok = false;
        }
        return ok;
    }

    /// <summary>True when the tensor is a matrix whose rows (every axis but the last) are its fan in.</summary>
    private static bool IsMatrix(ParameterSpec p)
    {
        if (p.Shape.Count < 2)
            return false;
        long rows = 1;
        for (int i = 0; i < p.Shape.Count - 1; i++)
            rows *= p.Shape[i];
        return rows == p.FanIn;
    }

    /// <summary>
    /// Keras naming: explicit names as given, automatic ones <c>prefix</c>, <c>prefix_1</c>, ... per kind, skipping any
    /// name taken explicitly. Weight files key on these names, so duplicates are an error.
    /// </summary>
    private static string[]? AssignNames(ModelSpec model, ShapeContext context)
    {
        var taken = new HashSet<string>();
        foreach (LayerSpec layer in model.Layers)
        {
            if (layer.ExplicitName is not { } name)
                continue;
            if (Naming.LayerNameProblem(name) is { } problem)
            {
                context.ReportOn(layer, DiagnosticDescriptors.InvalidName, name, problem);
                return null;
            }
            if (!taken.Add(name))
            {
                context.ReportOn(layer, DiagnosticDescriptors.DuplicateLayerName, name, "is already used by an earlier layer");
                return null;
            }
        }

        var counters = new Dictionary<string, int>();
        var names = new string[model.Layers.Count];
        for (int i = 0; i < names.Length; i++)
        {
            LayerSpec layer = model.Layers[i];
            if (layer.ExplicitName is { } explicitName)
            {
                names[i] = explicitName;
                continue;
            }
            counters.TryGetValue(layer.NamePrefix, out int n);
            string candidate;
            do
            {
                candidate = n == 0 ? layer.NamePrefix : layer.NamePrefix + "_" + n;
                n++;
            }
            while (taken.Contains(candidate));
            counters[layer.NamePrefix] = n;
            taken.Add(candidate);
            names[i] = candidate;
        }

        // Parameter views are named after the layer (dense_1 → Dense1Kernel), so names that differ only in case or
        // underscores would declare the same member twice.
        var members = new Dictionary<string, string>();
        for (int i = 0; i < names.Length; i++)
        {
            string member = Naming.MemberName(names[i]);
            if (members.TryGetValue(member, out string? earlier))
            {
                context.ReportOn(model.Layers[i], DiagnosticDescriptors.DuplicateLayerName, names[i],
                    "maps to the same generated member name '" + member + "...' as the earlier layer '" + earlier + "'");
                return null;
            }
            members[member] = names[i];
        }
        return names;
    }

    /// <summary>NDSL1011 on the MaskZero argument when the plan's mask reaches a layer that cannot honour it, or the output.</summary>
    private static void CheckMask(ModelPlan plan, ShapeContext context)
    {
        MaskFlow mask = plan.Flow.Mask;
        if (!mask.Exists || mask.Problem < 0)
            return;
        PlannedLayer source = plan.Layers[mask.Source];
        LocationInfo? at = source.Spec.MaskLocation ?? source.Spec.Location;
        if (mask.Problem >= plan.Layers.Count)
        {
            context.Report(DiagnosticDescriptors.MaskNotHonoured, at, "the model output " + plan.OutputShape + " unconsumed",
                "end the sequence with [GlobalAveragePooling1D], [GlobalMaxPooling1D] or a recurrent layer returning its last output, or drop MaskZero");
            return;
        }
        PlannedLayer culprit = plan.Layers[mask.Problem];
        context.ReportIn(culprit.Spec.Origin, DiagnosticDescriptors.MaskNotHonoured, at, "[" + culprit.Spec.Describe() + "] '" + culprit.Name + "', which cannot honour it",
            "only Dense, Dropout, Activation, LayerNormalization and recurrent layers with ReturnSequences pass a mask on, and GlobalAveragePooling1D, " +
            "GlobalMaxPooling1D and recurrent layers returning their last output consume it; " +
            "pool the sequence before this layer, or drop MaskZero");
    }

    /// <summary>
    /// Per-step classification over token ids (a language model, a tagger): the first layer takes the ids [steps] and
    /// the model ends in [steps, classes], so each step is one row of the loss (one class index per step for sparse
    /// labels), as Keras trains a [batch, steps, classes] output. Any other multi-axis output is NDSL1003.
    /// </summary>
    private static bool IsPerStepOutput(ModelSpec model, List<PlannedLayer> layers, Shape output) =>
        output.Rank == 2 && model.InputShape.Rank == 1 && layers.Count > 0 && layers[0].Spec.MustBeFirst
        && output.Dimensions[0] == model.InputShape.Dimensions[0];

    private static void CheckOutputFitsLoss(ModelSpec model, List<PlannedLayer> layers, Shape output, ShapeContext context)
    {
        bool classification = model.Loss is Loss.BinaryCrossEntropy or Loss.CategoricalCrossEntropy or Loss.SparseCategoricalCrossEntropy;
        if (classification && output.Rank > 1 && !IsPerStepOutput(model, layers, output))
        {
            // The usual cause: a Dense after a multi-axis tensor acts on the last axis only (Keras semantics), so the
            // model keeps the leading axes. Point at the first such layer: that is where [Flatten] belongs.
            PlannedLayer? culprit = layers.FirstOrDefault(l => l.Spec.ActsOnLastAxis && l.Input.Rank > 1);
            if (culprit is not null)
            {
                context.ReportOn(culprit.Spec, DiagnosticDescriptors.OutputDoesNotFitLoss,
                    "[" + culprit.Spec.Describe() + "] '" + culprit.Name + "' receives " + culprit.Input + " and acts on its last axis",
                    output.ToString(), model.Loss.ToString(), "insert [Flatten] before this layer");
            }
            else
            {
                // No Dense on a tensor: the last layer (a convolution, a pooling, a recurrent layer returning sequences...)
                // or the input itself leaves the extra axes.
                PlannedLayer? last = layers.LastOrDefault();
                context.Report(DiagnosticDescriptors.OutputDoesNotFitLoss, last?.Spec.Location ?? model.Location,
                    last is null ? "The model has no layer after [Input]" : "[" + last.Spec.Describe() + "] '" + last.Name + "' is the last layer",
                    output.ToString(), model.Loss.ToString(),
                    "flatten or pool the output (e.g. [Flatten] or a global pooling layer) and end with the classifying layer");
            }
            return;
        }

        if (output.Last == 1 && layers.Count > 0)
        {
            PlannedLayer last = layers[layers.Count - 1];
            if (last.Spec.FinalActivation == Activation.Softmax)
                context.ReportOn(last.Spec, DiagnosticDescriptors.DegenerateClassAxis, "Softmax");
            else if (model.Loss is Loss.CategoricalCrossEntropy or Loss.SparseCategoricalCrossEntropy)
                context.ReportOn(last.Spec, DiagnosticDescriptors.DegenerateClassAxis, model.Loss.ToString());
        }
    }
}
