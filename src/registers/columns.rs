//! A register's field table as a sheet sees it: the columns it is exported with and read from.
//!
//! Contract: each register declares its columns once ([`super::Register::COLUMNS`], in its
//! own `columns.rs`): the registration field a column fills (`field`, a key of the register's
//! `Input`), its Chinese header, the headers offices write for it (`aliases`), what kind of
//! value it holds ([`Kind`]: how a cell of a messy sheet is read) and how a record's value is
//! written back ([`Column::get`]). The Excel import and export (`crate::excel`) use nothing
//! else of a register, so a new register gets both by declaring its table. The column whose
//! field is [`LEDGER_NO`] is the record's own serial (编号), which an import keeps.

use chrono::NaiveDate;
use serde::de::DeserializeOwned;

use super::{ListSpec, Register};
use crate::error::Result;

/// A register's sheet, declared in its `columns.rs`: everything the Excel import and export
/// read of a register.
pub trait Sheet: Register {
    /// The columns, in the order of the paper ledger.
    const COLUMNS: &'static [Column<Self::State>];
    /// The register's list filters (the JSON of `baomi <name> list`, the window's filter bar):
    /// an export writes the records they select.
    type Query: DeserializeOwned + Default;
    fn spec(query: &Self::Query, today: NaiveDate) -> Result<ListSpec>;
    /// Completes a row read from a sheet before it is read as the registration input: what a
    /// sheet implies rather than states (a device with a level is classified). Most registers
    /// need nothing.
    fn complete(row: &mut serde_json::Map<String, serde_json::Value>) {
        let _ = row;
    }
}

/// The field code of the register's own serial number (台账编号): not an input field, the
/// import keeps it as the record's serial.
pub const LEDGER_NO: &str = "ledger_no";

/// The field code of a column read for nothing (序号, a row count the sheet keeps itself).
pub const IGNORED: &str = "";

/// What a column holds, which decides how a cell is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text (trimmed; full-width letters and digits made half-width).
    Text,
    /// A date: `2026-11-01`, `2026.11.1`, `2026年11月1日`, `2026/11/01`, `20261101` or an
    /// Excel date (serial number).
    Date,
    /// A level, possibly with its period as marked on documents (`机密★10年`, `秘密★`): the
    /// period goes to the named field when the register has one and the row gives none.
    Level { period: Option<&'static str> },
    /// A whole number (`3`, `3份`, `３`).
    Count,
    /// Copy numbers as ranges and lists (`1-3`, `1、2、5`, `1～3,7`), written back canonically;
    /// the named field (份数) is filled with how many there are when the row gives none, and a
    /// row whose count disagrees is refused.
    CopyNumbers { count: Option<&'static str> },
    /// Yes or no: 是/否, √/×, 有/无, Y/N, 1/0.
    Flag,
    /// A list separated by 、 , ; or new lines.
    List,
}

/// A value of a record as a sheet cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Date(NaiveDate),
    Number(i64),
    Flag(bool),
}

impl Cell {
    pub fn text(s: &str) -> Cell {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s.to_string())
        }
    }

    pub fn opt_date(d: Option<NaiveDate>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }

    pub fn list(items: &[String]) -> Cell {
        Cell::text(&items.join("、"))
    }
}

/// One column of a register's sheet.
pub struct Column<S> {
    /// The registration input's field it fills ([`LEDGER_NO`] for the serial; [`IGNORED`]
    /// for a column read for nothing; an export-only column names the view's figure).
    pub field: &'static str,
    /// The header the export writes.
    pub label: &'static str,
    /// Other headers offices write for it (the label is always one).
    pub aliases: &'static [&'static str],
    pub kind: Kind,
    /// Whether the import reads it (a status column is exported, not imported: a record
    /// starts its life here at registration).
    pub import: bool,
    /// The record's value, for the export (`None`: an import-only column).
    pub get: Option<fn(&S) -> Cell>,
}

impl<S> Column<S> {
    /// A column the import reads into `field` and the export writes with `get`.
    pub const fn read(
        field: &'static str,
        label: &'static str,
        aliases: &'static [&'static str],
        kind: Kind,
        get: fn(&S) -> Cell,
    ) -> Column<S> {
        Column {
            field,
            label,
            aliases,
            kind,
            import: true,
            get: Some(get),
        }
    }

    /// A column the export writes and the import passes over (a status: a record starts its
    /// life here at registration).
    pub const fn written(
        field: &'static str,
        label: &'static str,
        aliases: &'static [&'static str],
        get: fn(&S) -> Cell,
    ) -> Column<S> {
        Column {
            import: false,
            ..Column::read(field, label, aliases, Kind::Text, get)
        }
    }

    /// The row-count column (序号): recognised in a header, read for nothing, numbered by the
    /// export itself.
    pub const fn unread(label: &'static str, aliases: &'static [&'static str]) -> Column<S> {
        Column {
            field: IGNORED,
            label,
            aliases,
            kind: Kind::Count,
            import: false,
            get: None,
        }
    }
}

/// The column `field` of a table, if the register has it.
pub fn column<'a, S>(columns: &'a [Column<S>], field: &str) -> Option<&'a Column<S>> {
    columns.iter().find(|c| c.field == field)
}
