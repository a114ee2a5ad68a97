-- The proposal's table (run after setup.sql): ab.r0 with its unique index split by key length. A key shorter than
-- 128 characters is unique on the plain columns (its entry fits a btree: 128 characters of 4 bytes beside owner ids of
-- 1024 bytes each); a longer key on layout 9's head and digest. No key is in both (the predicates exclude each
-- other), and no two keys of different lengths are equal, so together they keep (owner, key) unique.
DROP TABLE IF EXISTS ab.rp;
CREATE TABLE ab.rp (LIKE ab.r0 INCLUDING CONSTRAINTS);
INSERT INTO ab.rp SELECT * FROM ab.r0 ORDER BY 1, 2, 3, 4;
CREATE UNIQUE INDEX rp_short ON ab.rp (scope, guild_id, agent_id, key) WHERE length(key) < 128;
CREATE UNIQUE INDEX rp_long ON ab.rp (scope, guild_id, agent_id, left(key, 128), sha256(decode(replace(key, '\', '\\'), 'escape')))
    WHERE length(key) >= 128;
VACUUM ANALYZE ab.rp;

-- rs, rsn (the second proposal): the key stored as its head (the first 128 characters) and the rest, with the digest
-- ('' for a short key, the SHA-256 of the whole key otherwise) as a column the client computes, so the unique index is
-- on plain columns and no statement evaluates an index expression. rs keeps the one-value CHECK, rsn drops it.
DROP TABLE IF EXISTS ab.rs, ab.rsn;
CREATE TABLE ab.rs (scope smallint NOT NULL, guild_id text COLLATE "C" NOT NULL, agent_id text COLLATE "C" NOT NULL,
    key_head text COLLATE "C" NOT NULL, key_digest bytea NOT NULL, value jsonb, version bigint NOT NULL, value_bytes bytea,
    key_rest text COLLATE "C" NOT NULL, CONSTRAINT rs_one_value CHECK (value IS NULL OR value_bytes IS NULL));
CREATE TABLE ab.rsn (LIKE ab.rs);
INSERT INTO ab.rs SELECT scope, guild_id, agent_id, left(key, 128), ''::bytea, value, version, value_bytes, substr(key, 129) FROM ab.r0 ORDER BY 1, 2, 3, 4;
INSERT INTO ab.rsn SELECT * FROM ab.rs ORDER BY 1, 2, 3, 4;
CREATE UNIQUE INDEX rs_key ON ab.rs (scope, guild_id, agent_id, key_head, key_digest);
CREATE UNIQUE INDEX rsn_key ON ab.rsn (scope, guild_id, agent_id, key_head, key_digest);
VACUUM ANALYZE ab.rs, ab.rsn;
