-- The search indexes' leaves filled half of each vault page. FTS5 writes leaves of about
-- 4,050 bytes (its default `pgsz`), and two of them do not fit in one 8 KiB page once
-- SQLCipher has reserved its 80 bytes (vault::db::PAGE_SIZE), so each leaf took a page of its
-- own: over 1,000,000 carriers the carriers' index held 282 MB in 571 MB of pages. A leaf of
-- 8,000 bytes fills one page (no overflow: FTS5 stays within a few bytes of `pgsz`), so a
-- search reads and decrypts half as many pages; the first six-character search's p95 went
-- from 11.7 to 7.4 ms (`make bench`). `hashsize`: a large import flushes its search tokens
-- in 16 MiB runs instead of 1 MiB ones, with fewer segments to merge (a 100,000-row sheet's
-- tokens took 0.56 s instead of 0.77 s). Each index is then written again into full pages
-- (`optimize`: 13 s over 1,000,000 carriers, once; instant on an empty register).
INSERT INTO documents_search (documents_search, rank) VALUES ('pgsz', 8000);
INSERT INTO documents_search (documents_search, rank) VALUES ('hashsize', 16777216);
INSERT INTO documents_search (documents_search) VALUES ('optimize');

INSERT INTO devices_search (devices_search, rank) VALUES ('pgsz', 8000);
INSERT INTO devices_search (devices_search, rank) VALUES ('hashsize', 16777216);
INSERT INTO devices_search (devices_search) VALUES ('optimize');

INSERT INTO persons_search (persons_search, rank) VALUES ('pgsz', 8000);
INSERT INTO persons_search (persons_search, rank) VALUES ('hashsize', 16777216);
INSERT INTO persons_search (persons_search) VALUES ('optimize');
