namespace TypedState;

/// <summary>The state types registered with <c>AddStateTypes</c> / <c>AddStateType</c>: what the startup migrator upgrades.</summary>
public sealed class StateTypeRegistry
{
    private readonly List<StateSchema> _schemas = [];

    /// <summary>The registered schemas, in registration order, each once.</summary>
    public IReadOnlyList<StateSchema> Schemas => _schemas;

    /// <summary>Registers a schema; registering the same type again does nothing.</summary>
    /// <exception cref="InvalidOperationException">Another type already uses the same scope and key.</exception>
    public void Add(StateSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        foreach (var known in _schemas)
        {
            if (known.Type == schema.Type)
            {
                return;
            }

            if (known.Scope == schema.Scope && known.Key == schema.Key)
            {
                throw new InvalidOperationException(
                    $"{schema.Type.FullName} and {known.Type.FullName} are both {schema.Scope} state stored under the key '{schema.Key}': they would overwrite each other's records. Give one of them another Key.");
            }
        }

        _schemas.Add(schema);
    }
}
