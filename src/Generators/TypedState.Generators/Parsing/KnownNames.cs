namespace TypedState.Generators.Parsing;

/// <summary>Metadata names the generator looks for.</summary>
internal static class KnownNames
{
    public const string AgentState = "TypedState.AgentStateAttribute";
    public const string GuildState = "TypedState.GuildStateAttribute";
    public const string GlobalState = "TypedState.GlobalStateAttribute";
    public const string StatePart = "TypedState.StatePartAttribute";

    public const string JsonObject = "System.Text.Json.Nodes.JsonObject";
    public const string JsonSerializerContext = "System.Text.Json.Serialization.JsonSerializerContext";
    public const string JsonSerializable = "System.Text.Json.Serialization.JsonSerializableAttribute";
    public const string JsonPropertyName = "System.Text.Json.Serialization.JsonPropertyNameAttribute";
    public const string JsonIgnore = "System.Text.Json.Serialization.JsonIgnoreAttribute";
    public const string JsonConverter = "System.Text.Json.Serialization.JsonConverterAttribute";
    public const string JsonNumberHandling = "System.Text.Json.Serialization.JsonNumberHandlingAttribute";
    public const string JsonRequired = "System.Text.Json.Serialization.JsonRequiredAttribute";
    public const string JsonInclude = "System.Text.Json.Serialization.JsonIncludeAttribute";
    public const string JsonExtensionData = "System.Text.Json.Serialization.JsonExtensionDataAttribute";
    public const string JsonPolymorphic = "System.Text.Json.Serialization.JsonPolymorphicAttribute";
    public const string JsonDerivedType = "System.Text.Json.Serialization.JsonDerivedTypeAttribute";
    public const string JsonObjectCreationHandling = "System.Text.Json.Serialization.JsonObjectCreationHandlingAttribute";
    public const string JsonStringEnumMemberName = "System.Text.Json.Serialization.JsonStringEnumMemberNameAttribute";
    public const string JsonStringEnumConverter = "System.Text.Json.Serialization.JsonStringEnumConverter";
    public const string JsonStringEnumConverterOfT = "System.Text.Json.Serialization.JsonStringEnumConverter<TEnum>";

    public static readonly string[] StateAttributes = [AgentState, GuildState, GlobalState, StatePart];
}
