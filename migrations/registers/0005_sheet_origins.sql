-- Where a record imported from an officer's own sheet came from: the file's name, the sheet
-- and the row. Its history shows it beside the registration.
CREATE TABLE sheet_origins (
    register    TEXT NOT NULL,
    record_id   INTEGER NOT NULL,
    file        TEXT NOT NULL,
    sheet       TEXT NOT NULL,
    row         INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (register, record_id)
) WITHOUT ROWID;
