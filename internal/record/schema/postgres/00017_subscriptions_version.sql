-- +goose Up
-- SQLite's 00017 gives the active subscriptions a version, for its write
-- path's cache of them; the PostgreSQL backend reads a version's audience's
-- subscriptions with each report. The number is kept so that both
-- dialects' migrations stay aligned.
SELECT 1;
