using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace TypedState.AgentFramework.Tests;

/// <summary>
/// A chat client standing in for a model: it answers "echo: {last user message} ({n} messages)" with n the number
/// of messages it received, so a test sees what history reached the model. A user message starting with "tool:"
/// first gets a call of the "lookup" tool, then the answer once the tool's result is there.
/// </summary>
internal sealed class EchoChatClient : IChatClient
{
    private int _calls;

    /// <summary>How many times the model was called.</summary>
    public int Calls => _calls;

    /// <summary>Runs before each answer: a test's way to change the world while the model "thinks".</summary>
    public Func<Task>? BeforeReply { get; set; }

    /// <summary>The instructions of the latest call.</summary>
    public string? LastInstructions { get; private set; }

    /// <summary>The tools offered on the latest call.</summary>
    public List<string> LastTools { get; } = [];

    /// <summary>The number of messages of each call, in call order.</summary>
    public List<int> Received { get; } = [];

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (BeforeReply is { } before)
        {
            await before();
        }

        var list = messages.ToList();
        Interlocked.Increment(ref _calls);
        lock (Received)
        {
            Received.Add(list.Count);
        }

        LastInstructions = options?.Instructions;
        LastTools.Clear();
        LastTools.AddRange(options?.Tools?.Select(t => t.Name) ?? []);
        var lastUser = list.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
        var result = list.Count > 0 ? list[^1].Contents.OfType<FunctionResultContent>().FirstOrDefault() : null;
        var reply = (lastUser, result) switch
        {
            ({ } text, null) when text.StartsWith("tool:", StringComparison.Ordinal) =>
                new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"call-{Guid.NewGuid():N}", "lookup", new Dictionary<string, object?> { ["topic"] = text[5..] })]),
            ({ } text, null) when text.StartsWith("call:", StringComparison.Ordinal) => Call(text[5..]),
            (_, { } done) when lastUser.StartsWith("call:", StringComparison.Ordinal) => new ChatMessage(ChatRole.Assistant, $"tool said: {done.Result}"),
            _ => new ChatMessage(ChatRole.Assistant, $"echo: {lastUser} ({list.Count} messages)"),
        };
        reply.MessageId = $"reply-{Guid.NewGuid():N}";
        return new ChatResponse(reply) { ModelId = "echo" };
    }

    // "call:NAME {json arguments}" makes the model call the tool NAME with these arguments.
    private static ChatMessage Call(string request)
    {
        var space = request.IndexOf(' ', StringComparison.Ordinal);
        var arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>(request[(space + 1)..]);
        return new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"call-{Guid.NewGuid():N}", request[..space], arguments)]);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
