-- The unit's own keys for bundles (src/bundle/unit.rs): an Ed25519 key that signs what the unit
-- sends and an X25519 key that bundles addressed to the unit are wrapped to. The private halves
-- live only here, in the register database, under the register key (business accounts only).
CREATE TABLE unit_keys (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    identity       BLOB NOT NULL,
    signing_pub    TEXT NOT NULL,
    agreement_pub  TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL
) STRICT;

-- Other units whose public keys were imported from their key cards: who a bundle may come
-- from, and whom it may be addressed to.
CREATE TABLE known_units (
    fingerprint    TEXT PRIMARY KEY,
    unit           TEXT NOT NULL,
    signing_pub    TEXT NOT NULL,
    agreement_pub  TEXT NOT NULL,
    imported_at    TEXT NOT NULL,
    imported_by    TEXT NOT NULL
) STRICT;
