-- The home screen's counts over a large register, answered from indexes alone. Without them,
-- over 1,000,000 carriers each count read every held carrier's whole row: the deadline list
-- took 32 s, the figures 15 s and the personnel reminders 8 s (`make bench`).
-- Held carriers by status, level and the people in charge (counts per level, per status, per
-- department; the names in charge).
CREATE INDEX documents_held ON documents(status, level, custodian, borrower);
-- Secrecy periods ending, with the status that says whether the carrier is still held.
DROP INDEX documents_secrecy_until;
CREATE INDEX documents_secrecy_until ON documents(secrecy_until, status)
    WHERE secrecy_until IS NOT NULL;
-- Each register's events by day, for the movements per month.
CREATE INDEX events_by_day ON events(register, occurred_on, kind);
