//! Workbooks read as rows of plain cells: `.xlsx` (and `.xls`, `.ods`) through calamine,
//! `.csv` (UTF-8, with or without BOM, or GB18030 as Chinese Excel saves it) by hand.
//!
//! Contract: [`open`] reads the whole file into memory (at most [`MAX_BYTES`]) and never
//! panics on any bytes; a damaged or foreign file is a Chinese error naming the file (and the
//! sheet, when the break is inside one). A sheet is read row by row ([`Workbook::stream`]):
//! the `r`th row handed over is sheet row `r + 1`, cell `c` its column (A = 0), whatever rows
//! the sheet leaves out. An `.xlsx` sheet is streamed from
//! the file, so a large sheet's first rows come before its last are read; a file that breaks
//! part way hands over the rows before the break, then its error. A cell merged over several
//! rows of one column (a custodian written once for three carriers) is read as that value in
//! each of its rows.

use std::io::Cursor;
use std::path::Path;
use std::sync::{Arc, Mutex};

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

/// The file's bytes as a workbook reader holds them (shared with the thread that finds the
/// merged regions).
type Book = Sheets<Cursor<Arc<[u8]>>>;

/// An opened workbook: its sheets' names, and the file's bytes to read one from.
pub struct Workbook {
    pub file_name: String,
    pub sheets: Vec<String>,
    bytes: Arc<[u8]>,
    /// The reader that found the sheets' names, kept for the first sheet read (opening it
    /// reads the workbook's shared strings and styles).
    opened: Mutex<Option<Book>>,
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
    let bytes: Arc<[u8]> = std::fs::read(path)
        .map_err(|e| unreadable(&file_name, e))?
        .into();
    let csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("txt"));
    let (sheets, opened) = if csv {
        let name = path
            .file_stem()
            .map_or_else(|| "CSV".to_string(), |s| s.to_string_lossy().to_string());
        (vec![name], None)
    } else {
        let book = workbook(bytes.clone(), &file_name)?;
        (book.sheet_names(), Some(book))
    };
    Ok(Workbook {
        file_name,
        sheets,
        bytes,
        opened: Mutex::new(opened),
        csv,
    })
}

fn workbook<T: AsRef<[u8]> + Clone>(bytes: T, file: &str) -> Result<Sheets<Cursor<T>>> {
    calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| unreadable(file, format!("不是可识别的表格文件（{e}）")))
}

impl Workbook {
    /// The file's SHA-256, for the audit log (which never holds a file's contents or name).
    pub fn sha256(&self) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&self.bytes))
    }

    /// Reads sheet `name` (the first sheet with any cell when `None`) row by row, as the
    /// file is read: `start` is told which sheet and how many rows it claims, then `each`
    /// gets every row in order from the sheet's first (the `r`th call is sheet row `r + 1`,
    /// merged cells filled down) and answers false to stop. Returns the
    /// sheet's name. An `.xlsx` sheet is read cell by cell from the file, so a large sheet's
    /// first rows come before its last ones are read; other formats are read whole first.
    pub fn stream(
        &self,
        name: Option<&str>,
        start: impl FnOnce(SheetInfo),
        mut each: impl FnMut(Vec<Raw>) -> bool,
    ) -> Result<String> {
        if self.csv {
            let rows = csv(&self.bytes);
            let name = self.sheets.first().cloned().unwrap_or_default();
            start(SheetInfo {
                name: name.clone(),
                rows: rows.len(),
            });
            for row in rows {
                if !each(row) {
                    break;
                }
            }
            return Ok(name);
        }
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
        let kept = self.opened.lock().ok().and_then(|mut o| o.take());
        let mut book = match kept {
            Some(book) => book,
            None => workbook(self.bytes.clone(), &self.file_name)?,
        };
        let mut start = Some(start);
        for n in &names {
            let read = match &mut book {
                Sheets::Xlsx(x) => self.stream_xlsx(x, n, name.is_some(), &mut start, &mut each),
                other => self.stream_range(other, n, name.is_some(), &mut start, &mut each),
            };
            if read? {
                return Ok(n.clone());
            }
        }
        Err(unreadable(&self.file_name, "所有工作表都是空的"))
    }

    fn broken(&self, sheet: &str, why: impl std::fmt::Display) -> Error {
        unreadable(&self.file_name, format!("工作表“{sheet}”已损坏（{why}）"))
    }

    fn too_long(&self, sheet: &str) -> Error {
        unreadable(
            &self.file_name,
            format!("工作表“{sheet}”超过 {MAX_ROWS} 行"),
        )
    }

    /// One `.xlsx` sheet, cell by cell; false when it has no cell and may be passed over
    /// (`named` is false). Its merged regions are found by a second pass over the sheet's
    /// XML on another thread, while the rows it needs are held back (see [`FillDown`]).
    fn stream_xlsx(
        &self,
        book: &mut calamine::Xlsx<Cursor<Arc<[u8]>>>,
        name: &str,
        named: bool,
        start: &mut Option<impl FnOnce(SheetInfo)>,
        each: &mut impl FnMut(Vec<Raw>) -> bool,
    ) -> Result<bool> {
        std::thread::scope(|scope| {
            let finder = scope.spawn(|| merged_regions(&self.bytes, &self.file_name, name));
            let mut cells = match book.worksheet_cells_reader(name) {
                Ok(c) => c,
                Err(calamine::XlsxError::NotAWorksheet(_)) if !named => return Ok(false),
                Err(calamine::XlsxError::NotAWorksheet(_)) => {
                    if let Some(f) = start.take() {
                        f(SheetInfo {
                            name: name.to_string(),
                            rows: 0,
                        });
                    }
                    return Ok(true);
                }
                Err(e) => return Err(self.broken(name, e)),
            };
            // What the sheet claims is only an estimate (a used range may reach past the last
            // cell); the rows themselves are counted against the limit.
            let mut claimed = (cells.dimensions().end.0 as usize + 1).min(MAX_ROWS);
            let mut out = Emit {
                next: 0,
                held: Vec::new(),
                fill: None,
                merged: Some(finder),
                stopped: false,
            };
            // A sheet that writes no used range (some programs leave `<dimension>` out) claims
            // one row: the number of its last row, which the merged regions' finder reads on
            // its way, stands in for it, so that its progress is not whole from the start.
            if claimed <= 1 {
                if let Some(last) = out.wait() {
                    claimed = last.min(MAX_ROWS);
                }
            }
            let mut row: Vec<Raw> = Vec::new();
            let mut at: Option<u32> = None;
            let mut failure = None;
            loop {
                let cell = match cells.next_cell() {
                    Ok(Some(cell)) => cell,
                    Ok(None) => break,
                    Err(e) => {
                        failure = Some(self.broken(name, e));
                        break;
                    }
                };
                if matches!(cell.get_value(), calamine::DataRef::Empty) {
                    continue;
                }
                let (r, c) = cell.get_position();
                if r as usize >= MAX_ROWS {
                    failure = Some(self.too_long(name));
                    break;
                }
                if at != Some(r) {
                    match at {
                        None => {
                            if let Some(f) = start.take() {
                                f(SheetInfo {
                                    name: name.to_string(),
                                    rows: claimed,
                                });
                            }
                        }
                        Some(prev) if r < prev => {
                            failure = Some(self.broken(
                                name,
                                format!("第 {} 行写在第 {} 行之后", r + 1, prev + 1),
                            ));
                            break;
                        }
                        Some(prev) => {
                            if !out.row(prev, std::mem::take(&mut row), each) {
                                return Ok(true);
                            }
                        }
                    }
                    at = Some(r);
                }
                let c = c as usize;
                if row.len() <= c {
                    row.resize(c + 1, Raw::Empty);
                }
                row[c] = cell_of(cell.get_value());
            }
            if let Some(e) = failure {
                // The rows before the break go out first, as they would have without it,
                // whenever the merged regions are found.
                out.finish(each);
                return Err(e);
            }
            let Some(last) = at else {
                if let Some(f) = start.take().filter(|_| named) {
                    f(SheetInfo {
                        name: name.to_string(),
                        rows: 0,
                    });
                }
                return Ok(named);
            };
            if out.row(last, row, each) {
                out.finish(each);
            }
            Ok(true)
        })
    }

    /// One sheet of another format (`.xls`, `.ods`), read whole; false when it has no cell
    /// and may be passed over.
    fn stream_range(
        &self,
        book: &mut Book,
        name: &str,
        named: bool,
        start: &mut Option<impl FnOnce(SheetInfo)>,
        each: &mut impl FnMut(Vec<Raw>) -> bool,
    ) -> Result<bool> {
        let range = book
            .worksheet_range(name)
            .map_err(|e| self.broken(name, e))?;
        if range.is_empty() && !named {
            return Ok(false);
        }
        let (top, left) = range.start().unwrap_or((0, 0));
        let (top, left) = (top as usize, left as usize);
        if range.height() + top > MAX_ROWS {
            return Err(self.too_long(name));
        }
        if let Some(f) = start.take() {
            f(SheetInfo {
                name: name.to_string(),
                rows: top + range.height(),
            });
        }
        for _ in 0..top {
            if !each(Vec::new()) {
                return Ok(true);
            }
        }
        for row in range.rows() {
            let mut cells = vec![Raw::Empty; left];
            cells.extend(row.iter().map(cell));
            if !each(cells) {
                break;
            }
        }
        Ok(true)
    }
}

/// The sheet a stream reads.
#[derive(Debug, Clone)]
pub struct SheetInfo {
    pub name: String,
    /// The rows the sheet claims to reach (its own used range, at most [`MAX_ROWS`]): an
    /// estimate, which may be short or long.
    pub rows: usize,
}

/// The rows of a streamed `.xlsx` sheet on their way out: every row number in order (empty
/// rows for the ones the file leaves out), held back until the merged regions are known.
struct Emit<'scope> {
    /// The next row number to hand over.
    next: u32,
    held: Vec<Vec<Raw>>,
    fill: Option<FillDown>,
    merged: Option<std::thread::ScopedJoinHandle<'scope, Merged>>,
    stopped: bool,
}

/// What the merged regions' finder returns: the regions, and the number of the sheet's last
/// row when it read it.
type Merged = (Vec<calamine::Dimensions>, Option<usize>);

impl Emit<'_> {
    /// Hands over row `r` (and the empty rows before it); false once `each` wants no more.
    fn row(&mut self, r: u32, row: Vec<Raw>, each: &mut impl FnMut(Vec<Raw>) -> bool) -> bool {
        while self.next < r && !self.stopped {
            self.next += 1;
            self.out(Vec::new(), each);
        }
        self.next = r + 1;
        self.out(row, each);
        !self.stopped
    }

    fn out(&mut self, row: Vec<Raw>, each: &mut impl FnMut(Vec<Raw>) -> bool) {
        if self.fill.is_none() && self.merged.as_ref().is_some_and(|m| m.is_finished()) {
            self.known(each);
        }
        match &mut self.fill {
            None => self.held.push(row),
            Some(fill) => {
                let mut row = row;
                fill.apply(&mut row);
                if !self.stopped && !each(row) {
                    self.stopped = true;
                }
            }
        }
    }

    /// Waits for the merged regions (read as none if the finder failed) and starts filling
    /// with them; returns the number of the sheet's last row when the finder read it.
    fn wait(&mut self) -> Option<usize> {
        let (merged, last) = self
            .merged
            .take()
            .and_then(|m| m.join().ok())
            .unwrap_or_default();
        self.fill = Some(FillDown::new(merged));
        last
    }

    /// The merged regions are known: the held rows go out.
    fn known(&mut self, each: &mut impl FnMut(Vec<Raw>) -> bool) {
        self.wait();
        let Some(fill) = self.fill.as_mut() else {
            return;
        };
        for mut row in std::mem::take(&mut self.held) {
            fill.apply(&mut row);
            if !self.stopped && !each(row) {
                self.stopped = true;
            }
        }
    }

    /// The last row has come: waits for the merged regions if they are not known yet.
    fn finish(&mut self, each: &mut impl FnMut(Vec<Raw>) -> bool) {
        if self.fill.is_none() {
            self.known(each);
        }
    }
}

/// Cells merged over rows of one column (a custodian written once for three carriers), read
/// as the region's first value in each of its rows, as rows go by in order.
struct FillDown {
    /// `(first row, last row, column)`, by first row.
    regions: Vec<(u32, u32, usize)>,
    next: usize,
    /// The regions under way: last row, column, value.
    open: Vec<(u32, usize, Raw)>,
    /// The number of the row `apply` sees next.
    row: u32,
}

impl FillDown {
    fn new(merged: Vec<calamine::Dimensions>) -> FillDown {
        let mut regions: Vec<(u32, u32, usize)> = merged
            .into_iter()
            .filter(|m| m.start.1 == m.end.1 && m.end.0 > m.start.0)
            .map(|m| (m.start.0, m.end.0, m.start.1 as usize))
            .collect();
        regions.sort_unstable();
        FillDown {
            regions,
            next: 0,
            open: Vec::new(),
            row: 0,
        }
    }

    fn apply(&mut self, row: &mut Vec<Raw>) {
        let r = self.row;
        self.row += 1;
        self.open.retain(|(last, ..)| *last >= r);
        for (_, col, value) in &self.open {
            if row.len() <= *col {
                row.resize(col + 1, Raw::Empty);
            }
            if row[*col].is_empty() {
                row[*col] = value.clone();
            }
        }
        while let Some(&(first, last, col)) = self.regions.get(self.next) {
            if first > r {
                break;
            }
            self.next += 1;
            if first == r {
                if let Some(value) = row.get(col) {
                    self.open.push((last, col, value.clone()));
                }
            }
        }
    }
}

/// The merged regions of sheet `name` of the `.xlsx` file in `bytes` (none for other formats,
/// or when they cannot be read: the cells are then read as they are), and the number of its
/// last row when [`merged_quickly`] read it.
fn merged_regions(bytes: &[u8], file: &str, name: &str) -> Merged {
    if let Some(found) = merged_quickly(bytes, name) {
        return found;
    }
    match workbook(bytes, file) {
        Ok(Sheets::Xlsx(mut x)) => (x.merge_cells_by_sheet_name(name).unwrap_or_default(), None),
        _ => (Vec::new(), None),
    }
}

/// The merged regions of sheet `name` found without parsing its cells: the sheet's part is
/// found through `xl/workbook.xml` and its relationships, then read for its `<mergeCells>`
/// element (after every row, so the part is inflated but not parsed; a tenth of the time of
/// calamine's pass over a 100,000-row sheet). `None` when anything is not as Excel writes it
/// (then calamine's own pass decides). On its way it notes the number (`r`) of the last
/// `<row>` before them.
fn merged_quickly(bytes: &[u8], name: &str) -> Option<Merged> {
    use std::io::Read as _;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut text = |path: &str| -> Option<String> {
        let mut s = String::new();
        zip.by_name(path).ok()?.read_to_string(&mut s).ok()?;
        Some(s)
    };
    let book = text("xl/workbook.xml")?;
    let rels = text("xl/_rels/workbook.xml.rels")?;
    let id = elements(&book, "sheet")
        .find(|e| attribute(e, "name").as_deref() == Some(name))
        .and_then(|e| attribute(e, "r:id"))?;
    let target = elements(&rels, "Relationship")
        .find(|e| attribute(e, "Id").as_deref() == Some(id.as_str()))
        .and_then(|e| attribute(e, "Target"))?;
    let path = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("xl/{target}"),
    };
    let mut part = zip.by_name(&path).ok()?;
    // The part is read in blocks; only from `<mergeCells` on is it kept.
    let mut block = vec![0u8; 1 << 20];
    let mut seen: Vec<u8> = Vec::new();
    let mut kept: Option<Vec<u8>> = None;
    let mut last_row = None;
    loop {
        let n = part.read(&mut block).ok()?;
        if n == 0 {
            break;
        }
        match &mut kept {
            Some(k) => k.extend_from_slice(&block[..n]),
            None => {
                // The tail of the last block, in case a tag straddles two.
                let from = seen.len().saturating_sub(256);
                seen.drain(..from);
                seen.extend_from_slice(&block[..n]);
                last_row = last_row.max(last_row_number(&seen));
                if let Some(at) = tag_start(&seen, b"mergeCells") {
                    kept = Some(seen.split_off(at));
                }
            }
        }
        if kept.as_deref().is_some_and(closed) {
            break;
        }
    }
    let Some(kept) = kept else {
        return Some((Vec::new(), last_row));
    };
    let kept = String::from_utf8_lossy(&kept);
    Some((
        elements(&kept, "mergeCell")
            .filter_map(|e| attribute(e, "ref"))
            .filter_map(|r| {
                let (a, b) = r.split_once(':')?;
                Some(calamine::Dimensions {
                    start: cell_position(a)?,
                    end: cell_position(b)?,
                })
            })
            .collect(),
        last_row,
    ))
}

/// The number (`r`, from 1) of the last complete `<row>` start tag in `xml`, if it has one.
fn last_row_number(xml: &[u8]) -> Option<usize> {
    let mut from = 0;
    let mut last = None;
    while let Some(at) = tag_start(&xml[from..], b"row").map(|i| i + from) {
        from = at + 1;
        let tag = &xml[at..];
        if let Some(end) = memchr::memchr(b'>', tag) {
            last = Some(&tag[..end]);
        }
    }
    let tag = String::from_utf8_lossy(last?);
    attribute(&tag, "r")?.parse().ok()
}

/// Whether `xml` holds the end tag `</mergeCells>` (or `</prefix:mergeCells>`).
fn closed(xml: &[u8]) -> bool {
    memchr::memmem::find_iter(xml, b"mergeCells>").any(|e| {
        xml[..e]
            .iter()
            .rposition(|b| *b == b'<')
            .is_some_and(|lt| xml.get(lt + 1) == Some(&b'/'))
    })
}

/// Where the start tag `<name` (or `<prefix:name`) first begins in `xml`.
fn tag_start(xml: &[u8], name: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&xml[from..], name).map(|i| i + from) {
        from = i + 1;
        if !matches!(
            xml.get(i + name.len()),
            Some(b' ' | b'>' | b'/' | b'\t' | b'\r' | b'\n')
        ) {
            continue;
        }
        let mut j = i;
        if xml.get(j.wrapping_sub(1)) == Some(&b':') {
            j -= 1;
            while j > 0 && xml[j - 1].is_ascii_alphanumeric() {
                j -= 1;
            }
        }
        if j > 0 && xml[j - 1] == b'<' {
            return Some(j - 1);
        }
    }
    None
}

/// The start tags `<name …>` in `xml` (with or without a namespace prefix), as their text.
fn elements<'a>(xml: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let mut rest = xml;
    std::iter::from_fn(move || loop {
        let at = tag_start(rest.as_bytes(), name.as_bytes())?;
        let end = rest[at..].find('>')? + at;
        let element = &rest[at..end];
        rest = &rest[end..];
        let tag = element[1..].split([' ', '\t', '\r', '\n', '/']).next()?;
        if tag.rsplit(':').next() == Some(name) {
            return Some(element);
        }
    })
}

/// The value of attribute `name` in a start tag's text, its entities read.
fn attribute(element: &str, name: &str) -> Option<String> {
    let mut rest = element;
    loop {
        let i = rest.find(name)?;
        let before = rest[..i].chars().last();
        let after = rest[i + name.len()..].trim_start();
        rest = &rest[i + name.len()..];
        if !matches!(before, Some(' ' | '\t' | '\r' | '\n')) {
            continue;
        }
        let Some(after) = after.strip_prefix('=') else {
            continue;
        };
        let after = after.trim_start();
        let quote = after.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let value = &after[1..];
        let value = &value[..value.find(quote)?];
        if value.contains("&#") {
            return None;
        }
        return Some(
            value
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        );
    }
}

/// A cell reference's `(row, column)` from 0: `B3` is `(2, 1)`.
fn cell_position(reference: &str) -> Option<(u32, u32)> {
    let reference = reference.trim().replace('$', "");
    let digits = reference.find(|c: char| c.is_ascii_digit())?;
    let (letters, number) = reference.split_at(digits);
    let column = column_index(letters)?;
    let row: u32 = number.parse().ok()?;
    Some((row.checked_sub(1)?, u32::try_from(column).ok()?))
}

/// A cell as the streaming reader gives it.
fn cell_of(d: &calamine::DataRef<'_>) -> Raw {
    cell(&Data::from(d.clone()))
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
    fn merged_cells_fill_down_their_column_as_rows_go_by() {
        let t = |s: &str| Raw::Text(s.into());
        let region = |r1, r2, c1, c2| calamine::Dimensions {
            start: (r1, c1),
            end: (r2, c2),
        };
        // A title over two columns (not filled), 王五 over rows 1–3 of column 1 (row 2
        // leaves it out entirely, row 3 is too short to have the column), 李四 over rows 4–5
        // of column 0, given in no order.
        let mut fill = FillDown::new(vec![
            region(4, 5, 0, 0),
            region(0, 0, 0, 1),
            region(1, 3, 1, 1),
        ]);
        let mut rows = vec![
            vec![t("台账"), Raw::Empty],
            vec![t("甲"), t("王五")],
            vec![t("乙"), Raw::Empty],
            vec![t("丙")],
            vec![t("李四"), t("赵六")],
            vec![Raw::Empty, t("钱七")],
            vec![Raw::Empty, Raw::Empty],
        ];
        for row in &mut rows {
            fill.apply(row);
        }
        assert_eq!(rows[0], vec![t("台账"), Raw::Empty]);
        assert_eq!(rows[2], vec![t("乙"), t("王五")]);
        assert_eq!(rows[3], vec![t("丙"), t("王五")]);
        assert_eq!(rows[4], vec![t("李四"), t("赵六")]);
        assert_eq!(rows[5], vec![t("李四"), t("钱七")]);
        assert_eq!(rows[6], vec![Raw::Empty, Raw::Empty], "past every region");
    }

    #[test]
    fn merged_regions_found_quickly_are_the_ones_calamine_finds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("两页.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let plain = rust_xlsxwriter::Format::new();
        let first = book.add_worksheet();
        first.set_name("说明").unwrap();
        first.write_string(0, 0, "mergeCells 不是标签").unwrap();
        first.merge_range(2, 0, 2, 3, "说明页", &plain).unwrap();
        let second = book.add_worksheet();
        second.set_name("甲&乙 <台账>").unwrap();
        second
            .merge_range(0, 0, 0, 9, "涉密载体登记台账", &plain)
            .unwrap();
        for r in 1..200 {
            second.write_string(r, 1, format!("第{r}行")).unwrap();
        }
        second.merge_range(5, 6, 7, 6, "王五", &plain).unwrap();
        second
            .merge_range(120, 27, 180, 27, "李四", &plain)
            .unwrap();
        book.add_worksheet().set_name("空页").unwrap();
        book.save(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();

        for (name, last) in [
            ("说明", Some(3)),
            ("甲&乙 <台账>", Some(200)),
            ("空页", None),
        ] {
            let (quick, last_row) = merged_quickly(&bytes, name).expect(name);
            let Ok(Sheets::Xlsx(mut x)) = workbook(&bytes[..], "两页.xlsx") else {
                panic!("not xlsx");
            };
            let slow = x.merge_cells_by_sheet_name(name).unwrap();
            assert_eq!(quick, slow, "{name}");
            assert_eq!(last_row, last, "{name}: the number of its last row");
        }
        let (quick, _) = merged_quickly(&bytes, "甲&乙 <台账>").unwrap();
        assert_eq!(quick.len(), 3);
        assert!(quick.contains(&calamine::Dimensions {
            start: (120, 27),
            end: (180, 27)
        }));
        assert_eq!(merged_quickly(&bytes, "没有这页"), None);
    }

    /// The last row's number is read from its start tag alone, prefixed or not, and a tag
    /// cut off before its end is not read.
    #[test]
    fn the_last_row_number_is_the_last_complete_row_tag() {
        let xml = br#"<sheetData><row r="1" spans="1:3"><c r="A1"/></row><x:row r="17"><c r="A17"/></x:row><rowBreaks/></sheetData><row r="99"#;
        assert_eq!(last_row_number(xml), Some(17));
        assert_eq!(last_row_number(b"<row><c/></row>"), None, "no number");
        assert_eq!(last_row_number(b"<c r=\"A1\"/></row>"), None, "no row tag");
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
