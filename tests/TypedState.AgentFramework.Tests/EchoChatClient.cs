using System.Runtime.CompilerServices;
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

    /// <summary>The number of messages of each call, in call order.</summary>
    public List<int> Received { get; } = [];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        Interlocked.Increment(ref _calls);
        lock (Received)
        {
            Received.Add(list.Count);
        }

        var lastUser = list.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
        var answered = list.Count > 0 && list[^1].Contents.OfType<FunctionResultContent>().Any();
        var reply = lastUser.StartsWith("tool:", StringComparison.Ordinal) && !answered
            ? new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"call-{Guid.NewGuid():N}", "lookup", new Dictionary<string, object?> { ["topic"] = lastUser[5..] })])
            : new ChatMessage(ChatRole.Assistant, $"echo: {lastUser} ({list.Count} messages)");
        reply.MessageId = $"reply-{Guid.NewGuid():N}";
        return Task.FromResult(new ChatResponse(reply) { ModelId = "echo" });
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
