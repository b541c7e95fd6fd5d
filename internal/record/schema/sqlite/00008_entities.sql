-- +goose Up
-- The entity registry and what extraction links report versions to.

-- Entities: places, organizations, groups, persons, events. status is
-- proposed, accepted, rejected or merged (then merged_into names the entity
-- it became). proposed_by is the proposing party, '' for the seed.
CREATE TABLE entities (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'rejected', 'merged')),
    merged_into TEXT,
    proposed_by TEXT NOT NULL,
    source      TEXT NOT NULL,
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL
) STRICT;

-- An entity's names. norm is the name normalized (lang.Normalize), key its
-- stems joined by spaces: the registry's lookup matches either, exactly or
-- as a prefix. pos keeps the order the names were given in.
CREATE TABLE entity_aliases (
    entity      TEXT NOT NULL REFERENCES entities (id),
    lang        TEXT NOT NULL,
    name        TEXT NOT NULL,
    norm        TEXT NOT NULL,
    key         TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('proposed', 'accepted')),
    proposed_by TEXT NOT NULL,
    pos         INTEGER NOT NULL,
    PRIMARY KEY (entity, lang, name)
) STRICT;
CREATE INDEX entity_aliases_by_norm ON entity_aliases (norm);
CREATE INDEX entity_aliases_by_key ON entity_aliases (key);
CREATE INDEX entity_aliases_by_name ON entity_aliases (name, lang);

-- Where a version's text names an entity (byte offsets of title, newline,
-- body) and through which alias key: for highlighting, and for a split to
-- know which mentions go with the names split off.
CREATE TABLE entity_mentions (
    seq    INTEGER NOT NULL REFERENCES versions (seq),
    entity TEXT NOT NULL,
    alias  TEXT NOT NULL,
    start  INTEGER NOT NULL,
    "end"  INTEGER NOT NULL,
    PRIMARY KEY (seq, start, entity)
) WITHOUT ROWID, STRICT;
CREATE INDEX entity_mentions_by_entity ON entity_mentions (entity, seq);

-- A version's observables as found, with offsets.
CREATE TABLE version_observables (
    seq   INTEGER NOT NULL REFERENCES versions (seq),
    kind  TEXT NOT NULL,
    value TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    PRIMARY KEY (seq, start)
) WITHOUT ROWID, STRICT;

-- The items a version shares with others: 'entity:<id>' or
-- '<kind>:<value>', once per version. Correlation reads an item's postings
-- newest first and joins each to the viewer's report_views row.
CREATE TABLE version_items (
    item TEXT NOT NULL,
    seq  INTEGER NOT NULL REFERENCES versions (seq),
    PRIMARY KEY (item, seq)
) WITHOUT ROWID, STRICT;
CREATE INDEX version_items_by_seq ON version_items (seq, item);

-- Near-duplicates: each version's MinHash signature (little-endian
-- uint32s), its band keys, and the pairs found when the later one was
-- recorded (a_seq > b_seq).
CREATE TABLE dup_signatures (
    seq       INTEGER PRIMARY KEY REFERENCES versions (seq),
    signature BLOB NOT NULL
) STRICT;
CREATE TABLE dup_bands (
    band INTEGER NOT NULL,
    seq  INTEGER NOT NULL REFERENCES versions (seq),
    PRIMARY KEY (band, seq)
) WITHOUT ROWID, STRICT;
CREATE TABLE dup_edges (
    a_seq      INTEGER NOT NULL REFERENCES versions (seq),
    b_seq      INTEGER NOT NULL REFERENCES versions (seq),
    similarity REAL NOT NULL,
    PRIMARY KEY (a_seq, b_seq)
) WITHOUT ROWID, STRICT;
CREATE INDEX dup_edges_by_b ON dup_edges (b_seq, a_seq);
