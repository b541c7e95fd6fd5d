-- +goose Up
-- Distribution to each party's own systems.

-- A party's receiving systems. The signing secret is sealed (AES-GCM under
-- the center's sealing key, kept in meta) so that the center can sign with
-- it but a copy of the table alone reveals nothing; after a rotation the
-- previous secret also signs until prev_until.
CREATE TABLE endpoints (
    id          TEXT PRIMARY KEY,
    party       TEXT NOT NULL REFERENCES parties (code),
    url         TEXT NOT NULL,
    description TEXT NOT NULL,
    ordered     INTEGER NOT NULL DEFAULT 0, -- deliver one at a time, in order
    secret      BLOB NOT NULL,              -- sealed
    prev_secret BLOB,                       -- sealed; signs too until prev_until
    prev_until  INTEGER,
    created     INTEGER NOT NULL,
    deleted     INTEGER,
    -- The circuit breaker: consecutive failed attempts, and until when no
    -- attempt is made.
    failures    INTEGER NOT NULL DEFAULT 0,
    open_until  INTEGER
) STRICT;
CREATE INDEX endpoints_by_party ON endpoints (party, created);

-- What a party wants delivered to one of its endpoints. filter is JSON
-- (store.Filter), its query already compiled.
CREATE TABLE subscriptions (
    id       TEXT PRIMARY KEY,
    party    TEXT NOT NULL REFERENCES parties (code),
    endpoint TEXT NOT NULL REFERENCES endpoints (id),
    filter   TEXT NOT NULL,
    created  INTEGER NOT NULL,
    deleted  INTEGER
) STRICT;
CREATE INDEX subscriptions_by_party ON subscriptions (party) WHERE deleted IS NULL;

-- Every change a party may see, one row per party in the version's stored
-- audience, written in the transaction that records the change: the live
-- stream's events (seq is the SSE id) and what deliveries point at.
CREATE TABLE inbox (
    seq         INTEGER PRIMARY KEY,
    party       TEXT NOT NULL,
    type        TEXT NOT NULL,  -- report.created, report.updated, report.shared, report.revoked
    report      TEXT NOT NULL,
    version_seq INTEGER NOT NULL REFERENCES versions (seq),
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX inbox_by_party ON inbox (party, seq);

-- The outbox: one row per inbox row and matching subscription. id is the
-- webhook-id, fixed across attempts so that receivers deduplicate.
CREATE TABLE deliveries (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    party        TEXT NOT NULL,
    endpoint     TEXT NOT NULL REFERENCES endpoints (id),
    subscription TEXT NOT NULL,
    inbox_seq     INTEGER NOT NULL REFERENCES inbox (seq),
    created      INTEGER NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER NOT NULL,
    last_status  INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    last_latency INTEGER NOT NULL DEFAULT 0, -- microseconds
    done         INTEGER                     -- delivered or dead-lettered at
) STRICT;
CREATE INDEX deliveries_due ON deliveries (next_attempt, seq) WHERE state = 'pending';
CREATE INDEX deliveries_by_endpoint ON deliveries (endpoint, seq);
CREATE INDEX deliveries_by_party ON deliveries (party, seq);

-- Every attempt of a delivery: status 0 means no HTTP answer (error says why).
CREATE TABLE delivery_attempts (
    delivery INTEGER NOT NULL REFERENCES deliveries (seq),
    n        INTEGER NOT NULL,
    at       INTEGER NOT NULL,
    status   INTEGER NOT NULL,
    latency  INTEGER NOT NULL,
    error    TEXT NOT NULL,
    PRIMARY KEY (delivery, n)
) WITHOUT ROWID, STRICT;
CREATE INDEX deliveries_pending_by_endpoint ON deliveries (endpoint, seq) WHERE state = 'pending';
