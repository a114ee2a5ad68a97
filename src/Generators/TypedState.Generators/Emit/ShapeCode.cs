using System;
using TypedState.Generators.Model;

namespace TypedState.Generators.Emit;

/// <summary>
/// The statements that write and read one value of a <see cref="TypeShape"/>. Readers start on the value's first
/// token and end on its last, like System.Text.Json converters.
/// </summary>
internal static class ShapeCode
{
    public const string Json = "global::System.Text.Json";
    private const string Helpers = "global::TypedState.StateJson";
    private const string TokenType = Json + ".JsonTokenType";
    private const string ConcreteList = "global::System.Collections.Generic.List<";

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
        var writeNull = name is null ? "writer.WriteNullValue();" : $"writer.WriteNull({name});";
        var prefix = name is null ? string.Empty : name + ", ";
        switch (shape.Kind)
        {
            case ShapeKind.Primitive:
                foreach (var statement in WritePrimitive(shape.Primitive, value, name).Split('\n'))
                {
                    code.Line(statement);
                }

                return;
            case ShapeKind.Enum:
                if (shape.AsString)
                {
                    // A value without a name is written as a number, as JsonStringEnumConverter does.
                    if (name is not null)
                    {
                        code.Line($"writer.WritePropertyName({name});");
                    }

                    code.Line($"{Helpers}.WriteEnumName<{shape.TypeName}>(writer, {value});");
                }
                else
                {
                    code.Line($"writer.WriteNumber{(name is null ? "Value" : string.Empty)}({prefix}({UnderlyingCast(shape.Primitive)}){value});");
                }

                return;
            case ShapeKind.Nullable:
                code.Open($"if ({value} is {{ }} v{scope}{depth})");
                Write(code, shape.Element!, $"v{scope}{depth}", scope, depth + 1, contextInfo, name);
                code.Close().Open("else").Line(writeNull).Close();
                return;
            case ShapeKind.Array:
            case ShapeKind.List:
            case ShapeKind.Set:
                code.Open($"if ({value} is {{ }} c{scope}{depth})");
                code.Line($"writer.WriteStartArray({name});");
                if (shape.Kind == ShapeKind.List && NonNullable(shape.TypeName).StartsWith(ConcreteList, StringComparison.Ordinal))
                {
                    // A List<T> is indexed: no enumerator and its version checks.
                    code.Open($"for (var i{scope}{depth} = 0; i{scope}{depth} < c{scope}{depth}.Count; i{scope}{depth}++)");
                    code.Line($"var e{scope}{depth} = c{scope}{depth}[i{scope}{depth}];");
                }
                else
                {
                    code.Open($"foreach (var e{scope}{depth} in c{scope}{depth})");
                }

                Write(code, shape.Element!, $"e{scope}{depth}", scope, depth + 1, contextInfo);
                code.Close();
                code.Line("writer.WriteEndArray();");
                code.Close().Open("else").Line(writeNull).Close();
                return;
            case ShapeKind.Dictionary:
                code.Open($"if ({value} is {{ }} d{scope}{depth})");
                code.Line($"writer.WriteStartObject({name});");
                code.Open($"foreach (var p{scope}{depth} in d{scope}{depth})");
                Write(code, shape.Element!, $"p{scope}{depth}.Value", scope, depth + 1, contextInfo, $"p{scope}{depth}.Key");
                code.Close();
                code.Line("writer.WriteEndObject();");
                code.Close().Open("else").Line(writeNull).Close();
                return;
            case ShapeKind.Part:
                code.Line($"{Helpers}.WritePart<{NonNullable(shape.TypeName)}>(writer, {prefix}{value});");
                return;
            case ShapeKind.Context:
                if (name is not null)
                {
                    code.Line($"writer.WritePropertyName({name});");
                }

                // The type info is of the non-nullable type; null is still written as null.
                code.Line($"{Json}.JsonSerializer.Serialize(writer, {value}!, {contextInfo(shape)});");
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(shape), shape.Kind, null);
        }
    }

    /// <summary>Reads a value of <paramref name="shape"/> into the existing variable <paramref name="target"/>.</summary>
    public static void Read(CodeWriter code, TypeShape shape, string target, int depth, Func<TypeShape, string> contextInfo)
    {
        switch (shape.Kind)
        {
            case ShapeKind.Primitive:
                code.Line($"{target} = {ReadPrimitive(shape.Primitive)};");
                return;
            case ShapeKind.Enum:
                code.Line($"{target} = reader.TokenType == {TokenType}.String ? {Helpers}.ParseEnum<{shape.TypeName}>(ref reader) : ({shape.TypeName}){ReadPrimitive(shape.Primitive)};");
                return;
            case ShapeKind.Nullable:
                code.Open($"if (reader.TokenType == {TokenType}.Null)").Line($"{target} = null;").Close();
                code.Open("else");
                code.Line($"{shape.Element!.TypeName} v{depth};");
                Read(code, shape.Element!, $"v{depth}", depth + 1, contextInfo);
                code.Line($"{target} = v{depth};");
                code.Close();
                return;
            case ShapeKind.Array:
            case ShapeKind.List:
            case ShapeKind.Set:
                var collection = shape.Kind == ShapeKind.Set
                    ? $"global::System.Collections.Generic.HashSet<{shape.Extra}>"
                    : $"global::System.Collections.Generic.List<{shape.Extra}>";
                code.Open($"if (reader.TokenType == {TokenType}.Null)").Line($"{target} = null!;").Close();
                code.Open("else");
                code.Line($"{Helpers}.Expect(ref reader, {TokenType}.StartArray);");
                code.Line($"var c{depth} = new {collection}();");
                code.Open($"while (reader.Read() && reader.TokenType != {TokenType}.EndArray)");
                code.Line($"{shape.Extra} e{depth};");
                Read(code, shape.Element!, $"e{depth}", depth + 1, contextInfo);
                code.Line($"c{depth}.Add(e{depth});");
                code.Close();
                code.Line($"{target} = c{depth}{(shape.Kind == ShapeKind.Array ? ".ToArray()" : string.Empty)};");
                code.Close();
                return;
            case ShapeKind.Dictionary:
                code.Open($"if (reader.TokenType == {TokenType}.Null)").Line($"{target} = null!;").Close();
                code.Open("else");
                code.Line($"{Helpers}.Expect(ref reader, {TokenType}.StartObject);");
                code.Line($"var d{depth} = new global::System.Collections.Generic.Dictionary<string, {shape.Extra}>();");
                code.Open($"while (reader.Read() && reader.TokenType != {TokenType}.EndObject)");
                code.Line($"var k{depth} = reader.GetString()!;");
                code.Line("reader.Read();");
                code.Line($"{shape.Extra} e{depth};");
                Read(code, shape.Element!, $"e{depth}", depth + 1, contextInfo);
                code.Line($"d{depth}[k{depth}] = e{depth};");
                code.Close();
                code.Line($"{target} = d{depth};");
                code.Close();
                return;
            case ShapeKind.Part:
                code.Line($"{target} = {Helpers}.ReadPart<{NonNullable(shape.TypeName)}>(ref reader);");
                return;
            case ShapeKind.Context:
                code.Line($"{target} = {Json}.JsonSerializer.Deserialize(ref reader, {contextInfo(shape)})!;");
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(shape), shape.Kind, null);
        }
    }

    /// <summary>A type name without its trailing nullable-reference marker.</summary>
    public static string NonNullable(string typeName) => typeName.EndsWith("?", StringComparison.Ordinal) ? typeName.Substring(0, typeName.Length - 1) : typeName;

    private static string WritePrimitive(Primitive primitive, string value, string? name)
    {
        // Value methods (WriteStringValue) and their property forms (WriteString(name, ...)) take the same value types.
        var prefix = name is null ? string.Empty : name + ", ";
        var suffix = name is null ? "Value" : string.Empty;
        return primitive switch
        {
            Primitive.Boolean => $"writer.WriteBoolean{suffix}({prefix}{value});",
            Primitive.Byte or Primitive.SByte or Primitive.Int16 or Primitive.UInt16 => $"writer.WriteNumber{suffix}({prefix}(int){value});",
            Primitive.Int32 or Primitive.UInt32 or Primitive.Int64 or Primitive.UInt64 or Primitive.Single or Primitive.Double or Primitive.Decimal => $"writer.WriteNumber{suffix}({prefix}{value});",
            Primitive.String or Primitive.DateTime or Primitive.DateTimeOffset or Primitive.Guid => $"writer.WriteString{suffix}({prefix}{value});",

            // Written by helpers, which write values only.
            Primitive.Char => $"{PropertyName(name)}{Helpers}.WriteChar(writer, {value});",
            Primitive.TimeSpan => $"{PropertyName(name)}{Helpers}.WriteTimeSpan(writer, {value});",
            Primitive.Bytes => $"{PropertyName(name)}{Helpers}.WriteBytes(writer, {value});",
            _ => throw new ArgumentOutOfRangeException(nameof(primitive), primitive, null),
        };
    }

    private static string PropertyName(string? name) => name is null ? string.Empty : $"writer.WritePropertyName({name});\n";

    private static string ReadPrimitive(Primitive primitive) => primitive switch
    {
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
        Primitive.String => "reader.GetString()!",
        Primitive.DateTime => "reader.GetDateTime()",
        Primitive.DateTimeOffset => "reader.GetDateTimeOffset()",
        Primitive.Guid => "reader.GetGuid()",
        Primitive.TimeSpan => $"{Helpers}.ReadTimeSpan(ref reader)",
        Primitive.Bytes => $"{Helpers}.ReadBytes(ref reader)!",
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
