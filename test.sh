#!/usr/bin/env bash
# Runs the whole TypedState test suite on a fresh machine: restores, builds and tests every project of
# TypedState.sln in Release. Results (TRX) land in TestResults/.
set -euo pipefail
cd "$(dirname "$0")"

rm -rf TestResults
dotnet test TypedState.sln -c Release \
  --logger "trx" --logger "console;verbosity=normal" \
  --results-directory TestResults "$@"
