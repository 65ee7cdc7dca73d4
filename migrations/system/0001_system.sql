-- The system database (vault.db, under the system key every account is granted): unit
-- settings, accounts with their public keys, the signed audit chain, the auditor's checkpoints
-- and the unit's print templates and fonts. No register record is ever stored here: register
-- data lives in registers.db, under a key only business accounts hold.

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
    created_by           TEXT NOT NULL,
    -- The account's public keys (hex): X25519 for key grants, Ed25519 for signatures. They
    -- must match the private keys in the account's slot, checked at every sign-in.
    agreement_pub        TEXT NOT NULL,
    signing_pub          TEXT NOT NULL
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
    hash    TEXT NOT NULL,
    -- Ed25519 key (hex) of the acting account, and its signature over the entry hash; both
    -- empty only for failed sign-ins and lockouts, which happen before any key is unwrapped.
    signer  TEXT NOT NULL,
    sig     TEXT NOT NULL
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

-- A template replacing a built-in one (kind 'template', name = file name), or a font file
-- (kind 'font', name = file name). Replacing or removing is audited.
CREATE TABLE print_assets (
    kind      TEXT NOT NULL CHECK (kind IN ('template', 'font')),
    name      TEXT NOT NULL,
    data      BLOB NOT NULL,
    sha256    TEXT NOT NULL,
    added_at  TEXT NOT NULL,
    actor     TEXT NOT NULL,
    PRIMARY KEY (kind, name)
) STRICT;

-- The auditor's checkpoints: the log head as the auditor saw it, signed with the auditor's key
-- and kept on paper too, so a log rewritten or rolled back behind it cannot pass verification.
CREATE TABLE checkpoints (
    seq      INTEGER PRIMARY KEY,
    head     TEXT NOT NULL,
    at       TEXT NOT NULL,
    auditor  TEXT NOT NULL,
    signer   TEXT NOT NULL,
    sig      TEXT NOT NULL
) STRICT;

CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, '审计检查点不可修改');
END;

CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, '审计检查点不可删除');
END;
