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

    /// <summary>
    /// Writes <paramref name="value"/> (an expression evaluated once) with writer <c>writer</c>. Pattern variables of an
    /// <c>if</c> are in scope for the rest of the method, so their names carry <paramref name="scope"/> (one per member).
    /// </summary>
    public static void Write(CodeWriter code, TypeShape shape, string value, string scope, int depth, Func<TypeShape, string> contextInfo)
    {
        switch (shape.Kind)
        {
            case ShapeKind.Primitive:
                code.Line(WritePrimitive(shape.Primitive, value));
                return;
            case ShapeKind.Enum:
                code.Line(shape.AsString
                    ? $"writer.WriteStringValue({value}.ToString());"
                    : $"writer.WriteNumberValue(({UnderlyingCast(shape.Primitive)}){value});");
                return;
            case ShapeKind.Nullable:
                code.Open($"if ({value} is {{ }} v{scope}{depth})");
                Write(code, shape.Element!, $"v{scope}{depth}", scope, depth + 1, contextInfo);
                code.Close().Open("else").Line("writer.WriteNullValue();").Close();
                return;
            case ShapeKind.Array:
            case ShapeKind.List:
            case ShapeKind.Set:
                code.Open($"if ({value} is {{ }} c{scope}{depth})");
                code.Line("writer.WriteStartArray();");
                code.Open($"foreach (var e{scope}{depth} in c{scope}{depth})");
                Write(code, shape.Element!, $"e{scope}{depth}", scope, depth + 1, contextInfo);
                code.Close();
                code.Line("writer.WriteEndArray();");
                code.Close().Open("else").Line("writer.WriteNullValue();").Close();
                return;
            case ShapeKind.Dictionary:
                code.Open($"if ({value} is {{ }} d{scope}{depth})");
                code.Line("writer.WriteStartObject();");
                code.Open($"foreach (var p{scope}{depth} in d{scope}{depth})");
                code.Line($"writer.WritePropertyName(p{scope}{depth}.Key);");
                Write(code, shape.Element!, $"p{scope}{depth}.Value", scope, depth + 1, contextInfo);
                code.Close();
                code.Line("writer.WriteEndObject();");
                code.Close().Open("else").Line("writer.WriteNullValue();").Close();
                return;
            case ShapeKind.Part:
                code.Line($"{Helpers}.WritePart<{NonNullable(shape.TypeName)}>(writer, {value});");
                return;
            case ShapeKind.Context:
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

    private static string WritePrimitive(Primitive primitive, string value) => primitive switch
    {
        Primitive.Boolean => $"writer.WriteBooleanValue({value});",
        Primitive.Byte or Primitive.SByte or Primitive.Int16 or Primitive.UInt16 => $"writer.WriteNumberValue((int){value});",
        Primitive.Int32 or Primitive.UInt32 or Primitive.Int64 or Primitive.UInt64 or Primitive.Single or Primitive.Double or Primitive.Decimal => $"writer.WriteNumberValue({value});",
        Primitive.Char => $"{Helpers}.WriteChar(writer, {value});",
        Primitive.String or Primitive.DateTime or Primitive.DateTimeOffset or Primitive.Guid => $"writer.WriteStringValue({value});",
        Primitive.TimeSpan => $"{Helpers}.WriteTimeSpan(writer, {value});",
        Primitive.Bytes => $"{Helpers}.WriteBytes(writer, {value});",
        _ => throw new ArgumentOutOfRangeException(nameof(primitive), primitive, null),
    };

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
