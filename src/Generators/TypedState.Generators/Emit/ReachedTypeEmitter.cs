using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TypedState.Generators.Model;

namespace TypedState.Generators.Emit;

/// <summary>
/// Writes, into the generated half of a state type or part, a writer and a reader method for each type its members
/// reach without a state attribute. Such a type cannot be given members of its own (it need not be partial), so its
/// reader builds it from outside: its constructor, its setters, and <c>[UnsafeAccessor]</c> methods for constructors
/// and setters that code outside it cannot call (init-only, not public, or a type with required members).
/// </summary>
internal static class ReachedTypeEmitter
{
    private const string Json = ShapeCode.Json;
    private const string UnsafeAccessor = "global::System.Runtime.CompilerServices.UnsafeAccessor(global::System.Runtime.CompilerServices.UnsafeAccessorKind";

    /// <summary>The method that writes reached type <paramref name="index"/> (a value, or null for a class).</summary>
    public static string WriteMethod(int index) => "__TypedState_WriteR" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The method that reads reached type <paramref name="index"/>, the reader on its first token.</summary>
    public static string ReadMethod(int index) => "__TypedState_ReadR" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The method that writes the members of reached type <paramref name="index"/>, a derived type of a polymorphic one.</summary>
    public static string WriteMembersMethod(int index) => WriteMethod(index) + "Members";

    /// <summary>The method that reads the members of reached type <paramref name="index"/>, the reader on its discriminator's value.</summary>
    public static string ReadRestMethod(int index) => ReadMethod(index) + "Rest";

    public static void Emit(CodeWriter code, EquatableArray<ReachedTypeModel> reached, PolymorphismModel? part, Func<TypeShape, string> contextInfo)
    {
        // The derived types of polymorphic ones (and of the part itself): written and read after the discriminator, by methods of their own.
        var derived = new HashSet<int>(reached.Select(t => t.Polymorphism).Append(part).Where(p => p is not null).SelectMany(p => p!.Derived.Select(d => d.Reached)));
        for (var n = 0; n < reached.Count; n++)
        {
            var type = reached[n];
            var prefix = $"__TypedState_R{n.ToString(CultureInfo.InvariantCulture)}_";
            if (type.Polymorphism is { } polymorphism)
            {
                PolymorphismEmitter.Emit(code, n, prefix, type, polymorphism, reached, contextInfo);
            }
            else
            {
                MembersCode.EmitNames(code, prefix, type.Members);
                EmitWrite(code, n, prefix, type, contextInfo);
                EmitRead(code, n, type, contextInfo);
            }

            if (derived.Contains(n))
            {
                code.Open($"private static void {WriteMembersMethod(n)}({Json}.Utf8JsonWriter writer, {type.FullName} value)");
                MembersCode.EmitWrites(code, prefix, type.Members, contextInfo);
                code.Close();
                code.Line();
                code.Open($"private static {type.FullName} {ReadRestMethod(n)}(ref {Json}.Utf8JsonReader reader)");
                EmitReadBody(code, prefix, type, contextInfo);
                code.Close();
                code.Line();
            }

            EmitAccessors(code, prefix, type);
        }
    }

    private static void EmitWrite(CodeWriter code, int n, string prefix, ReachedTypeModel type, Func<TypeShape, string> contextInfo)
    {
        code.Open($"private static void {WriteMethod(n)}({Json}.Utf8JsonWriter writer, {type.FullName} value)");
        if (!type.IsValueType)
        {
            EmitWriteNull(code);
        }

        EmitWriteObject(code, prefix, type, contextInfo);
        code.Close();
        code.Line();
    }

    /// <summary>Writes null for a null <c>value</c>, and returns.</summary>
    internal static void EmitWriteNull(CodeWriter code)
    {
        code.Open("if (value is null)");
        code.Line("writer.WriteNullValue();");
        code.Line("return;");
        code.Close();
        code.Line();
    }

    /// <summary>Writes <c>value</c> as an object of its members.</summary>
    internal static void EmitWriteObject(CodeWriter code, string prefix, ReachedTypeModel type, Func<TypeShape, string> contextInfo)
    {
        code.Line("writer.WriteStartObject();");
        MembersCode.EmitWrites(code, prefix, type.Members, contextInfo);
        code.Line("writer.WriteEndObject();");
    }

    private static void EmitRead(CodeWriter code, int n, ReachedTypeModel type, Func<TypeShape, string> contextInfo)
    {
        code.Open($"private static {type.FullName} {ReadMethod(n)}(ref {Json}.Utf8JsonReader reader)");
        var onNull = type.IsValueType ? $"throw {ShapeCode.Helpers}.NullStruct<{type.FullName}>(ref reader)" : "return null";
        code.Line($"if (reader.TokenType == {ShapeCode.TokenType}.Null) {onNull};");
        code.Line($"{ShapeCode.Helpers}.Expect(ref reader, {ShapeCode.TokenType}.StartObject);");
        EmitReadBody(code, $"__TypedState_R{n.ToString(CultureInfo.InvariantCulture)}_", type, contextInfo);
        code.Close();
        code.Line();
    }

    /// <summary>Reads the members of an object, the reader before its first property, and returns the value made of them.</summary>
    internal static void EmitReadBody(CodeWriter code, string prefix, ReachedTypeModel type, Func<TypeShape, string> contextInfo)
    {
        var members = type.Members;
        var masks = MembersCode.Masks(members.Count);
        MembersCode.EmitReads(code, prefix, type.FullName, members, "reader.Skip();", contextInfo, type.Polymorphism?.PropertyName);

        // An absent constructor argument gets the parameter's own default, as a call without it would.
        var arguments = string.Join(", ", type.Constructor.Select(a =>
            a.Default is { } fallback ? $"({MembersCode.Present(masks, a.Member)}) ? m{a.Member} : {fallback}" : $"m{a.Member.ToString(CultureInfo.InvariantCulture)}"));
        var create = type.Construction switch
        {
            ReachedConstruction.New => $"new {type.FullName}({arguments})",
            ReachedConstruction.Accessor => $"{prefix}New({arguments})",
            _ => $"default({type.FullName})",
        };
        code.Line($"var value = {create};");
        for (var i = 0; i < members.Count; i++)
        {
            var member = members[i];
            if (member.ConstructorIndex >= 0 || member.Populate)
            {
                continue;
            }

            var set = member.Setter is null
                ? $"value.{StateTypeEmitter.Identifier(member.Name)} = m{i};"
                : $"{prefix}Set{i}({(type.IsValueType ? "ref " : string.Empty)}value, m{i});";
            code.Line($"if ({MembersCode.Present(masks, i)}) {set}");
        }

        MembersCode.EmitPopulates(code, type.FullName, members, contextInfo);
        code.Line("return value;");
    }

    private static void EmitAccessors(CodeWriter code, string prefix, ReachedTypeModel type)
    {
        if (type.Construction == ReachedConstruction.Accessor)
        {
            var parameters = string.Join(", ", type.Constructor.Select((a, p) => $"{type.Members[a.Member].Type.TypeName} p{p}"));
            code.Line($"[{UnsafeAccessor}.Constructor)]");
            code.Line($"private static extern {type.FullName} {prefix}New({parameters});");
            code.Line();
        }

        for (var i = 0; i < type.Members.Count; i++)
        {
            var member = type.Members[i];
            if (member.Setter is null || member.ConstructorIndex >= 0)
            {
                continue;
            }

            var target = type.IsValueType ? "ref " + type.FullName : member.Setter;
            code.Line($"[{UnsafeAccessor}.Method, Name = {StateTypeEmitter.Literal("set_" + member.Name)})]");
            code.Line($"private static extern void {prefix}Set{i}({target} target, {member.Type.TypeName} value);");
            code.Line();
        }
    }
}
