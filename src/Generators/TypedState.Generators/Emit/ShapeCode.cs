using System;
using System.Collections.Generic;
using TypedState.Generators.Model;

namespace TypedState.Generators.Emit;

/// <summary>
/// The code that writes and reads one value of a <see cref="TypeShape"/>: one statement or expression where it can be
/// (collections of strings and values through <c>StateJsonCollections</c>), loops otherwise. Readers start on
/// the value's first token and end on its last, like System.Text.Json converters. The short names are the using
/// aliases of the generated file (<see cref="Aliases"/>). The code is compiled with nullable warnings off (no nullable
/// analysis), so it needs no <c>!</c>.
/// </summary>
internal static class ShapeCode
{
    public const string Json = "global::System.Text.Json";
    public const string Helpers = "__StateJson";
    public const string Collections = "__Collections";
    public const string TokenType = "__JsonTokenType";
    private const string ConcreteList = "global::System.Collections.Generic.List<";
    private const string ConcreteSet = "global::System.Collections.Generic.HashSet<";
    private const string ConcreteDictionary = "global::System.Collections.Generic.Dictionary<";
    private const string ImmutableArray = "global::System.Collections.Immutable.ImmutableArray<";

    /// <summary>The using aliases the generated code may use, and what they stand for.</summary>
    public static readonly IReadOnlyList<(string Alias, string Target)> Aliases =
    [
        (Helpers, "global::TypedState.CompilerServices.StateJson"),
        (Collections, "global::TypedState.CompilerServices.StateJsonCollections"),
        (TokenType, Json + ".JsonTokenType"),
    ];

    /// <summary>
    /// Writes member <paramref name="value"/> as the property <paramref name="name"/> (a <c>JsonEncodedText</c>):
    /// a collection whose elements have a codec in one call, anything else as <see cref="Write"/> does.
    /// </summary>
    public static void WriteMember(CodeWriter code, TypeShape shape, string value, string name, string scope, Func<TypeShape, string> contextInfo)
    {
        // Immutable and frozen collections take the loop: foreach on their own type uses their struct enumerators,
        // where the helpers' IEnumerable<T> would box one (and an ImmutableArray) per write.
        if (Collection(shape) is { } collection && shape.Finish is null)
        {
            var method = shape.Kind switch
            {
                ShapeKind.Array => "WriteArray",
                ShapeKind.List => IsConcrete(shape, ConcreteList) ? "WriteList" : "WriteSequence",
                ShapeKind.Set => IsConcrete(shape, ConcreteSet) ? "WriteSet" : "WriteSequence",
                _ => IsConcrete(shape, ConcreteDictionary) ? "WriteDictionary" : "WritePairs",
            };

            code.Line($"{Collections}.{method}<{collection}>(writer, {name}, {value});");
            return;
        }

        Write(code, shape, value, scope, 0, contextInfo, name);
    }

    /// <summary>
    /// Writes <paramref name="value"/> (an expression evaluated once) with writer <c>writer</c>. Pattern variables of an
    /// <c>if</c> are in scope for the rest of the method, so their names carry <paramref name="scope"/> (one per member).
    /// With a <paramref name="name"/> (an expression of type <c>JsonEncodedText</c> or <c>string</c>) the value is written
    /// as that property, through the writer's name-and-value methods (<c>WriteString(name, value)</c>, one call where
    /// <c>WritePropertyName</c> then <c>WriteStringValue</c> took two: the same bytes, less work); without one it is
    /// written where a value is expected (an array element).
    /// </summary>
    public static void Write(CodeWriter code, TypeShape shape, string value, string scope, int depth, Func<TypeShape, string> contextInfo, string? name = null)
    {
        if (Statements(shape, value, scope, depth, contextInfo, name) is { } statements)
        {
            code.Line(string.Join(" ", statements));
            return;
        }

        // A collection whose elements have no codec (parts, enums, nullable values, nested collections, context types): a loop.
        var writeNull = name is null ? "writer.WriteNullValue();" : $"writer.WriteNull({name});";
        var suffix = scope + depth.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (shape.Kind == ShapeKind.Dictionary)
        {
            code.Open($"if ({value} is {{ }} d{suffix})");
            code.Line($"writer.WriteStartObject({name});");
            code.Open($"foreach (var p{suffix} in d{suffix})");
            if (shape.Key is { } key)
            {
                // A key that is not a string: its text, as System.Text.Json writes it, then the value.
                code.Line($"{Helpers}.Write{(key.Kind == ShapeKind.Enum ? "EnumKey" : "Key")}(writer, p{suffix}.Key);");
                Write(code, shape.Element!, $"p{suffix}.Value", scope, depth + 1, contextInfo);
            }
            else
            {
                Write(code, shape.Element!, $"p{suffix}.Value", scope, depth + 1, contextInfo, $"p{suffix}.Key");
            }

            code.Close();
            code.Line("writer.WriteEndObject();");
        }
        else
        {
            code.Open($"if ({value} is {{ }} c{suffix})");
            code.Line($"writer.WriteStartArray({name});");
            if (shape.Kind == ShapeKind.List && IsConcrete(shape, ConcreteList))
            {
                // A List<T> is indexed: no enumerator and its version checks.
                code.Open($"for (var i{suffix} = 0; i{suffix} < c{suffix}.Count; i{suffix}++)");
                Write(code, shape.Element!, $"c{suffix}[i{suffix}]", scope, depth + 1, contextInfo);
            }
            else
            {
                code.Open($"foreach (var e{suffix} in c{suffix})");
                Write(code, shape.Element!, $"e{suffix}", scope, depth + 1, contextInfo);
            }

            code.Close();
            code.Line("writer.WriteEndArray();");
        }

        code.Close().Line($"else {writeNull}");
    }

    /// <summary>Reads a value of <paramref name="shape"/> into the existing variable <paramref name="target"/>.</summary>
    public static void Read(CodeWriter code, TypeShape shape, string target, int depth, Func<TypeShape, string> contextInfo)
    {
        if (ReadExpression(shape, contextInfo) is { } expression)
        {
            code.Line($"{target} = {expression};");
            return;
        }

        // A collection whose elements have no codec: a loop.
        var element = shape.Element!.TypeName;
        var suffix = depth.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // An ImmutableArray is a struct: no null, as in System.Text.Json.
        var onNull = IsConcrete(shape, ImmutableArray) ? $"throw {Helpers}.NullStruct<{NonNullable(shape.TypeName)}>(ref reader)" : $"{target} = null";
        code.Line($"if (reader.TokenType == {TokenType}.Null) {onNull};");
        code.Open("else");
        if (shape.Kind == ShapeKind.Dictionary)
        {
            code.Line($"{Helpers}.Expect(ref reader, {TokenType}.StartObject);");
            code.Line($"var d{suffix} = new global::System.Collections.Generic.Dictionary<{KeyType(shape)}, {element}>();");
            ReadElements(code, shape, "d" + suffix, depth, contextInfo);
            code.Line($"{target} = {Finished(shape, $"d{suffix}")};");
        }
        else
        {
            var collection = shape.Kind == ShapeKind.Set ? "HashSet" : "List";
            code.Line($"{Helpers}.Expect(ref reader, {TokenType}.StartArray);");
            code.Line($"var c{suffix} = new global::System.Collections.Generic.{collection}<{element}>();");
            ReadElements(code, shape, "c" + suffix, depth, contextInfo);
            code.Line($"{target} = {Finished(shape, $"c{suffix}")};");
        }

        code.Close();
    }

    /// <summary>
    /// Adds the elements of the array or object the reader is on to the collection <paramref name="target"/> holds (a
    /// list, set or dictionary of a get-only member of <paramref name="self"/>), as System.Text.Json populates one: lists
    /// and sets append, dictionaries set each key. A JSON null is an error, as System.Text.Json finds it.
    /// </summary>
    public static void Populate(CodeWriter code, TypeShape shape, string target, string self, Func<TypeShape, string> contextInfo)
    {
        var (variable, item, start) = shape.Kind == ShapeKind.Dictionary
            ? ("d0", $"global::System.Collections.Generic.KeyValuePair<{KeyType(shape)}, {shape.Element!.TypeName}>", "StartObject")
            : ("c0", shape.Element!.TypeName, "StartArray");
        code.Line($"var {variable} = {Helpers}.Populating<{self}, {NonNullable(shape.TypeName)}, {item}>(ref reader, {target}, {TokenType}.{start});");
        ReadElements(code, shape, variable, 0, contextInfo);
    }

    /// <summary>
    /// The loop that reads the elements of the array or object the reader is on into <paramref name="collection"/>:
    /// adding each, or setting each key of a dictionary. Its locals end in <paramref name="depth"/>.
    /// </summary>
    private static void ReadElements(CodeWriter code, TypeShape shape, string collection, int depth, Func<TypeShape, string> contextInfo)
    {
        var suffix = depth.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (shape.Kind == ShapeKind.Dictionary)
        {
            var readKey = shape.Key is null ? "reader.GetString()" : $"{Helpers}.Read{(shape.Key.Kind == ShapeKind.Enum ? "EnumKey" : "Key")}<{KeyType(shape)}>(ref reader)";
            code.Open($"while (reader.Read() && reader.TokenType != {TokenType}.EndObject)");
            code.Line($"var k{suffix} = {readKey};");
            code.Line("reader.Read();");
        }
        else
        {
            code.Open($"while (reader.Read() && reader.TokenType != {TokenType}.EndArray)");
        }

        code.Line($"{shape.Element!.TypeName} e{suffix};");
        Read(code, shape.Element!, $"e{suffix}", depth + 1, contextInfo);
        code.Line(shape.Kind == ShapeKind.Dictionary ? $"{collection}[k{suffix}] = e{suffix};" : $"{collection}.Add(e{suffix});");
        code.Close();
    }

    /// <summary>The type of a dictionary's keys: a string, or the shape of keys that are not.</summary>
    private static string KeyType(TypeShape shape) => shape.Key is { } key ? key.TypeName : "string";

    /// <summary>The collection of <paramref name="shape"/>'s type made from the List, HashSet or Dictionary read.</summary>
    private static string Finished(TypeShape shape, string read) =>
        shape.Finish is { } finish ? $"{finish}({read})" : shape.Kind == ShapeKind.Array ? read + ".ToArray()" : read;

    /// <summary>A type name without its trailing nullable-reference marker.</summary>
    public static string NonNullable(string typeName) => typeName.EndsWith("?", StringComparison.Ordinal) ? typeName.Substring(0, typeName.Length - 1) : typeName;

    /// <summary>The statements that write a value on one line, or null for a collection that takes a loop.</summary>
    private static List<string>? Statements(TypeShape shape, string value, string scope, int depth, Func<TypeShape, string> contextInfo, string? name)
    {
        var prefix = name is null ? string.Empty : name + ", ";
        var propertyName = name is null ? null : $"writer.WritePropertyName({name});";
        switch (shape.Kind)
        {
            case ShapeKind.Primitive:
                return WritePrimitive(shape.Primitive, value, name, propertyName);
            case ShapeKind.Enum when shape.AsString:
                // A value without a name is written as a number, as JsonStringEnumConverter does.
                return Join(propertyName, $"{Helpers}.WriteEnumName<{shape.TypeName}>(writer, {value});");
            case ShapeKind.Enum:
                return [$"writer.WriteNumber{(name is null ? "Value" : string.Empty)}({prefix}({UnderlyingCast(shape.Primitive)}){value});"];
            case ShapeKind.Nullable:
                // The underlying type is a value type (never a collection), so it writes on one line.
                var variable = $"v{scope}{depth.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
                var inner = Statements(shape.Element!, variable, scope, depth + 1, contextInfo, name)!;
                var then = inner.Count == 1 ? inner[0] : "{ " + string.Join(" ", inner) + " }";
                return [$"if ({value} is {{ }} {variable}) {then} else {(name is null ? "writer.WriteNullValue();" : $"writer.WriteNull({name});")}"];
            case ShapeKind.Part:
                return [$"{Helpers}.WritePart<{NonNullable(shape.TypeName)}>(writer, {prefix}{value});"];
            case ShapeKind.Reached:
                return Join(propertyName, $"{ReachedTypeEmitter.WriteMethod(shape.Reached)}(writer, {value});");
            case ShapeKind.Context:
                // The type info is of the non-nullable type; null is still written as null.
                return Join(propertyName, $"{Json}.JsonSerializer.Serialize(writer, {value}, {contextInfo(shape)});");
            case ShapeKind.Array:
            case ShapeKind.List:
            case ShapeKind.Set:
            case ShapeKind.Dictionary:
                return null;
            default:
                throw new ArgumentOutOfRangeException(nameof(shape), shape.Kind, null);
        }
    }

    /// <summary>An expression that reads a value of <paramref name="shape"/>, or null for a collection that takes a loop.</summary>
    public static string? ReadExpression(TypeShape shape, Func<TypeShape, string> contextInfo)
    {
        switch (shape.Kind)
        {
            case ShapeKind.Primitive:
                return ReadPrimitive(shape.Primitive, shape.TypeName);
            case ShapeKind.Enum:
                return $"reader.TokenType == {TokenType}.String ? {Helpers}.ParseEnum<{shape.TypeName}>(ref reader) : ({shape.TypeName}){ReadPrimitive(shape.Primitive, shape.TypeName)}";
            case ShapeKind.Nullable:
                // The underlying type is a value type (never a collection), so it reads as an expression.
                var inner = ReadExpression(shape.Element!, contextInfo)!;
                return $"reader.TokenType == {TokenType}.Null ? null : {(shape.Element!.Kind == ShapeKind.Enum ? "(" + inner + ")" : inner)}";
            case ShapeKind.Array:
            case ShapeKind.List:
            case ShapeKind.Set:
            case ShapeKind.Dictionary:
                var method = shape.Kind switch
                {
                    ShapeKind.Set => "ReadSet",
                    ShapeKind.Dictionary => "ReadDictionary",
                    _ => "ReadList",
                };
                // Immutable and frozen collections take the loop, which makes them from what it read (null stays null).
                return Collection(shape) is { } collection && shape.Finish is null
                    ? $"{Collections}.{method}<{collection}>(ref reader){(shape.Kind == ShapeKind.Array ? "?.ToArray()" : string.Empty)}"
                    : null;
            case ShapeKind.Part:
                return $"{Helpers}.ReadPart<{NonNullable(shape.TypeName)}>(ref reader)";
            case ShapeKind.Reached:
                return $"{ReachedTypeEmitter.ReadMethod(shape.Reached)}(ref reader)";
            case ShapeKind.Context:
                return $"{Json}.JsonSerializer.Deserialize(ref reader, {contextInfo(shape)})";
            default:
                throw new ArgumentOutOfRangeException(nameof(shape), shape.Kind, null);
        }
    }

    /// <summary>
    /// The type arguments (element type, codec) of the <c>StateJsonCollections</c> methods for a collection whose
    /// elements are strings or primitive values; null for anything else. Collections of parts keep their loops: in a
    /// generic helper, shared by every reference type, each part element would cost runtime lookups that the loop,
    /// compiled for its exact types, does not.
    /// </summary>
    private static string? Collection(TypeShape shape)
    {
        if (shape.Kind is not (ShapeKind.Array or ShapeKind.List or ShapeKind.Set or ShapeKind.Dictionary) || shape.Key is not null)
        {
            return null;
        }

        var element = shape.Element!;
        var type = NonNullable(element.TypeName);
        return element switch
        {
            { Kind: ShapeKind.Primitive, Primitive: Primitive.String } => "string, global::TypedState.CompilerServices.StateJsonStringCodec",
            { Kind: ShapeKind.Primitive, Primitive: < Primitive.Bytes } => $"{type}, global::TypedState.CompilerServices.StateJsonValueCodec<{type}>",
            _ => null,
        };
    }

    private static bool IsConcrete(TypeShape shape, string prefix) => NonNullable(shape.TypeName).StartsWith(prefix, StringComparison.Ordinal);

    private static List<string> Join(string? first, string second) => first is null ? [second] : [first, second];

    private static List<string> WritePrimitive(Primitive primitive, string value, string? name, string? propertyName)
    {
        // Value methods (WriteStringValue) and their property forms (WriteString(name, ...)) take the same value types.
        var prefix = name is null ? string.Empty : name + ", ";
        var suffix = name is null ? "Value" : string.Empty;
        return primitive switch
        {
            Primitive.Boolean => [$"writer.WriteBoolean{suffix}({prefix}{value});"],
            Primitive.Byte or Primitive.SByte or Primitive.Int16 or Primitive.UInt16 => [$"writer.WriteNumber{suffix}({prefix}(int){value});"],
            Primitive.Int32 or Primitive.UInt32 or Primitive.Int64 or Primitive.UInt64 or Primitive.Single or Primitive.Double or Primitive.Decimal => [$"writer.WriteNumber{suffix}({prefix}{value});"],
            Primitive.String or Primitive.DateTime or Primitive.DateTimeOffset or Primitive.Guid => [$"writer.WriteString{suffix}({prefix}{value});"],

            // Written by helpers, which write values only.
            Primitive.Char => Join(propertyName, $"{Helpers}.WriteChar(writer, {value});"),
            Primitive.TimeSpan => Join(propertyName, $"{Helpers}.WriteTimeSpan(writer, {value});"),
            Primitive.Bytes => Join(propertyName, $"{Helpers}.WriteBytes(writer, {value});"),
            Primitive.DateOnly or Primitive.TimeOnly or Primitive.Half or Primitive.Int128 or Primitive.UInt128 or Primitive.Uri
                or Primitive.JsonElement or Primitive.JsonNode => Join(propertyName, $"{Helpers}.Write{HelperName(primitive)}(writer, {value});"),
            _ => throw new ArgumentOutOfRangeException(nameof(primitive), primitive, null),
        };
    }

    /// <summary>The suffix of the StateJson helpers that write and read a value System.Text.Json writes with a converter of its own.</summary>
    private static string HelperName(Primitive primitive) => primitive switch
    {
        Primitive.JsonElement => "Element",
        Primitive.JsonNode => "Node",
        _ => primitive.ToString(),
    };

    private static string ReadPrimitive(Primitive primitive, string typeName) => primitive switch
    {
        Primitive.DateOnly or Primitive.TimeOnly or Primitive.Half or Primitive.Int128 or Primitive.UInt128 or Primitive.Uri or Primitive.JsonElement
            => $"{Helpers}.Read{HelperName(primitive)}(ref reader)",
        Primitive.JsonNode => $"{Helpers}.ReadNode<{NonNullable(typeName)}>(ref reader)",
        Primitive.Boolean => "reader.GetBoolean()",
        Primitive.Byte => "reader.GetByte()",
        Primitive.SByte => "reader.GetSByte()",
        Primitive.Int16 => "reader.GetInt16()",
        Primitive.UInt16 => "reader.GetUInt16()",
        Primitive.Int32 => "reader.GetInt32()",
        Primitive.UInt32 => "reader.GetUInt32()",
        Primitive.Int64 => "reader.GetInt64()",
        Primitive.UInt64 => "reader.GetUInt64()",
        Primitive.Single => "reader.GetSingle()",
        Primitive.Double => "reader.GetDouble()",
        Primitive.Decimal => "reader.GetDecimal()",
        Primitive.Char => $"{Helpers}.ReadChar(ref reader)",
        Primitive.String => "reader.GetString()",
        Primitive.DateTime => "reader.GetDateTime()",
        Primitive.DateTimeOffset => "reader.GetDateTimeOffset()",
        Primitive.Guid => "reader.GetGuid()",
        Primitive.TimeSpan => $"{Helpers}.ReadTimeSpan(ref reader)",
        Primitive.Bytes => $"{Helpers}.ReadBytes(ref reader)",
        _ => throw new ArgumentOutOfRangeException(nameof(primitive), primitive, null),
    };

    private static string UnderlyingCast(Primitive primitive) => primitive switch
    {
        Primitive.Byte => "byte",
        Primitive.SByte => "sbyte",
        Primitive.Int16 => "short",
        Primitive.UInt16 => "ushort",
        Primitive.UInt32 => "uint",
        Primitive.Int64 => "long",
        Primitive.UInt64 => "ulong",
        _ => "int",
    };
}
