-- +goose Up
-- The PostgreSQL twin of sqlite/00012_taxii.sql: the TAXII 2.1 server's
-- own state (see that file). The status lists are JSON as TEXT.

CREATE TABLE taxii_statuses (
    id        TEXT PRIMARY KEY,
    party     TEXT NOT NULL REFERENCES parties (code),
    username  TEXT NOT NULL,
    requested BIGINT NOT NULL,
    updated   BIGINT NOT NULL,
    total     BIGINT NOT NULL,
    successes TEXT NOT NULL,
    failures  TEXT NOT NULL,
    pendings  TEXT NOT NULL
);

CREATE TABLE taxii_parties (
    party        TEXT PRIMARY KEY REFERENCES parties (code),
    distribution TEXT NOT NULL
);

-- A from-XX collection walks XX's objects in date_added order.
CREATE INDEX taxii_objects_by_source ON stix_objects (source, added);

-- match[type] pages one party's objects of some types in date_added order.
CREATE INDEX stix_views_by_type ON stix_views (party, type, added);
