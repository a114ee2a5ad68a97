namespace TypedState;

/// <summary>
/// Marks a partial type used inside state types (a member, a list element, a dictionary value) so the generator
/// emits its serializer. A part has no key and no version of its own: it is versioned with the state that holds it.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false, AllowMultiple = false)]
public sealed class StatePartAttribute : Attribute
{
    /// <summary>A <c>JsonSerializerContext</c> for member types the generator does not handle itself.</summary>
    public Type? SerializerContext { get; set; }
}
