#!/usr/bin/env bash
# Measures the TypedState analyzers' share of a build: writes a project of N state types (the three scopes in turn)
# and N message handlers that use them through every API the analyzers inspect (generated accessors, the untyped
# manager and context.State, transactions, constant keys and prefixes), all correct code, then builds it with
# -p:ReportAnalyzer=true and prints the compiler's analyzer timings. Usage: benchmarks/analyzer-cost.sh [N=500]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
n=${1:-500}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

cat > "$dir/Directory.Build.props" <<'XML'
<Project />
XML
cat > "$dir/AnalyzerCost.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="$root/src/Runtime/TypedState/TypedState.csproj" />
    <ProjectReference Include="$root/src/Generators/TypedState.Generators/TypedState.Generators.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
    <ProjectReference Include="$root/src/Analyzers/TypedState.Analyzers/TypedState.Analyzers.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
  </ItemGroup>
</Project>
XML
cat > "$dir/Usings.cs" <<'CS'
global using TypedState;
global using TypedState.Guilds;
CS

scopes=(AgentState GuildState GlobalState)
for ((i = 0; i < n; i++)); do
  scope=${scopes[$((i % 3))]}
  cat > "$dir/State$i.cs" <<CS
namespace Corpus.Area$((i % 10));

[$scope(Version = 1)]
public partial class State$i
{
    public int Count { get; set; }
    public string Name { get; set; } = "";
    public List<string> Items { get; set; } = [];
}
CS
  case $scope in
    AgentState) load="State$i.LoadAsync(tx, cancellationToken)"; update="State$i.UpdateAsync(context, s => s.Count++, cancellationToken)" ;;
    GuildState) load="State$i.LoadAsync(context.State, cancellationToken)"; update="State$i.UpdateAsync(manager, context.GuildId, s => s.Count++, cancellationToken)" ;;
    *) load="State$i.LoadAsync(context.State, cancellationToken)"; update="State$i.UpdateAsync(manager, s => s.Count++, cancellationToken)" ;;
  esac
  cat > "$dir/Agent$i.cs" <<CS
namespace Corpus.Area$((i % 10));

public sealed record Message$i(string Text);

[WritesState(Scope.Guild)]
[WritesState(Scope.Global)]
public sealed class Agent$i(IStateManager manager) : IMessageHandler<Message$i>
{
    public async ValueTask HandleAsync(Message$i message, AgentContext context, CancellationToken cancellationToken)
    {
        var seen = await context.State.GetValueOrDefaultAsync(Scope.Agent, "seen/$i", 0, cancellationToken);
        var mine = await manager.GetAsync<int>(StateOwner.Agent(context.GuildId, context.AgentId), "count", cancellationToken);
        await foreach (var item in manager.ListAsync<int>(StateOwner.Guild(context.GuildId), "items/", cancellationToken))
        {
            seen += item.Value;
        }

        await using (var tx = await context.State.BeginTransactionAsync(cancellationToken))
        {
            var loaded = await $load;
            await tx.SetAsync(Scope.Agent, "seen/$i", seen + mine.Value + loaded.Value.Count, cancellationToken: cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }

        await $update;
    }
}
CS
done

cd "$dir"
# Build the references first, then measure the corpus project alone, rebuilt from scratch, so every figure is its own.
dotnet build -c Release > build-references.log
dotnet build -c Release --no-dependencies --no-incremental -p:ReportAnalyzer=true -v:detailed -clp:PerformanceSummary > build.log
grep -E "Total (analyzer|generator) execution time|TypedState\.(Analyzers|Generators), Version|TypedState\.Analyzers\.[A-Za-z]+Analyzer " build.log | sed -E 's/^ +//'
grep -E "^ +[0-9]+ ms +Csc " build.log | sed -E 's/^ +/Csc task: /'
{ grep -cE "(warning|error) TSTATE" build.log || true; } | sed 's/^/TSTATE diagnostics: /'
