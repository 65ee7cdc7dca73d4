-- The search indexes split their columns with FTS5's `ascii` tokenizer instead of
-- `unicode61`. The columns hold tokens already made by src/search.rs (letters and digits,
-- lower-cased, separated by spaces), so splitting at the spaces is all a tokenizer has to do;
-- `unicode61` looked up the Unicode category of every character and folded its case again:
-- a twenty-fifth of a 100,000-row sheet's import, where `ascii` takes a quarter of that
-- (`make bench`). The tokens are the same: `ascii` keeps every non-ASCII character in a token
-- and splits at every ASCII character but a letter or digit, which the columns hold only as
-- the spaces between tokens. A tokenizer is fixed when its table is made, so each index is
-- made again, empty, with the same columns and page settings (0010). A register that holds
-- records is marked as not positioned (0009): its index is written again, once, at the next
-- sign-in (`Session::upgrade_search`).
DROP TABLE documents_search;
CREATE VIRTUAL TABLE documents_search USING fts5(
    uni, bi, tags, content = '', contentless_delete = 1, tokenize = 'ascii'
);
INSERT INTO documents_search (documents_search, rank) VALUES ('pgsz', 8000);
INSERT INTO documents_search (documents_search, rank) VALUES ('hashsize', 16777216);

DROP TABLE devices_search;
CREATE VIRTUAL TABLE devices_search USING fts5(
    uni, bi, tags, content = '', contentless_delete = 1, tokenize = 'ascii'
);
INSERT INTO devices_search (devices_search, rank) VALUES ('pgsz', 8000);
INSERT INTO devices_search (devices_search, rank) VALUES ('hashsize', 16777216);

DROP TABLE persons_search;
CREATE VIRTUAL TABLE persons_search USING fts5(
    uni, bi, tags, content = '', contentless_delete = 1, tokenize = 'ascii'
);
INSERT INTO persons_search (persons_search, rank) VALUES ('pgsz', 8000);
INSERT INTO persons_search (persons_search, rank) VALUES ('hashsize', 16777216);

UPDATE search_format SET positioned = NOT EXISTS (SELECT 1 FROM documents) WHERE tbl = 'documents';
UPDATE search_format SET positioned = NOT EXISTS (SELECT 1 FROM devices) WHERE tbl = 'devices';
UPDATE search_format SET positioned = NOT EXISTS (SELECT 1 FROM persons) WHERE tbl = 'persons';
