//! Bundles: records moved between vaults and units only as encrypted, signed files on
//! approved media (DESIGN §4).
//!
//! Contract: [`format`] is the container (format 1, specified in `docs/bundle-format.md`):
//! nothing of a bundle is used before the whole of it is verified. The layers above it — the
//! manifest of records, export, import with its preview and conflicts, receipts, unit keys and
//! backups — build on `format::seal` and `format::open` and never touch a cipher themselves.

pub mod backup;
pub mod exchange;
pub mod format;
pub mod unit;
