-- +goose Up
-- The chair's notices to the whole center.
CREATE TABLE bulletins (
    seq       INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    party     TEXT NOT NULL REFERENCES parties (code),
    author    TEXT NOT NULL,
    title     TEXT NOT NULL,
    body      TEXT NOT NULL,
    language  TEXT NOT NULL,
    published INTEGER NOT NULL
) STRICT;
