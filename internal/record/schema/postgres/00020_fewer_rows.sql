-- +goose Up
-- audience repeated versions.audience, the visibility rule's decision,
-- one row per party: the reads that check a party against a version's
-- audience now read that decision itself (see audienceHas), as on SQLite.
-- report_views keeps its (party, rid) index here: several nodes may
-- record versions of one report at once, and the index is what turns the
-- second view into an update instead of a duplicate.
DROP TABLE audience;
