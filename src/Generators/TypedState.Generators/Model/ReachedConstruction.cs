namespace TypedState.Generators.Model;

/// <summary>How the generated reader creates a reached type.</summary>
internal enum ReachedConstruction
{
    /// <summary><c>new T(...)</c>: an accessible constructor, and no required member the call would have to set.</summary>
    New,

    /// <summary>
    /// Through an <c>[UnsafeAccessor]</c> of the constructor: it is not accessible, or the type has required members,
    /// which the reader checks itself (as System.Text.Json does) and sets only when present.
    /// </summary>
    Accessor,

    /// <summary><c>default(T)</c>: a struct without a parameterless constructor of its own, with required members.</summary>
    Default,
}
