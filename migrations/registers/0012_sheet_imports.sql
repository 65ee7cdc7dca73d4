-- Where imported records came from is kept once per import, not once per record. Each row of
-- `sheet_origins` repeated the file's and the sheet's names and the time: 106 bytes a record,
-- 10.6 MB of a 100,000-row sheet's 126.7 MB vault, and one more insert for every record
-- (`make bench`). An import's records have consecutive ids, so one row holds a run of them:
-- the first record's id and the sheet rows of the records from it on, in order, written as
-- `N` or `N-M` items (a run of consecutive rows) separated by spaces
-- (`registers::origins`). A record imported before keeps a run of its own.
CREATE TABLE sheet_imports (
    id          INTEGER PRIMARY KEY,
    register    TEXT NOT NULL,
    file        TEXT NOT NULL,
    sheet       TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    first_id    INTEGER NOT NULL,
    rows        TEXT NOT NULL
) STRICT;

CREATE INDEX sheet_imports_by_record ON sheet_imports(register, first_id);

INSERT INTO sheet_imports (register, file, sheet, imported_at, first_id, rows)
    SELECT register, file, sheet, imported_at, record_id, CAST(row AS TEXT)
    FROM sheet_origins ORDER BY register, record_id;

DROP TABLE sheet_origins;
