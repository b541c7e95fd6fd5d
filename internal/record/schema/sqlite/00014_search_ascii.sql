-- +goose Up
-- The search index's tokens arrive analyzed and space-separated, so the
-- table's tokenizer only has to split them on the spaces. FTS5's ascii
-- tokenizer does that (every byte of a non-ASCII character is part of a
-- token; ASCII punctuation is a separator, and a token holding any is
-- hex-encoded before it gets here) without unicode61's lookup of every
-- character's category, which took a sixth of the CPU of indexing.
--
-- The index is rebuilt from the versions: clearing the stamp of the
-- analysis that built it makes the next `tabadul serve` (or `tabadul
-- reindex`) rebuild it.
DROP TABLE search;
CREATE VIRTUAL TABLE search USING fts5(
    surface,
    stems,
    content = '',
    contentless_delete = 1, -- retention erases purged versions
    tokenize = 'ascii'
);
DELETE FROM meta WHERE key = 'index_analysis';
