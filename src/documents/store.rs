//! SQL of the carrier register: the projection row, the search index, serial numbers, and
//! the list query.
//!
//! Contract: [`save`] writes a carrier's derived state and its search tokens in the caller's
//! transaction; it is called after every event. [`list`] answers any combination of search
//! text and filters, newest first by default, with the total counted exactly up to
//! [`COUNT_CAP`] (beyond it the UI says "10000+"), so a page of a 1,000,000-row register
//! never costs a full count.

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::model::*;
use crate::dates;
use crate::error::{Error, Result};
use crate::register::HistoryEntry;
use crate::search;

pub const COUNT_CAP: i64 = 10_000;

fn date_col(d: Option<NaiveDate>) -> Option<String> {
    d.map(dates::iso)
}

/// Writes the projection and the search tokens of `s` (insert or replace).
pub fn save(conn: &Connection, s: &DocState, now: &str) -> Result<()> {
    let f = &s.fields;
    let state = serde_json::to_string(s).map_err(|e| Error::internal(e.to_string()))?;
    let scope = serde_json::to_string(&f.scope).map_err(|e| Error::internal(e.to_string()))?;
    conn.execute(
        "INSERT INTO documents (id, serial, doc_no, title, origin_unit, level, secrecy_period, secrecy_until,
             scope, copies, copy_numbers, carrier_type, custodian, location, received_on, no_copy, remarks,
             status, borrower, due_on, missing_since, parent_id, state, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)
         ON CONFLICT(id) DO UPDATE SET doc_no = excluded.doc_no, title = excluded.title,
             origin_unit = excluded.origin_unit, level = excluded.level, secrecy_period = excluded.secrecy_period,
             secrecy_until = excluded.secrecy_until, scope = excluded.scope, copies = excluded.copies,
             copy_numbers = excluded.copy_numbers, carrier_type = excluded.carrier_type,
             custodian = excluded.custodian, location = excluded.location, received_on = excluded.received_on,
             no_copy = excluded.no_copy, remarks = excluded.remarks, status = excluded.status,
             borrower = excluded.borrower, due_on = excluded.due_on, missing_since = excluded.missing_since,
             state = excluded.state, updated_at = excluded.updated_at",
        params![
            s.id,
            s.serial,
            f.doc_no,
            f.title,
            f.origin_unit,
            f.level.label(),
            f.secrecy_period.label(),
            date_col(f.secrecy_period.ends_on(f.received_on)),
            scope,
            f.copies,
            f.copy_numbers,
            f.carrier_type,
            f.custodian,
            f.location,
            dates::iso(f.received_on),
            f.no_copy,
            f.remarks,
            s.status.code(),
            s.borrower,
            date_col(s.due_on),
            date_col(s.missing_since),
            s.parent_id,
            state,
            now
        ],
    )?;
    let (uni, bi) = search::index_columns([
        s.serial.as_str(),
        &f.doc_no,
        &f.title,
        &f.origin_unit,
        &f.custodian,
        &f.remarks,
        s.borrower.as_deref().unwrap_or(""),
    ]);
    conn.execute("DELETE FROM documents_search WHERE rowid = ?1", [s.id])?;
    conn.execute(
        "INSERT INTO documents_search (rowid, uni, bi, tags) VALUES (?1, ?2, ?3, ?4)",
        params![s.id, uni, bi, tags(f.level, s.status)],
    )?;
    Ok(())
}

/// The stored state of carrier `id`.
pub fn load(conn: &Connection, id: i64) -> Result<DocState> {
    let json: Option<String> = conn
        .query_row("SELECT state FROM documents WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    let json = json.ok_or_else(|| Error::not_found(format!("没有编号为 {id} 的载体")))?;
    serde_json::from_str(&json)
        .map_err(|e| Error::integrity(format!("载体 {id} 的状态已损坏：{e}")))
}

/// Finds a carrier id by its serial number.
pub fn id_by_serial(conn: &Connection, serial: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM documents WHERE serial = ?1",
            [serial.trim()],
            |r| r.get(0),
        )
        .optional()?)
}

pub fn next_id(conn: &Connection) -> Result<i64> {
    Ok(
        conn.query_row("SELECT coalesce(max(id), 0) + 1 FROM documents", [], |r| {
            r.get(0)
        })?,
    )
}

pub const DEFAULT_SERIAL_PATTERN: &str = "{密级}-{年}-{序号:4}";

/// Checks a unit's serial pattern: it needs `{序号}` (optionally `{序号:N}`), and may use
/// `{密级}` (绝/机/秘/工/内) and `{年}`.
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

/// Allocates the next serial number for a carrier of `level` received in `year`.
pub fn next_serial(conn: &Connection, pattern: &str, level: Level, year: i32) -> Result<String> {
    let base = pattern
        .replace("{密级}", &level.short().to_string())
        .replace("{年}", &year.to_string());
    let (head, tail) = base.split_once("{序号").unwrap_or((base.as_str(), "}"));
    let (width, after) = tail.split_once('}').unwrap_or(("", ""));
    let width: usize = width.trim_start_matches(':').parse().unwrap_or(1);
    let prefix = format!("{head}\u{1f}{after}");
    let n: i64 = conn.query_row(
        "INSERT INTO serial_counters (prefix, last) VALUES (?1, 1)
         ON CONFLICT(prefix) DO UPDATE SET last = last + 1 RETURNING last",
        [&prefix],
        |r| r.get(0),
    )?;
    Ok(format!("{head}{n:0width$}{after}"))
}

/// A carrier as shown in lists and on its detail page.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct DocView {
    #[ts(type = "number")]
    pub id: i64,
    pub serial: String,
    pub doc_no: String,
    pub title: String,
    pub origin_unit: String,
    pub level: Level,
    pub secrecy_period: String,
    #[ts(type = "string | null")]
    pub secrecy_until: Option<String>,
    pub scope: Vec<String>,
    pub copies: u32,
    pub copy_numbers: String,
    pub carrier_type: String,
    pub custodian: String,
    pub location: String,
    pub received_on: String,
    pub no_copy: bool,
    pub remarks: String,
    pub status: Status,
    pub status_label: String,
    #[ts(type = "string | null")]
    pub borrower: Option<String>,
    #[ts(type = "string | null")]
    pub due_on: Option<String>,
    /// Borrowed and past its due date.
    pub overdue: bool,
    /// Days past the due date, when overdue.
    #[ts(type = "number | null")]
    pub overdue_days: Option<i64>,
    #[ts(type = "string | null")]
    pub missing_since: Option<String>,
    /// For a missing state-secret carrier: the day it becomes a leak incident (10/60 days).
    #[ts(type = "string | null")]
    pub incident_on: Option<String>,
    /// Days until `incident_on` (negative once passed).
    #[ts(type = "number | null")]
    pub incident_days_left: Option<i64>,
    /// The secrecy period ends within 90 days (or has ended): a declassification review is due.
    pub review_due: bool,
    #[ts(type = "number | null")]
    pub parent_id: Option<i64>,
    /// The full timeline (only on `doc show`).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<HistoryEntry>>,
}

/// Days before the end of a secrecy period when the review is flagged.
pub const REVIEW_NOTICE_DAYS: i64 = 90;

pub fn view(s: &DocState, today: NaiveDate) -> DocView {
    let f = &s.fields;
    let overdue = s.status == Status::Borrowed && s.due_on.is_some_and(|d| d < today);
    let incident_on = match (s.status, s.missing_since, f.level.missing_days()) {
        (Status::Missing, Some(since), Some(days)) => Some(since + chrono::Duration::days(days)),
        _ => None,
    };
    let until = f.secrecy_period.ends_on(f.received_on);
    let active = !s.status.is_final() && s.status != Status::Declassified;
    DocView {
        id: s.id,
        serial: s.serial.clone(),
        doc_no: f.doc_no.clone(),
        title: f.title.clone(),
        origin_unit: f.origin_unit.clone(),
        level: f.level,
        secrecy_period: f.secrecy_period.label(),
        secrecy_until: date_col(until),
        scope: f.scope.clone(),
        copies: f.copies,
        copy_numbers: f.copy_numbers.clone(),
        carrier_type: f.carrier_type.clone(),
        custodian: f.custodian.clone(),
        location: f.location.clone(),
        received_on: dates::iso(f.received_on),
        no_copy: f.no_copy,
        remarks: f.remarks.clone(),
        status: s.status,
        status_label: s.status.label().to_string(),
        borrower: s.borrower.clone(),
        due_on: date_col(s.due_on),
        overdue,
        overdue_days: s.due_on.filter(|_| overdue).map(|d| (today - d).num_days()),
        missing_since: date_col(s.missing_since),
        incident_on: date_col(incident_on),
        incident_days_left: incident_on.map(|d| (d - today).num_days()),
        review_due: active
            && f.level.is_state_secret()
            && until.is_some_and(|u| (u - today).num_days() <= REVIEW_NOTICE_DAYS),
        parent_id: s.parent_id,
        history: None,
    }
}

/// Search text, filters, order and page of the register list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct DocQuery {
    /// Substring of serial, 文号, title, origin, custodian, borrower or remarks (any length).
    #[ts(optional)]
    pub query: Option<String>,
    #[ts(optional)]
    pub level: Option<String>,
    #[ts(optional)]
    pub status: Option<String>,
    #[ts(optional)]
    pub custodian: Option<String>,
    /// Received on or after (YYYY-MM-DD).
    #[ts(optional)]
    pub received_from: Option<String>,
    /// Received on or before (YYYY-MM-DD).
    #[ts(optional)]
    pub received_to: Option<String>,
    /// Only borrowed items past their due date.
    #[ts(optional)]
    pub overdue: Option<bool>,
    /// `id` (登记顺序, default), `received_on`, `serial`, `level`, `title`, `due_on`.
    #[ts(optional)]
    pub sort: Option<String>,
    /// Descending (default true).
    #[ts(optional)]
    pub desc: Option<bool>,
    #[ts(optional)]
    pub offset: Option<u32>,
    /// Page size, at most 500 (default 50).
    #[ts(optional)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct DocPage {
    pub rows: Vec<DocView>,
    /// Matching rows, exact when `total_exact`, else at least this many.
    #[ts(type = "number")]
    pub total: i64,
    pub total_exact: bool,
}

/// The WHERE clause and its arguments for the filters of `q` (validated).
/// The search-index tag tokens of a carrier: its level and its status, so a text search
/// filtered by level or status is answered inside the index (no row lookups).
fn tags(level: Level, status: Status) -> String {
    format!("{} {}", level_tag(level), status_tag(status))
}

fn level_tag(l: Level) -> String {
    format!("lv{}", l.rank())
}

fn status_tag(s: Status) -> String {
    format!("st{}", s.code().replace('_', ""))
}

/// The SQL filters of `q` and their arguments; with `in_index`, level and status go into
/// the returned MATCH terms instead (used together with a text search).
pub fn filter_sql(
    q: &DocQuery,
    today: NaiveDate,
    in_index: bool,
) -> Result<(Vec<String>, Vec<String>, Vec<String>)> {
    let mut clauses = Vec::new();
    let mut args = Vec::new();
    let mut terms = Vec::new();
    let mut push = |clause: &str, arg: String| {
        args.push(arg);
        clauses.push(clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(l) = q.level.as_deref().filter(|s| !s.is_empty()) {
        let level = Level::parse("level", l)?;
        if in_index {
            terms.push(format!("tags : \"{}\"", level_tag(level)));
        } else {
            push("d.level = ?", level.label().to_string());
        }
    }
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        let status = Status::parse(s)?;
        if in_index {
            terms.push(format!("tags : \"{}\"", status_tag(status)));
        } else {
            push("d.status = ?", status.code().to_string());
        }
    }
    if let Some(c) = q
        .custodian
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        push("d.custodian = ?", c.to_string());
    }
    if let Some(d) = dates::parse_opt(
        "received_from",
        "收到日期（起）",
        q.received_from.as_deref(),
    )? {
        push("d.received_on >= ?", dates::iso(d));
    }
    if let Some(d) = dates::parse_opt("received_to", "收到日期（止）", q.received_to.as_deref())?
    {
        push("d.received_on <= ?", dates::iso(d));
    }
    if q.overdue == Some(true) {
        push("d.status = 'borrowed' AND d.due_on < ?", dates::iso(today));
    }
    Ok((clauses, args, terms))
}

pub fn list(conn: &Connection, q: &DocQuery, today: NaiveDate) -> Result<DocPage> {
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    query(conn, q, today, limit, q.offset.unwrap_or(0), COUNT_CAP)
}

/// Every row matching `q`'s filters in `q`'s order, up to `max` (paging ignored); the total
/// is exact up to `max`.
pub fn list_up_to(conn: &Connection, q: &DocQuery, today: NaiveDate, max: u32) -> Result<DocPage> {
    query(conn, q, today, max.max(1), 0, i64::from(max))
}

fn query(
    conn: &Connection,
    q: &DocQuery,
    today: NaiveDate,
    limit: u32,
    offset: u32,
    count_cap: i64,
) -> Result<DocPage> {
    let matcher = q.query.as_deref().and_then(search::match_expression);
    let (mut clauses, mut args, terms) = filter_sql(q, today, matcher.is_some())?;
    let matcher = matcher.map(|m| {
        std::iter::once(m)
            .chain(terms)
            .collect::<Vec<_>>()
            .join(" AND ")
    });
    if q.query.as_deref().is_some_and(|t| !t.trim().is_empty()) && matcher.is_none() {
        // Only punctuation: nothing can match.
        return Ok(DocPage {
            rows: vec![],
            total: 0,
            total_exact: true,
        });
    }
    let desc = q.desc.unwrap_or(true);
    let dir = if desc { "DESC" } else { "ASC" };
    let order = match q.sort.as_deref().unwrap_or("id") {
        "id" | "" => format!("d.id {dir}"),
        "received_on" => format!("d.received_on {dir}, d.id {dir}"),
        "serial" => format!("d.serial {dir}"),
        "level" => format!("CASE d.level WHEN '绝密' THEN 0 WHEN '机密' THEN 1 WHEN '秘密' THEN 2 WHEN '工作秘密' THEN 3 ELSE 4 END {dir}, d.id DESC"),
        "title" => format!("d.title {dir}, d.id DESC"),
        "due_on" => format!("d.due_on {dir}, d.id DESC"),
        other => return Err(Error::field("sort", "排序", format!("不支持按“{other}”排序"))),
    };
    let from = match &matcher {
        Some(m) => {
            args.push(m.clone());
            clauses.insert(0, format!("documents_search MATCH ?{}", args.len()));
            // Drive the scan from the index, in rowid order, so LIMIT stops it early.
            let order = if q.sort.as_deref().unwrap_or("id") == "id" {
                format!("documents_search.rowid {dir}")
            } else {
                order.clone()
            };
            (
                // CROSS JOIN keeps the index as the outer loop (SQLite never reorders it).
                "documents_search CROSS JOIN documents d ON d.id = documents_search.rowid"
                    .to_string(),
                order,
            )
        }
        None => ("documents d".to_string(), order),
    };
    let (from, order) = from;
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    // With search text and no other filter, count from the index alone (no join).
    let count_from = if matcher.is_some() && clauses.len() == 1 {
        "documents_search"
    } else {
        from.as_str()
    };
    let total: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM (SELECT 1 FROM {count_from} {filter} LIMIT {})",
            count_cap + 1
        ),
        rusqlite::params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    let sql = if matcher.is_some() {
        format!(
            "SELECT d.state FROM {from} {filter} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
        )
    } else {
        // Pick the page's ids first, then read only those rows: a range filter (received in a
        // year) sorted by id is then answered from the index alone, instead of reading every
        // matching row's state before sorting them.
        format!(
            "SELECT d.state FROM documents d WHERE d.id IN \
             (SELECT d.id FROM {from} {filter} ORDER BY {order} LIMIT {limit} OFFSET {offset}) \
             ORDER BY {order}"
        )
    };
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            r.get::<_, String>(0)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|json| {
            serde_json::from_str::<DocState>(&json)
                .map(|s| view(&s, today))
                .map_err(|e| Error::integrity(format!("载体状态已损坏：{e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(DocPage {
        rows,
        total: total.min(count_cap),
        total_exact: total <= count_cap,
    })
}

/// Up to `limit` carriers matching a fixed condition (one `?1` argument), and how many match.
pub fn where_states(
    conn: &Connection,
    condition: &str,
    arg: &str,
    order: &str,
    limit: u32,
) -> Result<(Vec<DocState>, i64)> {
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM documents d WHERE {condition}"),
        [arg],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(&format!(
        "SELECT state FROM documents d WHERE {condition} ORDER BY {order} LIMIT {limit}"
    ))?;
    let rows = stmt
        .query_map([arg], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let states = rows
        .into_iter()
        .map(|j| {
            serde_json::from_str(&j).map_err(|e| Error::integrity(format!("载体状态已损坏：{e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((states, total))
}
