-- +goose Up
-- The search index moves into a database of its own beside this one
-- (the store's path with "-search" appended), written by a committer of
-- its own, so that indexing a report no longer takes the one writer's
-- time (see internal/record/sqlite/searchdb.go). The index is derived
-- data: clearing the stamp of the analysis that built it makes the next
-- `tabadul serve` (or `tabadul reindex`) rebuild it there.
DROP TABLE search;
DELETE FROM meta WHERE key = 'index_analysis';
