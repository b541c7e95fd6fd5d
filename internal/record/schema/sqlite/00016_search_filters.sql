-- +goose Up
-- The search table gains a third column, filters: each version's source,
-- TLP, language and tags as tokens (hex-encoded "field=value"). A
-- filtered text search matches them in the index, so that only the
-- matches that pass the filter are joined to the viewer's report_views;
-- before, every match of the words was joined and most were dropped.
-- The column is weighted 0 in the ranking.
--
-- The index is rebuilt from the versions: clearing the stamp of the
-- analysis that built it makes the next `tabadul serve` (or `tabadul
-- reindex`) rebuild it.
DROP TABLE search;
CREATE VIRTUAL TABLE search USING fts5(
    surface,
    stems,
    filters,
    content = '',
    contentless_delete = 1, -- retention erases purged versions
    tokenize = 'ascii'
);
DELETE FROM meta WHERE key = 'index_analysis';
-- FTS5 merges the segments of a level once it holds 'automerge' of them,
-- in the committing transaction. At its default of 4 the merges took a
-- sixth of the committer's time while indexing; at 16 they take half as
-- much, and queries at 100,000 reports are no slower (a fully merged
-- index answers the benchmark's queries about as fast).
INSERT INTO search (search, rank) VALUES ('automerge', 16);
