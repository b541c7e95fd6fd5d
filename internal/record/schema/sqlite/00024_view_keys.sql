-- +goose Up
-- A party's view of a version is keyed by one integer, the party's number
-- shifted past the version's seq: parties.num << 40 | seq. Every read that
-- returns report content goes through the viewer's report_views row, and
-- a search looks one up for each match of its words; a seek on one
-- integer costs less than a seek on (party text, seq) (the ranking of a
-- benchmark's queries: 8% faster; see BENCHMARKS.md).
--
-- The table stays WITHOUT ROWID. As a rowid table (3% faster to search),
-- the key would be an explicit rowid, for which SQLite keeps a statement
-- journal of each multi-row insert of views, copying every page the
-- insert touches: recording reports was 5% slower.
--
-- A party's number never changes and is never given to another party: a
-- removed party keeps its row (parties.removed) and its number, and takes
-- it back if admitted again, so that its views stay its own. pos, the
-- roster's order, changes on re-admission and so cannot be the key.
-- Seqs stay below 2^40 and numbers below 2^23.
ALTER TABLE parties ADD COLUMN num INTEGER NOT NULL DEFAULT 0;
UPDATE parties SET num = (SELECT count(*) FROM parties p WHERE p.pos <= parties.pos);
CREATE UNIQUE INDEX parties_by_num ON parties (num);

CREATE TABLE views (
    view     INTEGER PRIMARY KEY, -- parties.num << 40 | seq
    rid      INTEGER NOT NULL REFERENCES reports (rid),
    source   TEXT NOT NULL,
    tlp      TEXT NOT NULL,
    language TEXT NOT NULL,
    version  INTEGER NOT NULL,
    seq      INTEGER GENERATED ALWAYS AS (view & 1099511627775) VIRTUAL
) WITHOUT ROWID, STRICT;
INSERT INTO views (view, rid, source, tlp, language, version)
    SELECT p.num << 40 | rv.seq, rv.rid, rv.source, rv.tlp, rv.language, rv.version
    FROM report_views rv JOIN parties p ON p.code = rv.party;
DROP TABLE report_views;
ALTER TABLE views RENAME TO report_views;
