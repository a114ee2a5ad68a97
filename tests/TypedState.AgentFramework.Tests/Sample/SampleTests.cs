namespace TypedState.AgentFramework.Tests.Sample;

/// <summary>
/// The Agent Framework sample as a user runs it, on its SQLite default in a directory of its own: the second run
/// continues the conversation and resumes the workflow that waited for an approval; --reset removes what it stored.
/// </summary>
public sealed class SampleTests
{
    [Fact]
    public async Task A_second_run_continues_the_conversation_and_resumes_the_workflow()
    {
        using var directory = new TempDirectory();

        var first = await RunAsync(directory.Path, "hello");
        Assert.Contains("(I can see 0 earlier message(s) of yours.)", first, StringComparison.Ordinal);
        Assert.Contains("2 messages stored; sessions of the agent: customer-ada", first, StringComparison.Ordinal);
        Assert.Contains("workflow ticket-42: waiting for approval", first, StringComparison.Ordinal);
        Assert.DoesNotContain("step draft", first, StringComparison.Ordinal);

        var second = await RunAsync(directory.Path, "again");
        Assert.Contains("(I can see 1 earlier message(s) of yours.)", second, StringComparison.Ordinal);
        Assert.Contains("4 messages stored", second, StringComparison.Ordinal);
        Assert.Contains("workflow ticket-42: resuming from checkpoint", second, StringComparison.Ordinal);
        Assert.Contains("workflow ticket-42: finished: ticket 42 > triage > approved > draft > close", second, StringComparison.Ordinal);
        Assert.DoesNotContain("step triage", second, StringComparison.Ordinal);

        Assert.Contains("removed the agents' sessions", await RunAsync(directory.Path, "--reset"), StringComparison.Ordinal);
        var afterReset = await RunAsync(directory.Path, "hello");
        Assert.Contains("(I can see 0 earlier message(s) of yours.)", afterReset, StringComparison.Ordinal);
        Assert.Contains("workflow ticket-42: waiting for approval", afterReset, StringComparison.Ordinal);
    }

    private static async Task<string> RunAsync(string directory, params string[] arguments)
    {
        var sample = Path.Combine(AppContext.BaseDirectory, "sample-agent-framework", "TypedState.Samples.AgentFramework.dll");
        var (exitCode, output) = await DotnetCli.RunAsync(directory, TimeSpan.FromMinutes(2), [sample, .. arguments]);
        Assert.True(exitCode == 0, $"The sample exited with {exitCode}:\n{output}");
        return output;
    }
}
