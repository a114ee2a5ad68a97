namespace TypedState.Generators.Model;

/// <summary>The primitive types the generated serializers read and write directly.</summary>
internal enum Primitive
{
    None,
    Boolean,
    Byte,
    SByte,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Single,
    Double,
    Decimal,
    Char,
    String,
    DateTime,
    DateTimeOffset,
    TimeSpan,
    Guid,
    Bytes,
    DateOnly,
    TimeOnly,
    Half,
    Int128,
    UInt128,
    Uri,

    /// <summary>System.Text.Json.JsonElement: any JSON value, as it is.</summary>
    JsonElement,

    /// <summary>JsonNode or one of its kinds (JsonObject, JsonArray, JsonValue), read as that kind.</summary>
    JsonNode,
}
