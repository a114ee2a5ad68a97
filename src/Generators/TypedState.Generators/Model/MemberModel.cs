namespace TypedState.Generators.Model;

/// <summary>
/// One serialized property: its C# name, its JSON name and its shape. <paramref name="ConstructorIndex"/> is its
/// position in the primary constructor (-1 when it is assigned after construction); <paramref name="ParameterDefault"/>
/// is the C# expression of that parameter's default value, when it declares one (what a document without the member
/// gives it). <paramref name="Required"/>: a <c>required</c> or <c>[JsonRequired]</c> member, which a document must have,
/// as System.Text.Json demands.
/// </summary>
internal sealed record MemberModel(string Name, string JsonName, TypeShape Type, int ConstructorIndex, string? ParameterDefault = null, bool Required = false);
