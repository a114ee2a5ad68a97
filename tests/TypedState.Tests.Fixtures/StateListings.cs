using System.Text.Json;
using TypedState.Storage;

namespace TypedState.Tests.Fixtures;

/// <summary>What a store lists, collected for assertions.</summary>
public static class StateListings
{
    /// <summary>The keys of <paramref name="owner"/> under <paramref name="prefix"/>, in listing order, whatever their values' types.</summary>
    public static async Task<List<string>> KeysAsync(IStateOperations state, StateOwner owner, string prefix)
    {
        var keys = new List<string>();
        await foreach (var entry in state.ListAsync<JsonElement>(owner, prefix))
        {
            keys.Add(entry.Key);
        }

        return keys;
    }

    /// <summary>The values of <paramref name="owner"/>'s records under <paramref name="prefix"/>, in key order.</summary>
    public static async Task<List<T>> ValuesAsync<T>(IStateOperations state, StateOwner owner, string prefix)
    {
        var values = new List<T>();
        await foreach (var entry in state.ListAsync<T>(owner, prefix))
        {
            values.Add(entry.Value!);
        }

        return values;
    }

    /// <summary>The owners of <paramref name="scope"/> the driver knows, in listing order.</summary>
    public static async Task<List<StateOwner>> OwnersAsync(IStateDriver driver, Scope scope)
    {
        var owners = new List<StateOwner>();
        await foreach (var owner in driver.ListOwnersAsync(scope, CancellationToken.None))
        {
            owners.Add(owner);
        }

        return owners;
    }
}
