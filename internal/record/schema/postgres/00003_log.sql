-- +goose Up
-- The transparency log (package record/tlog); see sqlite/00003_log.sql.
ALTER TABLE events ADD COLUMN log_index BIGINT;
CREATE UNIQUE INDEX events_by_log_index ON events (log_index) WHERE log_index IS NOT NULL;
CREATE INDEX events_pending ON events (seq) WHERE log_index IS NULL;
CREATE INDEX events_by_subject ON events (subject, seq);

-- The Merkle tree's stored hashes, keyed by tlog.StoredHashIndex.
CREATE TABLE log_hashes (
    id   BIGINT PRIMARY KEY,
    hash BYTEA NOT NULL CHECK (length(hash) = 32)
);

-- Signed tree heads, their cosignatures and publication.
CREATE TABLE checkpoints (
    size         BIGINT PRIMARY KEY,
    note         BYTEA NOT NULL,
    cosignatures BYTEA NOT NULL DEFAULT '\x'::bytea,
    cosigned_by  TEXT NOT NULL DEFAULT '[]', -- JSON array of party codes
    published    BIGINT
);
CREATE INDEX checkpoints_published ON checkpoints (size) WHERE published IS NOT NULL;

-- Each party's witness: its cosignature verifier key and where it listens.
CREATE TABLE witnesses (
    party TEXT PRIMARY KEY,
    vkey  TEXT NOT NULL,
    url   TEXT NOT NULL
);
