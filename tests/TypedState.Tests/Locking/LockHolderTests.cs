using TypedState.InMemory;

namespace TypedState.Tests.Locking;

/// <summary>The holder a manager records with its locks: checked when the manager is built, not at the first lock.</summary>
public sealed class LockHolderTests
{
    [Theory]
    [InlineData("")]
    [InlineData("web\n3")]
    [InlineData("x", 257)]
    public void A_lock_holder_that_is_empty_too_long_or_has_control_characters_is_refused(string holder, int repeat = 1)
    {
        var options = new StateManagerOptions { LockHolder = string.Concat(Enumerable.Repeat(holder, repeat)) };
        var error = Assert.Throws<ArgumentException>(() => new StateManager(new InMemoryStateDriver(), options));
        Assert.Equal(nameof(StateManagerOptions.LockHolder), error.ParamName);
    }

    [Fact]
    public async Task Without_a_lock_holder_locks_are_recorded_as_held_by_this_machine_and_process()
    {
        await using var state = new StateManager(new InMemoryStateDriver(), new StateManagerOptions { LockHolder = new string('x', 256) }, ownsDriver: true);
        await using var named = await state.AcquireLockAsync(StateOwner.Guild("g"), "named", TimeSpan.FromMinutes(1), TimeSpan.Zero);
        state.Options.LockHolder = null;
        await using var unnamed = await state.AcquireLockAsync(StateOwner.Guild("g"), "unnamed", TimeSpan.FromMinutes(1), TimeSpan.Zero);

        var holders = new Dictionary<string, string?>();
        await foreach (var held in state.ListLocksAsync(Scope.Guild))
        {
            holders.Add(held.Key!, held.Holder);
        }

        Assert.Equal(new string('x', 256), holders["named"]);
        Assert.Equal($"{Environment.MachineName}:{Environment.ProcessId}", holders["unnamed"]);
    }
}
