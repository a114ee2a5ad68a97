namespace TypedState;

// Argument checks shared by the manager and its transactions: owners, keys, prefixes and expected versions.
public partial class StateManager
{
    internal void ValidateKey(StateOwner owner, string key)
    {
        ValidateOwner(owner);
        ArgumentNullException.ThrowIfNull(key);
        var problem = KeyRules.Describe(key, Options.MaxKeyLength, allowEmpty: false);
        if (problem is not null)
        {
            throw new InvalidStateKeyException(owner, key, problem);
        }
    }

    internal void ValidatePrefix(StateOwner owner, string prefix)
    {
        ValidateOwner(owner);
        ArgumentNullException.ThrowIfNull(prefix);
        var problem = KeyRules.Describe(prefix, Options.MaxKeyLength, allowEmpty: true);
        if (problem is not null)
        {
            throw new InvalidStateKeyException(owner, prefix, "the prefix is invalid: " + problem);
        }
    }

    internal static void ValidateExpectedVersion(long? expectedVersion)
    {
        if (expectedVersion is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedVersion), expectedVersion, "An expected version is 0 (absent) or positive.");
        }
    }

    private static void ValidateOwner(StateOwner owner)
    {
        if (!owner.IsValid)
        {
            throw new ArgumentException("The owner is not initialized: build it with StateOwner.Agent, StateOwner.Guild or StateOwner.Global.", nameof(owner));
        }
    }
}
