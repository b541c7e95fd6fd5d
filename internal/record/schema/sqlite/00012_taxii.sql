-- +goose Up
-- The TAXII 2.1 server's own state; the objects it serves are the
-- stix_objects of 00010.

-- One row per status resource of an "add objects" request, kept so that a
-- client may poll it from any node and after a restart.
--   party: the party whose user made the request; only it may read the
--   status. requested/updated: µs. total: objects in the envelope.
--   successes, failures, pendings: JSON arrays of {id, version, message}.
CREATE TABLE taxii_statuses (
    id        TEXT PRIMARY KEY,
    party     TEXT NOT NULL REFERENCES parties (code),
    username  TEXT NOT NULL,
    requested INTEGER NOT NULL,
    updated   INTEGER NOT NULL,
    total     INTEGER NOT NULL,
    successes TEXT NOT NULL,
    failures  TEXT NOT NULL,
    pendings  TEXT NOT NULL
) STRICT;

-- How each party's TAXII additions are shared (a distribution as JSON, as
-- in stix_objects); a party without a row shares with all members.
CREATE TABLE taxii_parties (
    party        TEXT PRIMARY KEY REFERENCES parties (code),
    distribution TEXT NOT NULL
) STRICT;

-- "first" and "last" of match[version] look up an object's other versions
-- from the same source: the UNIQUE (id, source, modified) index of 00010
-- serves them.

-- A from-XX collection walks XX's objects in date_added order (the rowid
-- follows the source in the index), then checks each against stix_views.
CREATE INDEX taxii_objects_by_source ON stix_objects (source);

-- match[type] pages one party's objects of some types in date_added order.
-- Imports do without it (it costs them a write per object); TAXII reads
-- need it at a million objects.
CREATE INDEX stix_views_by_type ON stix_views (party, type, added);
