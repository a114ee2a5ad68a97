namespace TypedState.Trimming;

/// <summary>
/// The message of the <c>[RequiresUnreferencedCode]</c> / <c>[RequiresDynamicCode]</c> attributes on the overloads
/// that take no <see cref="System.Text.Json.Serialization.Metadata.JsonTypeInfo{T}"/>: the trim and AOT analyzers
/// show it in the caller's build (IL2026, IL3050), where the call would otherwise fail only at run time.
/// </summary>
internal static class UntypedJson
{
    public const string Message =
        "Resolves JsonTypeInfo<T> from the manager's SerializerOptions at run time, through reflection unless that " +
        "resolver is source-generated; a trimmed or native AOT application has no reflection resolver, so the call " +
        "fails there. Pass a JsonTypeInfo<T> from a JsonSerializerContext (the overload that takes one), or use a " +
        "generated state type.";
}
