-- +goose Up
-- Times are integer microseconds since the Unix epoch, UTC.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE parties (
    code  TEXT PRIMARY KEY,
    kind  TEXT NOT NULL CHECK (kind IN ('member', 'associate')),
    names TEXT NOT NULL,          -- JSON object: language -> name
    pos   INTEGER NOT NULL UNIQUE -- roster order
) STRICT;

CREATE TABLE committees (
    code  TEXT PRIMARY KEY,
    names TEXT NOT NULL,
    pos   INTEGER NOT NULL UNIQUE
) STRICT;

CREATE TABLE committee_members (
    committee TEXT NOT NULL REFERENCES committees (code),
    party     TEXT NOT NULL REFERENCES parties (code),
    pos       INTEGER NOT NULL,
    PRIMARY KEY (committee, party)
) STRICT;

CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    party         TEXT NOT NULL REFERENCES parties (code),
    role          TEXT NOT NULL CHECK (role IN ('analyst', 'officer')),
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created       INTEGER NOT NULL
) STRICT;

CREATE TABLE tokens (
    id        TEXT PRIMARY KEY,
    username  TEXT NOT NULL REFERENCES users (username),
    label     TEXT NOT NULL,
    hash      BLOB NOT NULL UNIQUE,
    created   INTEGER NOT NULL,
    expires   INTEGER,
    revoked   INTEGER,
    last_used INTEGER
) STRICT;
CREATE INDEX tokens_by_user ON tokens (username, created);

-- One row per report; what changes lives in versions. Other tables refer
-- to a report by rid, which grows with each new report, so that their
-- indexes take new rows at the end instead of at random UUID positions:
-- the write path's dearest cost was scattering those pages.
CREATE TABLE reports (
    rid     INTEGER PRIMARY KEY,
    id      TEXT NOT NULL UNIQUE,
    source  TEXT NOT NULL REFERENCES parties (code),
    created INTEGER NOT NULL,
    revoked INTEGER
) STRICT;

-- Immutable report versions, in the order they were recorded.
CREATE TABLE versions (
    seq          INTEGER PRIMARY KEY,
    rid          INTEGER NOT NULL REFERENCES reports (rid),
    version      INTEGER NOT NULL,
    author       TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    language     TEXT NOT NULL,
    tlp          TEXT NOT NULL,
    distribution TEXT NOT NULL, -- JSON
    reliability  TEXT NOT NULL,
    credibility  TEXT NOT NULL,
    tags         TEXT NOT NULL, -- JSON array
    audience     TEXT NOT NULL, -- JSON array, the visibility rule's decision
    observed_at  INTEGER,
    UNIQUE (rid, version)
) STRICT;

-- The visibility rule's decision per version, one row per party that may
-- see it. Every read of versions joins it.
CREATE TABLE audience (
    party TEXT NOT NULL,
    seq   INTEGER NOT NULL REFERENCES versions (seq),
    PRIMARY KEY (party, seq)
) WITHOUT ROWID, STRICT;

-- For each party and report, the newest version that party may see: what
-- lists, lookups and searches show it. Keyed by (party, seq) so that a
-- search's matches (version seqs) find the viewer's rows in key order, with
-- the fields searches filter and count by copied in: ranking and facets
-- then never touch the versions table and its bodies.
CREATE TABLE report_views (
    party    TEXT NOT NULL,
    seq      INTEGER NOT NULL REFERENCES versions (seq),
    rid      INTEGER NOT NULL REFERENCES reports (rid),
    source   TEXT NOT NULL,
    tlp      TEXT NOT NULL,
    language TEXT NOT NULL,
    version  INTEGER NOT NULL,
    PRIMARY KEY (party, seq)
) WITHOUT ROWID, STRICT;
CREATE UNIQUE INDEX report_views_by_report ON report_views (party, rid);

CREATE TABLE version_tags (
    tag TEXT NOT NULL,
    seq INTEGER NOT NULL REFERENCES versions (seq),
    PRIMARY KEY (tag, seq)
) WITHOUT ROWID, STRICT;

-- Every change of state, in order: the leaves of the transparency log.
CREATE TABLE events (
    seq     INTEGER PRIMARY KEY,
    id      TEXT NOT NULL UNIQUE,
    type    TEXT NOT NULL,
    party   TEXT NOT NULL,
    user    TEXT NOT NULL,
    at      INTEGER NOT NULL,
    subject TEXT NOT NULL,
    digest  BLOB NOT NULL, -- SHA-256(salt || content)
    salt    BLOB NOT NULL  -- given only to parties entitled to the content
) STRICT;
