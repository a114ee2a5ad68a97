using Microsoft.Extensions.Logging;

namespace TypedState.InMemory;

/// <summary>A <see cref="StateManager"/> over a fresh <see cref="InMemoryStateDriver"/>: fast, non-persistent.</summary>
public sealed class InMemoryStateManager : StateManager
{
    /// <summary>Creates an empty in-memory store.</summary>
    public InMemoryStateManager(StateManagerOptions? options = null, ILoggerFactory? loggerFactory = null)
        : base(new InMemoryStateDriver(), options, loggerFactory, ownsDriver: true)
    {
    }
}
