-- A carrier's state is kept in its columns alone: a row written from now on leaves `state`
-- empty, and the register reads the state back from the columns (`Projection::from_columns`).
-- The JSON repeated the columns, 527 of a row's 760 bytes: over a 100,000-row sheet the
-- vault took 176 MB instead of 127 MB (`make bench`). The one part of the state no column
-- held is where a borrowed or missing carrier returns to. A row written before keeps its JSON,
-- which is read as before, until the carrier is next changed.
ALTER TABLE documents ADD COLUMN resume TEXT;
