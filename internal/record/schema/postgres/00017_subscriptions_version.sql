-- +goose Up
-- SQLite's 00017 gives existing stores a version of their active
-- subscriptions (sqlrow.MetaSubscriptions). PostgreSQL's meta stays empty
-- until a center is founded or copied in (CopyCenter requires it empty,
-- and copies SQLite's version); until its subscriptions first change, a
-- center without a version reads them as they stand with each report. The
-- number is kept so that both dialects' migrations stay aligned.
SELECT 1;
