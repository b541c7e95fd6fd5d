-- +goose Up
-- When retention erased a version's title and body.
ALTER TABLE versions ADD COLUMN purged BIGINT;
CREATE INDEX reports_by_revocation ON reports (revoked) WHERE revoked IS NOT NULL;
