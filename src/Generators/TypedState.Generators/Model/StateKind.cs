namespace TypedState.Generators.Model;

/// <summary>What an annotated type is; the scope values match TypedState.Scope.</summary>
internal enum StateKind
{
    Part = 0,
    Agent = 1,
    Guild = 2,
    Global = 3,
}
