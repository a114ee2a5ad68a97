using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TypedState.Benchmarks;

/// <summary>
/// The store's JSON encoder (the encoder of <c>StateManagerOptions</c>' default serializer options and of generated
/// state types: relaxed escaping that keeps emoji as UTF-8) against <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>,
/// which it replaced: one string value written through a reused <see cref="Utf8JsonWriter"/>, for four kinds of text.
/// "Raw" is the relaxed encoder.
/// </summary>
public static partial class Interleaved
{
    private static void CompareEncoders(BenchmarkArguments options, int rounds, double blockMs)
    {
        var store = new StateManagerOptions().SerializerOptions.Encoder!;
        var relaxed = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        var sentence = "The agent summarised the thread and stored the result under its own key. ";
        var texts = new (string Name, string Text)[]
        {
            ("ASCII, 64 chars", sentence[..64]),
            ("ASCII with a newline per line, 2 KB", string.Concat(Enumerable.Repeat(sentence + "\n", 28))),
            ("accents and CJK, 2 KB", string.Concat(Enumerable.Repeat("Zürich, straße, café — 中文的句子，没有表情符号。 ", 40))[..1000]),
            ("chat with an emoji every ~20 chars, 2 KB", string.Concat(Enumerable.Repeat("thanks, that worked 😀 see you tomorrow 🎉 ", 48))),
        };

        var rows = false;
        foreach (var (name, text) in texts)
        {
            var comparison = $"Encoder: relaxed vs store, {name}";
            if (options.Selected(comparison))
            {
                Compare(comparison, new WriteString(relaxed, text), new WriteString(store, text), rounds, blockMs);
                if (options.AA)
                {
                    Compare($"A/A: relaxed vs relaxed, {name}", new WriteString(relaxed, text), new WriteString(relaxed, text), rounds, blockMs);
                }

                rows = true;
            }
        }

        if (rows)
        {
            Console.WriteLine();
            foreach (var (name, text) in texts)
            {
                Console.WriteLine($"Encoder documents ({name}): relaxed {WriteString.Bytes(relaxed, text)} B, store {WriteString.Bytes(store, text)} B.");
            }

            Console.WriteLine();
        }
    }

    /// <summary>Writes one string value with an encoder, on a writer and buffer reused across calls.</summary>
    private readonly struct WriteString : IOp
    {
        private readonly string _text;
        private readonly ArrayBufferWriter<byte> _buffer;
        private readonly Utf8JsonWriter _writer;

        public WriteString(JavaScriptEncoder encoder, string text)
        {
            _text = text;
            _buffer = new ArrayBufferWriter<byte>(16 * 1024);
            _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = encoder });
        }

        public static int Bytes(JavaScriptEncoder encoder, string text)
        {
            var op = new WriteString(encoder, text);
            op.Run();
            var written = op._buffer.WrittenCount;
            if (JsonSerializer.Deserialize<string>(op._buffer.WrittenSpan) != text)
            {
                throw new InvalidOperationException($"The encoder did not round-trip the text: {Encoding.UTF8.GetString(op._buffer.WrittenSpan)}");
            }

            return written;
        }

        public void Run()
        {
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            _writer.WriteStringValue(_text);
            _writer.Flush();
            s_sink += _buffer.WrittenCount;
        }
    }
}
