using TypedState.Storage;

namespace TypedState.Testing.Tests;

/// <summary>The conformance suite against <see cref="DictionaryStateDriver"/>, the way docs/drivers.md shows it.</summary>
public sealed class DictionaryConformanceTests : StateStoreConformanceTests
{
    /// <inheritdoc />
    protected override ValueTask<IStateDriver> CreateDriverAsync() => ValueTask.FromResult<IStateDriver>(new DictionaryStateDriver());
}
