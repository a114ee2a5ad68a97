namespace TypedState.Generators.Model;

/// <summary>Which constructor the generated construction constructor chains to.</summary>
internal enum ConstructorChain
{
    /// <summary>None: field and property initializers run on their own.</summary>
    None,

    /// <summary><c>: this()</c>, the type's own parameterless constructor.</summary>
    Parameterless,

    /// <summary><c>: this(...)</c>, the primary constructor, with members passed by position.</summary>
    Primary,
}
