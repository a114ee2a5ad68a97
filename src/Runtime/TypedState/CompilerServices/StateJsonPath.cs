using System.Buffers;
using System.Text;
using System.Text.Json;

namespace TypedState.CompilerServices;

/// <summary>
/// The JSON path of a token, in System.Text.Json's notation (<c>$.plan.steps[2].tool</c>, <c>$['odd name']</c>), found by
/// reading a document again from its start. Only errors use it, so the readers of valid documents track no path.
/// </summary>
internal static class StateJsonPath
{
    private static readonly SearchValues<char> s_special = SearchValues.Create(".'[]()$ \t\r\n");

    /// <summary>
    /// The path of the token starting at <paramref name="offset"/>, read with <paramref name="reader"/> (on the first
    /// token of the document), with <paramref name="member"/> appended when given.
    /// </summary>
    public static string At(Utf8JsonReader reader, long offset, string? member)
    {
        // One frame per open container: the property being read in an object, the index reached in an array.
        var frames = new List<(bool IsArray, string? Name, int Index)>();
        do
        {
            var token = reader.TokenType;
            if (frames.Count > 0 && frames[^1].IsArray && token is not (JsonTokenType.EndArray or JsonTokenType.EndObject or JsonTokenType.Comment))
            {
                // A value starts in an array: the next index.
                frames[^1] = (true, null, frames[^1].Index + 1);
            }

            if (reader.TokenStartIndex >= offset)
            {
                if (token == JsonTokenType.EndObject)
                {
                    // The end of an object that lacks a member: the path is the object's, not its last property's.
                    frames[^1] = (false, null, 0);
                }

                break;
            }

            switch (token)
            {
                case JsonTokenType.PropertyName:
                    frames[^1] = (false, reader.GetString(), 0);
                    break;
                case JsonTokenType.StartObject:
                    frames.Add((false, null, 0));
                    break;
                case JsonTokenType.StartArray:
                    frames.Add((true, null, -1));
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    frames.RemoveAt(frames.Count - 1);
                    break;
            }
        }
        while (reader.Read());

        var path = new StringBuilder("$");
        foreach (var frame in frames)
        {
            if (frame.IsArray)
            {
                path.Append('[').Append(frame.Index).Append(']');
            }
            else if (frame.Name is not null)
            {
                Append(path, frame.Name);
            }
        }

        if (member is not null)
        {
            Append(path, member);
        }

        return path.ToString();
    }

    private static void Append(StringBuilder path, string name)
    {
        // As System.Text.Json's JsonPath: plain names after a dot, others quoted in brackets.
        if (name.Length > 0 && name.AsSpan().IndexOfAny(s_special) < 0)
        {
            path.Append('.').Append(name);
        }
        else
        {
            path.Append("['").Append(name.Replace("'", "\\'", StringComparison.Ordinal)).Append("']");
        }
    }
}
