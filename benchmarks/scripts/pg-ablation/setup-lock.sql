-- Variant tables for the lock ablation (independent of setup.sql). ab.l0 / ab.lo0 are the driver's locks and
-- lock_owners as storage layout 9 leaves them (PostgresSql.StorageLayout.cs: created with a primary key, which layout 3
-- replaced by the key-head and digest index, holder added by layout 7, index rebuilt by layout 9), ab.l7 / ab.lo7 the
-- floor's (RawPostgresSide, RawPostgresFloorSide). Every table gets the same rows, built the same way (rows in key
-- order, then the index): 100 owners (guild-0..9 / agent-0..9), each with released locks on 'lock', 'note-000'..'009'
-- and '' (the owner lock) and a counter.
CREATE SCHEMA IF NOT EXISTS ab;
CREATE TABLE IF NOT EXISTS ab.commit_ids (id uuid PRIMARY KEY, versions bigint[], expires_at timestamptz NOT NULL);
DROP TABLE IF EXISTS ab.l0, ab.l1, ab.l3, ab.l5, ab.l7, ab.lo0, ab.lo5, ab.lo7;
DROP SEQUENCE IF EXISTS ab.lock_tokens;
-- l0: layout 9; l1: l0 with the plain-column unique index; l3: l1 without holder.
CREATE TABLE ab.l0 (scope smallint NOT NULL, guild_id text COLLATE "C" NOT NULL, agent_id text COLLATE "C" NOT NULL,
    resource text COLLATE "C" NOT NULL, token bigint NOT NULL, expires_at timestamptz NOT NULL, holder text);
CREATE TABLE ab.l1 (LIKE ab.l0);
CREATE TABLE ab.l3 (scope smallint NOT NULL, guild_id text COLLATE "C" NOT NULL, agent_id text COLLATE "C" NOT NULL,
    resource text COLLATE "C" NOT NULL, token bigint NOT NULL, expires_at timestamptz NOT NULL);
CREATE TABLE ab.lo0 (scope smallint NOT NULL, guild_id text COLLATE "C" NOT NULL, agent_id text COLLATE "C" NOT NULL,
    last_token bigint NOT NULL, PRIMARY KEY (scope, guild_id, agent_id));
-- l5 / lo5: one owner column ('guild/agent') instead of scope, guild, agent.
CREATE TABLE ab.l5 (owner text COLLATE "C" NOT NULL, resource text COLLATE "C" NOT NULL, token bigint NOT NULL, expires_at timestamptz NOT NULL);
CREATE TABLE ab.lo5 (owner text COLLATE "C" PRIMARY KEY, last_token bigint NOT NULL);
-- l7 / lo7: the floor's (database collation).
CREATE TABLE ab.l7 (owner text NOT NULL, key text NOT NULL, token bigint NOT NULL, expires timestamptz NOT NULL);
CREATE TABLE ab.lo7 (owner text PRIMARY KEY, last_token bigint NOT NULL);
-- the proposal's token source: one sequence for every owner (tokens grow across holders, keys and owners).
CREATE SEQUENCE ab.lock_tokens;

INSERT INTO ab.l0 SELECT 1, 'guild-' || g, 'agent-' || a, r, 1, '-infinity', 'host:1'
    FROM generate_series(0, 9) g, generate_series(0, 9) a,
         unnest(ARRAY['', 'lock', 'note-000', 'note-001', 'note-002', 'note-003', 'note-004', 'note-005', 'note-006', 'note-007', 'note-008', 'note-009']) r
    ORDER BY 1, 2, 3, 4;
INSERT INTO ab.l1 SELECT * FROM ab.l0 ORDER BY 1, 2, 3, 4;
INSERT INTO ab.l3 SELECT scope, guild_id, agent_id, resource, token, expires_at FROM ab.l0 ORDER BY 1, 2, 3, 4;
INSERT INTO ab.lo0 SELECT DISTINCT scope, guild_id, agent_id, 1 FROM ab.l0 ORDER BY 1, 2, 3;
INSERT INTO ab.l5 SELECT guild_id || '/' || agent_id, resource, token, expires_at FROM ab.l0 ORDER BY 1, 2;
INSERT INTO ab.lo5 SELECT guild_id || '/' || agent_id, 1 FROM ab.lo0 ORDER BY 1;
INSERT INTO ab.l7 SELECT owner, resource, token, expires_at FROM ab.l5 ORDER BY 1, 2;
INSERT INTO ab.lo7 SELECT owner, last_token FROM ab.lo5 ORDER BY 1;

CREATE UNIQUE INDEX l0_resource ON ab.l0 (scope, guild_id, agent_id, left(resource, 128),
    (CASE WHEN length(resource) < 128 THEN ''::bytea ELSE sha256(decode(replace(resource, '\', '\\'), 'escape')) END));
CREATE UNIQUE INDEX l1_resource ON ab.l1 (scope, guild_id, agent_id, resource);
CREATE UNIQUE INDEX l3_resource ON ab.l3 (scope, guild_id, agent_id, resource);
CREATE UNIQUE INDEX l5_resource ON ab.l5 (owner, resource);
ALTER TABLE ab.l7 ADD PRIMARY KEY (owner, key);
VACUUM ANALYZE;

-- lg (a proposal): l0 with the resource's head and digest as stored generated columns, computed by the server from the
-- resource as layout 9's index expressions are, and the unique index on plain columns.
DROP TABLE IF EXISTS ab.lg;
CREATE TABLE ab.lg (scope smallint NOT NULL, guild_id text COLLATE "C" NOT NULL, agent_id text COLLATE "C" NOT NULL,
    resource text COLLATE "C" NOT NULL, token bigint NOT NULL, expires_at timestamptz NOT NULL, holder text,
    resource_head text COLLATE "C" GENERATED ALWAYS AS (left(resource, 128)) STORED,
    resource_digest bytea GENERATED ALWAYS AS (CASE WHEN length(resource) < 128 THEN ''::bytea ELSE sha256(decode(replace(resource, '\', '\\'), 'escape')) END) STORED);
INSERT INTO ab.lg (scope, guild_id, agent_id, resource, token, expires_at, holder) SELECT * FROM ab.l0 ORDER BY 1, 2, 3, 4;
CREATE UNIQUE INDEX lg_resource ON ab.lg (scope, guild_id, agent_id, resource_head, resource_digest);
VACUUM ANALYZE ab.lg;
