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
use crate::registers::table::{opt, text};
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
            ("borrower", opt(s.borrower.clone())),
            ("due_on", opt(date_col(s.due_on))),
            ("missing_since", opt(date_col(s.missing_since))),
            ("parent_id", s.parent_id.map_or(Value::Null, Value::Integer)),
        ]
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
