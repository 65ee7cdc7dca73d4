-- Registers: one immutable event store shared by every register, and the carrier register
-- (涉密载体登记) with its projection, search index and reconciliations.

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    register    TEXT NOT NULL,
    record_id   INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    actor       TEXT NOT NULL,
    approval    TEXT,
    data        TEXT NOT NULL
) STRICT;

CREATE INDEX events_by_record ON events(register, record_id, id);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, '台账事件不可修改：更正请登记新的更正事件');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, '台账事件不可删除');
END;

-- The current state of each carrier, derived from its events (see src/documents).
CREATE TABLE documents (
    id             INTEGER PRIMARY KEY,
    serial         TEXT NOT NULL UNIQUE,
    doc_no         TEXT NOT NULL,
    title          TEXT NOT NULL,
    origin_unit    TEXT NOT NULL,
    level          TEXT NOT NULL,
    secrecy_period TEXT NOT NULL,
    secrecy_until  TEXT,
    scope          TEXT NOT NULL,
    copies         INTEGER NOT NULL,
    copy_numbers   TEXT NOT NULL,
    carrier_type   TEXT NOT NULL,
    custodian      TEXT NOT NULL,
    location       TEXT NOT NULL,
    received_on    TEXT NOT NULL,
    no_copy        INTEGER NOT NULL,
    remarks        TEXT NOT NULL,
    status         TEXT NOT NULL,
    borrower       TEXT,
    due_on         TEXT,
    missing_since  TEXT,
    parent_id      INTEGER REFERENCES documents(id),
    state          TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;

CREATE INDEX documents_level ON documents(level, id);
CREATE INDEX documents_status ON documents(status, id);
CREATE INDEX documents_custodian ON documents(custodian, id);
CREATE INDEX documents_received ON documents(received_on, id);
CREATE INDEX documents_due ON documents(due_on) WHERE due_on IS NOT NULL;
CREATE INDEX documents_missing ON documents(missing_since) WHERE missing_since IS NOT NULL;
CREATE INDEX documents_secrecy_until ON documents(secrecy_until) WHERE secrecy_until IS NOT NULL;
CREATE INDEX documents_parent ON documents(parent_id) WHERE parent_id IS NOT NULL;

-- Substring search over serial, document no., title, origin, custodian, borrower, remarks
-- (tokens made by src/search.rs; contentless, the text lives in `documents`), plus level and
-- status tags so that searches filtered by them never leave the index.
CREATE VIRTUAL TABLE documents_search USING fts5(
    uni, bi, tags, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0'
);

-- Serial counters per prefix (e.g. 机-2026).
CREATE TABLE serial_counters (
    prefix TEXT PRIMARY KEY,
    last   INTEGER NOT NULL
) STRICT;

-- Monthly reconciliation (月核对): what should be there vs. what was counted.
CREATE TABLE reconciliations (
    id          INTEGER PRIMARY KEY,
    checked_on  TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    actor       TEXT NOT NULL,
    custodian   TEXT,
    location    TEXT,
    expected    TEXT NOT NULL,
    counted     TEXT NOT NULL,
    not_found   TEXT NOT NULL,
    unexpected  TEXT NOT NULL,
    remarks     TEXT NOT NULL
) STRICT;
