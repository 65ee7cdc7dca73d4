//! One page of any list the product shows: a register, the audit log, the print log.
//!
//! Contract: `rows` is the requested page in the requested order; `total` counts every
//! matching row exactly when `total_exact`, else it is a lower bound (a register stops
//! counting at [`COUNT_CAP`], so a page of a 1,000,000-row register never costs a full count
//! and the UI says "10000+"; a text search stops at [`SEARCH_COUNT_CAP`]).

use serde::Serialize;
use ts_rs::TS;

/// Where a register list stops counting.
pub const COUNT_CAP: i64 = 10_000;

/// Where a register list searched by text stops counting ("1000+"). Counting a search means
/// intersecting the index lists of every pair of its characters, and for a phrase of common
/// pairs that is the whole cost of the page: over 1,000,000 carriers, counting to 10,000 put
/// a six-character search at 20–29 ms (p95), counting to 1,000 under 10 ms (`make bench`).
/// An officer with over a thousand hits refines the search rather than pages through them.
pub const SEARCH_COUNT_CAP: i64 = 1_000;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// Matching rows, exact when `total_exact`, else at least this many.
    #[ts(type = "number")]
    pub total: i64,
    pub total_exact: bool,
}

impl<T> Page<T> {
    /// A page whose total was counted exactly.
    pub fn exact(rows: Vec<T>, total: i64) -> Page<T> {
        Page {
            rows,
            total,
            total_exact: true,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            rows: self.rows.into_iter().map(f).collect(),
            total: self.total,
            total_exact: self.total_exact,
        }
    }
}
