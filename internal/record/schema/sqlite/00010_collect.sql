-- +goose Up
-- STIX 2.1 objects collected from parties (imports, MISP, TAXII pull) and
-- the state of the collectors (news feeds, TAXII subscriptions).

-- One row per STIX object version. The rowid is the server's date_added
-- in microseconds since the Unix epoch: unique and strictly increasing in
-- commit order (the one writer assigns max(now, last + 1)), so TAXII pages
-- by "added > ?" on the primary key and never loses ties.
--   id, type, spec_version, modified (µs; created when there is no
--   modified; 0 for an observable with neither): what TAXII filters on;
--   UNIQUE (id, source, modified) is the versioning rule's key: each
--   party holds its own versions of an object (two parties may well
--   import the same observable), so versioning is per source party.
--   latest: 1 on the newest version of the id from that source.
--   source, tlp, distribution (JSON), audience (JSON array): the
--   visibility rule's decision, made by Directory.Audience exactly as for
--   reports; report/report_seq name the report version the object is a
--   version of, when it is one.
--   digest: SHA-256 of the canonical object, to tell a re-sent version
--   from a conflicting one; object: the JSON as received, compacted.
-- No foreign keys here: the one write path inserts both tables together,
-- and a foreign key check makes SQLite keep a statement journal for every
-- statement, which inside a savepoint of thousands of rows cost more than
-- the rows themselves.
CREATE TABLE stix_objects (
    added        INTEGER PRIMARY KEY,
    id           TEXT NOT NULL,
    type         TEXT NOT NULL,
    spec_version TEXT NOT NULL,
    modified     INTEGER NOT NULL,
    latest       INTEGER NOT NULL DEFAULT 1,
    source       TEXT NOT NULL,
    tlp          TEXT NOT NULL,
    distribution TEXT NOT NULL,
    audience     TEXT NOT NULL,
    report       TEXT,
    report_seq   INTEGER,
    digest       BLOB NOT NULL,
    object       TEXT NOT NULL,
    revoked      INTEGER,
    UNIQUE (id, source, modified)
) STRICT;

-- The visibility decision per party, one row per party that may see the
-- version (the source included): every read starts here, so a party's
-- page of a million objects is a range of this index. type is copied in
-- so that match[type] filters the range without visiting stix_objects; an
-- index on (party, type, added) would make a rare type's deep pages
-- direct, at the price of a tenth of the import's time: add it when a
-- measurement asks for it.
CREATE TABLE stix_views (
    party TEXT NOT NULL,
    added INTEGER NOT NULL,
    type  TEXT NOT NULL,
    PRIMARY KEY (party, added)
) WITHOUT ROWID, STRICT;

-- News feeds the chair configured (interval in seconds; removed set when
-- the chair takes one off), their health and conditional-GET state, and
-- the items taken from them (key: a digest of the item's GUID or link;
-- words: its title's normalized words, for near-duplicate clustering).
CREATE TABLE feeds (
    id          TEXT PRIMARY KEY,
    url         TEXT NOT NULL,
    interval_s  INTEGER NOT NULL,
    language    TEXT NOT NULL,
    reliability TEXT NOT NULL,
    party       TEXT NOT NULL,
    created     INTEGER NOT NULL,
    removed     INTEGER
) STRICT;

CREATE TABLE feed_states (
    id            TEXT PRIMARY KEY REFERENCES feeds (id),
    etag          TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    last_poll     INTEGER NOT NULL,
    last_success  INTEGER NOT NULL,
    last_error    TEXT NOT NULL,
    items_taken   INTEGER NOT NULL,
    next_poll     INTEGER NOT NULL
) STRICT;

CREATE TABLE feed_items (
    feed   TEXT NOT NULL,
    key    TEXT NOT NULL,
    report TEXT NOT NULL,
    words  TEXT NOT NULL,
    taken  INTEGER NOT NULL,
    PRIMARY KEY (feed, key)
) WITHOUT ROWID, STRICT;
CREATE INDEX feed_items_by_time ON feed_items (taken);

-- Remote TAXII 2.1 collections parties pull from: the remote, the
-- credentials (secret sealed with the collector key, never in the clear),
-- how pulled objects are shared, and where the pulls stand (added_after:
-- the last page's X-TAXII-Date-Added-Last, exactly as the server sent it).
CREATE TABLE taxii_remotes (
    id            TEXT PRIMARY KEY,
    party         TEXT NOT NULL,
    distribution  TEXT NOT NULL,
    default_tlp   TEXT NOT NULL,
    api_root      TEXT NOT NULL,
    collection    TEXT NOT NULL,
    username      TEXT NOT NULL,
    sealed_secret BLOB NOT NULL,
    created       INTEGER NOT NULL,
    removed       INTEGER
) STRICT;

CREATE TABLE taxii_cursors (
    id           TEXT PRIMARY KEY REFERENCES taxii_remotes (id),
    added_after  TEXT NOT NULL,
    last_poll    INTEGER NOT NULL,
    last_success INTEGER NOT NULL,
    last_error   TEXT NOT NULL,
    objects      INTEGER NOT NULL
) STRICT;
