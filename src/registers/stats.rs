//! The year-end statistics (年度保密工作统计): for a chosen year, each register's figures as
//! tables of counts, gathered through the register table like every other check that spans
//! the registers.
//!
//! Contract: a register declares its tables in its `REGISTERS` entry (`stats`), from its own
//! events and projection; this module only holds the shapes, the cross-tabulation every
//! register uses, and `Session::stats`. Counts of the year come from events by the day they
//! happened (`occurred_on`); "at year end" figures are the registers as they stand now (the
//! projection), which is what the report to the superior department asks for when it is made
//! at the year's end. A record's level is its level now.

use rusqlite::{Connection, ToSql};
use serde::Serialize;
use ts_rs::TS;

use super::{Choice, REGISTERS};
use crate::error::{Error, Result};
use crate::vault::roles::Op;
use crate::vault::Session;

/// One table of the report: rows by columns, with totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct StatTable {
    /// `doc`, `device` or `person`.
    pub register: String,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<StatRow>,
}

/// One row: its label, a count per column and their sum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct StatRow {
    pub label: String,
    #[ts(type = "number[]")]
    pub values: Vec<i64>,
    #[ts(type = "number")]
    pub total: i64,
}

/// The year's statistics of every register.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct YearStats {
    pub year: i32,
    pub unit: String,
    pub tables: Vec<StatTable>,
}

/// A table from a query returning `(row key, column key, count)` rows: `rows` and `columns`
/// are the keys in order with their labels; keys the query returns outside them are left out.
pub fn crosstab(
    conn: &Connection,
    register: &str,
    title: &str,
    sql: &str,
    args: &[&dyn ToSql],
    rows: &[Choice],
    columns: &[Choice],
) -> Result<StatTable> {
    let found = triples(conn, sql, args)?;
    Ok(tabulate(register, title, found, rows, columns))
}

/// The `(row key, column key, count)` rows of `sql`.
pub fn triples(
    conn: &Connection,
    sql: &str,
    args: &[&dyn ToSql],
) -> Result<Vec<(String, String, i64)>> {
    let mut found = Vec::new();
    let mut stmt = conn.prepare(sql)?;
    let mut q = stmt.query(args)?;
    while let Some(r) = q.next()? {
        found.push((r.get(0)?, r.get(1)?, r.get(2)?));
    }
    Ok(found)
}

/// The table of [`crosstab`] from `(row key, column key, count)` triples already read.
pub fn tabulate(
    register: &str,
    title: &str,
    found: impl IntoIterator<Item = (String, String, i64)>,
    rows: &[Choice],
    columns: &[Choice],
) -> StatTable {
    let mut counts = vec![vec![0i64; columns.len()]; rows.len()];
    for (row, column, n) in found {
        let i = rows.iter().position(|c| c.value == row);
        let j = columns.iter().position(|c| c.value == column);
        if let (Some(i), Some(j)) = (i, j) {
            counts[i][j] += n;
        }
    }
    StatTable {
        register: register.to_string(),
        title: title.to_string(),
        columns: columns.iter().map(|c| c.label.clone()).collect(),
        rows: rows
            .iter()
            .zip(counts)
            .map(|(c, values)| StatRow {
                label: c.label.clone(),
                total: values.iter().sum(),
                values,
            })
            .collect(),
    }
}

/// The one column of a table of plain counts.
pub fn count_column() -> Vec<Choice> {
    vec![Choice::new("n", "次数")]
}

impl Session {
    /// The year-end statistics of `year` (保密员 and 查阅: they read register data).
    pub fn stats(&mut self, year: i32) -> Result<YearStats> {
        self.require(Op::ReadRegisters)?;
        if !(2000..=2100).contains(&year) {
            return Err(Error::field(
                "year",
                "统计年度",
                "应为 2000–2100 之间的年份",
            ));
        }
        let mut tables = Vec::new();
        for r in REGISTERS {
            tables.extend((r.stats)(self.conn(), year)?);
        }
        Ok(YearStats {
            year,
            unit: self.unit_name()?,
            tables,
        })
    }
}
