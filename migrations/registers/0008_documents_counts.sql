-- Carriers counted by status, level and custodian, kept by triggers in the same statement as
-- every change to the register: the home screen's figures, the names in charge and the
-- year-end table of the register now read these few rows instead of walking the index
-- `documents_held` over every carrier. Over 1,000,000 carriers that walk read 47 MB of index
-- pages, which stayed in the vault's page cache: most of the app's memory after login
-- (`make bench`).
CREATE TABLE documents_counts (
    status    TEXT NOT NULL,
    level     TEXT NOT NULL,
    custodian TEXT NOT NULL,
    n         INTEGER NOT NULL CHECK (n > 0),
    PRIMARY KEY (status, level, custodian)
) STRICT, WITHOUT ROWID;

INSERT INTO documents_counts (status, level, custodian, n)
    SELECT status, level, custodian, count(*) FROM documents
    GROUP BY status, level, custodian;

-- A count that falls to zero is deleted, so every row names carriers that exist.
CREATE TRIGGER documents_counts_insert AFTER INSERT ON documents BEGIN
    INSERT INTO documents_counts (status, level, custodian, n)
        VALUES (new.status, new.level, new.custodian, 1)
        ON CONFLICT (status, level, custodian) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER documents_counts_delete AFTER DELETE ON documents BEGIN
    DELETE FROM documents_counts
        WHERE status = old.status AND level = old.level AND custodian = old.custodian AND n = 1;
    UPDATE documents_counts SET n = n - 1
        WHERE status = old.status AND level = old.level AND custodian = old.custodian;
END;

CREATE TRIGGER documents_counts_update AFTER UPDATE OF status, level, custodian ON documents
    WHEN old.status IS NOT new.status OR old.level IS NOT new.level
        OR old.custodian IS NOT new.custodian
BEGIN
    DELETE FROM documents_counts
        WHERE status = old.status AND level = old.level AND custodian = old.custodian AND n = 1;
    UPDATE documents_counts SET n = n - 1
        WHERE status = old.status AND level = old.level AND custodian = old.custodian;
    INSERT INTO documents_counts (status, level, custodian, n)
        VALUES (new.status, new.level, new.custodian, 1)
        ON CONFLICT (status, level, custodian) DO UPDATE SET n = n + 1;
END;
