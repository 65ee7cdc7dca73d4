-- Foundation: unit settings, accounts, the audit chain.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE accounts (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    display              TEXT NOT NULL,
    role                 TEXT CHECK (role IN ('admin', 'secadmin', 'auditor', 'officer', 'reader')),
    disabled             INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    created_at           TEXT NOT NULL,
    created_by           TEXT NOT NULL
) STRICT;

-- Each administrator role is held by exactly one account.
CREATE UNIQUE INDEX accounts_one_per_admin_role ON accounts(role)
    WHERE role IN ('admin', 'secadmin', 'auditor');

CREATE TABLE audit_log (
    seq     INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT NOT NULL,
    detail  TEXT NOT NULL,
    prev    TEXT NOT NULL,
    hash    TEXT NOT NULL
) STRICT;

CREATE INDEX audit_log_actor ON audit_log(actor, seq);
CREATE INDEX audit_log_action ON audit_log(action, seq);

-- The log is append-only through the program; the hash chain catches anyone who drops these.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, '审计日志不可修改');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, '审计日志不可删除');
END;
