using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;
using NeuralDsl.Generator.Shapes;

namespace NeuralDsl.Generator;

/// <summary>
/// The incremental pipeline, and only that: <c>[Sequential]</c> classes → <see cref="ModelSpec"/> (Parse) →
/// <see cref="ModelPlan"/> (Plan) → diagnostics and, when there are no errors, one source file per model (Output);
/// a model with errors gets a placeholder file instead (Placeholder), whose members throw.
/// Every step output is an equatable record holding no symbols or syntax, so unrelated edits are cached.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    private static readonly string Version = typeof(ModelGenerator).Assembly.GetName().Version?.ToString(3) ?? "1.0.0";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<Result<ModelSpec>> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ModelParser.SequentialAttributeName,
                // Records are matched to be reported: silently generating nothing would leave the user guessing.
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                ModelParser.Parse)
            .WithTrackingName(TrackingNames.Parse);

        IncrementalValuesProvider<Result<ModelPlan>> planned = parsed
            .Select(static (result, _) => ShapeInference.Run(result))
            .WithTrackingName(TrackingNames.Plan);

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = planned
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        // Diagnostics are re-attached to their syntax trees so #pragma and the IDE see source locations. Only models
        // that have diagnostics meet the compilation, so the usual, clean model never re-runs this on an edit.
        context.RegisterSourceOutput(
            diagnostics.Where(static items => items.Count > 0).Combine(context.CompilationProvider),
            static (spc, pair) =>
            {
                foreach (DiagnosticInfo item in pair.Left)
                    spc.ReportDiagnostic(item.ToDiagnostic(pair.Right));
            });

        foreach (string attributeName in ModelParser.ModelAttributeNames)
        {
            IncrementalValuesProvider<DiagnosticInfo> withoutSequential = context.SyntaxProvider
                .ForAttributeWithMetadataName(attributeName, static (node, _) => node is TypeDeclarationSyntax, ModelParser.LayersWithoutSequential)
                .Where(static item => item is not null)!;
            context.RegisterSourceOutput(withoutSequential.Combine(context.CompilationProvider),
                static (spc, pair) => spc.ReportDiagnostic(pair.Left.ToDiagnostic(pair.Right)));
        }

        // [Block] classes generate nothing; their own mistakes ([Input] on a block, a use that cannot be expanded) are
        // reported here, once per class, whether or not a model uses them.
        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> blockDiagnostics = context.SyntaxProvider
            .ForAttributeWithMetadataName(BlockParser.BlockAttributeName, static (node, _) => node is TypeDeclarationSyntax, BlockParser.CheckDefinition)
            .Where(static items => items.Count > 0)
            .WithTrackingName(TrackingNames.Blocks);
        context.RegisterSourceOutput(blockDiagnostics.Combine(context.CompilationProvider), static (spc, pair) =>
        {
            foreach (DiagnosticInfo item in pair.Left)
                spc.ReportDiagnostic(item.ToDiagnostic(pair.Right));
        });

        // A model with errors still gets its public members (throwing), so the user's calls add no errors of their own.
        IncrementalValuesProvider<ModelPlaceholder> placeholders = planned
            .Where(static result => result.Placeholder is not null && (result.Value is null || result.HasErrors))
            .Select(static (result, _) => result.Placeholder! with
            {
                ErrorIds = result.Diagnostics
                    .Where(static d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error)
                    .Select(static d => d.Descriptor.Id)
                    .Distinct()
                    .OrderBy(static id => id, StringComparer.Ordinal)
                    .ToEquatableArray(),
            })
            .WithTrackingName(TrackingNames.Placeholder);
        context.RegisterSourceOutput(placeholders, static (spc, placeholder) =>
            spc.AddSource(PlaceholderEmitter.HintName(placeholder), SourceText.From(PlaceholderEmitter.Emit(placeholder, Version), System.Text.Encoding.UTF8)));

        RegisterPerceptrons(context);

        IncrementalValuesProvider<ModelPlan> models = planned
            .Where(static result => result.Value is not null && !result.HasErrors)
            .Select(static (result, _) => result.Value!.WithoutLocations())
            .WithTrackingName(TrackingNames.Output);
        context.RegisterSourceOutput(models, static (spc, plan) =>
        {
            string source;
            try
            {
                source = ModelEmitter.Emit(plan, Version);
            }
            catch (Exception ex)
            {
                spc.ReportDiagnostic(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, null,
                    plan.Spec.ClassName, ex.GetType().Name + ": " + ex.Message).ToDiagnostic(null));
                return;
            }
            spc.AddSource(ModelEmitter.HintName(plan), SourceText.From(source, System.Text.Encoding.UTF8));
        });

        // Echo state networks ([Reservoir] + [Readout]) are a model kind of their own, with their own pipeline.
        ReservoirPipeline.Register(context, Version);
    }

    /// <summary>
    /// <c>[Perceptron]</c> classes: Parse (→ <see cref="PerceptronSpec"/>), their diagnostics, and one source file each
    /// (PerceptronOutput), a throwing placeholder when the spec has errors. No plan step: a perceptron has no layers.
    /// </summary>
    private static void RegisterPerceptrons(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<Result<PerceptronSpec>> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                PerceptronParser.PerceptronAttributeName,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                PerceptronParser.Parse)
            .WithTrackingName(TrackingNames.PerceptronParse);

        context.RegisterSourceOutput(
            parsed.Select(static (result, _) => result.Diagnostics).Where(static items => items.Count > 0).Combine(context.CompilationProvider),
            static (spc, pair) =>
            {
                foreach (DiagnosticInfo item in pair.Left)
                    spc.ReportDiagnostic(item.ToDiagnostic(pair.Right));
            });

        IncrementalValuesProvider<PerceptronSpec> specs = parsed
            .Where(static result => result.Value is not null)
            .Select(static (result, _) => result.Value! with
            {
                Location = null,
                ErrorIds = result.Diagnostics
                    .Where(static d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error)
                    .Select(static d => d.Descriptor.Id)
                    .Distinct()
                    .OrderBy(static id => id, StringComparer.Ordinal)
                    .ToEquatableArray(),
            })
            .WithTrackingName(TrackingNames.PerceptronOutput);
        context.RegisterSourceOutput(specs, static (spc, spec) =>
        {
            string source = spec.ErrorIds.Count > 0 ? PerceptronEmitter.EmitPlaceholder(spec, Version) : PerceptronEmitter.Emit(spec, Version);
            spc.AddSource(PerceptronEmitter.HintName(spec), SourceText.From(source, System.Text.Encoding.UTF8));
        });
    }
}
