-- The device ledger (涉密信息设备台账), and serial counters keyed by register as well as prefix
-- (two registers with the same pattern must never share numbers).

CREATE TABLE register_serials (
    register TEXT NOT NULL,
    prefix   TEXT NOT NULL,
    last     INTEGER NOT NULL,
    PRIMARY KEY (register, prefix)
) STRICT;

INSERT INTO register_serials (register, prefix, last) SELECT 'doc', prefix, last FROM serial_counters;
DROP TABLE serial_counters;

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
