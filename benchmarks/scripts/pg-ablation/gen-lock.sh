#!/usr/bin/env bash
# Writes the pgbench scripts of the lock ablation (lock-*.sql) beside this file, on setup-lock.sql's tables. A script is
# one lock round trip as the parity harness runs it: the grant (the owner's advisory lock and the grant, one pipeline:
# one implicit transaction), then the release (its own transaction). The driver's statements are PostgresSql.Locks.cs's
# as PostgresSql builds them (GrantKeyLock, the short-key form of ReleaseLock, positional parameters typed as Npgsql
# sends them); the floor's are RawPostgresFloorSide's. Each grant's token is known (prepare sets the counters to 1000),
# so the release needs no answer of the grant; the check fails unless every grant and release applied.
set -euo pipefail
cd "$(dirname "$0")"
source ./mk.sh
S=':scope::smallint' G=':guild::text' A=':agent::text' R=':res::text' O="l.scope = $S AND l.guild_id = $G AND l.agent_id = $A"
DRVLOCK="SELECT pg_advisory_xact_lock(1414725634, hashtext('typedstate' || chr(31) || $S::text || chr(31) || $G || chr(31) || $A));"
FLOORLOCK='SELECT pg_advisory_xact_lock(1414725634, hashtext(:owner));'
EXPR="(scope, guild_id, agent_id, left(resource, 128), (CASE WHEN length(resource) < 128 THEN ''::bytea ELSE sha256(decode(replace(resource, '\\', '\\\\'), 'escape')) END))"
PLAIN='(scope, guild_id, agent_id, resource)'
OWNERW="scope = 1 AND guild_id = 'guild-0' AND agent_id = 'agent-1'"
H=('\set i :i + 1' '\set tok 1000 + :i')
P="-- prepare: UPDATE ab.lo0 SET last_token = 1000 WHERE $OWNERW; UPDATE ab.lo5 SET last_token = 1000 WHERE owner = 'guild-0/agent-1'; UPDATE ab.lo7 SET last_token = 1000 WHERE owner = 'guild-0/agent-1'; ALTER SEQUENCE ab.lock_tokens RESTART WITH 1001"
chk() { echo "-- check: SELECT count(*) = 1 FROM ab.$1 WHERE $2 AND $3 = 'lock' AND token = 1000 + {n} AND $4 = '-infinity'"; }
C0=$(chk l0 "$OWNERW" resource expires_at) C1=$(chk l1 "$OWNERW" resource expires_at) C3=$(chk l3 "$OWNERW" resource expires_at)
C5=$(chk l5 "owner = 'guild-0/agent-1'" resource expires_at) C7=$(chk l7 "owner = 'guild-0/agent-1'" key expires)
# grant TABLE COUNTER-TABLE CONFLICT-TEST ARBITER HOLDER-COLUMN HOLDER-VALUE: GrantTemplate with its parts
grant() { echo "WITH now AS (SELECT clock_timestamp() AS t), counter AS (INSERT INTO ab.$2 AS o (scope, guild_id, agent_id, last_token) SELECT $S, $G, $A, 1 WHERE NOT EXISTS (SELECT 1 FROM ab.$1 l, now WHERE $O AND $3 AND l.expires_at > now.t) ON CONFLICT (scope, guild_id, agent_id) DO UPDATE SET last_token = o.last_token + 1 RETURNING last_token) INSERT INTO ab.$1 AS l (scope, guild_id, agent_id, resource, token, expires_at$5) SELECT $S, $G, $A, $R, counter.last_token, now.t + :lease::interval$6 FROM counter, now ON CONFLICT $4 DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at${5:+, holder = excluded.holder} RETURNING token, expires_at;"; }
release() { echo "UPDATE ab.$1 AS l SET expires_at = '-infinity' WHERE $O AND $2 AND l.token = :tok::bigint;"; }
KEYCONF="left(l.resource, 128) IN ('', left($R, 128)) AND l.resource IN ('', $R)"
HEADIS="left(l.resource, 128) = left($R, 128) AND l.resource = $R"
# same-key conflict in the upsert, as the floor's (the owner lock not looked at; a refused grant still takes a token)
floorish() { echo "WITH now AS (SELECT $4 AS t), counter AS (INSERT INTO ab.$2 AS o (scope, guild_id, agent_id, last_token) VALUES ($S, $G, $A, 1) ON CONFLICT (scope, guild_id, agent_id) DO UPDATE SET last_token = o.last_token + 1 RETURNING last_token) INSERT INTO ab.$1 AS l (scope, guild_id, agent_id, resource, token, expires_at$3) SELECT $S, $G, $A, $R, counter.last_token, now.t + $5 FROM counter, now ON CONFLICT $PLAIN DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at${3:+, holder = excluded.holder} WHERE l.expires_at <= $4 RETURNING $6;"; }

mk lock-l0.sql "lock L0: the driver's grant (GrantKeyLock) and release (ReleaseLock, short-key form) on layout 9 (ab.l0)" "$P" "$C0" "${H[@]}" -- \
  "$DRVLOCK" "$(grant l0 lo0 "$KEYCONF" "$EXPR" ", holder" ", :holder::text")" -- "$(release l0 "$HEADIS")"
mk lock-l1.sql "lock L1: L0 on a table whose unique index is the plain columns (ab.l1; resources up to ~2700 bytes only)" "$P" "$C1" "${H[@]}" -- \
  "$DRVLOCK" "$(grant l1 lo0 "l.resource IN ('', $R)" "$PLAIN" ", holder" ", :holder::text")" -- "$(release l1 "l.resource = $R")"
mk lock-l2.sql "lock L2: L1 without the owner-lock conflict: only the same key's lease, tested in the upsert (the floor's form)" "$P" "$C1" "${H[@]}" -- \
  "$DRVLOCK" "$(floorish l1 lo0 ", holder" "clock_timestamp()" ":lease::interval, :holder::text" "token, expires_at")" -- "$(release l1 "l.resource = $R")"
mk lock-l3.sql "lock L3: L2 without the holder column (ab.l3)" "$P" "$C3" "${H[@]}" -- \
  "$DRVLOCK" "$(floorish l3 lo0 "" "clock_timestamp()" ":lease::interval" "token, expires_at")" -- "$(release l3 "l.resource = $R")"
mk lock-l3n.sql "lock L3n: L3 with now() (transaction start) for clock_timestamp() only" "$P" "$C3" "${H[@]}" -- \
  "$DRVLOCK" "$(floorish l3 lo0 "" "now()" ":lease::interval" "token, expires_at")" -- "$(release l3 "l.resource = $R")"
mk lock-l4.sql "lock L4: L3 with now() (transaction start) for clock_timestamp(), a literal lease, the token only returned" "$P" "$C3" "${H[@]}" -- \
  "$DRVLOCK" "$(floorish l3 lo0 "" "now()" "interval '30 seconds'" "token")" -- "$(release l3 "l.resource = $R")"
mk lock-l5.sql "lock L5: L4 with one owner column (ab.l5, ab.lo5) and the lock named by it" "$P" "$C5" "${H[@]}" -- "$FLOORLOCK" \
  "WITH counter AS (INSERT INTO ab.lo5 AS o (owner, last_token) VALUES (:owner, 1) ON CONFLICT (owner) DO UPDATE SET last_token = o.last_token + 1 RETURNING last_token) INSERT INTO ab.l5 AS l (owner, resource, token, expires_at) SELECT :owner, :res, last_token, now() + interval '30 seconds' FROM counter ON CONFLICT (owner, resource) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at WHERE l.expires_at < now() RETURNING token;" \
  -- "UPDATE ab.l5 SET expires_at = '-infinity' WHERE owner = :owner AND resource = :res AND token = :tok;"
mk lock-l7.sql "lock L7: the floor's statements (RawPostgresFloorSide.LockAsync) on its tables (database collation; ab.l7, ab.lo7)" "$P" "$C7" "${H[@]}" -- "$FLOORLOCK" \
  "WITH counter AS (INSERT INTO ab.lo7 AS o (owner, last_token) VALUES (:owner, 1) ON CONFLICT (owner) DO UPDATE SET last_token = o.last_token + 1 RETURNING last_token) INSERT INTO ab.l7 AS l (owner, key, token, expires) SELECT :owner, :res, last_token, now() + interval '30 seconds' FROM counter ON CONFLICT (owner, key) DO UPDATE SET token = excluded.token, expires = excluded.expires WHERE l.expires < now() RETURNING token;" \
  -- "UPDATE ab.l7 SET expires = '-infinity' WHERE owner = :owner AND key = :res AND token = :tok;"

# --- proposals, each one change from L0 (or L1) that keeps the guarantees ---
SEQ="counter AS (SELECT nextval('ab.lock_tokens') AS last_token WHERE NOT EXISTS"
mk lock-ls.sql "lock Ls: L0 with the token from one sequence instead of the owner's counter row (ab.lo0 not written)" "$P" "$C0" "${H[@]}" -- \
  "$DRVLOCK" "$(grant l0 lo0 "$KEYCONF" "$EXPR" ", holder" ", :holder::text" | sed -E "s/counter AS \(INSERT INTO ab.lo0 AS o \(scope, guild_id, agent_id, last_token\) SELECT [^W]*WHERE NOT EXISTS/$SEQ/; s/ ON CONFLICT \(scope, guild_id, agent_id\) DO UPDATE SET last_token = o.last_token \+ 1 RETURNING last_token\)/)/")" \
  -- "$(release l0 "$HEADIS")"
mk lock-lo.sql "lock Lo: L1 with the owner lock probed alone (resource = '') and the same key's lease tested in the upsert" "$P" "$C1" "${H[@]}" -- \
  "$DRVLOCK" "$(floorish l1 lo0 ", holder" "clock_timestamp()" ":lease::interval, :holder::text" "token, expires_at" | sed -E "s/VALUES \((:scope::smallint, :guild::text, :agent::text, 1)\)/SELECT \1 WHERE NOT EXISTS (SELECT 1 FROM ab.l1 l, now WHERE ${O//&/\\&} AND l.resource = '' AND l.expires_at > now.t)/")" \
  -- "$(release l1 "l.resource = $R")"
mk lock-ld.sql "lock Ld: L0 released by deleting the row (the resource's newest token is lost)" "$P" "-- check: SELECT count(*) = 0 FROM ab.l0 WHERE $OWNERW AND resource = 'lock'" "${H[@]}" -- \
  "$DRVLOCK" "$(grant l0 lo0 "$KEYCONF" "$EXPR" ", holder" ", :holder::text")" -- "DELETE FROM ab.l0 AS l WHERE $O AND $HEADIS AND l.token = :tok::bigint;"
CG=$(chk lg "$OWNERW" resource expires_at)
mk lock-lg.sql "lock Lg: L0 on ab.lg, the resource's head and digest stored generated columns (the server computes them), plain unique index" "$P" "$CG" "${H[@]}" -- \
  "$DRVLOCK" "$(grant lg lo0 "l.resource_head IN ('', left($R, 128)) AND l.resource IN ('', $R)" "(scope, guild_id, agent_id, resource_head, resource_digest)" ", holder" ", :holder::text")" \
  -- "$(release lg "l.resource_head = left($R, 128) AND l.resource = $R")"
U=$(grant l0 lo0 "$KEYCONF" "$EXPR" ", holder" ", :holder::text")
U=${U/"INSERT INTO ab.lo0 AS o (scope, guild_id, agent_id, last_token) SELECT $S, $G, $A, 1 WHERE"/"UPDATE ab.lo0 AS o SET last_token = o.last_token + 1 WHERE o.scope = $S AND o.guild_id = $G AND o.agent_id = $A AND"}
mk lock-lu.sql "lock Lu: L0 with the owner's counter advanced by a plain UPDATE (no insert of a first counter: a lower bound)" "$P" "$C0" "${H[@]}" -- \
  "$DRVLOCK" "${U/" ON CONFLICT (scope, guild_id, agent_id) DO UPDATE SET last_token = o.last_token + 1"/}" -- "$(release l0 "$HEADIS")"
