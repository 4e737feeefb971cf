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
            context.PreviousLayer = i > 0 ? model.Layers[i - 1] : null;
            context.PreviousName = i > 0 ? names[i - 1] : null;
            Shape? output = spec.InferShape(current, context);
            if (output is null)
                return null;
            if (!context.FitsIndex(output.LongSize, spec.Location))
                return null;

            var parameters = new List<PlannedParameter>();
            foreach (ParameterSpec p in spec.GetParameters(current))
            {
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
            layers.Add(new PlannedLayer(i, names[i], spec, current, output, parameters.ToEquatableArray()));
            current = output;
        }
        context.CurrentOrigin = null;

        CheckOutputFitsLoss(model, layers, current, context);
        var plan = new ModelPlan(model, layers.ToEquatableArray(), current, (int)offset, (int)stateOffset);
        CheckMask(plan, context);
        MemberCollisions.Check(plan, context);
        return plan;
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
            "only Dense, Dropout, Activation and recurrent layers with ReturnSequences pass a mask on, and GlobalAveragePooling1D, " +
            "GlobalMaxPooling1D and recurrent layers returning their last output consume it; " +
            "pool the sequence before this layer, or drop MaskZero");
    }

    private static void CheckOutputFitsLoss(ModelSpec model, List<PlannedLayer> layers, Shape output, ShapeContext context)
    {
        bool classification = model.Loss is Loss.BinaryCrossEntropy or Loss.CategoricalCrossEntropy or Loss.SparseCategoricalCrossEntropy;
        if (classification && output.Rank > 1)
        {
            // The usual cause: a Dense after a multi-axis tensor acts on the last axis only (Keras semantics), so the
            // model keeps the leading axes. Point at the first such layer: that is where [Flatten] belongs.
            PlannedLayer? culprit = layers.FirstOrDefault(l => l.Spec.ActsOnLastAxis && l.Input.Rank > 1);
            if (culprit is not null)
            {
                context.ReportOn(culprit.Spec, DiagnosticDescriptors.OutputDoesNotFitLoss,
                    "[" + culprit.Spec.Describe() + "] '" + culprit.Name + "', which cannot honour it", culprit.Input.ToString(), output.ToString(), model.Loss.ToString());
            }
            else
            {
                PlannedLayer? last = layers.LastOrDefault();
                context.Report(DiagnosticDescriptors.OutputDoesNotFitLoss, last?.Spec.Location ?? model.Location,
                    last is null ? "The model" : "[" + last.Spec.Describe() + "] '" + last.Name + "'",
                    (last?.Input ?? model.InputShape).ToString(), output.ToString(), model.Loss.ToString());
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
