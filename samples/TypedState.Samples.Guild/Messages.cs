namespace TypedState.Samples.Guild;

/// <summary>A user walked in.</summary>
public sealed record Visit(string User);

/// <summary>Something worth remembering, for the whole guild.</summary>
public sealed record Fact(string Topic, string Text);
