namespace TypedState.Generators.Model;

/// <summary>
/// One argument of the constructor a reached type is built with: the stored member it takes (<paramref name="Member"/>,
/// an index) and the parameter's declared default (<paramref name="Default"/>, a C# expression, or null for
/// <c>default</c>), passed when the document lacks the member.
/// </summary>
internal sealed record ConstructorArgument(int Member, string? Default);
