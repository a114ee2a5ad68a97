namespace TypedState.Distribution.Tests.Readme;

/// <summary>How a README's C# block is compiled, as its marker comment says.</summary>
internal enum SnippetKind
{
    /// <summary>
    /// The default: usings, types and statements of one example, compiled together with every other fragment. Its
    /// statements become the body of an async method whose parameters are the marker's given variables.
    /// </summary>
    Fragment,

    /// <summary>A whole program (top-level statements): compiled alone, run, and its output compared with the text block after it.</summary>
    Program,
}
