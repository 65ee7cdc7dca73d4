//! Finding a sheet's header row and which register field each column holds.
//!
//! Contract: the header is the row among the first [`SEARCH_ROWS`] whose cells name the most
//! of the register's columns (so a merged title row and a unit/date line above it are passed
//! over); a header names a column when, ignoring spaces, full-width forms, `*` and
//! parenthesised hints, it equals the column's label or an alias, or else contains one (the
//! longest wins). Each field is read from one column, the first that names it. The officer's
//! own choices (`--map`, the window's column selects) override what was guessed.

use serde::Serialize;
use ts_rs::TS;

use super::read::{column_index, column_letter, Raw};
use super::values;
use crate::error::{Error, Result};
use crate::registers::columns::{Column, IGNORED, LEDGER_NO};

/// How many rows from the top may hold the header.
pub const SEARCH_ROWS: usize = 30;

/// One column of the sheet and what the import reads from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct MappedColumn {
    /// The column's letters (A, B, …).
    pub column: String,
    /// The header as the sheet writes it.
    pub header: String,
    /// The register field it fills, or `None`: not read.
    pub field: Option<String>,
    /// The field's Chinese label.
    pub label: Option<String>,
}

/// The header row (0-based) and what each column holds.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub header_row: usize,
    pub columns: Vec<MappedColumn>,
}

impl Mapping {
    /// `(column index, field)` of every column read.
    pub fn fields(&self) -> Vec<(usize, &str)> {
        self.columns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.field.as_deref().map(|f| (i, f)))
            .collect()
    }
}

/// A header as compared: no spaces, half-width, no `*` and no parenthesised hint.
fn key(s: &str) -> String {
    let t = values::half_width(s);
    let mut out = String::new();
    let mut depth = 0;
    for c in t.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = (depth - 1).max(0),
            _ if depth > 0 => {}
            c if c.is_whitespace() || c == '*' || c == '：' || c == ':' => {}
            c => out.push(c),
        }
    }
    out.to_lowercase()
}

/// The column a header names, if any.
fn named<'a, S>(columns: &'a [Column<S>], header: &str) -> Option<&'a Column<S>> {
    let h = key(header);
    if h.is_empty() {
        return None;
    }
    let names = |c: &'a Column<S>| std::iter::once(c.label).chain(c.aliases.iter().copied());
    if let Some(c) = columns.iter().find(|c| names(c).any(|n| key(n) == h)) {
        return Some(c);
    }
    columns
        .iter()
        .flat_map(|c| names(c).map(move |n| (key(n), c)))
        .filter(|(n, _)| n.chars().count() >= 2 && h.contains(n.as_str()))
        .max_by_key(|(n, _)| n.chars().count())
        .map(|(_, c)| c)
}

/// Finds the header row of `rows` for `columns` and maps each of its cells.
pub fn detect<S>(columns: &[Column<S>], rows: &[Vec<Raw>]) -> Result<Mapping> {
    let mut best: Option<(usize, usize)> = None;
    for (r, row) in rows.iter().enumerate().take(SEARCH_ROWS) {
        let mut seen: Vec<&str> = Vec::new();
        for c in row {
            if let Raw::Text(t) = c {
                if let Some(col) = named(columns, t)
                    .filter(|c| c.import && c.field != IGNORED && c.field != LEDGER_NO)
                {
                    if !seen.contains(&col.label) {
                        seen.push(col.label);
                    }
                }
            }
        }
        if seen.len() >= 2 && best.is_none_or(|(_, n)| seen.len() > n) {
            best = Some((r, seen.len()));
        }
    }
    let Some((header_row, _)) = best else {
        let examples: Vec<&str> = columns.iter().skip(1).take(4).map(|c| c.label).collect();
        return Err(Error::field(
            "file",
            "表头",
            format!(
                "前 {SEARCH_ROWS} 行中没有找到表头：表头应含有 {} 等列名，或用“列对应”逐列指定",
                examples.join("、")
            ),
        ));
    };
    let mut taken: Vec<&str> = Vec::new();
    // Every column the rows looked at reach, headed or not, so that the officer can map a
    // column without a header.
    let width = rows
        .iter()
        .take(SEARCH_ROWS)
        .map(Vec::len)
        .max()
        .unwrap_or(0);
    let columns = (0..width)
        .map(|i| rows[header_row].get(i).unwrap_or(&Raw::Empty))
        .enumerate()
        .map(|(i, cell)| {
            let header = values::text(cell);
            let col = named(columns, &header)
                .filter(|c| c.import && c.field != IGNORED && !taken.contains(&c.field));
            if let Some(c) = col {
                taken.push(c.field);
            }
            MappedColumn {
                column: column_letter(i),
                header,
                field: col.map(|c| c.field.to_string()),
                label: col.map(|c| c.label.to_string()),
            }
        })
        .collect();
    Ok(Mapping {
        header_row,
        columns,
    })
}

/// Applies the officer's choices: each `(column, field)` names a column by its letters or its
/// header, and a field by its code or label, or `-` (or nothing) to read the column for
/// nothing. A field chosen for one column is no longer read from another.
pub fn apply_choices<S>(
    columns: &[Column<S>],
    mapping: &mut Mapping,
    choices: &[(String, String)],
) -> Result<()> {
    for (which, field) in choices {
        let w = which.trim();
        let index = mapping
            .columns
            .iter()
            .position(|c| key(&c.header) == key(w) && !key(w).is_empty())
            .or_else(|| column_index(w))
            .ok_or_else(|| {
                Error::field(
                    "map",
                    "列对应",
                    format!("表中没有“{w}”列（可写列字母如 C，或表头文字）"),
                )
            })?;
        while mapping.columns.len() <= index {
            let i = mapping.columns.len();
            mapping.columns.push(MappedColumn {
                column: column_letter(i),
                header: String::new(),
                field: None,
                label: None,
            });
        }
        let f = field.trim();
        let target = if f.is_empty() || f == "-" {
            None
        } else {
            let col = columns
                .iter()
                .find(|c| c.import && c.field != IGNORED && (c.field == f || c.label == f))
                .ok_or_else(|| {
                    Error::field(
                        "map",
                        "列对应",
                        format!(
                            "没有“{f}”字段，可用的有：{}",
                            columns
                                .iter()
                                .filter(|c| c.import && c.field != IGNORED)
                                .map(|c| format!("{}（{}）", c.field, c.label))
                                .collect::<Vec<_>>()
                                .join("、")
                        ),
                    )
                })?;
            Some(col)
        };
        if let Some(col) = target {
            for c in &mut mapping.columns {
                if c.field.as_deref() == Some(col.field) {
                    c.field = None;
                    c.label = None;
                }
            }
        }
        let c = &mut mapping.columns[index];
        c.field = target.map(|t| t.field.to_string());
        c.label = target.map(|t| t.label.to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registers::columns::Sheet;
    use crate::registers::documents::Documents;

    fn row(cells: &[&str]) -> Vec<Raw> {
        cells
            .iter()
            .map(|c| {
                if c.is_empty() {
                    Raw::Empty
                } else {
                    Raw::Text(c.to_string())
                }
            })
            .collect()
    }

    #[test]
    fn the_header_under_a_title_and_a_unit_line() {
        let rows = vec![
            row(&["涉密载体登记台账", "", "", ""]),
            row(&["填报单位：某某局办公室", "", "日期：2026年11月", ""]),
            row(&[]),
            row(&[
                "序 号",
                "文件名称\n（标题）",
                "密级和保密期限",
                "收文日期*",
                "保管人",
                "页数",
            ]),
            row(&["1", "关于……的通知", "机密★10年", "2026.11.1", "张三", "3"]),
        ];
        let m = detect(Documents::COLUMNS, &rows).unwrap();
        assert_eq!(m.header_row, 3);
        let fields: Vec<Option<&str>> = m.columns.iter().map(|c| c.field.as_deref()).collect();
        assert_eq!(
            fields,
            [
                None,
                Some("title"),
                Some("level"),
                Some("received_on"),
                Some("custodian"),
                None
            ]
        );
        assert_eq!(m.columns[5].header, "页数");
    }

    #[test]
    fn choices_override_and_name_what_is_wrong() {
        let rows = vec![row(&["编号", "标题", "密级", "备忘"])];
        let mut m = detect(Documents::COLUMNS, &rows).unwrap();
        apply_choices(
            Documents::COLUMNS,
            &mut m,
            &[("备忘".into(), "remarks".into()), ("A".into(), "-".into())],
        )
        .unwrap();
        assert_eq!(m.columns[3].field.as_deref(), Some("remarks"));
        assert_eq!(m.columns[0].field, None);
        let e = apply_choices(Documents::COLUMNS, &mut m, &[("Z9".into(), "title".into())])
            .unwrap_err();
        assert!(e.message.contains("Z9"), "{}", e.message);
        let e =
            apply_choices(Documents::COLUMNS, &mut m, &[("B".into(), "颜色".into())]).unwrap_err();
        assert!(e.message.contains("颜色") && e.message.contains("title（标题）"));
        assert!(detect(Documents::COLUMNS, &[row(&["甲", "乙"])]).is_err());
        // 序号 and 编号 alone are any register's: not enough to call a row this one's header.
        assert!(detect(Documents::COLUMNS, &[row(&["序号", "编号", "姓名"])]).is_err());
    }
}
