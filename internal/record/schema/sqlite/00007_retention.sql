-- +goose Up
-- When retention erased a version's title and body (the version was
-- revoked long enough ago); the row, its event and its log entry stay.
ALTER TABLE versions ADD COLUMN purged INTEGER;
CREATE INDEX reports_by_revocation ON reports (revoked) WHERE revoked IS NOT NULL;
