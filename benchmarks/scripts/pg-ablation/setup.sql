-- Variant tables for the write ablation, copies of the harness's data (pg-client seeds typedstate and rawfloor).
-- Every copy is built the same way (rows inserted in key order, then the index), so the variants differ by the one
-- change each names. ab.r0 is the driver's table (layout 9), ab.r7 the floor's.
DROP SCHEMA IF EXISTS ab CASCADE;
CREATE SCHEMA ab;
CREATE TABLE ab.commit_ids (id uuid PRIMARY KEY, versions bigint[], expires_at timestamptz NOT NULL);
CREATE INDEX ON ab.commit_ids (expires_at);

-- r0: layout 9 as it is: three owner columns, value + value_bytes, the one-value CHECK, the expression index.
CREATE TABLE ab.r0 (scope smallint NOT NULL, guild_id text COLLATE "C" NOT NULL, agent_id text COLLATE "C" NOT NULL,
    key text COLLATE "C" NOT NULL, value jsonb, version bigint NOT NULL, value_bytes bytea,
    CONSTRAINT r0_one_value CHECK (value IS NULL OR value_bytes IS NULL));
-- r3: r0 without the CHECK.
CREATE TABLE ab.r3 (LIKE ab.r0);
-- r4: r3 whose unique index is the plain columns.
CREATE TABLE ab.r4 (LIKE ab.r0);
-- r5: one owner column (scope, guild and agent in one text) instead of three, value + value_bytes.
CREATE TABLE ab.r5 (owner text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, value jsonb, version bigint NOT NULL, value_bytes bytea);
-- r6: r5 without value_bytes.
CREATE TABLE ab.r6 (owner text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, value jsonb, version bigint NOT NULL);
-- r7: the floor's table (database collation, C.UTF-8 here; primary key).
CREATE TABLE ab.r7 (owner text NOT NULL, key text NOT NULL, version bigint NOT NULL, value jsonb);

INSERT INTO ab.r0 SELECT scope, guild_id, agent_id, key, value, version, value_bytes FROM typedstate.records ORDER BY 1, 2, 3, 4;
INSERT INTO ab.r3 SELECT * FROM ab.r0 ORDER BY 1, 2, 3, 4;
INSERT INTO ab.r4 SELECT * FROM ab.r0 ORDER BY 1, 2, 3, 4;
INSERT INTO ab.r5 SELECT guild_id || '/' || agent_id, key, value, version, value_bytes FROM ab.r0 ORDER BY 1, 2;
INSERT INTO ab.r6 SELECT guild_id || '/' || agent_id, key, value, version FROM ab.r0 ORDER BY 1, 2;
INSERT INTO ab.r7 SELECT owner, key, version, value FROM rawfloor.records ORDER BY 1, 2;

CREATE UNIQUE INDEX r0_key ON ab.r0 (scope, guild_id, agent_id, left(key, 128),
    (CASE WHEN length(key) < 128 THEN ''::bytea ELSE sha256(decode(replace(key, '\', '\\'), 'escape')) END));
CREATE UNIQUE INDEX r3_key ON ab.r3 (scope, guild_id, agent_id, left(key, 128),
    (CASE WHEN length(key) < 128 THEN ''::bytea ELSE sha256(decode(replace(key, '\', '\\'), 'escape')) END));
CREATE UNIQUE INDEX r4_key ON ab.r4 (scope, guild_id, agent_id, key);
CREATE UNIQUE INDEX r5_key ON ab.r5 (owner, key);
CREATE UNIQUE INDEX r6_key ON ab.r6 (owner, key);
ALTER TABLE ab.r7 ADD PRIMARY KEY (owner, key);
-- rp (the proposal): layout 9's table (CHECK included) whose unique index is split by key length: the plain columns
-- for keys shorter than the key head, layout 9's head and digest for the others. Created by setup-proposal.sql.
VACUUM ANALYZE;
