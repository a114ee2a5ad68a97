#!/usr/bin/env bash
# Writes the pgbench scripts of the ablation (set-v*.sql, cas-v*.sql, delete-v*.sql) beside this file. The driver's
# statements are copied from the server's statement log of a pg-client run (layout 9, short-key forms), with the
# schema ab's copies of the tables (setup.sql) and gen_random_uuid() for the commit id the driver sends.
set -euo pipefail
cd "$(dirname "$0")"
LOCK="SELECT pg_advisory_xact_lock_shared(1414725635, hashtext('typedstate' || chr(31) || :guild));"
FLOORLOCK="SELECT pg_advisory_xact_lock_shared(1414725635, hashtext(:guild));"
REFUSE='SELECT "typedstate".lock_unlogged_guild(NULL, t.guild_id) FROM "typedstate".timelines t WHERE t.guild_id = :guild;'
DIG="(CASE WHEN length(key) < 128 THEN ''::bytea ELSE sha256(decode(replace(key, '\\', '\\\\'), 'escape')) END)"
EXPR="scope, guild_id, agent_id, left(key, 128), $DIG"
CLAIM="claimed AS (INSERT INTO ab.commit_ids (id, versions, expires_at) SELECT gen_random_uuid(), ARRAY[version], now() + :ret FROM written) SELECT version FROM written;"
FLOORCLAIM="claimed AS (INSERT INTO ab.commit_ids (id, versions, expires_at) SELECT gen_random_uuid(), ARRAY[version], now() + interval '1 day' FROM written) SELECT version FROM written;"
VFLOOR='coalesce((SELECT floor FROM "typedstate".guild_floors WHERE guild_id = :guild), 0) + 1'
source ./mk.sh

# --- set: keys note-000..009 of the write owner at random, the value of the harness ---
K="'note-00' || :k"
drvset() { echo "WITH written AS (INSERT INTO ab.$1 AS r (scope, guild_id, agent_id, key, value, value_bytes, version) VALUES (:scope, :guild, :agent, $4, :val, NULL, $3) ON CONFLICT ($2) DO UPDATE SET value = excluded.value, value_bytes = excluded.value_bytes, version = r.version + 1 RETURNING r.version), $CLAIM"; }
set5() { echo "WITH written AS (INSERT INTO ab.r5 AS r (owner, key, value, value_bytes, version) VALUES (:owner, $1, :val, NULL, 1) ON CONFLICT (owner, key) DO UPDATE SET value = excluded.value, value_bytes = excluded.value_bytes, version = r.version + 1 RETURNING r.version), $CLAIM"; }
set6() { echo "WITH written AS (INSERT INTO ab.r6 AS r (owner, key, value, version) VALUES (:owner, $1, :val, 1) ON CONFLICT (owner, key) DO UPDATE SET value = excluded.value, version = r.version + 1 RETURNING r.version), $CLAIM"; }
set7() { echo "WITH written AS (INSERT INTO ab.r7 (owner, key, version, value) VALUES (:owner, $1, 1, :val) ON CONFLICT (owner, key) DO UPDATE SET version = ab.r7.version + 1, value = excluded.value RETURNING version), $FLOORCLAIM"; }
H=('\set k random(0, 9)')
mk set-v0.sql "set V0: the driver's lock, refusal and RememberingSetAny on layout 9 (ab.r0)" "${H[@]}" -- "$LOCK" "$REFUSE" "$(drvset r0 "$EXPR" "$VFLOOR" "$K")"
mk set-v1.sql "set V1: V0 without the refusal of a guild keeping a timeline" "${H[@]}" -- "$LOCK" "$(drvset r0 "$EXPR" "$VFLOOR" "$K")"
mk set-v2.sql "set V2: V1 without the guild's version floor (a created key starts at 1)" "${H[@]}" -- "$LOCK" "$(drvset r0 "$EXPR" 1 "$K")"
mk set-v3.sql "set V3: V2 on a table without the one-value CHECK (ab.r3)" "${H[@]}" -- "$LOCK" "$(drvset r3 "$EXPR" 1 "$K")"
mk set-v4.sql "set V4: V3 on a table whose unique index is the plain columns (ab.r4; keys up to ~2700 bytes only)" "${H[@]}" -- "$LOCK" "$(drvset r4 "scope, guild_id, agent_id, key" 1 "$K")"
mk set-v5.sql "set V5: V4 with one owner column instead of scope, guild, agent (ab.r5)" "${H[@]}" -- "$LOCK" "$(set5 "$K")"
mk set-v6.sql "set V6: V5 without value_bytes (ab.r6)" "${H[@]}" -- "$LOCK" "$(set6 "$K")"
mk set-v7.sql "set V7: the floor's statements (RawPostgresFloorSide) on its table, database collation (ab.r7)" "${H[@]}" -- "$FLOORLOCK" "$(set7 "$K")"

# --- compare-and-set: keys note-010..019 in turn, each at a known version (run.sh's prepare line sets them to 1000) ---
C=('\set i :i + 1' '\set k 10 + :i % 10' '\set ver 999 + (:i + 9) / 10')
CK="'note-0' || :k"
P3="-- prepare: UPDATE ab.{t} SET version = 1000 WHERE scope = 1 AND guild_id = 'guild-0' AND agent_id = 'agent-1' AND key BETWEEN 'note-010' AND 'note-019'"
Q3="-- check: SELECT min(version) = 1000 + {n10} AND max(version) = 1000 + {n10} FROM ab.{t} WHERE scope = 1 AND guild_id = 'guild-0' AND agent_id = 'agent-1' AND key BETWEEN 'note-010' AND 'note-019'"
P1="-- prepare: UPDATE ab.{t} SET version = 1000 WHERE owner = 'guild-0/agent-1' AND key BETWEEN 'note-010' AND 'note-019'"
Q1="-- check: SELECT min(version) = 1000 + {n10} AND max(version) = 1000 + {n10} FROM ab.{t} WHERE owner = 'guild-0/agent-1' AND key BETWEEN 'note-010' AND 'note-019'"
drvcas() { echo "WITH written AS (UPDATE ab.$1 SET value = :val, value_bytes = NULL, version = version + 1 WHERE scope = :scope AND guild_id = :guild AND agent_id = :agent${2} AND key = $CK AND (value IS NOT NULL OR value_bytes IS NOT NULL) AND version = :ver RETURNING version), $CLAIM"; }
HEAD=" AND left(key, 128) = left($CK, 128)"
mk cas-v0.sql "cas V0: the driver's lock, refusal and RememberingSetIfVersion (short-key form) on layout 9 (ab.r0)" "${P3//\{t\}/r0}" "${Q3//\{t\}/r0}" "${C[@]}" -- "$LOCK" "$REFUSE" "$(drvcas r0 "$HEAD")"
mk cas-v1.sql "cas V1: V0 without the refusal" "${P3//\{t\}/r0}" "${Q3//\{t\}/r0}" "${C[@]}" -- "$LOCK" "$(drvcas r0 "$HEAD")"
mk cas-v3.sql "cas V3: V1 on a table without the CHECK (ab.r3)" "${P3//\{t\}/r3}" "${Q3//\{t\}/r3}" "${C[@]}" -- "$LOCK" "$(drvcas r3 "$HEAD")"
mk cas-v4.sql "cas V4: V3 on the plain-column index, no key-head condition (ab.r4)" "${P3//\{t\}/r4}" "${Q3//\{t\}/r4}" "${C[@]}" -- "$LOCK" "$(drvcas r4 "")"
mk cas-v5.sql "cas V5: V4 with one owner column (ab.r5)" "${P1//\{t\}/r5}" "${Q1//\{t\}/r5}" "${C[@]}" -- "$LOCK" \
  "WITH written AS (UPDATE ab.r5 SET value = :val, value_bytes = NULL, version = version + 1 WHERE owner = :owner AND key = $CK AND (value IS NOT NULL OR value_bytes IS NOT NULL) AND version = :ver RETURNING version), $CLAIM"
mk cas-v6.sql "cas V6: V5 without value_bytes, still refusing a tombstone (ab.r6)" "${P1//\{t\}/r6}" "${Q1//\{t\}/r6}" "${C[@]}" -- "$LOCK" \
  "WITH written AS (UPDATE ab.r6 SET value = :val, version = version + 1 WHERE owner = :owner AND key = $CK AND value IS NOT NULL AND version = :ver RETURNING version), $CLAIM"
mk cas-v7.sql "cas V7: the floor's statements on its table (ab.r7)" "${P1//\{t\}/r7}" "${Q1//\{t\}/r7}" "${C[@]}" -- "$FLOORLOCK" \
  "WITH written AS (UPDATE ab.r7 SET version = version + 1, value = :val WHERE owner = :owner AND key = $CK AND version = :ver RETURNING version), $FLOORCLAIM"

# --- delete after a set (the harness's delete operation): key 'deleted', two transactions per script ---
DK=":dk"
drvdel() { echo "WITH written AS (UPDATE ab.$1 SET value = NULL, value_bytes = NULL, version = version + 1 WHERE scope = :scope AND guild_id = :guild AND agent_id = :agent${2} AND key = $DK AND (value IS NOT NULL OR value_bytes IS NOT NULL) RETURNING version - 1 AS version), claimed AS (INSERT INTO ab.commit_ids (id, versions, expires_at) VALUES (gen_random_uuid(), ARRAY[coalesce((SELECT version FROM written), 0)], now() + :ret)) SELECT version FROM written;"; }
DHEAD=" AND left(key, 128) = left($DK, 128)"
mk delete-v0.sql "delete V0: the driver's set, then its RememberingDeleteAny (a tombstone), each with lock and refusal (ab.r0)" -- "$LOCK" "$REFUSE" "$(drvset r0 "$EXPR" "$VFLOOR" "$DK")" -- "$LOCK" "$REFUSE" "$(drvdel r0 "$DHEAD")"
mk delete-v1.sql "delete V1: V0 without the refusals" -- "$LOCK" "$(drvset r0 "$EXPR" "$VFLOOR" "$DK")" -- "$LOCK" "$(drvdel r0 "$DHEAD")"
mk delete-v2.sql "delete V2: V1 without the version floor in the set" -- "$LOCK" "$(drvset r0 "$EXPR" 1 "$DK")" -- "$LOCK" "$(drvdel r0 "$DHEAD")"
mk delete-v3.sql "delete V3: V2 without the CHECK (ab.r3)" -- "$LOCK" "$(drvset r3 "$EXPR" 1 "$DK")" -- "$LOCK" "$(drvdel r3 "$DHEAD")"
mk delete-v4.sql "delete V4: V3 on the plain-column index (ab.r4)" -- "$LOCK" "$(drvset r4 "scope, guild_id, agent_id, key" 1 "$DK")" -- "$LOCK" "$(drvdel r4 "")"
mk delete-v6.sql "delete V6: one owner column, value only, the tombstone kept (ab.r6)" -- "$LOCK" "$(set6 "$DK")" -- "$LOCK" \
  "WITH written AS (UPDATE ab.r6 SET value = NULL, version = version + 1 WHERE owner = :owner AND key = $DK AND value IS NOT NULL RETURNING version - 1 AS version), claimed AS (INSERT INTO ab.commit_ids (id, versions, expires_at) VALUES (gen_random_uuid(), ARRAY[coalesce((SELECT version FROM written), 0)], now() + :ret)) SELECT version FROM written;"
mk delete-v6x.sql "delete V6x: V6 deleting the row (the next set starts again at version 1: versions reused) (ab.r6)" -- "$LOCK" "$(set6 "$DK")" -- "$LOCK" \
  "WITH written AS (DELETE FROM ab.r6 WHERE owner = :owner AND key = $DK RETURNING version), claimed AS (INSERT INTO ab.commit_ids (id, versions, expires_at) VALUES (gen_random_uuid(), ARRAY[coalesce((SELECT version FROM written), 0)], now() + :ret)) SELECT count(*) FROM written;"
mk delete-v7.sql "delete V7: the floor's set and delete on its table (ab.r7)" -- "$FLOORLOCK" "$(set7 "$DK")" -- "$FLOORLOCK" \
  "WITH written AS (DELETE FROM ab.r7 WHERE owner = :owner AND key = $DK RETURNING version), claimed AS (INSERT INTO ab.commit_ids (id, versions, expires_at) VALUES (gen_random_uuid(), ARRAY[coalesce((SELECT version FROM written), 0)], now() + interval '1 day')) SELECT count(*) FROM written;"

# --- the proposal: the driver's statements (V0) on ab.rp, short keys through the plain-column partial index ---
SHORT="scope, guild_id, agent_id, key) WHERE (length(key) < 128"
mk set-vp.sql "set Vp: V0 on ab.rp (setup-proposal.sql), ON CONFLICT on the short keys' partial index" "${H[@]}" -- "$LOCK" "$REFUSE" "$(drvset rp "$SHORT" "$VFLOOR" "$K")"
mk cas-vp.sql "cas Vp: V0 on ab.rp, the short keys' partial index found by length(key) < 128" "${P3//\{t\}/rp}" "${Q3//\{t\}/rp}" "${C[@]}" -- "$LOCK" "$REFUSE" "$(drvcas rp " AND length(key) < 128")"
mk delete-vp.sql "delete Vp: V0 on ab.rp" -- "$LOCK" "$REFUSE" "$(drvset rp "$SHORT" "$VFLOOR" "$DK")" -- "$LOCK" "$REFUSE" "$(drvdel rp " AND length(key) < 128")"
drvsplit() { echo "WITH written AS (INSERT INTO ab.$1 AS r (scope, guild_id, agent_id, key_head, key_digest, key_rest, value, value_bytes, version) VALUES (:scope, :guild, :agent, $K, '', '', :val, NULL, $VFLOOR) ON CONFLICT (scope, guild_id, agent_id, key_head, key_digest) DO UPDATE SET value = excluded.value, value_bytes = excluded.value_bytes, version = r.version + 1 RETURNING r.version), $CLAIM"; }
mk set-vs.sql "set Vs: V0 on ab.rs (key head, rest and client-computed digest as columns; plain-column index; CHECK kept)" "${H[@]}" -- "$LOCK" "$REFUSE" "$(drvsplit rs)"
mk set-vsn.sql "set Vsn: Vs on ab.rsn (no CHECK)" "${H[@]}" -- "$LOCK" "$REFUSE" "$(drvsplit rsn)"
