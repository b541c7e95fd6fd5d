-- +goose Up
-- The transparency log (package record/tlog). Its leaves are the events:
-- an event's log_index is NULL while it waits for the integrator, which then
-- gives it the next index, once and for all.
ALTER TABLE events ADD COLUMN log_index INTEGER;
CREATE UNIQUE INDEX events_by_log_index ON events (log_index) WHERE log_index IS NOT NULL;
CREATE INDEX events_pending ON events (seq) WHERE log_index IS NULL;
CREATE INDEX events_by_subject ON events (subject, seq);

-- The Merkle tree's stored hashes, keyed by tlog.StoredHashIndex: every
-- hash the tiles and proofs are made of. Written once, never changed.
CREATE TABLE log_hashes (
    id   INTEGER PRIMARY KEY,
    hash BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;

-- Signed tree heads. note is the c2sp.org/tlog-checkpoint signed by the
-- center's key; cosignatures are the witnesses' signature lines; published
-- (microseconds) is set once the charter's witness quorum cosigned it.
CREATE TABLE checkpoints (
    size         INTEGER PRIMARY KEY,
    note         BLOB NOT NULL,
    cosignatures BLOB NOT NULL DEFAULT x'',
    cosigned_by  TEXT NOT NULL DEFAULT '[]', -- JSON array of party codes
    published    INTEGER
) STRICT;
CREATE INDEX checkpoints_published ON checkpoints (size) WHERE published IS NOT NULL;

-- Each party's witness: its cosignature verifier key and where it listens.
CREATE TABLE witnesses (
    party TEXT PRIMARY KEY,
    vkey  TEXT NOT NULL,
    url   TEXT NOT NULL
) STRICT;
