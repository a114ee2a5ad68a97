#!/usr/bin/env bash
# perf profile of the pgbench backend running one script: usage perf.sh PORT DATADIR TRANSACTIONS script.sql OUT.data
# Prints the top exclusive symbols (perf report --no-children), in percent of the backend's samples.
set -euo pipefail
port=$1 data=$2 n=$3 s=$4 out=$5
pm=$(head -1 "$data/postmaster.pid")
here=$(cd "$(dirname "$0")" && pwd)
value='{"Body": "The agent noted the customer'"'"'s preferences, the open ticket and the next step to take before Friday'"'"'s call.", "Tags": ["crm", "follow-up", "eu-west"], "Count": 0, "Title": "Note 000 of owner 001"}'
before=$(pgrep -P "$pm" | sort)
runuser -u postgres -- pgbench -h 127.0.0.1 -p "$port" -U postgres -n -M prepared -c 1 -t "$n" -D scope=1 -D guild=guild-0 \
  -D agent=agent-1 -D owner=guild-0/agent-1 -D dk=deleted -D ret=00:10:00 -D i=0 -D res=lock -D lease=00:00:30 -D holder=host:4242 -D "val=$value" -f "$here/$s" bench > /dev/null 2>&1 &
bench=$!
for _ in $(seq 1 200); do
  pid=$(comm -13 <(echo "$before") <(pgrep -P "$pm" | sort) | while read -r p; do grep -qa '127.0.0.1(' "/proc/$p/cmdline" && echo "$p"; done | head -1)
  [[ -n $pid ]] && break; sleep 0.02
done
perf record -F 4999 -g -p "$pid" -o "$out" 2> /dev/null || true
wait "$bench"
perf report -i "$out" --no-children --sort symbol --stdio 2> /dev/null | grep -E '^ +[0-9]' | head -40
