-- +goose Up
-- The search index: one row per indexed report version (seq =
-- versions.seq) holding its pre-analyzed tokens (store.SearchDoc) as a
-- tsvector, entered verbatim as lexemes (the 'simple' configuration's
-- meaning, without its parser, which would split IPs and URLs). A
-- version's stems take positions 1..n with weight B, its surface forms
-- positions n+1..2n with weight A: a word matches 'surface':A or
-- 'stem':B, a phrase its stems 'a':B <-> 'b':B. GIN makes @@ an index
-- lookup.
CREATE TABLE search (
    seq BIGINT PRIMARY KEY REFERENCES versions (seq),
    tsv TSVECTOR NOT NULL
);
CREATE INDEX search_tsv ON search USING gin (tsv);
