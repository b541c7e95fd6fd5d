-- +goose Up
-- SQLite's 00016 adds a filters column to its full-text table; the
-- PostgreSQL backend filters its search on report_views alone. The number
-- is kept so that both dialects' migrations stay aligned.
SELECT 1;
