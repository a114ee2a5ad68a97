using System.ComponentModel;

namespace TypedState.CompilerServices;

/// <summary>
/// Marks the constructor the generator adds to a state type to build it from read members, so it can never be
/// confused with a constructor the type declares itself.
/// </summary>
/// <remarks>For the code the TypedState generator emits; not meant to be used directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct StateConstruction
{
}
