-- The personnel register (涉密人员登记): the current state of each person, derived from its
-- events (see src/registers/personnel). Due dates are computed from the days they count from
-- (`reviewed_on`, `pledged_on`) and the unit's intervals, so a changed interval needs no
-- rewrite.
CREATE TABLE persons (
    id              INTEGER PRIMARY KEY,
    serial          TEXT NOT NULL UNIQUE,
    -- Unique: the carrier and device registers name a person by it.
    name            TEXT NOT NULL UNIQUE,
    department      TEXT NOT NULL,
    post            TEXT NOT NULL,
    class           TEXT NOT NULL,
    account         TEXT NOT NULL,
    status          TEXT NOT NULL,
    reviewed_on     TEXT,
    pledged_on      TEXT,
    cooling_ends_on TEXT,
    exception_open  INTEGER NOT NULL,
    state           TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;

CREATE INDEX persons_class ON persons(class, id);
CREATE INDEX persons_status ON persons(status, id);
CREATE INDEX persons_department ON persons(department, id);
CREATE INDEX persons_reviewed ON persons(class, reviewed_on);
CREATE INDEX persons_cooling ON persons(cooling_ends_on) WHERE cooling_ends_on IS NOT NULL;

-- Substring search over serial, name, department, post, account, remarks; class and status as
-- tags (tokens made by src/search.rs).
CREATE VIRTUAL TABLE persons_search USING fts5(
    uni, bi, tags, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0'
);
