-- Records and events that arrived in bundles (src/bundle/exchange.rs, src/registers/exchange.rs).
-- A record or an event is known across units by its origin: the fingerprint of the unit where
-- it was first recorded and its id there. Rows of this vault's own making have no row here
-- (their origin is this unit's fingerprint and their local id).

-- A record registered in another unit: which local record it became.
CREATE TABLE record_origins (
    register   TEXT NOT NULL,
    record_id  INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    origin_id  INTEGER NOT NULL,
    PRIMARY KEY (register, record_id),
    UNIQUE (register, origin, origin_id)
) STRICT;

-- An event of another unit's making: the local event it was stored as (`stored`), or, when a
-- conflict was resolved, the local event that absorbed it (`absorbed`, with `event_id` the
-- adopting or correcting event, or NULL when this unit kept its own version). Either way the
-- event is known here, so importing it again changes nothing.
CREATE TABLE event_origins (
    origin     TEXT NOT NULL,
    origin_id  INTEGER NOT NULL,
    register   TEXT NOT NULL,
    record_id  INTEGER NOT NULL,
    how        TEXT NOT NULL CHECK (how IN ('stored', 'absorbed')),
    event_id   INTEGER,
    PRIMARY KEY (origin, origin_id)
) STRICT;
CREATE INDEX event_origins_record ON event_origins (register, record_id);
CREATE UNIQUE INDEX event_origins_stored ON event_origins (event_id) WHERE how = 'stored';

-- Bundles this unit wrote, and the receipt that closed each.
CREATE TABLE bundles_sent (
    hash           TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    selection      TEXT NOT NULL,
    recipients     TEXT NOT NULL,
    records        INTEGER NOT NULL,
    events         INTEGER NOT NULL,
    received_at    TEXT,
    received_by    TEXT,
    receipt_hash   TEXT UNIQUE
) STRICT;

CREATE TABLE bundle_items (
    hash       TEXT NOT NULL REFERENCES bundles_sent (hash),
    register   TEXT NOT NULL,
    record_id  INTEGER NOT NULL,
    PRIMARY KEY (hash, register, record_id)
) STRICT;

-- Bundles imported here (a bundle applied twice is recognised by its hash).
CREATE TABLE bundles_received (
    hash         TEXT PRIMARY KEY,
    sender       TEXT NOT NULL,
    unit         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    imported_at  TEXT NOT NULL,
    imported_by  TEXT NOT NULL,
    added        INTEGER NOT NULL,
    changed      INTEGER NOT NULL,
    conflicts    INTEGER NOT NULL
) STRICT;
