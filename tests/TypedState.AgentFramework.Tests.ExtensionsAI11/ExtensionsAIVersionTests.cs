using Microsoft.Extensions.AI;

namespace TypedState.AgentFramework.Tests;

/// <summary>This project's tests are the Agent Framework tests, run on what it references: Microsoft.Extensions.AI 11.</summary>
public sealed class ExtensionsAIVersionTests
{
    [Fact]
    public void The_tests_run_on_Microsoft_Extensions_AI_11()
    {
        Assert.Equal(11, typeof(IChatClient).Assembly.GetName().Version!.Major);
        Assert.Equal(11, typeof(ChatClientBuilder).Assembly.GetName().Version!.Major);
    }
}
