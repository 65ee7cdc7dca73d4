-- The register database (registers.db, under the register key that only business accounts
-- hold): one immutable event store shared by every register, the carrier register (涉密载体登记)
-- with its projection, search index and reconciliations, the device ledger, serial counters
-- and the print log.

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
-- Serial counters keyed by register as well as prefix (two registers with the same pattern
-- must never share numbers).
CREATE TABLE register_serials (
    register TEXT NOT NULL,
    prefix   TEXT NOT NULL,
    last     INTEGER NOT NULL,
    PRIMARY KEY (register, prefix)
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
    remarks     TEXT NOT NULL,
    borrowed_out TEXT NOT NULL DEFAULT '[]',
    missing      TEXT NOT NULL DEFAULT '[]'
) STRICT;

-- The print log: one row per printed document, never changed.
CREATE TABLE print_jobs (
    id          INTEGER PRIMARY KEY,
    serial      TEXT NOT NULL UNIQUE,
    form        TEXT NOT NULL,
    title       TEXT NOT NULL,
    subject     TEXT NOT NULL,
    request     TEXT NOT NULL,
    digest      TEXT NOT NULL,
    pages       INTEGER NOT NULL,
    printed_at  TEXT NOT NULL,
    actor       TEXT NOT NULL
) STRICT;

CREATE INDEX print_jobs_by_form ON print_jobs(form, id);

CREATE TRIGGER print_jobs_no_update BEFORE UPDATE ON print_jobs
BEGIN
    SELECT RAISE(ABORT, '打印记录不可修改');
END;

CREATE TRIGGER print_jobs_no_delete BEFORE DELETE ON print_jobs
BEGIN
    SELECT RAISE(ABORT, '打印记录不可删除');
END;


-- The device ledger (涉密信息设备台账).

-- The current state of each device, derived from its events (see src/registers/devices).
CREATE TABLE devices (
    id                INTEGER PRIMARY KEY,
    serial            TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL,
    name              TEXT NOT NULL,
    model             TEXT NOT NULL,
    device_serial     TEXT NOT NULL,
    storage_serials   TEXT NOT NULL,
    classified        INTEGER NOT NULL,
    level             TEXT NOT NULL,
    label_no          TEXT NOT NULL,
    department        TEXT NOT NULL,
    custodian         TEXT NOT NULL,
    location          TEXT NOT NULL,
    in_service_on     TEXT NOT NULL,
    status            TEXT NOT NULL,
    holder            TEXT,
    due_on            TEXT,
    inspected_on      TEXT NOT NULL,
    state             TEXT NOT NULL,
    updated_at        TEXT NOT NULL
) STRICT;

CREATE INDEX devices_kind ON devices(kind, id);
CREATE INDEX devices_level ON devices(level, id);
CREATE INDEX devices_status ON devices(status, id);
CREATE INDEX devices_custodian ON devices(custodian, id);
CREATE INDEX devices_department ON devices(department, id);
CREATE INDEX devices_label ON devices(label_no) WHERE label_no <> '';
CREATE INDEX devices_due ON devices(due_on) WHERE due_on IS NOT NULL;
CREATE INDEX devices_inspection ON devices(kind, inspected_on);

-- Substring search over ledger no., label no., name, model, serials, department, custodian,
-- location, holder; kind, level and status as tags (tokens made by src/search.rs).
CREATE VIRTUAL TABLE devices_search USING fts5(
    uni, bi, tags, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0'
);
