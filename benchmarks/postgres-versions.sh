#!/usr/bin/env bash
# Times the PostgreSQL driver of a baseline commit against this tree's, interleaved in one process against one
# ephemeral PostgreSQL 15 (the `postgres-versions` mode of TypedState.Benchmarks). The probe project
# (benchmarks/TypedState.Benchmarks.Probe) is built twice: in a temporary worktree of the baseline commit, and here.
#
#   benchmarks/postgres-versions.sh <baseline-commit> [--rounds N] [--block-ms MS] [--filter TEXT] [--aa]
set -euo pipefail
cd "$(dirname "$0")/.."
baseline=${1:?usage: benchmarks/postgres-versions.sh <baseline-commit> [postgres-versions options]}
shift

work=$(mktemp -d)
git worktree add --detach "$work/tree" "$baseline" >/dev/null
trap 'git worktree remove --force "$work/tree"; rm -rf "$work"' EXIT

# The probe uses only API both versions have; a copy inside the baseline worktree builds against that tree's sources.
mkdir -p "$work/tree/benchmarks"
cp -r benchmarks/TypedState.Benchmarks.Probe "$work/tree/benchmarks/"
rm -rf "$work/tree/benchmarks/TypedState.Benchmarks.Probe/bin" "$work/tree/benchmarks/TypedState.Benchmarks.Probe/obj"
dotnet build "$work/tree/benchmarks/TypedState.Benchmarks.Probe" -c Release -o "$work/baseline" -v quiet -nologo
dotnet build benchmarks/TypedState.Benchmarks.Probe -c Release -o "$work/head" -v quiet -nologo
dotnet run -c Release --project benchmarks/TypedState.Benchmarks -- postgres-versions --baseline "$work/baseline" --head "$work/head" "$@"
