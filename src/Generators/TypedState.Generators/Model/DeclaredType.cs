namespace TypedState.Generators.Model;

/// <summary>
/// The user's type as the generated partial declaration repeats it: <paramref name="Namespace"/> (empty for the
/// global namespace), <paramref name="Name"/>, <paramref name="FullName"/> (fully qualified, with <c>global::</c>)
/// and <paramref name="Keyword"/> (<c>class</c>, <c>struct</c>, <c>record</c> or <c>record struct</c>).
/// </summary>
internal sealed record DeclaredType(string Namespace, string Name, string FullName, string Keyword);
