using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Emit;
using NeuralDsl.Generator.Model;
using NeuralDsl.Generator.Parsing;

namespace NeuralDsl.Generator;

/// <summary>
/// The echo state network's pipeline, registered by <see cref="ModelGenerator"/>: <c>[Reservoir]</c> classes →
/// <see cref="ReservoirSpec"/> (ReservoirParse) → diagnostics and one source file (ReservoirOutput), or a throwing
/// placeholder for a network with errors. It shares the diagnostics' catalog, the writer and the literals with the
/// <c>[Sequential]</c> pipeline and nothing else.
/// </summary>
internal static class ReservoirPipeline
{
    public static void Register(IncrementalGeneratorInitializationContext context, string version)
    {
        IncrementalValuesProvider<Result<ReservoirSpec>> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ReservoirParser.ReservoirAttributeName,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                ReservoirParser.Parse)
            .WithTrackingName(TrackingNames.ReservoirParse);

        context.RegisterSourceOutput(
            parsed.Select(static (r, _) => r.Diagnostics).Where(static d => d.Count > 0).Combine(context.CompilationProvider),
            static (spc, pair) =>
            {
                foreach (DiagnosticInfo item in pair.Left)
                    spc.ReportDiagnostic(item.ToDiagnostic(pair.Right));
            });

        IncrementalValuesProvider<DiagnosticInfo> readoutAlone = context.SyntaxProvider
            .ForAttributeWithMetadataName(ReservoirParser.ReadoutAttributeName, static (node, _) => node is TypeDeclarationSyntax, ReservoirParser.ReadoutWithoutReservoir)
            .Where(static item => item is not null)!;
        context.RegisterSourceOutput(readoutAlone.Combine(context.CompilationProvider),
            static (spc, pair) => spc.ReportDiagnostic(pair.Left.ToDiagnostic(pair.Right)));

        IncrementalValuesProvider<ModelPlaceholder> placeholders = parsed
            .Where(static r => r.Value is null && r.Placeholder is not null)
            .Select(static (r, _) => r.Placeholder! with
            {
                ErrorIds = r.Diagnostics
                    .Where(static d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error)
                    .Select(static d => d.Descriptor.Id)
                    .Distinct()
                    .OrderBy(static id => id, StringComparer.Ordinal)
                    .ToEquatableArray(),
            });
        context.RegisterSourceOutput(placeholders, (spc, placeholder) =>
            spc.AddSource(placeholder.MetadataName + ".g.cs", SourceText.From(ReservoirEmitter.EmitPlaceholder(placeholder, version), System.Text.Encoding.UTF8)));

        IncrementalValuesProvider<ReservoirSpec> networks = parsed
            .Where(static r => r.Value is not null && !r.HasErrors)
            .Select(static (r, _) => r.Value!)
            .WithTrackingName(TrackingNames.ReservoirOutput);
        context.RegisterSourceOutput(networks, (spc, spec) =>
        {
            string source;
            try
            {
                source = ReservoirEmitter.Emit(spec, version);
            }
            catch (Exception ex)
            {
                spc.ReportDiagnostic(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, null, spec.ClassName, ex.GetType().Name + ": " + ex.Message).ToDiagnostic(null));
                return;
            }
            spc.AddSource(ReservoirEmitter.HintName(spec), SourceText.From(source, System.Text.Encoding.UTF8));
        });
    }
}
