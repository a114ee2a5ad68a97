#!/usr/bin/env bash
# Runs the whole TypedState test suite on a fresh machine: installs the servers the tests start (redis-server and
# redis-cli from Debian's packages; PostgreSQL 15 is expected in /usr/lib/postgresql/15), then restores, builds and
# tests every project of TypedState.sln in Release. The tests start their own ephemeral servers on 127.0.0.1,
# among them a Redis Cluster (six redis-server --cluster-enabled yes, joined with redis-cli --cluster create).
# Results (TRX) land in TestResults/.
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  echo "Installing redis-server and redis-cli (Debian packages) for the Redis driver and cluster tests..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null
fi

if [ -z "${TYPEDSTATE_TEST_POSTGRES:-}" ] && [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  echo "Installing PostgreSQL 15 (Debian package) for the PostgreSQL driver tests..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi

rm -rf TestResults
dotnet test TypedState.sln -c Release \
  --logger "trx" --logger "console;verbosity=normal" \
  --results-directory TestResults "$@"
