//! SQL every register shares: its projection table, its search index, serial numbers and the
//! list query.
//!
//! Contract: a register `R` owns a table `R::TABLE` with at least `id INTEGER PRIMARY KEY`,
//! `serial TEXT UNIQUE`, `state TEXT` (the JSON of `R::State`, or empty when the columns hold
//! the whole state: `Projection::STATE_IN_COLUMNS`), `updated_at TEXT`, the columns
//! `R::columns` names, and a contentless FTS5 table `{TABLE}_search(uni, bi, tags)`. [`save`]
//! writes a record's projection and search tokens in the caller's transaction after every
//! event. [`list`] answers any combination of search text and filters of any register with
//! the same plan: the search index drives the scan (`CROSS JOIN`), filters that have a tag
//! token stay inside the index, a page's ids are picked before any row is read (a range of
//! days in registration order month by month, from the column's month index), and the total
//! is counted exactly only up to [`COUNT_CAP`] ([`SEARCH_COUNT_CAP`] for a text search).
//! Serial counters are keyed by register and prefix, so two registers with the same pattern
//! never share numbers.

use chrono::{Datelike, NaiveDate};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension};

use super::{replay, Register, RegisterInfo};
use crate::dates;
use crate::error::{Error, Result};
use crate::page::Page;
pub use crate::page::{COUNT_CAP, SEARCH_COUNT_CAP};
use crate::search;

/// Most secret first, for the `level` sort key every register has (its `level` column holds
/// the label, or nothing for a non-classified record).
const LEVEL_ORDER: &str = "CASE r.level WHEN '绝密' THEN 0 WHEN '机密' THEN 1 WHEN '秘密' THEN 2 \
     WHEN '工作秘密' THEN 3 WHEN '内部' THEN 4 ELSE 5 END";

/// A sort key of a register's list besides `id`, `serial` and `level`, which every register
/// has: the projection column it sorts on (the key is the column's name), and how ties go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// A column many records share (a name, a kind, a due date): ties newest first.
    Column(&'static str),
    /// A day that orders the register like its paper book (received, put in service,
    /// reviewed): ties in registration order, in the same direction.
    Chronological(&'static str),
}

impl Sort {
    /// The key a query names, which is the column.
    fn key(self) -> &'static str {
        match self {
            Sort::Column(c) | Sort::Chronological(c) => c,
        }
    }

    /// The `ORDER BY` of this key on alias `r`, `dir` being `ASC` or `DESC`.
    fn order(self, dir: &str) -> String {
        match self {
            Sort::Column(c) => format!("r.{c} {dir}, r.id DESC"),
            Sort::Chronological(c) => format!("r.{c} {dir}, r.id {dir}"),
        }
    }
}

/// One filter of a list: an SQL condition on alias `r` with one `?` argument, and the index
/// token that answers the same question inside the search index, if there is one.
#[derive(Debug, Clone)]
pub struct Filter {
    pub sql: String,
    pub arg: String,
    pub tag: Option<String>,
}

impl Filter {
    /// `r.column = arg`.
    pub fn eq(column: &str, arg: impl Into<String>) -> Filter {
        Filter {
            sql: format!("r.{column} = ?"),
            arg: arg.into(),
            tag: None,
        }
    }

    /// `r.column = arg`, or the index token `tag` when searching text.
    pub fn tagged(column: &str, arg: impl Into<String>, tag: String) -> Filter {
        Filter {
            tag: Some(tag),
            ..Filter::eq(column, arg)
        }
    }

    /// Any condition with one `?` argument.
    pub fn sql(sql: &str, arg: impl Into<String>) -> Filter {
        Filter {
            sql: sql.to_string(),
            arg: arg.into(),
            tag: None,
        }
    }
}

/// Days from `from` to `to` (both included, either open) on a `YYYY-MM-DD` column of the
/// register's table that has a month index `{TABLE}_{column}_month` on
/// `(substr(column, 1, 7), id)`.
#[derive(Debug, Clone)]
pub struct DayRange {
    pub column: &'static str,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// A validated list request: search text, filters, a range of days, order and page.
#[derive(Debug, Clone)]
pub struct ListSpec {
    pub text: Option<String>,
    pub filters: Vec<Filter>,
    pub range: Option<DayRange>,
    /// A sort key the register knows (`id` for every register).
    pub sort: String,
    pub desc: bool,
    pub offset: u32,
    pub limit: u32,
    /// Count exactly up to this many.
    pub count_cap: i64,
}

/// Declares a register's list query: its search text (`query`), its own filters, and the
/// order and page every list shares (`sort`, `desc`, `offset`, `limit`), written once here.
/// Not a flattened struct: `serde(flatten)` cannot be combined with `deny_unknown_fields`,
/// which every query keeps so that a misspelt filter is refused rather than ignored. The query
/// gets `list_spec(filters)`, the [`ListSpec::page`] it asks for over `filters`.
macro_rules! list_query {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            query: $query_doc:literal,
            $( $(#[$fmeta:meta])* pub $field:ident: $ty:ty, )*
            sort: $sort_doc:literal $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Default, serde::Serialize, serde::Deserialize, ts_rs::TS,
            schemars::JsonSchema,
        )]
        #[serde(deny_unknown_fields, default)]
        #[ts(export, export_to = "../ui/src/bindings/")]
        pub struct $name {
            #[doc = concat!(" ", $query_doc)]
            #[ts(optional)]
            pub query: Option<String>,
            $( $(#[$fmeta])* pub $field: $ty, )*
            #[doc = concat!(" ", $sort_doc)]
            #[ts(optional)]
            pub sort: Option<String>,
            /// Descending (default true).
            #[ts(optional)]
            pub desc: Option<bool>,
            /// Records to skip (default 0).
            #[ts(optional)]
            pub offset: Option<u32>,
            /// Page size, at most 500 (default 50).
            #[ts(optional)]
            pub limit: Option<u32>,
        }

        impl $name {
            /// The page this query asks for, of the records that pass `filters`.
            fn list_spec(
                &self,
                filters: Vec<$crate::registers::table::Filter>,
            ) -> $crate::registers::table::ListSpec {
                $crate::registers::table::ListSpec::page(
                    self.query.as_deref(),
                    filters,
                    self.sort.as_deref(),
                    self.desc,
                    self.offset,
                    self.limit,
                )
            }
        }
    };
}
pub(crate) use list_query;

impl ListSpec {
    /// A page of `limit` (at most 500, default 50) from `offset`, newest first by default;
    /// counted exactly up to [`COUNT_CAP`], or [`SEARCH_COUNT_CAP`] when searched by text.
    pub fn page(
        text: Option<&str>,
        filters: Vec<Filter>,
        sort: Option<&str>,
        desc: Option<bool>,
        offset: Option<u32>,
        limit: Option<u32>,
    ) -> ListSpec {
        ListSpec {
            text: text.map(str::to_string),
            filters,
            range: None,
            sort: sort.filter(|s| !s.is_empty()).unwrap_or("id").to_string(),
            desc: desc.unwrap_or(true),
            offset: offset.unwrap_or(0),
            limit: limit.unwrap_or(50).clamp(1, 500),
            count_cap: if text
                .and_then(|t| search::matcher(t, |_| Ok::<_, ()>(None)).ok().flatten())
                .is_some()
            {
                SEARCH_COUNT_CAP
            } else {
                COUNT_CAP
            },
        }
    }

    /// Only the records whose `column` lies from `from` to `to` (see [`DayRange`]).
    pub fn within(
        mut self,
        column: &'static str,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> ListSpec {
        if from.is_some() || to.is_some() {
            self.range = Some(DayRange { column, from, to });
        }
        self
    }

    /// Every matching row up to `max`, paging ignored (for listings); exact up to `max`.
    pub fn all(mut self, max: u32) -> ListSpec {
        self.offset = 0;
        self.limit = max.max(1);
        self.count_cap = i64::from(max);
        self
    }
}

/// A text column value.
pub fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// An optional text column value (NULL when absent).
pub fn opt(s: Option<String>) -> Value {
    s.map_or(Value::Null, Value::Text)
}

/// Writes the projection and the search tokens of `s` (insert or replace).
pub fn save<R: Register>(conn: &Connection, s: &R::State, now: &str) -> Result<()> {
    write_projection::<R>(conn, s, now, false)?;
    write_index(conn, &[index_row::<R>(s, false)])
}

/// Writes the projection row of `s`: a plain insert when the record is `fresh` (new), else
/// an insert or replace. The statement's text is made once per register and kind.
pub fn write_projection<R: Register>(
    conn: &Connection,
    s: &R::State,
    now: &str,
    fresh: bool,
) -> Result<()> {
    thread_local! {
        static SQL: std::cell::RefCell<std::collections::HashMap<(&'static str, bool), std::rc::Rc<str>>> =
            Default::default();
    }
    // A register whose columns hold the whole state leaves `state` empty (see
    // `Projection::STATE_IN_COLUMNS`).
    let state = if R::STATE_IN_COLUMNS {
        String::new()
    } else {
        serde_json::to_string(s).map_err(|e| Error::internal(e.to_string()))?
    };
    let columns = R::columns(s);
    let sql = SQL.with_borrow_mut(|cache| {
        cache
            .entry((R::TABLE, fresh))
            .or_insert_with(|| {
                let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
                let placeholders: Vec<String> =
                    (1..=names.len() + 4).map(|i| format!("?{i}")).collect();
                let upsert = if fresh {
                    String::new()
                } else {
                    let updates: Vec<String> = names
                        .iter()
                        .chain(["serial", "state", "updated_at"].iter())
                        .map(|n| format!("{n} = excluded.{n}"))
                        .collect();
                    format!(" ON CONFLICT(id) DO UPDATE SET {}", updates.join(", "))
                };
                format!(
                    "INSERT INTO {table} (id, serial, state, updated_at, {cols}) VALUES ({vals}){upsert}",
                    table = R::TABLE,
                    cols = names.join(", "),
                    vals = placeholders.join(", "),
                )
                .into()
            })
            .clone()
    });
    let mut stmt = conn.prepare_cached(&sql)?;
    stmt.raw_bind_parameter(1, R::id(s))?;
    stmt.raw_bind_parameter(2, R::serial(s))?;
    stmt.raw_bind_parameter(3, state)?;
    stmt.raw_bind_parameter(4, now)?;
    for (i, (_, v)) in columns.into_iter().enumerate() {
        stmt.raw_bind_parameter(i + 5, v)?;
    }
    match stmt.raw_execute() {
        Ok(_) => Ok(()),
        // A new record's serial is checked here, by the column's unique index, instead of
        // by a look-up before every insert (3 % of a large import's time, `make bench`).
        Err(rusqlite::Error::SqliteFailure(e, _))
            if fresh && e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            match id_by_serial::<R>(conn, R::serial(s))? {
                Some(id) => Err(serial_taken::<R>(R::serial(s), id)),
                None => Err(Error::internal(format!("{}的记录违反唯一约束", R::NOUN))),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// The refusal of a serial record `id` already has.
fn serial_taken<R: Register>(serial: &str, id: i64) -> Error {
    Error::field(
        "ledger_no",
        "编号",
        format!("“{serial}”已是{} #{id} 的编号", R::NOUN),
    )
}

/// One record's row of its register's search index, ready to write.
#[derive(Debug)]
pub struct IndexRow {
    table: &'static str,
    id: i64,
    uni: String,
    bi: String,
    tags: String,
    /// A new record: it has no row to replace.
    fresh: bool,
}

/// The search index row of `s`; `fresh` when the record is new.
pub fn index_row<R: Register>(s: &R::State, fresh: bool) -> IndexRow {
    let texts = R::search_text(s);
    let (uni, bi) = search::index_columns(texts.iter().map(String::as_str));
    IndexRow {
        table: R::TABLE,
        id: R::id(s),
        uni,
        bi,
        tags: R::tags(s).join(" "),
        fresh,
    }
}

/// Writes search index rows, in order, one after the other. FTS5 flushes its pending
/// tokens at every statement savepoint, so writing a bulk act's rows together at its end
/// (see [`crate::vault::WriteCtx::as_one_act`]) costs a fraction of writing each among the
/// act's other statements.
pub fn write_index(conn: &Connection, rows: &[IndexRow]) -> Result<()> {
    for r in rows {
        if !r.fresh {
            conn.prepare_cached(&format!("DELETE FROM {}_search WHERE rowid = ?1", r.table))?
                .execute([r.id])?;
        }
        conn.prepare_cached(&format!(
            "INSERT INTO {}_search (rowid, uni, bi, tags) VALUES (?1, ?2, ?3, ?4)",
            r.table
        ))?
        .execute(rusqlite::params![r.id, r.uni, r.bi, r.tags])?;
    }
    Ok(())
}

/// The fewest incoming records for which [`suspend_indexes`] drops a register's indexes.
const BULK_MIN: usize = 10_000;

/// Before a bulk load of `incoming` records into the projection of register `r` (inside the
/// caller's transaction): drops the projection's plain secondary indexes (not the unique or
/// partial ones, see [`suspend`]), and its triggers when the register can compute again
/// what they keep (`r.recount`), when the load brings at least [`BULK_MIN`] records and no
/// fewer than the register's largest id (so at least as many as it holds: records are never
/// deleted); returns the statements that build the indexes again, compute the kept tables
/// once and restore the triggers ([`rebuild_indexes`], before the transaction ends); else
/// drops nothing and returns none.
///
/// Entering each record into a dozen indexes one by one cost a fifth of a 100,000-row sheet
/// import (`make bench`); building an index once from the finished table sorts it instead.
/// The trigger that counts each new carrier cost a tenth more: it made every insert a
/// statement that may roll back, which copies the pages it touches first. Unique indexes and
/// constraints stay, so a duplicate is still refused at its own row. While they are
/// dropped, a register's checks of a new record must not look up its own table by anything
/// but its id or a unique column (none does): such a lookup would read the whole table for
/// every row; nor may they read what the triggers keep (stale until the end).
pub fn suspend_indexes(
    conn: &Connection,
    r: &RegisterInfo,
    incoming: usize,
) -> Result<Vec<String>> {
    suspend_indexes_from(conn, r, incoming, BULK_MIN)
}

/// [`suspend_indexes`] for loads of at least `min` records.
fn suspend_indexes_from(
    conn: &Connection,
    r: &RegisterInfo,
    incoming: usize,
    min: usize,
) -> Result<Vec<String>> {
    if incoming < min {
        return Ok(Vec::new());
    }
    let table = r.table;
    // The largest id bounds how many records the register holds, read from the end of its
    // table instead of counting every row.
    let held: i64 = conn.query_row(
        &format!("SELECT coalesce(max(id), 0) FROM {table}"),
        [],
        |r| r.get(0),
    )?;
    if held > incoming as i64 {
        return Ok(Vec::new());
    }
    let schema = schema_of(conn, table)?;
    let mut rebuild = suspend(conn, &schema, table, "index")?;
    if !r.recount.is_empty() {
        let triggers = suspend(conn, &schema, table, "trigger")?;
        rebuild.extend(r.recount.iter().map(|sql| sql.to_string()));
        rebuild.extend(triggers);
    }
    Ok(rebuild)
}

/// Drops the objects of `kind` (`index`, `trigger`) on `table` in `schema` that were made by
/// a plain `CREATE INDEX name ON` or `CREATE TRIGGER name` (an index SQLite made for a
/// unique constraint stays), and returns the statements that make them again, word for word.
/// A partial index stays too: it holds only the records its condition selects, often none
/// of a load's (lent, missing, a copy's original), and building it again reads the whole
/// table all the same (four of the carriers' ten; three take no row of a sheet).
fn suspend(conn: &Connection, schema: &str, table: &str, kind: &str) -> Result<Vec<String>> {
    let made: Vec<(String, String)> = conn
        .prepare(&format!(
            "SELECT name, sql FROM \"{schema}\".sqlite_schema WHERE type = ?1
             AND tbl_name = ?2 AND sql IS NOT NULL
             AND name NOT IN (SELECT name FROM pragma_index_list(?2, ?3) WHERE partial)
             ORDER BY name"
        ))?
        .query_map([kind, table, schema], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let create = kind.to_uppercase();
    let mut again = Vec::new();
    for (name, sql) in made {
        // Made again in the table's own database (a plain `CREATE` makes it in `main`). The
        // name as it was: SQLite keeps the statement from the name on, so the schema's text
        // is the same as before.
        let Some(rest) = sql.strip_prefix(&format!("CREATE {create} {name} ")) else {
            continue;
        };
        conn.execute_batch(&format!("DROP {create} \"{schema}\".\"{name}\""))?;
        again.push(format!("CREATE {create} \"{schema}\".{name} {rest}"));
    }
    Ok(again)
}

/// The database of the connection (`main`, or the registers' attached one) holding `table`.
fn schema_of(conn: &Connection, table: &str) -> Result<String> {
    conn.query_row(
        "SELECT schema FROM pragma_table_list WHERE name = ?1 AND type = 'table'",
        [table],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| Error::internal(format!("找不到数据表 {table}")))
}

/// Builds again the indexes [`suspend_indexes`] dropped, computes once what the dropped
/// triggers kept and makes them again, from the statements it returned.
pub fn rebuild_indexes(conn: &Connection, statements: &[String]) -> Result<()> {
    for sql in statements {
        conn.execute_batch(sql)?;
    }
    Ok(())
}

/// What a read of states selects from the projection (aliased `r`): the row whole when the
/// state is in its columns, else the id and the state's JSON.
fn state_select<R: Register>() -> &'static str {
    if R::STATE_IN_COLUMNS {
        "r.*"
    } else {
        "r.id, r.state"
    }
}

/// The state of one projection row selected by [`state_select`]: its JSON when it has one
/// (every row of a register that keeps it, and a row written before its register moved the
/// state into its columns), else read back from the columns.
fn state_of<R: Register>(row: &rusqlite::Row<'_>) -> Result<R::State> {
    let id: i64 = row.get("id")?;
    let json: String = row.get("state")?;
    if json.is_empty() {
        return R::from_columns(&Columns {
            row,
            id,
            noun: R::NOUN,
        });
    }
    serde_json::from_str(&json)
        .map_err(|e| Error::integrity(format!("{} {id} 的状态已损坏：{e}", R::NOUN)))
}

/// A projection row as [`Projection::from_columns`] reads it: each getter names its column,
/// and a value the register cannot have written is an integrity error naming the record and
/// the column.
pub struct Columns<'a> {
    row: &'a rusqlite::Row<'a>,
    id: i64,
    noun: &'static str,
}

impl Columns<'_> {
    /// The record's id.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// The error of a column whose value cannot be read back.
    pub fn broken(&self, column: &str) -> Error {
        Error::integrity(format!(
            "{} {} 的记录已损坏：{column} 的值无法读取",
            self.noun, self.id
        ))
    }

    fn get<T: rusqlite::types::FromSql>(&self, column: &str) -> Result<T> {
        self.row.get(column).map_err(|_| self.broken(column))
    }

    pub fn text(&self, column: &str) -> Result<String> {
        self.get(column)
    }

    pub fn opt_text(&self, column: &str) -> Result<Option<String>> {
        self.get(column)
    }

    pub fn int(&self, column: &str) -> Result<i64> {
        self.get(column)
    }

    pub fn opt_int(&self, column: &str) -> Result<Option<i64>> {
        self.get(column)
    }

    /// A `YYYY-MM-DD` day.
    pub fn date(&self, column: &str) -> Result<NaiveDate> {
        self.parsed(column, dates::from_iso)
    }

    pub fn opt_date(&self, column: &str) -> Result<Option<NaiveDate>> {
        self.opt_parsed(column, dates::from_iso)
    }

    /// A text column read back by `parse` (`None`: not a value the register writes).
    pub fn parsed<T>(&self, column: &str, parse: impl FnOnce(&str) -> Option<T>) -> Result<T> {
        parse(&self.text(column)?).ok_or_else(|| self.broken(column))
    }

    /// [`Columns::parsed`] of a column that may be NULL.
    pub fn opt_parsed<T>(
        &self,
        column: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>> {
        match self.opt_text(column)? {
            None => Ok(None),
            Some(t) => parse(&t).map(Some).ok_or_else(|| self.broken(column)),
        }
    }
}

/// The stored state of record `id`.
pub fn load<R: Register>(conn: &Connection, id: i64) -> Result<R::State> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM {} r WHERE r.id = ?1",
        state_select::<R>(),
        R::TABLE
    ))?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(row) => state_of::<R>(row),
        None => Err(Error::not_found(format!("没有编号为 {id} 的{}", R::NOUN))),
    }
}

/// Finds a record id by its serial number.
pub fn id_by_serial<R: Register>(conn: &Connection, serial: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(&format!("SELECT id FROM {} WHERE serial = ?1", R::TABLE))?
        .query_row([serial.trim()], |r| r.get(0))
        .optional()?)
}

pub fn next_id<R: Register>(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT coalesce(max(id), 0) + 1 FROM {}",
            R::TABLE
        ))?
        .query_row([], |r| r.get(0))?)
}

/// Checks a unit's serial pattern: it needs `{序号}` (optionally `{序号:N}`), and may use
/// `{密级}` (绝/机/秘/工/内, 非 for a non-classified device) and `{年}`.
pub fn validate_pattern(pattern: &str) -> Result<()> {
    let p = pattern.trim();
    if !p.contains("{序号") {
        return Err(Error::field(
            "pattern",
            "编号规则",
            "须包含 {序号} 或 {序号:4}",
        ));
    }
    if p.chars().count() > 40 {
        return Err(Error::field("pattern", "编号规则", "不得超过 40 个字符"));
    }
    let probe = p.replace("{密级}", "").replace("{年}", "");
    let rest = probe.split("{序号").nth(1).unwrap_or("");
    let close = rest.find('}').unwrap_or(usize::MAX);
    let width = rest.get(..close).unwrap_or("");
    if !(width.is_empty()
        || width
            .strip_prefix(':')
            .is_some_and(|w| w.parse::<u8>().is_ok_and(|n| (1..=8).contains(&n))))
    {
        return Err(Error::field(
            "pattern",
            "编号规则",
            "序号宽度应写作 {序号:4}（1 到 8 位）",
        ));
    }
    if probe
        .replace(&format!("{{序号{width}}}"), "")
        .contains(['{', '}'])
    {
        return Err(Error::field(
            "pattern",
            "编号规则",
            "只能使用 {密级}、{年}、{序号} 三个占位符",
        ));
    }
    Ok(())
}

/// Allocates the next serial number of `register` for a record marked `level_mark` in `year`.
pub fn next_serial(
    conn: &Connection,
    register: &str,
    pattern: &str,
    level_mark: char,
    year: i32,
) -> Result<String> {
    let base = pattern
        .replace("{密级}", &level_mark.to_string())
        .replace("{年}", &year.to_string());
    let (head, tail) = base.split_once("{序号").unwrap_or((base.as_str(), "}"));
    let (width, after) = tail.split_once('}').unwrap_or(("", ""));
    let width: usize = width.trim_start_matches(':').parse().unwrap_or(1);
    let prefix = format!("{head}\u{1f}{after}");
    let n: i64 = conn.query_row(
        "INSERT INTO register_serials (register, prefix, last) VALUES (?1, ?2, 1)
         ON CONFLICT(register, prefix) DO UPDATE SET last = last + 1 RETURNING last",
        [register, &prefix],
        |r| r.get(0),
    )?;
    Ok(format!("{head}{n:0width$}{after}"))
}

/// The next serial of `R` from `pattern` that no record has: a record that came in a bundle
/// may hold the one the counter gives, and numbering then continues after it.
pub fn next_free_serial<R: Register>(
    conn: &Connection,
    pattern: &str,
    level_mark: char,
    year: i32,
) -> Result<String> {
    loop {
        let serial = next_serial(conn, R::NAME, pattern, level_mark, year)?;
        if id_by_serial::<R>(conn, &serial)?.is_none() {
            return Ok(serial);
        }
    }
}

/// Takes `serial` as a new record's serial, as a sheet gives it; when it follows `pattern`
/// (`机-2026-0050` under `{密级}-{年}-{序号:4}`) also returns the pattern's counter (its key
/// and number) that must move past it ([`move_counter`]), so numbering continues after the
/// imported records. A serial a record already has is refused when the new record's row is
/// written ([`write_projection`]), before the act can end.
pub fn claim_serial(pattern: &str, serial: &str) -> Result<(String, Option<(String, i64)>)> {
    let serial = serial.trim();
    if serial.is_empty() || serial.chars().count() > 60 {
        return Err(Error::field("ledger_no", "编号", "应为 1 到 60 个字符"));
    }
    Ok((serial.to_string(), pattern_number(pattern, serial)))
}

/// Moves `register`'s counter `prefix` (see [`next_serial`]) to `last` unless it is past it.
pub fn move_counter(conn: &Connection, register: &str, prefix: &str, last: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO register_serials (register, prefix, last) VALUES (?1, ?2, ?3)
         ON CONFLICT(register, prefix) DO UPDATE SET last = max(last, excluded.last)",
    )?
    .execute(rusqlite::params![register, prefix, last])?;
    Ok(())
}

/// The counter key ([`next_serial`]'s prefix) and number of `serial` when it follows
/// `pattern`: `{密级}` one mark character, `{年}` four digits, `{序号}` the digits of the number.
fn pattern_number(pattern: &str, serial: &str) -> Option<(String, i64)> {
    let p = pattern.trim();
    let (head, tail) = p.split_once("{序号")?;
    let (_, after) = tail.split_once('}')?;
    let mut rest = serial;
    let mut expanded_head = String::new();
    let expand = |part: &str, rest: &mut &str, out: &mut String| -> Option<()> {
        let mut s = part;
        while !s.is_empty() {
            if let Some(t) = s.strip_prefix("{密级}") {
                let c = rest.chars().next()?;
                if !"绝机秘工内非".contains(c) {
                    return None;
                }
                out.push(c);
                *rest = &rest[c.len_utf8()..];
                s = t;
            } else if let Some(t) = s.strip_prefix("{年}") {
                let y = rest.get(..4)?;
                if !y.chars().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                out.push_str(y);
                *rest = &rest[4..];
                s = t;
            } else {
                let c = s.chars().next()?;
                *rest = rest.strip_prefix(c)?;
                out.push(c);
                s = &s[c.len_utf8()..];
            }
        }
        Some(())
    };
    expand(head, &mut rest, &mut expanded_head)?;
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 12 {
        return None;
    }
    let n: i64 = rest[..digits].parse().ok()?;
    let mut rest_after = &rest[digits..];
    let mut expanded_after = String::new();
    expand(after, &mut rest_after, &mut expanded_after)?;
    if !rest_after.is_empty() {
        return None;
    }
    Some((format!("{expanded_head}\u{1f}{expanded_after}"), n))
}

/// Whether the search index of `table` holds its pairs at their characters' positions
/// (see [`search`]); indexes written before migration 0009 do not until [`rebuild_search`].
pub(crate) fn search_positioned(conn: &Connection, table: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT positioned FROM search_format WHERE tbl = ?1")?
        .query_row([table], |r| r.get::<_, bool>(0))
        .optional()?
        .unwrap_or(false))
}

/// The records of `table` among its first [`SEARCH_SAMPLE`] that hold each of `pairs`
/// (search tokens), with the number of records looked at: what [`search::plan`] weighs a
/// long query's pairs by. Each count reads the first leaves of its pair's list, which the
/// search itself reads next (the newest records instead cost a seek in every segment of the
/// index: twice the time of the whole search, measured by `make bench`).
fn seen_first(conn: &Connection, table: &str, pairs: &[String]) -> Result<(Vec<u64>, u64)> {
    let newest: i64 = conn
        .prepare_cached(&format!("SELECT coalesce(max(id), 0) FROM {table}"))?
        .query_row([], |r| r.get(0))?;
    let mut count = conn.prepare_cached(&format!(
        "SELECT count(*) FROM {table}_search WHERE {table}_search MATCH ?1 AND rowid <= ?2"
    ))?;
    let seen = pairs
        .iter()
        .map(|p| {
            count
                .query_row(
                    rusqlite::params![format!("bi : \"{p}\""), SEARCH_SAMPLE],
                    |r| r.get::<_, i64>(0),
                )
                .map(|n| n.max(0) as u64)
        })
        .collect::<rusqlite::Result<Vec<u64>>>()?;
    Ok((seen, newest.clamp(0, SEARCH_SAMPLE) as u64))
}

/// How many of a register's first records [`seen_first`] counts a pair in.
const SEARCH_SAMPLE: i64 = 10_000;

/// Writes `R`'s search index again from its records, with the pairs at their positions,
/// and marks it so (inside the caller's transaction). Returns how many records it indexed.
pub fn rebuild_search<R: Register>(conn: &Connection) -> Result<usize> {
    let table = R::TABLE;
    conn.execute(
        &format!("INSERT INTO {table}_search ({table}_search) VALUES ('delete-all')"),
        [],
    )?;
    let mut after = 0;
    let mut done = 0;
    let state = state_select::<R>();
    loop {
        // A batch at a time: the index rows are written together, after the read.
        let states: Vec<R::State> = states::<R>(
            conn,
            &format!("SELECT {state} FROM {table} r WHERE r.id > ?1 ORDER BY r.id LIMIT 10000"),
            &[after.to_string()],
        )?;
        let Some(last) = states.last() else { break };
        after = R::id(last);
        let rows: Vec<IndexRow> = states.iter().map(|s| index_row::<R>(s, true)).collect();
        write_index(conn, &rows)?;
        done += rows.len();
    }
    conn.execute(
        "INSERT INTO search_format (tbl, positioned) VALUES (?1, 1)
         ON CONFLICT (tbl) DO UPDATE SET positioned = 1",
        [table],
    )?;
    Ok(done)
}

/// A page of `R`'s records matching `spec`, as stored states.
pub fn list<R: Register>(conn: &Connection, spec: &ListSpec) -> Result<Page<R::State>> {
    let table = R::TABLE;
    let matcher = match spec.text.as_deref() {
        Some(text) if !text.trim().is_empty() => {
            let positioned = search_positioned(conn, table)?;
            let Some(m) = search::matcher(text, |pairs| {
                if !positioned {
                    return Ok(None);
                }
                let (seen, window) = seen_first(conn, table, pairs)?;
                Ok::<_, Error>(search::plan(&seen, window))
            })?
            else {
                // Only punctuation: nothing can match.
                return Ok(Page::exact(vec![], 0));
            };
            Some(m)
        }
        _ => None,
    };
    let index = format!("{table}_search");
    let mut clauses = Vec::new();
    let mut args = Vec::new();
    let mut terms = Vec::new();
    for f in &spec.filters {
        match (&matcher, &f.tag) {
            (Some(_), Some(tag)) => terms.push(format!("tags : \"{tag}\"")),
            _ => {
                args.push(f.arg.clone());
                clauses.push(f.sql.replace('?', &format!("?{}", args.len())));
            }
        }
    }
    if let Some(range) = &spec.range {
        for (op, day) in [(">=", range.from), ("<=", range.to)] {
            if let Some(day) = day {
                args.push(dates::iso(day));
                clauses.push(format!("r.{} {op} ?{}", range.column, args.len()));
            }
        }
    }
    let dir = if spec.desc { "DESC" } else { "ASC" };
    let by_id = spec.sort == "id";
    let order = match spec.sort.as_str() {
        "id" => format!("r.id {dir}"),
        "serial" => format!("r.serial {dir}"),
        "level" => format!("{LEVEL_ORDER} {dir}, r.id DESC"),
        key => R::SORTS
            .iter()
            .find(|s| s.key() == key)
            .map(|s| s.order(dir))
            .ok_or_else(|| Error::field("sort", "排序", format!("不支持按“{key}”排序")))?,
    };
    let (from, order) = match &matcher {
        Some(m) => {
            let expression = std::iter::once(m.expression.clone())
                .chain(terms)
                .collect::<Vec<_>>()
                .join(" AND ");
            args.push(expression);
            clauses.insert(0, format!("{index} MATCH ?{}", args.len()));
            if let Some(spec) = &m.spec {
                args.push(spec.clone());
                clauses.insert(1, format!("search_at({index}, ?{})", args.len()));
            }
            // Drive the scan from the index, in rowid order, so LIMIT stops it early; CROSS
            // JOIN keeps the index as the outer loop (SQLite never reorders it).
            let order = if by_id {
                format!("{index}.rowid {dir}")
            } else {
                order
            };
            (
                format!("{index} CROSS JOIN {table} r ON r.id = {index}.rowid"),
                order,
            )
        }
        None => (format!("{table} r"), order),
    };
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    // With search text and no other filter, count from the index alone (no join).
    let text_only = matcher
        .as_ref()
        .is_some_and(|m| clauses.len() == 1 + usize::from(m.spec.is_some()));
    let count_from = if text_only {
        index.as_str()
    } else {
        from.as_str()
    };
    let (limit, offset) = (spec.limit, spec.offset);
    let page = |total: i64, ids: Vec<i64>| -> Result<Page<R::State>> {
        Ok(Page {
            rows: states_by_id::<R>(conn, &ids, spec.desc)?,
            total: total.min(spec.count_cap),
            total_exact: total <= spec.count_cap,
        })
    };
    // The count: a text search sorted by id counts by walking the index in id order, which
    // it does anyway, so it collects the ids; when they are all found (at most the cap), or
    // the page is among the oldest ones found, the page is cut from them instead of walking
    // the index a second time. (Walking it newest first instead costs more: FTS5's reverse
    // walk re-reads each leaf.)
    let total = if matcher.is_some() && by_id {
        let mut ids: Vec<i64> = conn
            .prepare(&format!(
                "SELECT {index}.rowid FROM {count_from} {filter} ORDER BY {index}.rowid LIMIT {}",
                spec.count_cap + 1
            ))?
            .query_map(params_from_iter(args.iter()), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let total = ids.len() as i64;
        let within = offset as usize + limit as usize <= ids.len();
        if total <= spec.count_cap || (!spec.desc && within) {
            if spec.desc {
                ids.reverse();
            }
            let ids = ids.into_iter().skip(offset as usize).take(limit as usize);
            return page(total, ids.collect());
        }
        total
    } else {
        conn.query_row(
            &format!(
                "SELECT count(*) FROM (SELECT 1 FROM {count_from} {filter} LIMIT {})",
                spec.count_cap + 1
            ),
            params_from_iter(args.iter()),
            |r| r.get(0),
        )?
    };
    if let (None, true, true, Some(range)) = (&matcher, by_id, spec.filters.is_empty(), &spec.range)
    {
        return page(total, ids_by_month::<R>(conn, spec, range, &filter, &args)?);
    }
    let state = state_select::<R>();
    let sql = if matcher.is_some() {
        format!(
            "SELECT {state} FROM {from} {filter} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
        )
    } else {
        // Pick the page's ids first, then read only those rows: a range filter sorted by id
        // is then answered from the index alone, instead of reading every matching row's
        // state before sorting them.
        format!(
            "SELECT {state} FROM {table} r WHERE r.id IN \
             (SELECT r.id FROM {from} {filter} ORDER BY {order} LIMIT {limit} OFFSET {offset}) \
             ORDER BY {order}"
        )
    };
    let rows = states::<R>(conn, &sql, &args)?;
    Ok(Page {
        rows,
        total: total.min(spec.count_cap),
        total_exact: total <= spec.count_cap,
    })
}

/// The ids of the page `spec` asks of a range of days in registration order, with no other
/// filter: `filter` is the range's `WHERE`, `args` its arguments. Read month by month from
/// the month index, each month in `id` order, at most a page's worth of ids from each, and
/// only ids that still beat the page's last one: a year's range then reads a few hundred
/// index entries, where the range's own index would read every entry of the year to sort
/// them (about 100,000 of 1,000,000 carriers, measured by `make bench`).
fn ids_by_month<R: Register>(
    conn: &Connection,
    spec: &ListSpec,
    range: &DayRange,
    filter: &str,
    args: &[String],
) -> Result<Vec<i64>> {
    let (table, column) = (R::TABLE, range.column);
    let day = |f: &str| -> Result<Option<NaiveDate>> {
        let d: Option<String> =
            conn.query_row(&format!("SELECT {f}({column}) FROM {table}"), [], |r| {
                r.get(0)
            })?;
        Ok(d.as_deref().and_then(dates::from_iso))
    };
    let (Some(first), Some(last)) = (day("min")?, day("max")?) else {
        return Ok(vec![]);
    };
    let month = |d: NaiveDate| d.year() * 12 + d.month0() as i32;
    let lo = month(range.from.map_or(first, |f| f.max(first)));
    let hi = month(range.to.map_or(last, |t| t.min(last)));
    let want = (spec.offset + spec.limit) as usize;
    let (dir, beats) = if spec.desc {
        ("DESC", ">")
    } else {
        ("ASC", "<")
    };
    let n = args.len();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT r.id FROM {table} r INDEXED BY {table}_{column}_month {filter} \
         AND substr(r.{column}, 1, 7) = ?{} AND r.id {beats} ?{} ORDER BY r.id {dir} LIMIT {want}",
        n + 1,
        n + 2
    ))?;
    let in_order = |ids: &mut Vec<i64>| {
        ids.sort_unstable();
        if spec.desc {
            ids.reverse();
        }
    };
    let mut ids: Vec<i64> = Vec::new();
    let mut bound = if spec.desc { i64::MIN } else { i64::MAX };
    // Newest month first when newest first: in a register kept in order, the page is full
    // after the first months and every older month is a single seek.
    let months: Box<dyn Iterator<Item = i32>> = if spec.desc {
        Box::new((lo..=hi).rev())
    } else {
        Box::new(lo..=hi)
    };
    for m in months {
        let key = format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1);
        let params = args
            .iter()
            .map(|a| Value::Text(a.clone()))
            .chain([Value::Text(key), Value::Integer(bound)]);
        let got = stmt
            .query_map(params_from_iter(params), |r| r.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        ids.extend(got);
        if ids.len() >= want {
            in_order(&mut ids);
            ids.truncate(want);
            bound = ids[want - 1];
        }
    }
    in_order(&mut ids);
    Ok(ids
        .into_iter()
        .skip(spec.offset as usize)
        .take(spec.limit as usize)
        .collect())
}

/// The states of the records `ids` (sorted in the direction `desc` says), in that order; read
/// 500 at a time, so an export of a large search never builds one huge statement.
fn states_by_id<R: Register>(conn: &Connection, ids: &[i64], desc: bool) -> Result<Vec<R::State>> {
    let dir = if desc { "DESC" } else { "ASC" };
    let mut out = Vec::with_capacity(ids.len());
    let state = state_select::<R>();
    for chunk in ids.chunks(500) {
        let list = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "SELECT {state} FROM {} r WHERE r.id IN ({list}) ORDER BY r.id {dir}",
            R::TABLE
        );
        out.extend(states::<R>(conn, &sql, &[])?);
    }
    Ok(out)
}

/// The states of the rows `sql` selects (by [`state_select`]).
fn states<R: Register>(conn: &Connection, sql: &str, args: &[String]) -> Result<Vec<R::State>> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(state_of::<R>(row)?);
    }
    Ok(out)
}

/// Up to `limit` records matching a fixed condition (alias `r`, one `?1` argument), in
/// `order`, and how many match in all: the lists of the home screen.
pub fn where_states<R: Register>(
    conn: &Connection,
    condition: &str,
    arg: &str,
    order: &str,
    limit: u32,
) -> Result<(Vec<R::State>, i64)> {
    let table = R::TABLE;
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM {table} r WHERE {condition}"),
        [arg],
        |r| r.get(0),
    )?;
    let state = state_select::<R>();
    let rows = states::<R>(
        conn,
        &format!("SELECT {state} FROM {table} r WHERE {condition} ORDER BY {order} LIMIT {limit}"),
        &[arg.to_string()],
    )?;
    Ok((rows, total))
}

/// The ids of `R`'s records whose stored projection differs from the fold of their events.
pub fn replay_mismatches<R: Register>(conn: &Connection) -> Result<Vec<i64>> {
    let ids: Vec<i64> = conn
        .prepare(&format!("SELECT id FROM {} ORDER BY id", R::TABLE))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut bad = Vec::new();
    for id in ids {
        let stored = load::<R>(conn, id)?;
        if replay::<R>(conn, id)?.as_ref() != Some(&stored) {
            bad.push(id);
        }
    }
    Ok(bad)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_serial_following_the_pattern_gives_its_counter_and_number() {
        let p = super::pattern_number;
        assert_eq!(
            p("{密级}-{年}-{序号:4}", "机-2026-0050"),
            Some(("机-2026-\u{1f}".to_string(), 50))
        );
        assert_eq!(
            p("SB-{年}-{序号:4}号", "SB-2025-12号"),
            Some(("SB-2025-\u{1f}号".to_string(), 12))
        );
        assert_eq!(p("{密级}-{年}-{序号:4}", "机-26-0050"), None);
        assert_eq!(p("{密级}-{年}-{序号:4}", "X-2026-0050"), None);
        assert_eq!(p("{密级}-{年}-{序号:4}", "机-2026-0050a"), None);
        assert_eq!(p("SB-{序号}", "JM-3"), None);
    }

    /// A bulk load drops only the projection's own plain indexes (neither unique nor
    /// partial), and its triggers when the register computes again what they keep; only when
    /// it brings enough records and at least as many as the register holds. The statements it
    /// returns make the same indexes and triggers again, and the counts the triggers missed
    /// agree with the register.
    #[test]
    fn a_bulk_load_drops_the_plain_indexes_and_triggers_and_makes_the_same_ones_again() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::vault::db::migrate(&mut conn, crate::vault::db::Schema::Registers).unwrap();
        let made = |conn: &rusqlite::Connection, kind: &str| -> Vec<(String, Option<String>)> {
            conn.prepare(
                "SELECT name, sql FROM sqlite_schema WHERE type = ?1
                 AND tbl_name = 'documents' ORDER BY name",
            )
            .unwrap()
            .query_map([kind], |r| Ok((r.get(0).unwrap(), r.get(1).unwrap())))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
        };
        let indexes = made(&conn, "index");
        let triggers = made(&conn, "trigger");
        assert!(indexes.len() > 8, "{indexes:?}");
        assert_eq!(triggers.len(), 3, "{triggers:?}");
        let doc = crate::registers::register_info("doc").unwrap();
        let unchanged = |conn: &rusqlite::Connection| {
            assert_eq!(made(conn, "index"), indexes);
            assert_eq!(made(conn, "trigger"), triggers);
        };

        // Too few incoming records: nothing is dropped.
        let none = super::suspend_indexes(&conn, doc, 9_999).unwrap();
        assert!(none.is_empty());
        unchanged(&conn);

        // A register that cannot compute again what its triggers keep keeps its triggers.
        let uncounted = crate::registers::RegisterInfo {
            recount: &[],
            ..*doc
        };
        let rebuild = super::suspend_indexes_from(&conn, &uncounted, 2, 1).unwrap();
        assert_eq!(made(&conn, "trigger"), triggers);
        // What stays: the serial's uniqueness (an index SQLite made for the constraint) and
        // the partial indexes.
        let stays = [
            "documents_due",
            "documents_missing",
            "documents_parent",
            "documents_secrecy_until",
            "sqlite_autoindex_documents_1",
        ];
        let left: Vec<String> = made(&conn, "index").into_iter().map(|i| i.0).collect();
        assert_eq!(left, stays);
        assert_eq!(rebuild.len(), indexes.len() - stays.len());
        super::rebuild_indexes(&conn, &rebuild).unwrap();
        unchanged(&conn);

        let rebuild = super::suspend_indexes_from(&conn, doc, 2, 1).unwrap();
        assert_eq!(made(&conn, "index").len(), stays.len());
        assert!(made(&conn, "trigger").is_empty());
        assert_eq!(
            rebuild.len(),
            indexes.len() - stays.len() + doc.recount.len() + triggers.len()
        );
        // Two carriers come in while nothing counts them.
        conn.execute_batch(
            "INSERT INTO documents (id, serial, doc_no, title, origin_unit, level, secrecy_period,
                 scope, copies, copy_numbers, carrier_type, custodian, location, received_on,
                 no_copy, remarks, status, state, updated_at)
             VALUES (1, 'a', '', 't', '', '秘密', '', '', 1, '1', '纸质文件', '王五', '',
                 '2026-01-01', 0, '', 'in_custody', '{}', ''),
                    (2, 'b', '', 't', '', '秘密', '', '', 1, '1', '纸质文件', '王五', '',
                 '2026-01-01', 0, '', 'in_custody', '{}', '')",
        )
        .unwrap();
        let counts = |conn: &rusqlite::Connection| -> Vec<(String, String, String, i64)> {
            conn.prepare(
                "SELECT status, level, custodian, n FROM documents_counts ORDER BY 1, 2, 3",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
        };
        assert!(counts(&conn).is_empty());
        super::rebuild_indexes(&conn, &rebuild).unwrap();
        unchanged(&conn);
        let row = |status: &str, n| (status.into(), "秘密".into(), "王五".into(), n);
        assert_eq!(counts(&conn), vec![row("in_custody", 2)]);
        // The triggers count again.
        conn.execute_batch("UPDATE documents SET status = 'destroyed' WHERE id = 2")
            .unwrap();
        assert_eq!(
            counts(&conn),
            vec![row("destroyed", 1), row("in_custody", 1)]
        );

        // A register that holds more records than the load brings keeps its indexes.
        assert!(super::suspend_indexes_from(&conn, doc, 1, 1)
            .unwrap()
            .is_empty());
        unchanged(&conn);
    }
}
