-- +goose Up
-- Every key each party's witness has had (package record/tlog): the
-- witnesses table holds only the current one, but the cosignatures of
-- checkpoints made before a key changed by amendment (set_witness) must
-- still verify. since and until are microseconds; until is NULL while the
-- key is the party's. A cosignature by a key counts only if made before
-- its until.
CREATE TABLE witness_keys (
    id    INTEGER PRIMARY KEY,
    party TEXT NOT NULL,
    vkey  TEXT NOT NULL,
    since INTEGER NOT NULL,
    until INTEGER
) STRICT;
CREATE UNIQUE INDEX witness_keys_current ON witness_keys (party) WHERE until IS NULL;

-- The witnesses registered before this table, from the start of time.
INSERT INTO witness_keys (party, vkey, since) SELECT party, vkey, 0 FROM witnesses;
