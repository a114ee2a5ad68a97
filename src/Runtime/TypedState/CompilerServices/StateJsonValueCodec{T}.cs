using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace TypedState.CompilerServices;

/// <summary>
/// Numbers, booleans, characters, dates, time spans and Guids as collection elements, in the same format as the
/// generated code writes a member of that type. <typeparamref name="T"/> is a value type, so each instantiation is
/// compiled for its own type and the JIT keeps only the branch of that type: no boxing, no type test at run time.
/// </summary>
/// <typeparam name="T">The element type: one of the value types the generator reads and writes directly.</typeparam>
/// <remarks>For the code the TypedState generator emits; not meant to be used directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
[SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "They implement the static abstract members of IStateJsonCodec<T>: codecs are type arguments, never called by name.")]
public readonly struct StateJsonValueCodec<T> : IStateJsonCodec<T>
    where T : struct
{
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Read(ref Utf8JsonReader reader)
    {
        if (typeof(T) == typeof(bool)) return Unsafe.BitCast<bool, T>(reader.GetBoolean());
        if (typeof(T) == typeof(byte)) return Unsafe.BitCast<byte, T>(reader.GetByte());
        if (typeof(T) == typeof(sbyte)) return Unsafe.BitCast<sbyte, T>(reader.GetSByte());
        if (typeof(T) == typeof(short)) return Unsafe.BitCast<short, T>(reader.GetInt16());
        if (typeof(T) == typeof(ushort)) return Unsafe.BitCast<ushort, T>(reader.GetUInt16());
        if (typeof(T) == typeof(int)) return Unsafe.BitCast<int, T>(reader.GetInt32());
        if (typeof(T) == typeof(uint)) return Unsafe.BitCast<uint, T>(reader.GetUInt32());
        if (typeof(T) == typeof(long)) return Unsafe.BitCast<long, T>(reader.GetInt64());
        if (typeof(T) == typeof(ulong)) return Unsafe.BitCast<ulong, T>(reader.GetUInt64());
        if (typeof(T) == typeof(float)) return Unsafe.BitCast<float, T>(reader.GetSingle());
        if (typeof(T) == typeof(double)) return Unsafe.BitCast<double, T>(reader.GetDouble());
        if (typeof(T) == typeof(decimal)) return Unsafe.BitCast<decimal, T>(reader.GetDecimal());
        if (typeof(T) == typeof(char)) return Unsafe.BitCast<char, T>(StateJson.ReadChar(ref reader));
        if (typeof(T) == typeof(DateTime)) return Unsafe.BitCast<DateTime, T>(reader.GetDateTime());
        if (typeof(T) == typeof(DateTimeOffset)) return Unsafe.BitCast<DateTimeOffset, T>(reader.GetDateTimeOffset());
        if (typeof(T) == typeof(Guid)) return Unsafe.BitCast<Guid, T>(reader.GetGuid());
        if (typeof(T) == typeof(TimeSpan)) return Unsafe.BitCast<TimeSpan, T>(StateJson.ReadTimeSpan(ref reader));
        throw Unsupported();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Utf8JsonWriter writer, T value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (typeof(T) == typeof(bool)) writer.WriteBooleanValue(Unsafe.BitCast<T, bool>(value));
        else if (typeof(T) == typeof(byte)) writer.WriteNumberValue(Unsafe.BitCast<T, byte>(value));
        else if (typeof(T) == typeof(sbyte)) writer.WriteNumberValue(Unsafe.BitCast<T, sbyte>(value));
        else if (typeof(T) == typeof(short)) writer.WriteNumberValue(Unsafe.BitCast<T, short>(value));
        else if (typeof(T) == typeof(ushort)) writer.WriteNumberValue(Unsafe.BitCast<T, ushort>(value));
        else if (typeof(T) == typeof(int)) writer.WriteNumberValue(Unsafe.BitCast<T, int>(value));
        else if (typeof(T) == typeof(uint)) writer.WriteNumberValue(Unsafe.BitCast<T, uint>(value));
        else if (typeof(T) == typeof(long)) writer.WriteNumberValue(Unsafe.BitCast<T, long>(value));
        else if (typeof(T) == typeof(ulong)) writer.WriteNumberValue(Unsafe.BitCast<T, ulong>(value));
        else if (typeof(T) == typeof(float)) writer.WriteNumberValue(Unsafe.BitCast<T, float>(value));
        else if (typeof(T) == typeof(double)) writer.WriteNumberValue(Unsafe.BitCast<T, double>(value));
        else if (typeof(T) == typeof(decimal)) writer.WriteNumberValue(Unsafe.BitCast<T, decimal>(value));
        else if (typeof(T) == typeof(char)) StateJson.WriteChar(writer, Unsafe.BitCast<T, char>(value));
        else if (typeof(T) == typeof(DateTime)) writer.WriteStringValue(Unsafe.BitCast<T, DateTime>(value));
        else if (typeof(T) == typeof(DateTimeOffset)) writer.WriteStringValue(Unsafe.BitCast<T, DateTimeOffset>(value));
        else if (typeof(T) == typeof(Guid)) writer.WriteStringValue(Unsafe.BitCast<T, Guid>(value));
        else if (typeof(T) == typeof(TimeSpan)) StateJson.WriteTimeSpan(writer, Unsafe.BitCast<T, TimeSpan>(value));
        else throw Unsupported();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Utf8JsonWriter writer, string propertyName, T value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (typeof(T) == typeof(bool)) writer.WriteBoolean(propertyName, Unsafe.BitCast<T, bool>(value));
        else if (typeof(T) == typeof(byte)) writer.WriteNumber(propertyName, Unsafe.BitCast<T, byte>(value));
        else if (typeof(T) == typeof(sbyte)) writer.WriteNumber(propertyName, Unsafe.BitCast<T, sbyte>(value));
        else if (typeof(T) == typeof(short)) writer.WriteNumber(propertyName, Unsafe.BitCast<T, short>(value));
        else if (typeof(T) == typeof(ushort)) writer.WriteNumber(propertyName, Unsafe.BitCast<T, ushort>(value));
        else if (typeof(T) == typeof(int)) writer.WriteNumber(propertyName, Unsafe.BitCast<T, int>(value));
        else if (typeof(T) == typeof(uint)) writer.WriteNumber(propertyName, Unsafe.BitCast<T, uint>(value));
        else if (typeof(T) == typeof(long)) writer.WriteNumber(propertyName, Unsafe.BitCast<T, long>(value));
        else if (typeof(T) == typeof(ulong)) writer.WriteNumber(propertyName, Unsafe.BitCast<T, ulong>(value));
        else if (typeof(T) == typeof(float)) writer.WriteNumber(propertyName, Unsafe.BitCast<T, float>(value));
        else if (typeof(T) == typeof(double)) writer.WriteNumber(propertyName, Unsafe.BitCast<T, double>(value));
        else if (typeof(T) == typeof(decimal)) writer.WriteNumber(propertyName, Unsafe.BitCast<T, decimal>(value));
        else if (typeof(T) == typeof(DateTime)) writer.WriteString(propertyName, Unsafe.BitCast<T, DateTime>(value));
        else if (typeof(T) == typeof(DateTimeOffset)) writer.WriteString(propertyName, Unsafe.BitCast<T, DateTimeOffset>(value));
        else if (typeof(T) == typeof(Guid)) writer.WriteString(propertyName, Unsafe.BitCast<T, Guid>(value));
        else if (typeof(T) == typeof(char) || typeof(T) == typeof(TimeSpan))
        {
            // Written by helpers that write values only.
            writer.WritePropertyName(propertyName);
            Write(writer, value);
        }
        else
        {
            throw Unsupported();
        }
    }

    private static NotSupportedException Unsupported() => new($"{typeof(T).Name} is not a type the generated serializers read and write as a collection element.");
}
