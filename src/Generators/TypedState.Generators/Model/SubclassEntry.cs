namespace TypedState.Generators.Model;

/// <summary>
/// A class of the compilation and one of its base classes: <paramref name="BaseFullName"/> (fully qualified, as
/// <see cref="DeclaredType.FullName"/>), <paramref name="BaseName"/>, the class's <paramref name="Name"/> and where it is
/// declared.
/// </summary>
internal sealed record SubclassEntry(string BaseFullName, string BaseName, string Name, LocationInfo? Location);
