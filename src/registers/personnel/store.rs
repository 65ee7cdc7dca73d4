//! The personnel register's projection: its columns, search text and tags, its view, and its
//! list filters.
//!
//! Contract: everything here is a pure function of a person's state (or of a query); the SQL
//! that writes and reads the `persons` table is the shared code of
//! [`crate::registers::table`]. Due dates that depend on the unit's intervals are not stored:
//! the table keeps the days they count from (`reviewed_on`, `pledged_on`), and the reminders
//! compare them with the unit's settings.

use chrono::NaiveDate;
use rusqlite::types::Value;
use serde::Serialize;
use ts_rs::TS;

use super::model::*;
use super::rules::{missing_for_post, Persons};
use crate::dates;
use crate::error::Result;
use crate::registers::table::{opt, text};
use crate::registers::{actions_of, ActionInfo, Filter, HistoryEntry, ListSpec, Projection, Sort};

fn class_tag(c: PersonClass) -> String {
    format!("pc{}", c.code())
}

fn status_tag(s: PersonStatus) -> String {
    format!("ps{}", s.code().replace('_', ""))
}

/// The day of the latest review, if any.
pub fn reviewed_on(s: &PersonState) -> Option<&str> {
    s.reviews.last().map(|r| r.on.as_str())
}

/// The day of the latest 上岗 or 年度 letter: the annual renewal counts from it.
pub fn pledged_on(s: &PersonState) -> Option<&str> {
    s.pledges
        .iter()
        .rev()
        .find(|p| matches!(p.pledge, PledgeKind::Onboard | PledgeKind::Annual))
        .map(|p| p.signed_on.as_str())
}

impl Projection for Persons {
    type State = PersonState;
    type View = PersonView;
    const SORTS: &'static [Sort] = &[
        Sort::Column("name"),
        Sort::Column("department"),
        Sort::Column("class"),
        Sort::Chronological("reviewed_on"),
    ];

    fn columns(s: &PersonState) -> Vec<(&'static str, Value)> {
        let f = &s.fields;
        vec![
            ("name", text(&f.name)),
            ("department", text(&f.department)),
            ("post", text(&f.post)),
            ("class", text(f.class.code())),
            ("account", text(&f.account)),
            ("status", text(s.status.code())),
            ("reviewed_on", opt(reviewed_on(s).map(str::to_string))),
            ("pledged_on", opt(pledged_on(s).map(str::to_string))),
            (
                "cooling_ends_on",
                opt(s.leaving.as_ref().map(|l| l.ends_on.clone())),
            ),
            (
                "exception_open",
                Value::Integer(i64::from(s.exception.is_some())),
            ),
        ]
    }

    /// What a search looks in: serial, name, department, post, account, remarks.
    fn search_text(s: &PersonState) -> Vec<String> {
        let f = &s.fields;
        vec![
            s.serial.clone(),
            f.name.clone(),
            f.department.clone(),
            f.post.clone(),
            f.account.clone(),
            f.remarks.clone(),
        ]
    }

    fn tags(s: &PersonState) -> Vec<String> {
        vec![class_tag(s.fields.class), status_tag(s.status)]
    }

    fn view(s: &PersonState, today: NaiveDate) -> PersonView {
        view(s, today)
    }
}

/// Something a person holds in another register (a carrier, a device, a medium).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Held {
    /// The register's name (`doc`, `device`) and what its record is called (载体, 设备).
    pub register: String,
    pub noun: String,
    #[ts(type = "number")]
    pub id: i64,
    pub serial: String,
    /// Title of a carrier, name of a device.
    pub title: String,
    pub status_label: String,
    /// In what capacity: 责任人, 借阅人, 使用人, 配备.
    pub capacity: String,
}

/// A person as shown in the register and on their page.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct PersonView {
    #[ts(type = "number")]
    pub id: i64,
    pub serial: String,
    pub name: String,
    pub department: String,
    pub post: String,
    pub class: PersonClass,
    pub class_label: String,
    pub account: String,
    pub remarks: String,
    pub status: PersonStatus,
    pub status_label: String,
    #[ts(type = "string | null")]
    pub on_post_since: Option<String>,
    /// What keeps a 拟上岗 person from the post (empty once on post).
    pub missing: Vec<String>,
    /// May be put in charge of a carrier or device now (on post with the latest review
    /// passed, or an open exception).
    pub admissible: bool,
    pub reviews: Vec<Review>,
    pub trainings: Vec<Training>,
    pub pledges: Vec<Pledge>,
    pub exception: Option<GateException>,
    pub leaving: Option<Leaving>,
    /// In 脱密期 past its last day: 脱密期满 may be recorded.
    pub cooling_over: bool,
    pub actions: Vec<ActionInfo>,
    /// What the person holds now (only on `person show`).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holdings: Option<Vec<Held>>,
    /// The full timeline (only on `person show`).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<HistoryEntry>>,
}

/// Whether the person may be put in charge of something now, or why not.
pub fn admissible(s: &PersonState) -> std::result::Result<(), Vec<String>> {
    match s.status {
        PersonStatus::OnPost if s.reviews.last().is_some_and(|r| r.passed) => Ok(()),
        PersonStatus::Candidate | PersonStatus::OnPost if s.exception.is_some() => Ok(()),
        PersonStatus::Candidate | PersonStatus::OnPost => Err(missing_for_post(s)
            .into_iter()
            .map(str::to_string)
            .collect()),
        other => Err(vec![format!("当前为“{}”，已不在涉密岗位", other.label())]),
    }
}

pub fn view(s: &PersonState, today: NaiveDate) -> PersonView {
    let f = &s.fields;
    PersonView {
        id: s.id,
        serial: s.serial.clone(),
        name: f.name.clone(),
        department: f.department.clone(),
        post: f.post.clone(),
        class: f.class,
        class_label: f.class.label().to_string(),
        account: f.account.clone(),
        remarks: f.remarks.clone(),
        status: s.status,
        status_label: s.status.label().to_string(),
        on_post_since: s.on_post_since.map(dates::iso),
        missing: if s.status == PersonStatus::Candidate {
            missing_for_post(s)
                .into_iter()
                .map(str::to_string)
                .collect()
        } else {
            Vec::new()
        },
        admissible: admissible(s).is_ok(),
        reviews: s.reviews.clone(),
        trainings: s.trainings.clone(),
        pledges: s.pledges.clone(),
        exception: s.exception.clone(),
        leaving: s.leaving.clone(),
        cooling_over: s.status == PersonStatus::Cooling
            && s.leaving
                .as_ref()
                .is_some_and(|l| l.ends_on <= dates::iso(today)),
        actions: actions_of::<Persons>(s),
        holdings: None,
        history: None,
    }
}

crate::registers::table::list_query! {
    /// Search text, filters, order and page of the personnel register.
    pub struct PersonQuery {
        query: "Substring of serial, name, department, post, account or remarks (any length).",
        /// 核心, 重要 or 一般.
        #[ts(optional)]
        pub class: Option<String>,
        #[ts(optional)]
        pub status: Option<String>,
        #[ts(optional)]
        pub department: Option<String>,
        sort: "`id` (default), `serial`, `name`, `department`, `class`, `reviewed_on`.",
    }
}

/// A page of the personnel register.
pub type PersonPage = crate::page::Page<PersonView>;

impl PersonQuery {
    pub fn spec(&self) -> Result<ListSpec> {
        let given = crate::input::given;
        let mut filters = Vec::new();
        if let Some(c) = given(&self.class) {
            let class = PersonClass::parse("class", &c)?;
            filters.push(Filter::tagged("class", class.code(), class_tag(class)));
        }
        if let Some(s) = given(&self.status) {
            let status = PersonStatus::parse("status", &s)?;
            filters.push(Filter::tagged("status", status.code(), status_tag(status)));
        }
        if let Some(d) = given(&self.department) {
            filters.push(Filter::eq("department", d));
        }
        Ok(self.list_spec(filters))
    }
}
