-- Search tokens now keep each character pair at its first character's position: two break
-- tokens stand between runs (src/search.rs), so a long query is matched by the few pairs
-- that cover it, each checked at its offset, instead of the phrase of all its pairs, which
-- read every pair's list (`make bench`). A register's index is searched that way only once
-- it is marked here. An empty register's index is marked at once; an index written before
-- this migration is written again at the next sign-in (`Session::upgrade_search`), and until
-- then is searched by the phrase, which needs no breaks.
CREATE TABLE search_format (
    tbl        TEXT PRIMARY KEY,
    positioned INTEGER NOT NULL CHECK (positioned IN (0, 1))
) STRICT, WITHOUT ROWID;

INSERT INTO search_format (tbl, positioned) VALUES
    ('documents', NOT EXISTS (SELECT 1 FROM documents)),
    ('devices', NOT EXISTS (SELECT 1 FROM devices)),
    ('persons', NOT EXISTS (SELECT 1 FROM persons));
