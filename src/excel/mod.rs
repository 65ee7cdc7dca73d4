//! Officers' own Excel ledgers in and out of every register.
//!
//! Contract: a register takes part by declaring its sheet ([`Sheet`]: columns with the headers
//! offices write, how each cell is read, each record's value) — nothing here knows a register.
//! An import reads the file ([`read`]), finds the header under any title and unit lines and
//! maps the columns ([`header`], overridable by the officer), reads each row's cells into the
//! register's registration input ([`values`]: dates, levels with periods, copy numbers,
//! full-width digits), and then registers every row through the register's own validation in
//! one transaction: a dry run rolls it back and reports; a real import commits only when no
//! row fails (all or nothing), keeps the sheet's 编号 as the serial (numbering continues after
//! it), records where each record came from (`registers::origins`: file, sheet, row) and audits the
//! import by the file's SHA-256 and counts — never a title. An export writes the records a
//! list's filters select ([`write`]), and is audited the same way.

pub mod header;
pub mod read;
pub mod values;
pub mod write;

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

pub use header::MappedColumn;
use read::Raw;

use crate::error::{Error, Result};
use crate::registers::columns::{column, Cell, Column, Kind, Sheet, IGNORED, LEDGER_NO};
use crate::registers::level::Level;
use crate::registers::{origins, table, Registration};
use crate::vault::roles::Op;
use crate::vault::{Session, WriteCtx};

/// What the officer chose for an import.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(deny_unknown_fields, default)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct SheetOptions {
    /// The sheet to read (default: the first with any cell).
    #[ts(optional)]
    pub sheet: Option<String>,
    /// Report what would happen, change nothing.
    pub dry_run: bool,
    /// `(column, field)`: a column by letters or header, a field by code or label, `-` for
    /// none.
    pub map: Vec<(String, String)>,
    /// `(field, value)`: what a row that leaves the field empty gets (a 知悉范围 the sheet
    /// does not record, a 载体类型 every row shares).
    pub defaults: Vec<(String, String)>,
}

/// One row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct RowNote {
    /// The row number as the sheet shows it (1 = its first row).
    pub row: u32,
    /// The column at fault (its letters), when one is.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub reason: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct SheetReport {
    pub register: String,
    pub noun: String,
    pub file: String,
    pub sheet: String,
    /// Every sheet of the file, to choose another.
    pub sheets: Vec<String>,
    /// The header's row number as the sheet shows it.
    pub header_row: u32,
    pub columns: Vec<MappedColumn>,
    /// Rows below the header that hold anything.
    pub rows: u32,
    /// Records imported (in a dry run: that would be).
    pub imported: u32,
    /// Rows left out on purpose: subtotal lines, lines with nothing to import.
    pub skipped: Vec<RowNote>,
    /// Rows that cannot come in; while any is listed, nothing is imported.
    pub errors: Vec<RowNote>,
    pub dry_run: bool,
    /// Whether the records are in the register now.
    pub committed: bool,
    /// The first and last serial given.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_serial: Option<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_serial: Option<String>,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct SheetExport {
    pub path: String,
    pub rows: u32,
    /// The marking in the sheet's header and footer (the highest level exported).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marking: Option<String>,
}

/// A row read from the sheet, ready to register.
struct Row<F> {
    number: u32,
    serial: Option<String>,
    /// The row's fields as the register's input reads them (an object).
    input: Value,
    /// The row's registration as the register validates it on its own ([`prepare`]), made
    /// on the reading thread; taken by the first pass that registers the row.
    prepared: Option<Result<Registration<F>>>,
}

/// How many rows the reading thread hands over at a time.
const ROW_BATCH: usize = 256;

/// The registration of `input` as the register validates it alone, as of `today`.
fn prepare<R: Sheet>(input: &Value, today: chrono::NaiveDate) -> Result<Registration<R::Fields>> {
    R::registration(&crate::input::from_ref(input)?, today)
}

/// The rows of an import: received from the thread that reads them, and kept for a second
/// pass.
struct Rows<'scope, F> {
    /// The reader, until it has handed over every row.
    coming: Option<Reader<'scope, F>>,
    read: Vec<Row<F>>,
    /// What the reader noted, once it has finished.
    unreadable: Option<Read>,
}

/// The thread reading the sheet: the batches of rows it hands over, and what it notes.
type Reader<'scope, F> = (
    std::sync::mpsc::Receiver<Vec<Row<F>>>,
    std::thread::ScopedJoinHandle<'scope, Read>,
);

impl<F> Rows<'_, F> {
    /// The `i`th row (in the sheet's order), waiting for the reader when it has not come
    /// yet; `None` after the last.
    fn get(&mut self, i: usize) -> Option<&mut Row<F>> {
        while i >= self.read.len() {
            let (receive, _) = self.coming.as_ref()?;
            match receive.recv() {
                Ok(rows) => self.read.extend(rows),
                Err(_) => return None,
            }
        }
        self.read.get_mut(i)
    }

    /// What the reader noted; waits for it to finish (every row has come). A file that
    /// could not be read to its end is its error.
    fn finish(&mut self) -> Result<&Read> {
        if let Some((receive, reader)) = self.coming.take() {
            self.read.extend(receive.iter().flatten());
            let read = reader
                .join()
                .map_err(|_| Error::internal("读取表格的线程意外中止"))?;
            self.unreadable = Some(read);
        }
        match &self.unreadable {
            Some(Read {
                failed: Some(e), ..
            }) => Err(e.clone()),
            Some(read) => Ok(read),
            None => Err(Error::internal("表格尚未读完")),
        }
    }
}

/// Progress of a long import: rows done of all.
pub type Progress<'a> = &'a mut dyn FnMut(u32, u32);

/// The label of `field` in `R`'s sheet (its code when it has no column).
fn label_of<R: Sheet>(field: &str) -> String {
    column(R::COLUMNS, field).map_or_else(|| field.to_string(), |c| c.label.to_string())
}

/// One cell read as its column's kind into `input`; `pending` collects what a level's period
/// and copy numbers' count imply for other fields.
fn read_cell(
    col: &Column<impl Sized>,
    raw: &Raw,
    input: &mut Map<String, Value>,
    implied: &mut Vec<(&'static str, Value)>,
) -> std::result::Result<(), String> {
    let field = col.field.to_string();
    match col.kind {
        Kind::Text => {
            let t = values::text(raw);
            if !t.is_empty() {
                input.insert(field, t.into());
            }
        }
        Kind::Date => {
            if let Some(d) = values::date(raw)? {
                input.insert(field, d.into());
            }
        }
        Kind::Level { period } => {
            if let Some((level, p)) = values::level(raw)? {
                input.insert(field, level.into());
                if let (Some(target), Some(p)) = (period, p) {
                    implied.push((target, p.into()));
                }
            }
        }
        Kind::Count => {
            if let Some(n) = values::count(raw)? {
                input.insert(field, n.into());
            }
        }
        Kind::CopyNumbers { count } => {
            if let Some((text, n)) = values::copy_numbers(raw)? {
                input.insert(field, text.into());
                if let Some(target) = count {
                    implied.push((target, n.into()));
                }
            }
        }
        Kind::Flag => {
            if let Some(b) = values::flag(raw)? {
                input.insert(field, b.into());
            }
        }
        Kind::List => {
            let items = values::list(raw);
            if !items.is_empty() {
                input.insert(field, items.into());
            }
        }
    }
    Ok(())
}

/// The officer's default values (`(field, value)`), each read as its column's cell would be.
type Defaulted<S> = Vec<(&'static Column<S>, Map<String, Value>)>;

/// Reads the officer's default values for the rows' empty fields; refuses a field `R` has no
/// column for or a value its column cannot read.
fn defaults<R: Sheet>(defaults: &[(String, String)]) -> Result<Defaulted<R::State>> {
    let mut defaulted = Vec::new();
    for (field, value) in defaults {
        let col = R::COLUMNS
            .iter()
            .find(|c| {
                c.import
                    && c.field != IGNORED
                    && c.field != LEDGER_NO
                    && (c.field == field.trim() || c.label == field.trim())
            })
            .ok_or_else(|| {
                Error::field(
                    "defaults",
                    "默认值",
                    format!("没有“{}”字段可以填默认值", field.trim()),
                )
            })?;
        let mut one = Map::new();
        let mut implied = Vec::new();
        read_cell(col, &Raw::Text(value.clone()), &mut one, &mut implied)
            .map_err(|why| Error::field("defaults", col.label, format!("默认值{why}")))?;
        defaulted.push((col, one));
    }
    Ok(defaulted)
}

/// What reading the rows found besides the rows themselves.
#[derive(Default)]
struct Read {
    /// Rows below the header that hold anything.
    rows: u32,
    skipped: Vec<RowNote>,
    /// Rows whose cells cannot be read.
    errors: Vec<RowNote>,
    /// Why the file could not be read to its end (a sheet damaged after its first rows).
    failed: Option<Error>,
}

/// What the thread that reads the sheet tells first: the sheet, its header, and how many
/// rows it expects below it (an estimate, see [`read::SheetInfo`]).
struct Head {
    sheet: String,
    mapping: header::Mapping,
    expected: usize,
}

/// Reads the sheet the officer chose, as the file is read: finds its header among its first
/// rows and hands it to `head` (or why there is none), then reads every row below the header
/// into an input, handing each to `send` in order (it answers false when no more are wanted),
/// or notes why a row is left out. A file that cannot be read before its header is told to
/// `head`; after it, noted as `failed`.
fn read_sheet<R: Sheet>(
    book: &read::Workbook,
    options: &SheetOptions,
    defaulted: &Defaulted<R::State>,
    head: impl FnOnce(Result<Head>),
    mut send: impl FnMut(Row<R::Fields>) -> bool,
) -> Read {
    let mut report = Read::default();
    let mut head = Some(head);
    let info = std::cell::OnceCell::new();
    // The rows up to the header's search depth, until the header is found among them.
    let mut first: Vec<Vec<Raw>> = Vec::new();
    // The header's row and the columns read, once found.
    let mut reading: Option<(usize, Vec<(usize, String)>)> = None;
    let mut r = 0usize;
    let streamed = book.stream(
        options.sheet.as_deref(),
        |i| {
            let _ = info.set(i);
        },
        |cells| {
            let number = r;
            r += 1;
            if let Some((_, fields)) = &reading {
                return read_row::<R>(number, &cells, fields, defaulted, &mut report, &mut send);
            }
            first.push(cells);
            if first.len() < header::SEARCH_ROWS {
                return true;
            }
            reading = head
                .take()
                .and_then(|tell| found::<R>(&first, info.get(), options, tell));
            let Some((header_row, fields)) = &reading else {
                return false;
            };
            first
                .drain(..)
                .enumerate()
                .skip(header_row + 1)
                .all(|(n, cells)| {
                    read_row::<R>(n, &cells, fields, defaulted, &mut report, &mut send)
                })
        },
    );
    match (streamed, head.take()) {
        (Err(e), Some(tell)) => tell(Err(e)),
        (Err(e), None) => report.failed = Some(e),
        // A sheet of fewer rows than the header's search depth.
        (Ok(_), Some(tell)) => {
            if let Some((header_row, fields)) = found::<R>(&first, info.get(), options, tell) {
                for (n, cells) in first.drain(..).enumerate().skip(header_row + 1) {
                    if !read_row::<R>(n, &cells, &fields, defaulted, &mut report, &mut send) {
                        break;
                    }
                }
            }
        }
        (Ok(_), None) => {}
    }
    report
}

/// Finds the header among the sheet's `first` rows with the officer's choices applied, and
/// tells it (or why there is none); returns its row and the columns to read.
fn found<R: Sheet>(
    first: &[Vec<Raw>],
    info: Option<&read::SheetInfo>,
    options: &SheetOptions,
    tell: impl FnOnce(Result<Head>),
) -> Option<(usize, Vec<(usize, String)>)> {
    let detected = header::detect(R::COLUMNS, first).and_then(|mut mapping| {
        header::apply_choices(R::COLUMNS, &mut mapping, &options.map)?;
        Ok(mapping)
    });
    match detected {
        Ok(mapping) => {
            let header_row = mapping.header_row;
            let fields = mapping
                .fields()
                .into_iter()
                .map(|(i, f)| (i, f.to_string()))
                .collect();
            let (sheet, rows) = info.map_or((String::new(), 0), |i| (i.name.clone(), i.rows));
            tell(Ok(Head {
                sheet,
                mapping,
                expected: rows.saturating_sub(header_row + 1),
            }));
            Some((header_row, fields))
        }
        Err(e) => {
            tell(Err(e));
            None
        }
    }
}

/// Reads sheet row `r` (0-based) below the header into an input and hands it to `send`, or
/// notes in `report` why it is left out; false when `send` wants no more.
fn read_row<R: Sheet>(
    r: usize,
    cells: &[Raw],
    fields: &[(usize, String)],
    defaulted: &Defaulted<R::State>,
    report: &mut Read,
    send: &mut impl FnMut(Row<R::Fields>) -> bool,
) -> bool {
    let number = r as u32 + 1;
    if cells.iter().all(Raw::is_empty) {
        return true;
    }
    report.rows += 1;
    if values::is_subtotal(cells) {
        report.skipped.push(RowNote {
            row: number,
            column: None,
            reason: "合计行，不是记录".into(),
        });
        return true;
    }
    let mut input = Map::new();
    let mut implied = Vec::new();
    let mut serial = None;
    let mut failed = None;
    for (ci, field) in fields {
        let field = field.as_str();
        let raw = cells.get(*ci).unwrap_or(&Raw::Empty);
        if field == LEDGER_NO {
            let s = values::plain(&values::text(raw));
            serial = (!s.is_empty()).then_some(s);
            continue;
        }
        let Some(col) = column(R::COLUMNS, field) else {
            continue;
        };
        if let Err(why) = read_cell(col, raw, &mut input, &mut implied) {
            failed = Some(RowNote {
                row: number,
                column: Some(read::column_letter(*ci)),
                reason: format!("{}：{why}", col.label),
            });
            break;
        }
    }
    if let Some(note) = failed {
        report.errors.push(note);
        return true;
    }
    if input.is_empty() {
        report.skipped.push(RowNote {
            row: number,
            column: None,
            reason: "没有可导入的内容".into(),
        });
        return true;
    }
    for (field, value) in implied {
        match (input.get(field), &value) {
            (None, _) => {
                input.insert(field.to_string(), value);
            }
            (Some(given), Value::Number(n)) if given.as_u64() != n.as_u64() => {
                let numbers = column(R::COLUMNS, field)
                    .and_then(|_| {
                        R::COLUMNS
                            .iter()
                            .find(|c| matches!(c.kind, Kind::CopyNumbers { count: Some(f) } if f == field))
                    })
                    .and_then(|c| input.get(c.field))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                failed = Some(RowNote {
                    row: number,
                    column: None,
                    reason: format!(
                        "份号“{numbers}”共 {n} 份，与{}“{given}”不符",
                        label_of::<R>(field)
                    ),
                });
            }
            _ => {}
        }
    }
    if let Some(note) = failed {
        report.errors.push(note);
        return true;
    }
    for (col, one) in defaulted {
        if !input.contains_key(col.field) {
            input.extend(one.clone());
        }
    }
    R::complete(&mut input);
    let row = Row {
        number,
        serial,
        input: Value::Object(input),
        prepared: None,
    };
    send(row)
}

/// Registers one sheet row through the register's own validation and rules, under the
/// sheet's 编号 when it has one; returns the record's id and serial.
fn register_row<R: Sheet>(
    w: &mut WriteCtx<'_>,
    row: &mut Row<R::Fields>,
    today: chrono::NaiveDate,
    pattern: &str,
) -> Result<(i64, String)> {
    let reg = match row.prepared.take() {
        Some(prepared) => prepared?,
        None => prepare::<R>(&row.input, today)?,
    };
    let state = w.register_as::<R>(reg, pattern, row.serial.as_deref(), None)?;
    Ok((R::id(&state), R::serial(&state).to_string()))
}

/// The note of a row the register refused: its reason, at the column of the field it names.
fn refusal<R: Sheet>(number: u32, e: &Error, mapping: &header::Mapping) -> RowNote {
    let column = e.field.as_deref().and_then(|f| {
        mapping
            .columns
            .iter()
            .find(|c| c.field.as_deref() == Some(f))
            .map(|c| c.column.clone())
    });
    let reason = match (&e.field, e.message.starts_with("缺少必填字段")) {
        (Some(f), true) if column.is_none() => format!(
            "缺少{}：表中没有这一列，可在列对应中指定，或给出默认值",
            label_of::<R>(f)
        ),
        (Some(f), true) => format!("缺少{}", label_of::<R>(f)),
        (Some(f), false) if !e.message.contains(&label_of::<R>(f)) => {
            format!("{}：{}", label_of::<R>(f), e.message)
        }
        _ => e.message.clone(),
    };
    RowNote {
        row: number,
        column,
        reason,
    }
}

impl Session {
    /// Imports the register `R`'s records from the officer's sheet at `path` (see the module
    /// contract). A report with errors has committed nothing.
    pub fn import_sheet<R: Sheet>(
        &mut self,
        path: &Path,
        options: &SheetOptions,
        progress: Progress<'_>,
    ) -> Result<SheetReport> {
        self.require(Op::WriteRegisters)?;
        let book = read::open(path)?;
        // A default the register cannot take is refused after the header is found: the
        // header is the first thing a wrong file gets wrong.
        let defaulted = defaults::<R>(&options.defaults);
        let none: Defaulted<R::State> = Vec::new();
        let today = self.today();
        let pattern = self.serial_pattern::<R>()?;
        let sha256 = book.sha256();
        let register = crate::registers::register_info(R::NAME)
            .ok_or_else(|| Error::internal("台账不存在"))?;
        // The sheet is read on another thread as the file is read, while this one registers
        // its rows (reading the whole sheet first was a sixth of a large import, `make
        // bench`); they are kept for a second pass. The header comes first, found among the
        // sheet's first rows.
        std::thread::scope(|scope| {
            let (send, receive) = std::sync::mpsc::channel();
            let (tell, heard) = std::sync::mpsc::sync_channel(1);
            let book = &book;
            let given = defaulted.as_ref().unwrap_or(&none);
            let reader = scope.spawn(move || {
                // Rows go over in batches: one at a time, the two threads woke each other for
                // every row.
                let mut batch = Vec::with_capacity(ROW_BATCH);
                let read = read_sheet::<R>(
                    book,
                    options,
                    given,
                    |head| {
                        let _ = tell.send(head);
                    },
                    |mut row| {
                        row.prepared = Some(prepare::<R>(&row.input, today));
                        batch.push(row);
                        batch.len() < ROW_BATCH
                            || send
                                .send(std::mem::replace(&mut batch, Vec::with_capacity(ROW_BATCH)))
                                .is_ok()
                    },
                );
                if !batch.is_empty() {
                    let _ = send.send(batch);
                }
                read
            });
            let head = match heard.recv() {
                Ok(head) => head,
                Err(_) => Err(Error::internal("读取表格的线程意外中止")),
            };
            let Head {
                sheet,
                mapping,
                expected,
            } = match head.and_then(|head| defaulted.as_ref().map(|_| head).map_err(Clone::clone)) {
                Ok(head) => head,
                Err(e) => {
                    drop(receive);
                    let _ = reader.join();
                    return Err(e);
                }
            };
            let mapping = &mapping;
            let mut report = SheetReport {
                register: R::NAME.to_string(),
                noun: R::NOUN.to_string(),
                file: book.file_name.clone(),
                sheet,
                sheets: book.sheets.clone(),
                header_row: mapping.header_row as u32 + 1,
                columns: mapping.columns.clone(),
                rows: 0,
                imported: 0,
                skipped: Vec::new(),
                errors: Vec::new(),
                dry_run: options.dry_run,
                committed: false,
                first_serial: None,
                last_serial: None,
            };
            // The rows the sheet claims below its header: the progress bar's whole until
            // every row is read, and the load's size for the indexes (see
            // `table::suspend_indexes`).
            let total = expected;
            let mut rows = Rows {
                coming: Some((receive, reader)),
                read: Vec::new(),
                unreadable: None,
            };
            // One pass registers every row as one act (one audit entry for the import). A
            // quick pass stops at the first refused row; only then is the sheet checked again
            // row by row in savepoints, so that a refused row leaves nothing behind and every
            // later row is judged as if it were absent. A savepoint per row costs as much as
            // the row itself (the search index flushes at each), and a clean sheet never
            // needs one.
            let mut pass = |w: &mut WriteCtx<'_>, report: &mut SheetReport, careful: bool| {
                report.imported = 0;
                report.errors.clear();
                report.first_serial = None;
                report.last_serial = None;
                // Each imported record's id and sheet row, noted once the pass is whole.
                let mut placed = Vec::new();
                let mut i = 0;
                while let Some(row) = rows.get(i) {
                    if i % 500 == 0 {
                        progress(i as u32, total.max(i) as u32);
                    }
                    i += 1;
                    if careful {
                        w.tx.execute_batch("SAVEPOINT sheet_row")?;
                    }
                    let done = register_row::<R>(w, row, today, &pattern);
                    match (done, careful) {
                        (Ok((id, serial)), _) => {
                            if careful {
                                w.tx.execute_batch("RELEASE sheet_row")?;
                            }
                            placed.push((id, row.number));
                            report.imported += 1;
                            if report.first_serial.is_none() {
                                report.first_serial = Some(serial.clone());
                            }
                            report.last_serial = Some(serial);
                        }
                        (Err(e), _) if !row_fault(&e) => return Err(e),
                        (Err(_), false) => return Ok(false),
                        (Err(e), true) => {
                            w.tx.execute_batch("ROLLBACK TO sheet_row; RELEASE sheet_row")?;
                            report.errors.push(refusal::<R>(row.number, &e, mapping));
                        }
                    }
                }
                let now = w.now().to_string();
                origins::record(w.tx, R::NAME, &report.file, &report.sheet, &now, &placed)?;
                let read = rows.finish()?;
                report.rows = read.rows;
                report.skipped.clone_from(&read.skipped);
                report.errors.extend(read.errors.iter().cloned());
                // Every row has come: the whole is now the rows read, not the estimate.
                progress(i as u32, i as u32);
                report.errors.sort_by_key(|n| n.row);
                Ok(true)
            };
            // A large sheet is entered with the register's indexes (and the triggers that
            // count it) dropped and made again at the end (see `table::suspend_indexes`); a
            // dry run rolls back, so it never rebuilds them.
            let mut bulk = |w: &mut WriteCtx<'_>, report: &mut SheetReport, careful: bool| {
                let suspended = table::suspend_indexes(w.tx, register, total)?;
                let whole = w.as_one_act(|w| pass(w, report, careful))?;
                if whole && !options.dry_run {
                    table::rebuild_indexes(w.tx, &suspended)?;
                }
                Ok(whole)
            };
            let outcome = 'import: {
                for careful in [false, true] {
                    if options.dry_run {
                        let whole = self.rehearse(|w| bulk(w, &mut report, careful))?;
                        if whole {
                            break 'import Ok(report);
                        }
                        continue;
                    }
                    // Refused: whether the pass checked every row (its report is then complete).
                    let mut refused = None;
                    let outcome = self.write(|w| {
                        let whole = bulk(w, &mut report, careful)?;
                        if !whole || !report.errors.is_empty() {
                            refused = Some(whole);
                            return Err(Error::validation("有无法导入的行"));
                        }
                        w.audit(
                            "sheet_import",
                            R::NAME,
                            serde_json::json!({
                                "register": R::NAME, "noun": R::NOUN, "sha256": sha256,
                                "rows": report.rows, "imported": report.imported,
                                "skipped": report.skipped.len(),
                                "first_serial": report.first_serial, "last_serial": report.last_serial,
                            }),
                        )
                    });
                    match (outcome, refused) {
                        (Ok(()), _) => {
                            report.committed = true;
                            break 'import Ok(report);
                        }
                        (Err(_), Some(true)) => {
                            report.imported = 0;
                            report.first_serial = None;
                            report.last_serial = None;
                            break 'import Ok(report);
                        }
                        (Err(_), Some(false)) => continue,
                        (Err(e), None) => break 'import Err(e),
                    }
                }
                Err(Error::internal("逐行检查未完成"))
            };
            // The rows read (100,000 inputs of a large sheet) are freed on a thread of their
            // own: freeing them here was a fiftieth of the import (`make bench`). Should no
            // thread start, they are freed here all the same.
            let read = std::mem::take(&mut rows.read);
            let _ = std::thread::Builder::new().spawn(move || drop(read));
            outcome
        })
    }

    /// Writes the records of `R` that `query` selects to `out` as an `.xlsx` sheet (see
    /// [`write`]); audited by the file's SHA-256 and the count.
    pub fn export_sheet<R: Sheet>(&mut self, query: &R::Query, out: &Path) -> Result<SheetExport> {
        self.require(Op::ReadRegisters)?;
        let spec = R::spec(query, self.today())?.all(MAX_EXPORT);
        let page = table::list::<R>(self.conn(), &spec)?;
        if page.total > i64::from(MAX_EXPORT) {
            return Err(Error::validation(format!(
                "一次最多导出 {MAX_EXPORT} 条，请用筛选条件缩小范围"
            )));
        }
        let columns: Vec<&Column<R::State>> =
            R::COLUMNS.iter().filter(|c| c.get.is_some()).collect();
        let level_col = column(R::COLUMNS, "level").and_then(|c| c.get);
        let mut highest: Option<Level> = None;
        let mut rows = Vec::with_capacity(page.rows.len());
        for (i, state) in page.rows.iter().enumerate() {
            if let Some(Cell::Text(l)) = level_col.map(|g| g(state)) {
                if let Ok(level) = Level::parse("level", &l) {
                    if highest.is_none_or(|h| level.rank() < h.rank()) {
                        highest = Some(level);
                    }
                }
            }
            let mut row = vec![Cell::Number(i as i64 + 1)];
            row.extend(columns.iter().filter_map(|c| c.get.map(|g| g(state))));
            rows.push(row);
        }
        let mut header: Vec<String> = vec![R::COLUMNS
            .iter()
            .find(|c| c.field == IGNORED)
            .map_or("序号", |c| c.label)
            .to_string()];
        header.extend(columns.iter().map(|c| c.label.to_string()));
        let marking = highest.map(|l| l.label().to_string());
        let count = rows.len() as u32;
        let bytes = write::workbook(
            &[write::Table {
                name: R::NOUN,
                title: None,
                header,
                rows,
            }],
            marking.as_deref(),
        )?;
        crate::print::write_atomic(out, &bytes)?;
        let sha256 = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(&bytes))
        };
        self.write(|w| {
            w.audit(
                "sheet_export",
                R::NAME,
                serde_json::json!({
                    "register": R::NAME, "noun": R::NOUN, "sha256": sha256, "rows": count,
                    "marking": marking,
                }),
            )
        })?;
        Ok(SheetExport {
            path: out.display().to_string(),
            rows: count,
            marking,
        })
    }
}

impl Session {
    /// Writes the year-end statistics of `year` to `out` (.xlsx): one worksheet per table, its
    /// title above its header, marked 内部 like the printed report; audited as `stats_export`.
    pub fn export_stats(&mut self, year: i32, out: &Path) -> Result<SheetExport> {
        let stats = self.stats(year)?;
        // Sheet names: at most 31 characters, none of []:*?/\, and unique.
        let mut names: Vec<String> = Vec::new();
        for t in &stats.tables {
            let base: String = t
                .title
                .chars()
                .filter(|c| !"[]:*?/\\".contains(*c))
                .take(28)
                .collect();
            let mut name = base.clone();
            let mut n = 2;
            while names.contains(&name) {
                name = format!("{base}{n}");
                n += 1;
            }
            names.push(name);
        }
        let tables: Vec<write::Table<'_>> = stats
            .tables
            .iter()
            .zip(&names)
            .map(|(t, name)| {
                let mut header = vec!["项目".to_string()];
                header.extend(t.columns.iter().cloned());
                header.push("合计".to_string());
                write::Table {
                    name,
                    title: Some(format!(
                        "{} {year} 年度保密工作统计：{}",
                        stats.unit, t.title
                    )),
                    header,
                    rows: t
                        .rows
                        .iter()
                        .map(|r| {
                            let mut row = vec![Cell::text(&r.label)];
                            row.extend(r.values.iter().map(|v| Cell::Number(*v)));
                            row.push(Cell::Number(r.total));
                            row
                        })
                        .collect(),
                }
            })
            .collect();
        let marking = crate::print::system::CHECKPOINT_MARKING;
        let bytes = write::workbook(&tables, Some(marking))?;
        crate::print::write_atomic(out, &bytes)?;
        let sha256 = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(&bytes))
        };
        self.write(|w| {
            w.audit(
                "stats_export",
                &year.to_string(),
                serde_json::json!({ "year": year, "sha256": sha256 }),
            )
        })?;
        Ok(SheetExport {
            path: out.display().to_string(),
            rows: stats.tables.iter().map(|t| t.rows.len() as u32).sum(),
            marking: Some(marking.to_string()),
        })
    }
}

/// Whether an error is about the row (its data, a rule, a serial taken) rather than the
/// vault or the program, which ends the import.
fn row_fault(e: &Error) -> bool {
    use crate::error::Code;
    matches!(
        e.code,
        Code::Validation | Code::Rule | Code::Conflict | Code::NotFound
    )
}

/// The most records one export writes.
pub const MAX_EXPORT: u32 = 1_000_000;

/// Imports a sheet into the register named by [`crate::registers::RegisterInfo`].
pub type ImportFn = fn(&mut Session, &Path, &SheetOptions, Progress<'_>) -> Result<SheetReport>;
/// Exports the register's records its list filters (as JSON) select.
pub type ExportFn = fn(&mut Session, Value, &Path) -> Result<SheetExport>;

/// [`Session::import_sheet`] for a register's table entry.
pub fn import<R: Sheet>(
    s: &mut Session,
    path: &Path,
    options: &SheetOptions,
    progress: Progress<'_>,
) -> Result<SheetReport> {
    s.import_sheet::<R>(path, options, progress)
}

/// [`Session::export_sheet`] for a register's table entry, its filters as JSON.
pub fn export<R: Sheet>(s: &mut Session, query: Value, out: &Path) -> Result<SheetExport> {
    // A ledger reads oldest first unless the list was sorted otherwise.
    let mut query = match query {
        Value::Null => Value::Object(Map::new()),
        q => q,
    };
    if let Some(q) = query.as_object_mut() {
        q.entry("desc").or_insert(Value::Bool(false));
    }
    let query: R::Query = {
        crate::input::from_value(query).map_err(|e| Error {
            field: Some(format!("filters.{}", e.field.as_deref().unwrap_or(""))),
            ..e
        })?
    };
    s.export_sheet::<R>(&query, out)
}
