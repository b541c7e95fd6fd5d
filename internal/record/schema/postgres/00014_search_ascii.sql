-- +goose Up
-- SQLite's 00014 changes its full-text table's tokenizer; PostgreSQL's
-- tsvector holds the same tokens as they are, and needs no change. The
-- number is kept so that both dialects' migrations stay aligned.
SELECT 1;
