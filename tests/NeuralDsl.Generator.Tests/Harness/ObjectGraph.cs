using System;
using System.Collections.Generic;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace NeuralDsl.Generator.Tests.Harness;

/// <summary>
/// Walks an object graph by reflection (every instance field, public or not, of every base type; array elements,
/// which also covers <c>ImmutableArray</c>'s backing array) and reports each path that reaches a Roslyn object a
/// pipeline step must not hold (style.md §2.8 #1): it roots a compilation and defeats caching.
/// </summary>
public static class ObjectGraph
{
    /// <summary>Types no step output may reach.</summary>
    public static readonly IReadOnlyList<Type> Forbidden =
    [
        typeof(Compilation),
        typeof(ISymbol),
        typeof(SyntaxNode),
        typeof(SemanticModel),
        typeof(Location),
        typeof(SyntaxTree),
        typeof(AttributeData),
        typeof(SyntaxReference),
        typeof(SyntaxToken),
        typeof(SyntaxTrivia),
        typeof(SyntaxNodeOrToken),
    ];

    private const int MaxObjects = 1_000_000;

    /// <summary>Every path from <paramref name="root"/> (labelled <paramref name="rootPath"/>) to a forbidden object.</summary>
    public static IReadOnlyList<string> FindForbidden(object? root, string rootPath)
    {
        var findings = new List<string>();
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<(object Value, string Path)>();
        if (root is not null)
        {
            pending.Push((root, rootPath));
        }

        while (pending.Count > 0)
        {
            (object value, string path) = pending.Pop();
            Type type = value.GetType();

            Type? forbidden = ForbiddenBase(type);
            if (forbidden is not null)
            {
                findings.Add($"{path} holds {type.FullName} (a {forbidden.Name})");
                continue;
            }

            if (IsLeaf(type))
            {
                continue;
            }

            // Boxed structs are fresh boxes each time; only reference types can form cycles.
            if (!type.IsValueType && !visited.Add(value))
            {
                continue;
            }

            if (visited.Count > MaxObjects)
            {
                findings.Add($"{path}: the graph has more than {MaxObjects} objects; a step output holds something huge");
                break;
            }

            if (value is Array array)
            {
                Type element = type.GetElementType()!;
                if (IsLeaf(element) && ForbiddenBase(element) is null)
                {
                    continue;
                }

                int index = 0;
                foreach (object? item in array)
                {
                    if (item is not null)
                    {
                        pending.Push((item, $"{path}[{index}]"));
                    }

                    index++;
                }

                continue;
            }

            for (Type? t = type; t is not null; t = t.BaseType)
            {
                foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (field.FieldType.IsPointer || field.FieldType.IsByRefLike)
                    {
                        continue;
                    }

                    object? child = field.GetValue(value);
                    if (child is not null)
                    {
                        pending.Push((child, path + "." + FieldName(field)));
                    }
                }
            }
        }

        return findings;
    }

    private static Type? ForbiddenBase(Type type)
    {
        foreach (Type f in Forbidden)
        {
            if (f.IsAssignableFrom(type))
            {
                return f;
            }
        }

        return null;
    }

    // Values that cannot lead anywhere interesting: primitives, strings, enums, and reflection/runtime objects
    // (a Type or a delegate's MethodInfo would drag in the whole reflection graph).
    private static bool IsLeaf(Type type) =>
        type.IsPrimitive
        || type.IsEnum
        || type.IsPointer
        || type == typeof(string)
        || type == typeof(decimal)
        || type == typeof(DateTime)
        || type == typeof(Guid)
        || typeof(MemberInfo).IsAssignableFrom(type)
        || typeof(Module).IsAssignableFrom(type)
        || typeof(Assembly).IsAssignableFrom(type)
        || type.Namespace == "System.Reflection";

    // "<Name>k__BackingField" reads better as "Name".
    private static string FieldName(FieldInfo field)
    {
        string name = field.Name;
        if (name.StartsWith('<') && name.EndsWith(">k__BackingField", StringComparison.Ordinal))
        {
            return name[1..name.IndexOf('>', StringComparison.Ordinal)];
        }

        return name;
    }
}
