//! The carrier register's projection: its columns, search text and tags, its view, and its
//! list filters.
//!
//! Contract: everything here is a pure function of a carrier's state (or of a query); the
//! SQL that writes and reads the `documents` table is the shared code of
//! [`crate::registers::table`]. A [`DocQuery`] becomes a [`ListSpec`] whose level and status
//! filters carry index tags, so a text search filtered by them never leaves the index.

use chrono::NaiveDate;
use rusqlite::types::Value;
use serde::Serialize;
use ts_rs::TS;

use super::model::*;
use super::rules::Documents;
use crate::dates;
use crate::error::Result;
use crate::registers::table::{opt, text, Columns};
use crate::registers::{actions_of, ActionInfo, Filter, HistoryEntry, ListSpec, Projection, Sort};

fn date_col(d: Option<NaiveDate>) -> Option<String> {
    d.map(dates::iso)
}

impl Projection for Documents {
    type State = DocState;
    type View = DocView;
    const SORTS: &'static [Sort] = &[
        Sort::Chronological("received_on"),
        Sort::Column("title"),
        Sort::Column("due_on"),
    ];

    /// The `documents` columns of a carrier (the projection the list filters and sorts on).
    fn columns(s: &DocState) -> Vec<(&'static str, Value)> {
        let f = &s.fields;
        let scope = serde_json::to_string(&f.scope).unwrap_or_else(|_| "[]".into());
        vec![
            ("doc_no", text(&f.doc_no)),
            ("title", text(&f.title)),
            ("origin_unit", text(&f.origin_unit)),
            ("level", text(f.level.label())),
            ("secrecy_period", Value::Text(f.secrecy_period.label())),
            (
                "secrecy_until",
                opt(date_col(f.secrecy_period.ends_on(f.received_on))),
            ),
            ("scope", Value::Text(scope)),
            ("copies", Value::Integer(i64::from(f.copies))),
            ("copy_numbers", text(&f.copy_numbers)),
            ("carrier_type", text(&f.carrier_type)),
            ("custodian", text(&f.custodian)),
            ("location", text(&f.location)),
            ("received_on", Value::Text(dates::iso(f.received_on))),
            ("no_copy", Value::Integer(i64::from(f.no_copy))),
            ("remarks", text(&f.remarks)),
            ("status", text(s.status.code())),
            ("resume", opt(s.resume.map(|r| r.code().to_string()))),
            ("borrower", opt(s.borrower.clone())),
            ("due_on", opt(date_col(s.due_on))),
            ("missing_since", opt(date_col(s.missing_since))),
            ("parent_id", s.parent_id.map_or(Value::Null, Value::Integer)),
        ]
    }
    const STATE_IN_COLUMNS: bool = true;

    fn from_columns(c: &Columns<'_>) -> Result<DocState> {
        let status = |t: &str| Status::parse(t).ok();
        let flag = |n: i64| match n {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        };
        Ok(DocState {
            id: c.id(),
            serial: c.text("serial")?,
            fields: DocFields {
                title: c.text("title")?,
                doc_no: c.text("doc_no")?,
                origin_unit: c.text("origin_unit")?,
                level: c.parsed("level", |t| Level::parse("level", t).ok())?,
                secrecy_period: c.parsed("secrecy_period", SecrecyPeriod::from_label)?,
                scope: c.parsed("scope", |t| serde_json::from_str(t).ok())?,
                copies: u32::try_from(c.int("copies")?).map_err(|_| c.broken("copies"))?,
                copy_numbers: c.text("copy_numbers")?,
                carrier_type: c.text("carrier_type")?,
                custodian: c.text("custodian")?,
                location: c.text("location")?,
                received_on: c.date("received_on")?,
                no_copy: flag(c.int("no_copy")?).ok_or_else(|| c.broken("no_copy"))?,
                remarks: c.text("remarks")?,
            },
            status: c.parsed("status", status)?,
            resume: c.opt_parsed("resume", status)?,
            borrower: c.opt_text("borrower")?,
            due_on: c.opt_date("due_on")?,
            missing_since: c.opt_date("missing_since")?,
            parent_id: c.opt_int("parent_id")?,
        })
    }

    /// What a search looks in: serial, 文号, title, origin, custodian, remarks, borrower.
    fn search_text(s: &DocState) -> Vec<String> {
        let f = &s.fields;
        vec![
            s.serial.clone(),
            f.doc_no.clone(),
            f.title.clone(),
            f.origin_unit.clone(),
            f.custodian.clone(),
            f.remarks.clone(),
            s.borrower.clone().unwrap_or_default(),
        ]
    }
    fn tags(s: &DocState) -> Vec<String> {
        tags(s.fields.level, s.status)
    }
    fn view(s: &DocState, today: NaiveDate) -> DocView {
        view(s, today)
    }
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
    /// The actions its status allows now, in order (the core's lifecycle table).
    pub actions: Vec<ActionInfo>,
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
        actions: actions_of::<Documents>(s),
        history: None,
    }
}

crate::registers::table::list_query! {
    /// Search text, filters, order and page of the register list.
    pub struct DocQuery {
        query: "Substring of serial, 文号, title, origin, custodian, borrower or remarks (any length).",
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
        sort: "`id` (登记顺序, default), `received_on`, `serial`, `level`, `title`, `due_on`.",
    }
}

/// A page of the carrier list.
pub type DocPage = crate::page::Page<DocView>;

/// The search-index tag tokens of a carrier: its level and its status, so a text search
/// filtered by level or status is answered inside the index (no row lookups).
pub fn tags(level: Level, status: Status) -> Vec<String> {
    vec![level_tag(level), status_tag(status)]
}

fn level_tag(l: Level) -> String {
    format!("lv{}", l.rank())
}

fn status_tag(s: Status) -> String {
    format!("st{}", s.code().replace('_', ""))
}

impl DocQuery {
    /// The validated list request of this query (paging as given).
    pub fn spec(&self, today: NaiveDate) -> Result<ListSpec> {
        let mut filters = Vec::new();
        if let Some(l) = self.level.as_deref().filter(|s| !s.is_empty()) {
            let level = Level::parse("level", l)?;
            filters.push(Filter::tagged("level", level.label(), level_tag(level)));
        }
        if let Some(s) = self.status.as_deref().filter(|s| !s.is_empty()) {
            let status = Status::parse(s)?;
            filters.push(Filter::tagged("status", status.code(), status_tag(status)));
        }
        if let Some(c) = self
            .custodian
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            filters.push(Filter::eq("custodian", c));
        }
        let from = dates::parse_opt(
            "received_from",
            "收到日期（起）",
            self.received_from.as_deref(),
        )?;
        let to = dates::parse_opt("received_to", "收到日期（止）", self.received_to.as_deref())?;
        if self.overdue == Some(true) {
            filters.push(Filter::sql(
                "r.status = 'borrowed' AND r.due_on < ?",
                dates::iso(today),
            ));
        }
        Ok(self.list_spec(filters).within("received_on", from, to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registers::table;
    use crate::vault::db::{migrate, Schema};

    fn db() -> rusqlite::Connection {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        migrate(&mut conn, Schema::Registers).unwrap();
        conn
    }

    /// Carriers that between them give every column each kind of value it can hold: every
    /// status, with and without a place to return to, each kind of secrecy period, a copy
    /// of another carrier, a borrower with a due day, a missing one, texts that look like
    /// JSON, numbers or nothing.
    fn carriers() -> Vec<DocState> {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let periods = [
            SecrecyPeriod::Years(10),
            SecrecyPeriod::Until("2031-06-30".into()),
            SecrecyPeriod::LongTerm,
        ];
        let levels = [Level::TopSecret, Level::Secret, Level::Internal];
        Status::ALL
            .into_iter()
            .enumerate()
            .map(|(i, status)| {
                let id = i as i64 + 1;
                DocState {
                    id,
                    serial: format!("机-2026-{id:04}"),
                    fields: DocFields {
                        title: format!("关于“{{\"kind\":1}}”的通知 {id}"),
                        doc_no: if i % 2 == 0 {
                            String::new()
                        } else {
                            "保字〔2026〕7号".into()
                        },
                        origin_unit: "市保密局".into(),
                        level: levels[i % 3],
                        secrecy_period: periods[i % 3].clone(),
                        scope: if i % 2 == 0 {
                            vec![]
                        } else {
                            vec!["办公室".into(), "财务科".into()]
                        },
                        copies: 3 + i as u32,
                        copy_numbers: "1、2、5".into(),
                        carrier_type: "光盘".into(),
                        custodian: "王五".into(),
                        location: if i % 2 == 0 {
                            String::new()
                        } else {
                            "3 号柜".into()
                        },
                        received_on: day(1 + i as u32),
                        no_copy: i % 2 == 1,
                        remarks: "null".into(),
                    },
                    status,
                    resume: matches!(status, Status::Borrowed | Status::Missing).then_some(
                        if i % 2 == 0 {
                            Status::Archived
                        } else {
                            Status::InCustody
                        },
                    ),
                    borrower: (status == Status::Borrowed).then(|| "李四".into()),
                    due_on: (status == Status::Borrowed).then(|| day(28)),
                    missing_since: (status == Status::Missing).then(|| day(20)),
                    parent_id: (i > 0).then_some(1),
                }
            })
            .collect()
    }

    /// A carrier's row holds no JSON, and reading it back from its columns gives the very
    /// state written, by every read (one record, a page of the list, the records by ids).
    #[test]
    fn a_carrier_is_read_back_whole_from_its_columns() {
        let conn = db();
        let all = carriers();
        for s in &all {
            table::write_projection::<Documents>(&conn, s, "2026-11-30T08:00:00Z", true).unwrap();
        }
        let empty: i64 = conn
            .query_row("SELECT count(*) FROM documents WHERE state = ''", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(empty, all.len() as i64);
        for s in &all {
            assert_eq!(&table::load::<Documents>(&conn, s.id).unwrap(), s);
        }
        let spec = ListSpec {
            text: None,
            filters: vec![],
            range: None,
            sort: "id".into(),
            desc: false,
            offset: 0,
            limit: 100,
            count_cap: 100,
        };
        let page = table::list::<Documents>(&conn, &spec).unwrap();
        let mut listed = page.rows.clone();
        listed.sort_by_key(|s| s.id);
        assert_eq!(listed, all);
        // Written again (an upsert), a carrier stays whole.
        let mut changed = all[1].clone();
        changed.status = Status::InCustody;
        changed.resume = None;
        changed.borrower = None;
        changed.due_on = None;
        table::write_projection::<Documents>(&conn, &changed, "2026-11-30T09:00:00Z", false)
            .unwrap();
        assert_eq!(
            table::load::<Documents>(&conn, changed.id).unwrap(),
            changed
        );
    }

    /// A row written before the state moved into the columns keeps its JSON, and is read from
    /// it (its `resume` column is NULL, its JSON says otherwise); written again, it loses it.
    #[test]
    fn a_row_written_with_its_json_is_read_from_it() {
        let conn = db();
        let mut s = carriers().remove(1); // borrowed, returns to 在管
        s.parent_id = None;
        assert!(s.resume.is_some());
        table::write_projection::<Documents>(&conn, &s, "2026-11-30T08:00:00Z", true).unwrap();
        conn.execute(
            "UPDATE documents SET state = ?1, resume = NULL WHERE id = ?2",
            rusqlite::params![serde_json::to_string(&s).unwrap(), s.id],
        )
        .unwrap();
        assert_eq!(table::load::<Documents>(&conn, s.id).unwrap(), s);
        table::write_projection::<Documents>(&conn, &s, "2026-11-30T09:00:00Z", false).unwrap();
        let json: String = conn
            .query_row("SELECT state FROM documents WHERE id = ?1", [s.id], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(json, "");
        assert_eq!(table::load::<Documents>(&conn, s.id).unwrap(), s);
    }

    /// A column holding what the register never writes is refused as damage, naming the
    /// carrier and the column, never read as some other state.
    #[test]
    fn a_damaged_column_is_an_integrity_error_naming_it() {
        let s = carriers().remove(0);
        for (column, value) in [
            ("level", "'顶级'"),
            ("status", "'lost'"),
            ("secrecy_period", "'10 年'"),
            ("scope", "'办公室'"),
            ("copies", "-1"),
            ("no_copy", "2"),
            ("received_on", "'2026.11.01'"),
            ("due_on", "'明天'"),
            ("resume", "'gone'"),
        ] {
            let conn = db();
            table::write_projection::<Documents>(&conn, &s, "2026-11-30T08:00:00Z", true).unwrap();
            conn.execute(&format!("UPDATE documents SET {column} = {value}"), [])
                .unwrap();
            let e = table::load::<Documents>(&conn, s.id).unwrap_err();
            assert_eq!(e.code, crate::error::Code::Integrity, "{column}");
            assert!(
                e.message.contains("载体 1") && e.message.contains(column),
                "{column}: {}",
                e.message
            );
        }
    }

    /// `SecrecyPeriod::from_label` is the exact inverse of `label`, and takes nothing else.
    #[test]
    fn a_secrecy_period_label_reads_back_exactly() {
        for p in [
            SecrecyPeriod::Years(1),
            SecrecyPeriod::Years(30),
            SecrecyPeriod::Until("2030-01-01".into()),
            SecrecyPeriod::LongTerm,
        ] {
            assert_eq!(SecrecyPeriod::from_label(&p.label()), Some(p));
        }
        for bad in ["", "年", "十年", "10", "-1年", "10年 ", "永久"] {
            assert_eq!(SecrecyPeriod::from_label(bad), None, "{bad}");
        }
    }
}
