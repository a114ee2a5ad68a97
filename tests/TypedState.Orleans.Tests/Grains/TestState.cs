namespace TypedState.Orleans.Tests.Grains;

/// <summary>The state Orleans' own grain-storage tests use: a string, an int and a long, compared by value.</summary>
public sealed record TestState
{
    public string? A { get; set; }

    public int B { get; set; }

    public long C { get; set; }
}
