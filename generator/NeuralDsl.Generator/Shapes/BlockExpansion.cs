using System.Collections.Generic;
using System.Linq;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Layers;
using NeuralDsl.Generator.Model;

namespace NeuralDsl.Generator.Shapes;

/// <summary>
/// Replaces every block use (<see cref="BlockSpec"/>) by its layers, before names are assigned and shapes walked; the
/// parse-time half of the expansion is <see cref="Parsing.BlockParser"/>. The rule:
/// <list type="bullet">
/// <item>A use is named like any layer of its list: its <c>Name</c>, or the block class in snake case counted per
/// prefix (<c>basic_block32</c>, <c>basic_block32_1</c>). Inside, names are assigned the same way within the block's
/// own list and prefixed with the use's name: <c>{use}_{inner}</c> (<c>basic_block32_conv2d</c>,
/// <c>basic_block32_1_conv2d_1</c>, nested uses <c>outer_inner_dense</c>), so weights are
/// <c>basic_block32_conv2d.kernel</c>. The expanded layers carry their full name as an explicit name: the model's own
/// naming then treats them as taken, and a clash with a layer of the model is NDSL0007 as usual.</item>
/// <item>An inner layer's <c>Input</c> names a layer of the same block (it is prefixed the same way); the use's
/// <c>Input</c> goes to the block's first layer; a layer reading a use's name reads the block's last layer.</item>
/// <item><c>Trainable = false</c> on a use freezes every layer inside (nested uses included).</item>
/// <item>Each expanded layer keeps its attribute's location (inside the block class) and records its use
/// (<see cref="LayerSpec.Origin"/>), which diagnostics on it append.</item>
/// </list>
/// A model without blocks is returned as it is, so its plan and code are unchanged.
/// </summary>
internal static class BlockExpansion
{
    /// <summary>The model with its block uses expanded in place, or null after reporting a naming problem.</summary>
    public static ModelSpec? Expand(ModelSpec model, ShapeContext context)
    {
        if (!model.Layers.Any(IsUse))
            return model;

        string[]? topNames = LevelNames(model.Layers, null, context);
        if (topNames is null)
            return null;
        var flat = new List<LayerSpec>();
        var useOutputs = new Dictionary<string, string>(System.StringComparer.Ordinal);
        for (int i = 0; i < model.Layers.Count; i++)
        {
            LayerSpec layer = model.Layers[i];
            if (IsUse(layer))
            {
                if (!ExpandUse(layer, topNames[i], frozen: false, model.ClassName, flat, useOutputs, context))
                    return null;
            }
            else
            {
                flat.Add(layer);
            }
        }

        // A layer of the model may read a block's output by the use's name: that is the block's last layer.
        for (int i = 0; i < flat.Count; i++)
        {
            if (flat[i].Origin is null)
                flat[i] = Rename(flat[i], name => useOutputs.TryGetValue(name, out string? last) ? last : name);
        }
        return model with { Layers = flat.ToEquatableArray() };
    }

    /// <summary>True for the specs this expansion replaces: block and residual uses.</summary>
    public static bool IsUse(LayerSpec layer) => layer is BlockSpec or ResidualSpec;

    /// <summary>True when the model has a residual anywhere (nested uses included): its shortcuts need the probe walk.</summary>
    public static bool HasResiduals(ModelSpec model) => model.Layers.Any(HasResidual);

    private static bool HasResidual(LayerSpec layer) => layer switch
    {
        ResidualSpec => true,
        BlockSpec block => block.Layers.Any(HasResidual),
        _ => false,
    };

    /// <summary>
    /// Appends the layers of one use (a <see cref="BlockSpec"/> or a <see cref="ResidualSpec"/>) named
    /// <paramref name="useName"/> to <paramref name="flat"/>; false after reporting a naming problem.
    /// </summary>
    private static bool ExpandUse(LayerSpec use, string useName, bool frozen, string modelName, List<LayerSpec> flat, Dictionary<string, string> useOutputs, ShapeContext context)
    {
        var residual = use as ResidualSpec;
        string className = residual?.ClassName ?? ((BlockSpec)use).ClassName;
        EquatableArray<LayerSpec> layers = residual?.Layers ?? ((BlockSpec)use).Layers;
        string origin = "in block use '" + useName + "' (" + className + ") of model '" + modelName + "'";

        // A residual's own layers (shortcut, add, the layers after it) share the use's names with the block's.
        IReadOnlyList<LayerSpec> shortcut = residual?.ShortcutTemplates() ?? [];
        LayerSpec? add = residual is null ? null : new ActivationSpec(Activation.Linear, "add", residual.Location);
        IReadOnlyList<LayerSpec> after = residual is null ? [] : [.. residual.After];
        var level = new List<LayerSpec>(layers);
        level.AddRange(shortcut);
        if (add is not null)
            level.Add(add);
        level.AddRange(after);
        string[]? names = LevelNames(level.ToEquatableArray(), origin, context);
        if (names is null)
            return false;
        string Full(int i) => useName + "_" + names[i];

        frozen |= !use.Trainable;
        // x: what the use reads, the block's first layer as well as the shortcut.
        TensorRef x = use.InputName is { } input
            ? TensorRef.Named(useOutputs.TryGetValue(input, out string? read) ? read : input)
            : TensorRef.At(flat.Count - 1);
        int first = flat.Count;
        var innerOutputs = new Dictionary<string, string>(System.StringComparer.Ordinal);
        for (int i = 0; i < layers.Count; i++)
        {
            LayerSpec layer = layers[i];
            if (IsUse(layer))
            {
                // A nested use that opens the block reads what the use reads (its shortcut too), as a first layer does.
                string? nestedInput = i == 0 && layer.InputName is null && use.InputName is not null ? x.Name : Scoped(layer.InputName, useName, innerOutputs);
                if (!ExpandUse(layer with { InputName = nestedInput }, Full(i), frozen, modelName, flat, innerOutputs, context))
                    return false;
                continue;
            }
            flat.Add(Scope(layer, Full(i), useName, frozen, origin, innerOutputs, x));
        }
        if (flat.Count == first)
            return true; // an empty block is NDSL0016 at parse time; nothing to wire
        if (use.InputName is not null)
            flat[first] = flat[first] with { InputName = x.Name };

        if (residual is not null)
        {
            int blockOutput = flat.Count - 1;
            int at = layers.Count + shortcut.Count;
            string describe = "[" + residual.Describe() + "] '" + useName + "'";
            if (context.ProbingResiduals || !context.Residuals.TryGetValue(useName, out ResidualDecision? decision))
            {
                // The probe walk decides from the shapes (or the final walk reports why it could not).
                flat.Add(new ResidualJoinSpec(useName, residual.Projection, describe, TensorRef.At(blockOutput), x, residual.Location)
                {
                    ExplicitName = Full(at),
                    Origin = "layer '" + Full(at) + "', " + origin,
                });
            }
            else
            {
                TensorRef shortcutOutput = x;
                if (decision.Project)
                {
                    for (int k = 0; k < shortcut.Count; k++)
                    {
                        LayerSpec layer = shortcut[k] switch
                        {
                            Conv2DSpec conv when decision.Convolution => conv with { Filters = decision.Size, StrideHeight = decision.StrideHeight, StrideWidth = decision.StrideWidth },
                            Conv2DSpec conv => new DenseSpec(decision.Size, Activation.Linear, true, Initializer.GlorotUniform, Initializer.Zeros, conv.ExplicitName, conv.Location),
                            var other => other,
                        };
                        layer = Scope(layer, Full(layers.Count + k), useName, frozen, origin, innerOutputs, x);
                        flat.Add(k == 0 ? layer with { InputTensor = x } : layer);
                    }
                    shortcutOutput = TensorRef.At(flat.Count - 1);
                }
                // Keras writes Add()([shortcut, x]): the shortcut is the first operand.
                flat.Add(new MergeSpec(MergeKind.Add, new EquatableArray<TensorRef>([shortcutOutput, TensorRef.At(blockOutput)]), null, -1, Full(at), residual.Location)
                {
                    Trainable = !frozen,
                    Origin = "layer '" + Full(at) + "', " + origin,
                });
            }
            for (int k = 0; k < after.Count; k++)
                flat.Add(Scope(after[k], Full(at + 1 + k), useName, frozen, origin, innerOutputs, x));
        }
        useOutputs[useName] = flat[flat.Count - 1].ExplicitName!;
        return true;
    }

    /// <summary>
    /// An inner layer as the model sees it: its full name, its <c>Input</c> scoped to the use, frozen with the use, its
    /// origin recorded, and, when the layer takes sizes from what the use reads (<see cref="LayerSpec.SizedByUseInput"/>),
    /// that tensor <paramref name="x"/> as its <see cref="LayerSpec.SizeSource"/>.
    /// </summary>
    private static LayerSpec Scope(LayerSpec layer, string full, string useName, bool frozen, string origin, Dictionary<string, string> innerOutputs, TensorRef x) =>
        Rename(layer, name => Scoped(name, useName, innerOutputs)!) with
        {
            ExplicitName = full,
            Trainable = layer.Trainable && !frozen,
            Origin = "layer '" + full + "', " + origin,
            SizeSource = layer.SizedByUseInput ? x : layer.SizeSource,
        };

    /// <summary>The layer with every name it reads (<c>Input</c>, a merge's operands and <c>From</c>) passed through <paramref name="rename"/>.</summary>
    private static LayerSpec Rename(LayerSpec layer, System.Func<string, string> rename)
    {
        LayerSpec renamed = layer.InputName is { } input ? layer with { InputName = rename(input) } : layer;
        if (renamed is MergeSpec merge)
        {
            renamed = merge with
            {
                Named = merge.Named.Select(r => r.Name is { } n ? TensorRef.Named(rename(n)) : r).ToEquatableArray(),
                From = merge.From is { Name: { } from } ? TensorRef.Named(rename(from)) : merge.From,
            };
        }
        return renamed;
    }

    /// <summary>A name written inside a block, as the model sees it: prefixed with the use, a nested use's name read as its last layer.</summary>
    private static string? Scoped(string? name, string useName, Dictionary<string, string> innerOutputs)
    {
        if (name is null)
            return null;
        string full = useName + "_" + name;
        return innerOutputs.TryGetValue(full, out string? last) ? last : full;
    }

    /// <summary>
    /// Keras automatic names for one layer list (the model's or a block's): explicit names as given, others counted per
    /// prefix, skipping taken names. Explicit names are checked here (NDSL0009, NDSL0007 within the list), the full
    /// names again by the model's naming.
    /// </summary>
    private static string[]? LevelNames(EquatableArray<LayerSpec> layers, string? origin, ShapeContext context)
    {
        var taken = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (LayerSpec layer in layers)
        {
            if (layer.ExplicitName is not { } name)
                continue;
            // Inside a block a name is always prefixed ({use}_{name}), so only the composed name has to be valid: the
            // ResNet blocks' Keras names (1_conv) start with a digit.
            if (Naming.LayerNameProblem(origin is null || name.Length == 0 ? name : "x_" + name) is { } problem)
            {
                context.ReportIn(origin, DiagnosticDescriptors.InvalidName, layer.Location, name, problem);
                return null;
            }
            if (!taken.Add(name))
            {
                context.ReportIn(origin, DiagnosticDescriptors.DuplicateLayerName, layer.Location, name, "is already used by an earlier layer");
                return null;
            }
        }
        var counters = new Dictionary<string, int>(System.StringComparer.Ordinal);
        var names = new string[layers.Count];
        for (int i = 0; i < names.Length; i++)
        {
            LayerSpec layer = layers[i];
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
        return names;
    }
}
