-- +goose Up
-- A report's rows, halved where they repeated what another row says; the
-- one writer's time per report is what bounds how fast a center records.
--
-- audience repeated versions.audience, the visibility rule's decision,
-- one row per party: the reads that check a party against a version's
-- audience now read that decision itself (see audienceHas).
DROP TABLE audience;
-- report_views was indexed a second time by (party, rid) to find a
-- party's view of one report. A report has a handful of versions, so that
-- view is found through them: versions (rid, version), then the view's
-- key (party, seq). One view per party and report is kept by the write
-- path and checked by the tests (CheckIntegrity).
DROP INDEX report_views_by_report;
