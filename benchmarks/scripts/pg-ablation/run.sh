#!/usr/bin/env bash
# Backend CPU per pgbench transaction (script run), variants alternated round by round.
# usage: run.sh PORT DATADIR ROUNDS TRANSACTIONS script.sql...
# Each run: ab.commit_ids truncated, the script's "-- prepare:" statement run, CHECKPOINT, then
# pgbench -M prepared -c 1 -t TRANSACTIONS, then the script's "-- check:" query must answer t ({n}: TRANSACTIONS, {n10}: TRANSACTIONS / 10).
# The backend's CPU is read from the postmaster's reaped-children times (/proc/<postmaster>/stat cutime + cstime,
# 10 ms ticks) once the backend has exited and been reaped, so its whole life is counted (autovacuum off: no other
# child exits during a run; nothing else may connect meanwhile). Prints: script, round, µs of backend CPU per script
# run, pgbench's mean latency (ms), then the user and the system part of the CPU µs.
set -euo pipefail
port=$1 data=$2 rounds=$3 n=$4; shift 4
pm=$(head -1 "$data/postmaster.pid")
here=$(cd "$(dirname "$0")" && pwd)
value='{"Body": "The agent noted the customer'"'"'s preferences, the open ticket and the next step to take before Friday'"'"'s call.", "Tags": ["crm", "follow-up", "eu-west"], "Count": 0, "Title": "Note 000 of owner 001"}'
vars=(-D scope=1 -D guild=guild-0 -D agent=agent-1 -D owner=guild-0/agent-1 -D dk=deleted -D ret=00:10:00 -D i=0 -D res=lock -D lease=00:00:30 -D holder=host:4242 -D "val=$value")
psql_() { runuser -u postgres -- psql -h 127.0.0.1 -p "$port" -U postgres bench -qAt -v ON_ERROR_STOP=1 "$@"; }
children() { pgrep -P "$pm" | sort; }
ticks() { awk '{print $16, $17}' "/proc/$pm/stat"; }
settle() { # wait until only the postmaster's long-lived children remain (every client backend reaped)
  for _ in $(seq 1 400); do [[ "$(children)" == "$base" ]] && return; sleep 0.05; done
  echo "backends did not exit" >&2; exit 1
}
base=$(children)
for r in $(seq 1 "$rounds"); do
  for s in "$@"; do
    prepare=$(sed -n 's/^-- prepare: //p' "$here/$s")
    check=$(sed -n 's/^-- check: //p' "$here/$s" | sed "s/{n10}/$((n / 10))/g; s/{n}/$n/g")
    psql_ -c "TRUNCATE ab.commit_ids" ${prepare:+-c "$prepare"} -c "CHECKPOINT"
    settle
    t0=$(ticks)
    out=$(runuser -u postgres -- pgbench -h 127.0.0.1 -p "$port" -U postgres -n -M prepared -c 1 -t "$n" "${vars[@]}" -f "$here/$s" bench 2>&1) || { echo "$out" >&2; exit 1; }
    settle
    t1=$(ticks)
    done_=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
    lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$out")
    [[ "$done_" == "$n" ]] || { echo "$out" >&2; exit 1; }
    if [[ -n $check ]] && [[ $(psql_ -c "$check") != t ]]; then echo "$s: check failed: $check" >&2; exit 1; fi
    read -r u0 k0 <<<"$t0"; read -r u1 k1 <<<"$t1"
    awk -v s="$s" -v r="$r" -v u=$((u1 - u0)) -v k=$((k1 - k0)) -v n="$n" -v l="$lat" \
      'BEGIN { printf "%s\t%d\t%.1f\t%s\t%.1f\t%.1f\n", s, r, (u + k) * 10000 / n, l, u * 10000 / n, k * 10000 / n }'
  done
done
