using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TypedState.Generators.Model;

namespace TypedState.Generators.Emit;

/// <summary>
/// The code that writes and reads the members of one JSON object, shared by state types and parts (in their
/// <c>WriteProperties</c> and <c>Read</c>) and by the types they reach (in methods of their own). Names of the
/// generated statics start with <c>prefix</c>: <c>__TypedState_</c>, or <c>__TypedState_R3_</c> for reached type 3.
/// </summary>
internal static class MembersCode
{
    private const string Reader = ShapeCode.Json + ".Utf8JsonReader";

    /// <summary>
    /// The encoded property names and the name table of the reader; <paramref name="discriminator"/>, the type
    /// discriminator of a polymorphic type, ends the table so that the reader finds it out of place.
    /// </summary>
    public static void EmitNames(CodeWriter code, string prefix, EquatableArray<MemberModel> members, string? discriminator = null)
    {
        // Encoded with the store's encoder, as System.Text.Json encodes property names with the options' encoder.
        for (var i = 0; i < members.Count; i++)
        {
            code.Line($"private static readonly __JsonEncodedText {prefix}Name{i} = {ShapeCode.Helpers}.EncodeName({StateTypeEmitter.Literal(members[i].JsonName)});");
        }

        // What the reader matches property names against.
        var names = string.Join(", ", members.Select(m => m.JsonName).Concat(discriminator is null ? [] : [discriminator]).Select(StateTypeEmitter.Literal));
        code.Line($"private static readonly global::TypedState.CompilerServices.StateJsonNames {prefix}Names = new({names});");
        code.Line();
    }

    /// <summary>Writes each member of <c>value</c> as a property.</summary>
    public static void EmitWrites(CodeWriter code, string prefix, EquatableArray<MemberModel> members, Func<TypeShape, string> contextInfo)
    {
        for (var i = 0; i < members.Count; i++)
        {
            var member = members[i];
            ShapeCode.WriteMember(code, member.Type, "value." + StateTypeEmitter.Identifier(member.Name), $"{prefix}Name{i}", i.ToString(CultureInfo.InvariantCulture) + "_", contextInfo);
        }
    }

    /// <summary>
    /// Reads the properties of an object, the reader on its start, into locals <c>m0</c>… and the presence masks, and
    /// checks the required members; <paramref name="version"/> is the statement for a <c>$version</c> property, and a
    /// <paramref name="discriminator"/> (as given to <see cref="EmitNames"/>) met among the members is an error.
    /// </summary>
    public static void EmitReads(CodeWriter code, string prefix, string self, EquatableArray<MemberModel> members, string version, Func<TypeShape, string> contextInfo, string? discriminator = null)
    {
        var masks = Masks(members.Count);
        for (var i = 0; i < members.Count; i++)
        {
            // A populated collection is read once its object exists: here the reader is kept on its value.
            code.Line($"{(members[i].Populate ? Reader : members[i].Type.TypeName)} m{i} = default;");
        }

        // Which members the document has: bit i of mask i / 64. Members it lacks keep their defaults.
        foreach (var mask in masks)
        {
            code.Line($"ulong {mask} = 0;");
        }

        // The member each property names (-2: $version, -1: none), trying first the member after the last one read.
        code.Line("var next = 0;");
        code.Open($"while (reader.Read() && reader.TokenType == {ShapeCode.TokenType}.PropertyName)");
        code.Line($"var member = {prefix}Names.Match(ref reader, ref next);");
        code.Line("reader.Read();");
        code.Open("switch (member)");
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i].Populate)
            {
                code.Line($"case {i}: m{i} = reader; reader.Skip(); break;");
            }
            else if (ShapeCode.ReadExpression(members[i].Type, contextInfo) is { } expression)
            {
                code.Line($"case {i}: m{i} = {expression}; break;");
            }
            else
            {
                code.Open($"case {i}:");
                ShapeCode.Read(code, members[i].Type, $"m{i}", 0, contextInfo);
                code.Line("break;");
                code.Close();
            }
        }

        if (discriminator is not null)
        {
            code.Line($"case {members.Count.ToString(CultureInfo.InvariantCulture)}: throw {ShapeCode.Helpers}.MisplacedDiscriminator<{self}>(ref reader, {StateTypeEmitter.Literal(discriminator)});");
        }

        code.Line($"case -2: {version} continue;");
        code.Line("default: reader.Skip(); continue;");
        code.Close();
        if (masks.Count == 1)
        {
            code.Line($"{masks[0]} |= 1UL << member;");
        }
        else if (masks.Count > 1)
        {
            for (var k = 0; k < masks.Count; k++)
            {
                var test = k == masks.Count - 1 ? "else" : $"{(k == 0 ? "if" : "else if")} (member < {(k + 1) * 64})";
                code.Line($"{test} {masks[k]} |= 1UL << {(k == 0 ? "member" : $"(member - {k * 64})")};");
            }
        }

        code.Close();
        code.Line($"{ShapeCode.Helpers}.Expect(ref reader, {ShapeCode.TokenType}.EndObject);");
        EmitRequiredCheck(code, prefix, self, members, masks);
    }

    /// <summary>
    /// Adds the elements of each populated member present in the document to the collection <c>value</c> holds: the
    /// reader is moved to the value kept by <see cref="EmitReads"/>, and back.
    /// </summary>
    public static void EmitPopulates(CodeWriter code, string self, EquatableArray<MemberModel> members, Func<TypeShape, string> contextInfo)
    {
        var masks = Masks(members.Count);
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i].Populate)
            {
                code.Open($"if ({Present(masks, i)})");
                code.Line($"var restore{i} = reader;");
                code.Line($"reader = m{i};");
                ShapeCode.Populate(code, members[i].Type, "value." + StateTypeEmitter.Identifier(members[i].Name), self, contextInfo);
                code.Line($"reader = restore{i};");
                code.Close();
            }
        }
    }

    /// <summary>The names of the masks of read members: one for every 64 members.</summary>
    public static List<string> Masks(int memberCount)
    {
        var count = (memberCount + 63) / 64;
        return [.. Enumerable.Range(0, count).Select(k => count == 1 ? "has" : "has" + k.ToString(CultureInfo.InvariantCulture))];
    }

    /// <summary>The test that member <paramref name="index"/> was present in the document: its bit in the presence masks.</summary>
    public static string Present(List<string> masks, int index) =>
        $"({masks[index / 64]} & 0x{(1UL << (index % 64)).ToString("X", CultureInfo.InvariantCulture)}UL) != 0UL";

    /// <summary>
    /// A document without a required member is corrupt, as System.Text.Json finds it: one test per mask on the way,
    /// and the first missing member named on the error.
    /// </summary>
    private static void EmitRequiredCheck(CodeWriter code, string prefix, string self, EquatableArray<MemberModel> members, List<string> masks)
    {
        for (var k = 0; k < masks.Count; k++)
        {
            var required = 0UL;
            for (var i = k * 64; i < Math.Min(members.Count, (k + 1) * 64); i++)
            {
                required |= members[i].Required ? 1UL << (i % 64) : 0UL;
            }

            if (required != 0)
            {
                var mask = $"0x{required.ToString("X", CultureInfo.InvariantCulture)}UL";
                var first = $"{(k == 0 ? string.Empty : $"{k * 64} + ")}global::System.Numerics.BitOperations.TrailingZeroCount(~{masks[k]} & {mask})";
                code.Line($"if (({masks[k]} & {mask}) != {mask}) throw {ShapeCode.Helpers}.MissingRequired<{self}>(ref reader, {prefix}Names, {first});");
            }
        }
    }
}
