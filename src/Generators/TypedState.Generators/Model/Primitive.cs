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
}
