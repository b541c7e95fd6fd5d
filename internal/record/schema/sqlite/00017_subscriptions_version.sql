-- +goose Up
-- The write path keeps the active subscriptions between transactions for
-- as long as their version in meta (sqlrow.MetaSubscriptions) does not
-- change; every change to a subscription, or an endpoint's deletion,
-- replaces it. A store that had subscriptions before this migration starts
-- with a version of its own, so that they are cached from the first report.
INSERT INTO meta (key, value) VALUES ('subscriptions_version', lower(hex(randomblob(16))))
ON CONFLICT (key) DO NOTHING;
