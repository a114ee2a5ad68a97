using System.Text.Json;

namespace TypedState.Tool.Commands;

/// <summary>What a stored value is, read without building it: JSON or not, and its top-level <c>$version</c>.</summary>
internal readonly record struct RecordShape(bool IsJson, int? SchemaVersion)
{
    public static RecordShape Of(ReadOnlyMemory<byte> value)
    {
        var reader = new Utf8JsonReader(value.Span);
        int? version = null;
        try
        {
            if (!reader.Read())
            {
                return new(false, null);
            }

            if (reader.TokenType == JsonTokenType.StartObject)
            {
                // Only the top level names the schema version; nested objects are skipped whole.
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isVersion = reader.ValueTextEquals("$version");
                    reader.Read();
                    if (isVersion && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var v))
                    {
                        version = v;
                    }

                    reader.Skip();
                }
            }
            else
            {
                reader.Skip();
            }

            // The whole document must be well formed, with nothing after it.
            while (reader.Read())
            {
            }

            return new(true, version);
        }
        catch (JsonException)
        {
            return new(false, null);
        }
    }
}
