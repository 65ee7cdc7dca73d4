//! Workbooks read into a plain grid of cells: `.xlsx` (and `.xls`, `.ods`) through calamine,
//! `.csv` (UTF-8, with or without BOM, or GB18030 as Chinese Excel saves it) by hand.
//!
//! Contract: [`open`] reads the whole file from memory (at most [`MAX_BYTES`]) and never
//! panics on any bytes; a damaged or foreign file is a Chinese error naming the file.
//! `grid[r][c]` is the cell of sheet row `r + 1` and column `c` (A = 0), whatever rows the
//! sheet leaves out at its top. A cell merged over several rows of one column (a custodian
//! written once for three carriers) is read as that value in each of its rows.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Sheets};

use crate::error::{Error, Result};

/// The largest file read (a sheet of a million rows is about 60 MB).
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// The most rows read from one sheet.
pub const MAX_ROWS: usize = 1_000_000;

/// One cell, as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    Empty,
    Text(String),
    Number(f64),
    /// An Excel date (a cell formatted as one).
    Date(chrono::NaiveDate),
    Bool(bool),
}

impl Raw {
    pub fn is_empty(&self) -> bool {
        match self {
            Raw::Empty => true,
            Raw::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// A sheet read into rows.
pub struct Grid {
    pub name: String,
    pub rows: Vec<Vec<Raw>>,
}

/// An opened workbook: its sheets' names, and the file's bytes to read one from.
pub struct Workbook {
    pub file_name: String,
    pub sheets: Vec<String>,
    bytes: Vec<u8>,
    csv: bool,
}

fn unreadable(file: &str, why: impl std::fmt::Display) -> Error {
    Error::field(
        "file",
        "文件",
        format!("无法读取“{file}”：{why}（应为 .xlsx、.xls 或 .csv 表格文件）"),
    )
}

/// Opens `path`: an Excel workbook or a CSV file (by its extension).
pub fn open(path: &Path) -> Result<Workbook> {
    let file_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().to_string(),
    );
    let meta = std::fs::metadata(path).map_err(|e| unreadable(&file_name, e))?;
    if !meta.is_file() {
        return Err(unreadable(&file_name, "不是文件"));
    }
    if meta.len() > MAX_BYTES {
        return Err(unreadable(&file_name, "文件超过 256 MB"));
    }
    let bytes = std::fs::read(path).map_err(|e| unreadable(&file_name, e))?;
    let csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("txt"));
    let sheets = if csv {
        vec![path
            .file_stem()
            .map_or_else(|| "CSV".to_string(), |s| s.to_string_lossy().to_string())]
    } else {
        workbook(&bytes, &file_name)?.sheet_names()
    };
    Ok(Workbook {
        file_name,
        sheets,
        bytes,
        csv,
    })
}

fn workbook<'a>(bytes: &'a [u8], file: &str) -> Result<Sheets<Cursor<&'a [u8]>>> {
    calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| unreadable(file, format!("不是可识别的表格文件（{e}）")))
}

impl Workbook {
    /// The file's SHA-256, for the audit log (which never holds a file's contents or name).
    pub fn sha256(&self) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&self.bytes))
    }

    /// Reads sheet `name` (the first sheet with any cell when `None`).
    pub fn grid(&self, name: Option<&str>) -> Result<Grid> {
        if self.csv {
            return Ok(Grid {
                name: self.sheets.first().cloned().unwrap_or_default(),
                rows: csv(&self.bytes),
            });
        }
        let mut book = workbook(&self.bytes, &self.file_name)?;
        let names = match name {
            Some(n) => {
                let n = n.trim();
                if !self.sheets.iter().any(|s| s == n) {
                    return Err(Error::field(
                        "sheet",
                        "工作表",
                        format!(
                            "“{}”中没有名为“{n}”的工作表，现有：{}",
                            self.file_name,
                            self.sheets.join("、")
                        ),
                    ));
                }
                vec![n.to_string()]
            }
            None => self.sheets.clone(),
        };
        for n in &names {
            // The merged regions are found by a second pass over the sheet's XML: it runs on
            // another thread while this one reads the cells (a tenth of a large import's time
            // went to it, `make bench`).
            let (range, merged) = std::thread::scope(|scope| {
                let merged = scope.spawn(|| merged_regions(&self.bytes, &self.file_name, n));
                (book.worksheet_range(n), merged.join().unwrap_or_default())
            });
            let range = range
                .map_err(|e| unreadable(&self.file_name, format!("工作表“{n}”已损坏（{e}）")))?;
            if range.is_empty() && name.is_none() {
                continue;
            }
            let (top, left) = range.start().unwrap_or((0, 0));
            let (top, left) = (top as usize, left as usize);
            if range.height() + top > MAX_ROWS {
                return Err(unreadable(
                    &self.file_name,
                    format!("工作表“{n}”超过 {MAX_ROWS} 行"),
                ));
            }
            let mut rows = vec![Vec::new(); top];
            for row in range.rows() {
                let mut cells = vec![Raw::Empty; left];
                cells.extend(row.iter().map(cell));
                rows.push(cells);
            }
            for m in merged {
                fill_down(&mut rows, m.start, m.end);
            }
            return Ok(Grid {
                name: n.clone(),
                rows,
            });
        }
        Err(unreadable(&self.file_name, "所有工作表都是空的"))
    }
}

/// The merged regions of sheet `name` of the `.xlsx` file in `bytes` (none for other formats,
/// or when they cannot be read: the cells are then read as they are).
fn merged_regions(bytes: &[u8], file: &str, name: &str) -> Vec<calamine::Dimensions> {
    match workbook(bytes, file) {
        Ok(Sheets::Xlsx(mut x)) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// A cell merged over rows `start.0..=end.0` of one column: its value in every row.
fn fill_down(rows: &mut [Vec<Raw>], start: (u32, u32), end: (u32, u32)) {
    if start.1 != end.1 || end.0 <= start.0 {
        return;
    }
    let (col, first) = (start.1 as usize, start.0 as usize);
    let Some(value) = rows.get(first).and_then(|r| r.get(col)).cloned() else {
        return;
    };
    for r in first + 1..=(end.0 as usize).min(rows.len().saturating_sub(1)) {
        if let Some(row) = rows.get_mut(r) {
            if row.len() <= col {
                row.resize(col + 1, Raw::Empty);
            }
            if row[col].is_empty() {
                row[col] = value.clone();
            }
        }
    }
}

fn cell(d: &Data) -> Raw {
    match d {
        Data::Empty | Data::Error(_) => Raw::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Raw::Text(s.clone()),
        Data::Int(i) => Raw::Number(*i as f64),
        Data::Float(f) => Raw::Number(*f),
        Data::Bool(b) => Raw::Bool(*b),
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            chrono::NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))
                .map_or(Raw::Number(dt.as_f64()), Raw::Date)
        }
    }
}

/// CSV text: UTF-8 (a BOM is skipped) or, failing that, GB18030; fields separated by commas
/// (or tabs when the first line has no comma), quoted fields with doubled quotes and line
/// breaks inside.
fn csv(bytes: &[u8]) -> Vec<Vec<Raw>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    };
    let first = text.lines().next().unwrap_or("");
    let sep = if !first.contains(',') && first.contains('\t') {
        '\t'
    } else {
        ','
    };
    let mut rows = Vec::new();
    let mut row: Vec<Raw> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let push = |field: &mut String, row: &mut Vec<Raw>| {
        let f = std::mem::take(field);
        row.push(if f.is_empty() {
            Raw::Empty
        } else {
            Raw::Text(f)
        });
    };
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else if c == '"' && field.is_empty() {
            quoted = true;
        } else if c == sep {
            push(&mut field, &mut row);
        } else if c == '\n' || c == '\r' {
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            push(&mut field, &mut row);
            rows.push(std::mem::take(&mut row));
            if rows.len() >= MAX_ROWS {
                return rows;
            }
        } else {
            field.push(c);
        }
    }
    if !field.is_empty() || !row.is_empty() {
        push(&mut field, &mut row);
        rows.push(row);
    }
    rows
}

/// The column's letters: A, B, …, Z, AA, AB, …
pub fn column_letter(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// The column index of letters (`C` → 2), if they are letters.
pub fn column_index(letters: &str) -> Option<usize> {
    let l = letters.trim();
    if l.is_empty() || l.len() > 3 || !l.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut n = 0usize;
    for c in l.chars() {
        n = n * 26 + (c.to_ascii_uppercase() as usize - 'A' as usize + 1);
    }
    Some(n - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_quotes_bom_and_gb18030() {
        let rows =
            csv("\u{feff}编号,标题\r\n1,\"关于\"\"保密\"\"的通知,第二行\n附件\"\n".as_bytes());
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[1][1],
            Raw::Text("关于\"保密\"的通知,第二行\n附件".into())
        );
        let (gbk, _, _) = encoding_rs::GB18030.encode("标题,密级\n通知,机密\n");
        let rows = csv(&gbk);
        assert_eq!(rows[1][1], Raw::Text("机密".into()));
        let rows = csv(b"a\tb\n1\t2");
        assert_eq!(rows[1][1], Raw::Text("2".into()));
    }

    #[test]
    fn column_letters_round_trip() {
        for (i, l) in [
            (0, "A"),
            (25, "Z"),
            (26, "AA"),
            (27, "AB"),
            (701, "ZZ"),
            (702, "AAA"),
        ] {
            assert_eq!(column_letter(i), l);
            assert_eq!(column_index(l), Some(i));
        }
        assert_eq!(column_index("标题"), None);
        assert_eq!(column_index(""), None);
    }
}
