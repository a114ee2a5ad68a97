using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace TypedState.Samples.AgentFramework;

/// <summary>
/// Stands in for a model so that the sample runs offline: it answers the last customer message and says how much of
/// the conversation it was given, which shows the history coming back from the store.
/// </summary>
internal sealed class StandInModel : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        var last = list.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
        var earlier = list.Count(m => m.Role == ChatRole.User) - 1;
        var reply = $"Support here. About \"{last}\": noted. (I can see {earlier} earlier message(s) of yours.)";
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, reply)));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
