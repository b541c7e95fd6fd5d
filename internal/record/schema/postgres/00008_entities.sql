-- +goose Up
-- The PostgreSQL twin of sqlite/00008_entities.sql: the entity registry
-- and what extraction links report versions to (see that file for each
-- table's meaning). The lookup's prefix ranges on norm and key rely on
-- the database's C collation, as every text order of this schema does.

CREATE TABLE entities (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'rejected', 'merged')),
    merged_into TEXT,
    proposed_by TEXT NOT NULL,
    source      TEXT NOT NULL,
    created     BIGINT NOT NULL,
    updated     BIGINT NOT NULL
);

CREATE TABLE entity_aliases (
    entity      TEXT NOT NULL REFERENCES entities (id),
    lang        TEXT NOT NULL,
    name        TEXT NOT NULL,
    norm        TEXT NOT NULL,
    key         TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('proposed', 'accepted')),
    proposed_by TEXT NOT NULL,
    pos         BIGINT NOT NULL,
    PRIMARY KEY (entity, lang, name)
);
CREATE INDEX entity_aliases_by_norm ON entity_aliases (norm);
CREATE INDEX entity_aliases_by_key ON entity_aliases (key);
-- The conflict check's lookup: who else holds a name.
CREATE INDEX entity_aliases_by_name ON entity_aliases (lang, name);

CREATE TABLE entity_mentions (
    seq    BIGINT NOT NULL REFERENCES versions (seq),
    entity TEXT NOT NULL,
    alias  TEXT NOT NULL,
    start  BIGINT NOT NULL,
    "end"  BIGINT NOT NULL,
    PRIMARY KEY (seq, start, entity)
);
CREATE INDEX entity_mentions_by_entity ON entity_mentions (entity, seq);

CREATE TABLE version_observables (
    seq   BIGINT NOT NULL REFERENCES versions (seq),
    kind  TEXT NOT NULL,
    value TEXT NOT NULL,
    start BIGINT NOT NULL,
    "end" BIGINT NOT NULL,
    PRIMARY KEY (seq, start)
);

CREATE TABLE version_items (
    item TEXT NOT NULL,
    seq  BIGINT NOT NULL REFERENCES versions (seq),
    PRIMARY KEY (item, seq)
);
CREATE INDEX version_items_by_seq ON version_items (seq, item);

-- signature: the MinHash's uint32s, little-endian, as on SQLite.
CREATE TABLE dup_signatures (
    seq       BIGINT PRIMARY KEY REFERENCES versions (seq),
    signature BYTEA NOT NULL
);
CREATE TABLE dup_bands (
    band BIGINT NOT NULL,
    seq  BIGINT NOT NULL REFERENCES versions (seq),
    PRIMARY KEY (band, seq)
);
CREATE TABLE dup_edges (
    a_seq      BIGINT NOT NULL REFERENCES versions (seq),
    b_seq      BIGINT NOT NULL REFERENCES versions (seq),
    similarity DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (a_seq, b_seq)
);
CREATE INDEX dup_edges_by_b ON dup_edges (b_seq, a_seq);
