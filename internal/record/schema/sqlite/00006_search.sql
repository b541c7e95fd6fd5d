-- +goose Up
-- The search index: one row per report version (rowid = versions.seq) with
-- its text analyzed at write time into two aligned columns, the normalized
-- surface forms and their stems. The table is contentless: the text lives
-- in versions; the index holds only what matching and BM25 need. Tokens
-- arrive pre-analyzed and space-separated; unicode61 only splits them on
-- the spaces (a token that is not all letters and digits is hex-encoded
-- before it gets here).
CREATE VIRTUAL TABLE search USING fts5(
    surface,
    stems,
    content = '',
    contentless_delete = 1, -- retention erases purged versions
    tokenize = 'unicode61 remove_diacritics 0'
);
