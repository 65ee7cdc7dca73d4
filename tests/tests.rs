//! One integration-test binary (one link step) over temporary encrypted vaults.
//! Each area is a module; `util` holds the shared fixtures.

mod audit;
mod cli;
mod crash;
mod roles;
mod util;
mod vault;
