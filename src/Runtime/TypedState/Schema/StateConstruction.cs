using System.ComponentModel;

namespace TypedState;

/// <summary>
/// Marks the constructor the generator adds to a state type to build it from read members, so it can never be
/// confused with a constructor the type declares itself.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct StateConstruction
{
}
