-- Printing: the print log (one row per printed document, never changed), the unit's own
-- templates and fonts (kept inside the vault), and what a reconciliation saw lent out/missing.

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

ALTER TABLE reconciliations ADD COLUMN borrowed_out TEXT NOT NULL DEFAULT '[]';
ALTER TABLE reconciliations ADD COLUMN missing TEXT NOT NULL DEFAULT '[]';
