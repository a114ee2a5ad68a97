using System;
using System.Linq;
using TypedState.Generators.Model;

namespace TypedState.Generators.Emit;

/// <summary>
/// The writer and reader of a polymorphic reached type, in System.Text.Json's format: the exact runtime type chosen
/// among the listed derived types, its discriminator written first, then its members (the base's included); on
/// reading, the discriminator must be the first property (System.Text.Json's default), and picks the derived reader,
/// which goes on from there. An object without one is the base itself, when the base is concrete.
/// </summary>
internal static class PolymorphismEmitter
{
    private const string Json = ShapeCode.Json;
    private const string TokenType = ShapeCode.TokenType;
    private const string Helpers = ShapeCode.Helpers;

    public static void Emit(CodeWriter code, int n, string prefix, ReachedTypeModel type, PolymorphismModel polymorphism, EquatableArray<ReachedTypeModel> reached, Func<TypeShape, string> contextInfo)
    {
        if (!type.IsAbstract)
        {
            MembersCode.EmitNames(code, prefix, type.Members, polymorphism.PropertyName);
        }

        EmitDiscriminatorName(code, prefix, polymorphism);
        EmitWrite(code, n, prefix, type, polymorphism, reached, contextInfo);
        EmitRead(code, n, prefix, type, polymorphism, contextInfo);
    }

    /// <summary>The encoded name of the discriminator property.</summary>
    public static void EmitDiscriminatorName(CodeWriter code, string prefix, PolymorphismModel polymorphism)
    {
        code.Line($"private static readonly __JsonEncodedText {prefix}Discriminator = {Helpers}.EncodeName({StateTypeEmitter.Literal(polymorphism.PropertyName)});");
        code.Line();
    }

    private static void EmitWrite(CodeWriter code, int n, string prefix, ReachedTypeModel type, PolymorphismModel polymorphism, EquatableArray<ReachedTypeModel> reached, Func<TypeShape, string> contextInfo)
    {
        code.Open($"private static void {ReachedTypeEmitter.WriteMethod(n)}({Json}.Utf8JsonWriter writer, {type.FullName} value)");
        ReachedTypeEmitter.EmitWriteNull(code);
        EmitWriteDispatch(code, prefix, type.FullName, polymorphism, reached, inObject: false, type.IsAbstract);
        if (!type.IsAbstract)
        {
            ReachedTypeEmitter.EmitWriteObject(code, prefix, type, contextInfo);
        }

        code.Close();
        code.Line();
    }

    /// <summary>
    /// Writes <c>value</c> as the listed derived type it exactly is, and returns; throws for an unlisted type (for an
    /// abstract <paramref name="self"/>, any type). <paramref name="inObject"/>: the object is already started (a part's
    /// properties), so only the discriminator and the members are written.
    /// </summary>
    public static void EmitWriteDispatch(CodeWriter code, string prefix, string self, PolymorphismModel polymorphism, EquatableArray<ReachedTypeModel> reached, bool inObject, bool isAbstract)
    {
        // The exact type, as System.Text.Json matches it: a type deriving from a listed one is not that one.
        code.Line("var type = value.GetType();");
        foreach (var derived in polymorphism.Derived)
        {
            var name = reached[derived.Reached].FullName;
            code.Open($"if (type == typeof({name}))");
            if (!inObject)
            {
                code.Line("writer.WriteStartObject();");
            }

            if (derived.Discriminator is { } discriminator)
            {
                code.Line(derived.IsNumber
                    ? $"writer.WriteNumber({prefix}Discriminator, {discriminator});"
                    : $"writer.WriteString({prefix}Discriminator, {StateTypeEmitter.Literal(discriminator)});");
            }

            code.Line($"{ReachedTypeEmitter.WriteMembersMethod(derived.Reached)}(writer, ({name})value);");
            if (!inObject)
            {
                code.Line("writer.WriteEndObject();");
            }

            code.Line("return;");
            code.Close();
            code.Line();
        }

        var unlisted = $"throw {Helpers}.UnlistedDerivedType<{self}>(value);";
        code.Line(isAbstract ? unlisted : $"if (type != typeof({self})) {unlisted}");
    }

    private static void EmitRead(CodeWriter code, int n, string prefix, ReachedTypeModel type, PolymorphismModel polymorphism, Func<TypeShape, string> contextInfo)
    {
        code.Open($"private static {type.FullName} {ReachedTypeEmitter.ReadMethod(n)}(ref {Json}.Utf8JsonReader reader)");
        code.Line($"if (reader.TokenType == {TokenType}.Null) return null;");
        code.Line($"{Helpers}.Expect(ref reader, {TokenType}.StartObject);");
        EmitReadDispatch(code, type.FullName, polymorphism);
        if (type.IsAbstract)
        {
            code.Line($"throw {Helpers}.MissingDiscriminator<{type.FullName}>(ref reader, {StateTypeEmitter.Literal(polymorphism.PropertyName)});");
        }
        else
        {
            ReachedTypeEmitter.EmitReadBody(code, prefix, type, contextInfo);
        }

        code.Close();
        code.Line();
    }

    /// <summary>
    /// With the reader on an object's start: when its first property is the discriminator, returns the listed derived
    /// type it names (or throws for an unknown one); else leaves the reader where it was.
    /// </summary>
    public static void EmitReadDispatch(CodeWriter code, string self, PolymorphismModel polymorphism)
    {
        // A copy (a struct) to read the object again from its start when it has no discriminator.
        code.Line("var start = reader;");
        code.Open($"if (reader.Read() && reader.TokenType == {TokenType}.PropertyName && reader.ValueTextEquals({StateTypeEmitter.Literal(polymorphism.PropertyName)}u8))");
        code.Line("reader.Read();");
        var strings = polymorphism.Derived.Where(d => d.Discriminator is not null && !d.IsNumber).ToList();
        if (strings.Count > 0)
        {
            code.Open($"if (reader.TokenType == {TokenType}.String)");
            foreach (var derived in strings)
            {
                code.Line($"if (reader.ValueTextEquals({StateTypeEmitter.Literal(derived.Discriminator!)}u8)) return {ReachedTypeEmitter.ReadRestMethod(derived.Reached)}(ref reader);");
            }

            code.Close();
        }

        var numbers = polymorphism.Derived.Where(d => d.IsNumber).ToList();
        if (numbers.Count > 0)
        {
            code.Open($"if (reader.TokenType == {TokenType}.Number && reader.TryGetInt32(out var discriminator))");
            code.Open("switch (discriminator)");
            foreach (var derived in numbers)
            {
                code.Line($"case {derived.Discriminator}: return {ReachedTypeEmitter.ReadRestMethod(derived.Reached)}(ref reader);");
            }

            code.Close();
            code.Close();
        }

        code.Line($"throw {Helpers}.UnknownDiscriminator<{self}>(ref reader);");
        code.Close();
        code.Line();
        code.Line("reader = start;");
    }
}
