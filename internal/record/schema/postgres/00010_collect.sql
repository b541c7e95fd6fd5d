-- +goose Up
-- The PostgreSQL twin of sqlite/00010_collect.sql: STIX objects collected
-- from parties and the state of the collectors (see that file for each
-- table's meaning). added is the server's date_added in microseconds,
-- assigned by the one writer (the write lock), not an identity; latest is
-- BOOLEAN; digests and sealed secrets are BYTEA; JSON is TEXT as received.

CREATE TABLE stix_objects (
    added        BIGINT PRIMARY KEY,
    id           TEXT NOT NULL,
    type         TEXT NOT NULL,
    spec_version TEXT NOT NULL,
    modified     BIGINT NOT NULL,
    latest       BOOLEAN NOT NULL DEFAULT true,
    source       TEXT NOT NULL,
    tlp          TEXT NOT NULL,
    distribution TEXT NOT NULL,
    audience     TEXT NOT NULL,
    report       TEXT,
    report_seq   BIGINT,
    digest       BYTEA NOT NULL,
    object       TEXT NOT NULL,
    revoked      BIGINT,
    UNIQUE (id, source, modified)
);

CREATE TABLE stix_views (
    party TEXT NOT NULL,
    added BIGINT NOT NULL,
    type  TEXT NOT NULL,
    PRIMARY KEY (party, added)
);

CREATE TABLE feeds (
    id          TEXT PRIMARY KEY,
    url         TEXT NOT NULL,
    interval_s  BIGINT NOT NULL,
    language    TEXT NOT NULL,
    reliability TEXT NOT NULL,
    party       TEXT NOT NULL,
    created     BIGINT NOT NULL,
    removed     BIGINT
);

CREATE TABLE feed_states (
    id            TEXT PRIMARY KEY REFERENCES feeds (id),
    etag          TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    last_poll     BIGINT NOT NULL,
    last_success  BIGINT NOT NULL,
    last_error    TEXT NOT NULL,
    items_taken   BIGINT NOT NULL,
    next_poll     BIGINT NOT NULL
);

CREATE TABLE feed_items (
    feed   TEXT NOT NULL,
    key    TEXT NOT NULL,
    report TEXT NOT NULL,
    words  TEXT NOT NULL,
    taken  BIGINT NOT NULL,
    PRIMARY KEY (feed, key)
);
CREATE INDEX feed_items_by_time ON feed_items (taken);

CREATE TABLE taxii_remotes (
    id            TEXT PRIMARY KEY,
    party         TEXT NOT NULL,
    distribution  TEXT NOT NULL,
    default_tlp   TEXT NOT NULL,
    api_root      TEXT NOT NULL,
    collection    TEXT NOT NULL,
    username      TEXT NOT NULL,
    sealed_secret BYTEA NOT NULL,
    created       BIGINT NOT NULL,
    removed       BIGINT
);

CREATE TABLE taxii_cursors (
    id           TEXT PRIMARY KEY REFERENCES taxii_remotes (id),
    added_after  TEXT NOT NULL,
    last_poll    BIGINT NOT NULL,
    last_success BIGINT NOT NULL,
    last_error   TEXT NOT NULL,
    objects      BIGINT NOT NULL
);
