//! Baomi Ledger's core: every rule, every SQL statement and every file format of the product.
//!
//! Contract: this crate never depends on a GUI toolkit. The desktop shell (`src-tauri/`) and
//! the `baomi` CLI are both thin faces of the API here: open a vault with [`vault::login`],
//! then call methods on the [`vault::Session`], which checks the role and audits every change.

pub mod app;
pub mod bundle;
pub mod clock;
pub mod dates;
pub mod error;
pub mod excel;
pub mod input;
pub mod page;
pub mod paths;
pub mod print;
pub mod registers;
pub mod search;
pub mod vault;

pub use error::{Code, Error, Result};
