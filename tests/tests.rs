//! One integration-test binary (one link step) over temporary encrypted vaults.
//! Each area is a module; `util` holds the shared fixtures.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod bundles;
mod cli;
mod crash;
mod devices;
mod documents;
mod due;
mod exchange;
mod figures;
mod keys;
mod personnel;
mod print;
mod roles;
mod security;
mod sheets;
mod stats;
mod util;
mod vault;
