namespace TypedState.Generators.Model;

/// <summary>How a member type is written to JSON.</summary>
internal enum ShapeKind
{
    /// <summary>A number, boolean, string, date or id with a direct reader/writer call (see <see cref="Primitive"/>).</summary>
    Primitive,

    /// <summary>An enum: as a number, or as its name when the enum asks for JsonStringEnumConverter.</summary>
    Enum,

    /// <summary>A nullable value type.</summary>
    Nullable,

    /// <summary>A one-dimensional array.</summary>
    Array,

    /// <summary>A list or a list interface, read into a List.</summary>
    List,

    /// <summary>A set or a set interface, read into a HashSet.</summary>
    Set,

    /// <summary>A dictionary with string keys, read into a Dictionary.</summary>
    Dictionary,

    /// <summary>A state type or state part with a generated serializer.</summary>
    Part,

    /// <summary>A type without a state attribute, reached from a member, with serializer methods in the state type's generated half.</summary>
    Reached,

    /// <summary>A type serialized by the user's JsonSerializerContext.</summary>
    Context,
}
