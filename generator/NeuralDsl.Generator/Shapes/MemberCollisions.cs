using System.Collections.Generic;
using System.Linq;
using NeuralDsl.Generator.Diagnostics;
using NeuralDsl.Generator.Model;

namespace NeuralDsl.Generator.Shapes;

/// <summary>
/// The generated public members against the names the class already uses: a class named like one (CS0542), a member
/// of the class with its name, or with its signature for methods (CS0102, CS0111), and an inherited member it would
/// hide (CS0108, fatal under warnings as errors). Each becomes a diagnostic on what the user can rename, before any
/// code is emitted.
/// </summary>
internal static class MemberCollisions
{
    public static void Check(ModelPlan plan, ShapeContext context)
    {
        ModelSpec spec = plan.Spec;
        List<GeneratedMember> generated = [.. GeneratedMembers.Of(plan)];

        // Keywords are escaped in ClassName (@class) and never generated, so the plain comparison is exact.
        if (generated.FirstOrDefault(g => g.Name == spec.ClassName) is { } sameAsClass)
            context.Report(DiagnosticDescriptors.ClassNamedLikeGeneratedMember, spec.IdentifierLocation, spec.ClassName, sameAsClass.Name);

        foreach (DeclaredMember member in spec.Members)
        {
            if (generated.FirstOrDefault(g => member.Collides(g.Name, g.Signature)) is not { } clash)
                continue;
            if (member.InheritedFrom is { } baseClass)
            {
                context.Report(DiagnosticDescriptors.MemberCollidesWithGeneratedMember, spec.IdentifierLocation,
                    "The inherited " + member.Describe() + " of '" + baseClass + "'", spec.ClassName, clash.Name,
                    "the generated member would hide it");
            }
            else
            {
                context.Report(DiagnosticDescriptors.MemberCollidesWithGeneratedMember, member.Location ?? spec.IdentifierLocation,
                    "The " + member.Describe(), spec.ClassName, clash.Name,
                    member.Signature is not null && clash.Signature is not null
                        ? "a class cannot declare two methods with the same parameter types"
                        : "a class cannot declare two members of that name unless both are methods");
            }
        }
    }
}
