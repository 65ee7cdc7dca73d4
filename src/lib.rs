//! Baomi Ledger's core: every rule, every SQL statement and every file format of the product.
//!
//! Contract: this crate never depends on a GUI toolkit. The desktop shell (`src-tauri/`) and
//! the `baomi` CLI are both thin faces of the API here: open a vault with [`vault::login`],
//! then call methods on the [`vault::Session`], which checks the role and audits every change.

pub mod accounts;
pub mod app;
pub mod audit;
pub mod clock;
pub mod crypto;
pub mod dates;
pub mod db;
pub mod documents;
pub mod error;
pub mod input;
pub mod keyfile;
pub mod paths;
pub mod policy;
pub mod print;
pub mod register;
pub mod roles;
pub mod search;
pub mod vault;

pub use error::{Code, Error, Result};
