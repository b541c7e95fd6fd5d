-- +goose Up
-- The index's rows gain the version's source, TLP, language and tags as
-- lexemes, so that a filtered search narrows the GIN index's matches
-- before joining them to the viewer's report_views (see insertSearch in
-- internal/record/postgres/search.go). Rows written before lack them;
-- clearing the stamp of the analysis that built the index makes the next
-- `tabadul serve` (or `tabadul reindex`) rebuild it.
DELETE FROM meta WHERE key = 'index_analysis';
