-- +goose Up
-- A removed party keeps its row (its past reports name it) but leaves the
-- roster and every committee.
ALTER TABLE parties ADD COLUMN removed INTEGER;

-- Handovers and amendments that changed the rotation, in order.
CREATE TABLE rotation_acts (
    seq INTEGER PRIMARY KEY,
    act TEXT NOT NULL -- JSON govern.Act
) STRICT;

CREATE TABLE amendments (
    id       TEXT PRIMARY KEY,
    proposed INTEGER NOT NULL,
    body     TEXT NOT NULL -- JSON govern.Amendment, votes included
) STRICT;
CREATE INDEX amendments_by_time ON amendments (proposed);
