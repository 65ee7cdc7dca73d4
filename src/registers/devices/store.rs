//! The device ledger's projection: its columns, search text and tags, its view, and its list
//! filters.
//!
//! Contract: everything here is a pure function of a device's state (or of a query); the
//! SQL that writes and reads the `devices` table is the shared code of
//! [`crate::registers::table`]. Kind, level and status filters carry index tags, so a text
//! search filtered by them never leaves the index.

use chrono::NaiveDate;
use rusqlite::types::Value;
use serde::Serialize;
use ts_rs::TS;

use super::model::*;
use super::rules::Devices;
use crate::dates;
use crate::error::Result;
use crate::registers::level::Level;
use crate::registers::table::text;
use crate::registers::{actions_of, ActionInfo, Filter, HistoryEntry, ListSpec, Projection, Sort};

/// The day the next inspection counts from: the last one, or the day it entered service.
pub fn inspected_on(s: &DeviceState) -> NaiveDate {
    s.last_inspected_on.unwrap_or(s.fields.in_service_on)
}

fn level_tag(l: Option<Level>) -> String {
    l.map_or("lvn".to_string(), |l| format!("lv{}", l.rank()))
}

fn status_tag(s: DeviceStatus) -> String {
    format!("st{}", s.code().replace('_', ""))
}

/// Index tokens: kind, level (`lvn` for non-classified) and status.
pub fn tags(s: &DeviceState) -> Vec<String> {
    vec![
        s.fields.kind.tag(),
        level_tag(s.fields.level),
        status_tag(s.status),
    ]
}

impl Projection for Devices {
    type State = DeviceState;
    type View = DeviceView;
    const SORTS: &'static [Sort] = &[
        Sort::Column("kind"),
        Sort::Column("name"),
        Sort::Column("department"),
        Sort::Chronological("in_service_on"),
        Sort::Column("due_on"),
    ];

    /// The `devices` columns of a device.
    fn columns(s: &DeviceState) -> Vec<(&'static str, Value)> {
        let f = &s.fields;
        let storage = serde_json::to_string(&f.storage_serials).unwrap_or_else(|_| "[]".into());
        let holding = s.holding.as_ref();
        vec![
            ("kind", text(f.kind.label())),
            ("name", text(&f.name)),
            ("model", text(&f.model)),
            ("device_serial", text(&f.device_serial)),
            ("storage_serials", Value::Text(storage)),
            ("classified", Value::Integer(i64::from(f.classified))),
            ("level", text(f.level.map_or("", Level::label))),
            ("label_no", text(&f.label_no)),
            ("department", text(&f.department)),
            ("custodian", text(&f.custodian)),
            ("location", text(&f.location)),
            ("in_service_on", Value::Text(dates::iso(f.in_service_on))),
            ("status", text(s.status.code())),
            ("holder", holding.map_or(Value::Null, |h| text(&h.user))),
            ("due_on", holding.map_or(Value::Null, |h| text(&h.due_on))),
            ("inspected_on", Value::Text(dates::iso(inspected_on(s)))),
        ]
    }
    /// What a search looks in: ledger no., 保密编号, name, model, serials, department, custodian,
    /// location, and who holds it now.
    fn search_text(s: &DeviceState) -> Vec<String> {
        let f = &s.fields;
        let mut v = vec![
            s.serial.clone(),
            f.label_no.clone(),
            f.name.clone(),
            f.model.clone(),
            f.device_serial.clone(),
            f.department.clone(),
            f.custodian.clone(),
            f.location.clone(),
            f.remarks.clone(),
        ];
        v.extend(f.storage_serials.iter().cloned());
        v.extend(s.holding.as_ref().map(|h| h.user.clone()));
        v
    }
    fn tags(s: &DeviceState) -> Vec<String> {
        tags(s)
    }
    fn view(s: &DeviceState, today: NaiveDate) -> DeviceView {
        view(s, today)
    }
}

/// A device as shown in the ledger and on its detail page.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct DeviceView {
    #[ts(type = "number")]
    pub id: i64,
    /// 台账编号 (given at registration).
    pub serial: String,
    pub kind: DeviceKind,
    pub name: String,
    pub model: String,
    /// The maker's serial number (`serial` in `baomi device add`).
    pub device_serial: String,
    pub storage_serials: Vec<String>,
    pub classified: bool,
    pub level: Option<Level>,
    /// 密级 as printed: the level, or 非密.
    pub level_label: String,
    pub label_no: String,
    pub department: String,
    pub custodian: String,
    pub location: String,
    pub in_service_on: String,
    pub three_in_one: bool,
    pub wireless_removed: bool,
    pub label_affixed: bool,
    pub remarks: String,
    pub status: DeviceStatus,
    pub status_label: String,
    /// The open check-out or loan.
    pub holding: Option<Holding>,
    /// Out or lent past its due date.
    pub overdue: bool,
    #[ts(type = "number | null")]
    pub overdue_days: Option<i64>,
    #[ts(type = "string | null")]
    pub issued_to: Option<String>,
    #[ts(type = "string | null")]
    pub last_inspected_on: Option<String>,
    /// What is missing of the security measures a classified computer needs (第十四条).
    pub measures_missing: Vec<String>,
    pub actions: Vec<ActionInfo>,
    /// The full timeline (only on `device show`).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<HistoryEntry>>,
}

pub fn view(s: &DeviceState, today: NaiveDate) -> DeviceView {
    let f = &s.fields;
    let due = s.holding.as_ref().and_then(|h| dates::from_iso(&h.due_on));
    let overdue = due.is_some_and(|d| d < today);
    let mut measures_missing = Vec::new();
    if f.classified {
        if f.kind.is_computer() && !f.three_in_one {
            measures_missing.push("未安装“三合一”".to_string());
        }
        if f.kind.is_computer() && !f.wireless_removed {
            measures_missing.push("未拆除无线模块".to_string());
        }
        if !f.label_affixed {
            measures_missing.push("未粘贴涉密标签".to_string());
        }
    }
    DeviceView {
        id: s.id,
        serial: s.serial.clone(),
        kind: f.kind,
        name: f.name.clone(),
        model: f.model.clone(),
        device_serial: f.device_serial.clone(),
        storage_serials: f.storage_serials.clone(),
        classified: f.classified,
        level: f.level,
        level_label: f.level.map_or("非密", Level::label).to_string(),
        label_no: f.label_no.clone(),
        department: f.department.clone(),
        custodian: f.custodian.clone(),
        location: f.location.clone(),
        in_service_on: dates::iso(f.in_service_on),
        three_in_one: f.three_in_one,
        wireless_removed: f.wireless_removed,
        label_affixed: f.label_affixed,
        remarks: f.remarks.clone(),
        status: s.status,
        status_label: s.status.label().to_string(),
        holding: s.holding.clone(),
        overdue,
        overdue_days: due.filter(|_| overdue).map(|d| (today - d).num_days()),
        issued_to: s.issued_to.clone(),
        last_inspected_on: s.last_inspected_on.map(dates::iso),
        measures_missing,
        actions: actions_of::<Devices>(s),
        history: None,
    }
}

crate::registers::table::list_query! {
    /// Search text, filters, order and page of the device ledger.
    pub struct DeviceQuery {
        query: "Substring of ledger no., 保密编号, name, model, serials, department, custodian, location or holder (any length).",
        /// 设备类型.
        #[ts(optional)]
        pub kind: Option<String>,
        /// 密级, or 非密 for non-classified devices.
        #[ts(optional)]
        pub level: Option<String>,
        #[ts(optional)]
        pub status: Option<String>,
        #[ts(optional)]
        pub department: Option<String>,
        #[ts(optional)]
        pub custodian: Option<String>,
        /// Only devices out or lent past their due date.
        #[ts(optional)]
        pub overdue: Option<bool>,
        sort: "`id` (default), `serial`, `kind`, `name`, `level`, `department`, `in_service_on`, `due_on`.",
    }
}

/// A page of the device ledger.
pub type DevicePage = crate::page::Page<DeviceView>;

impl DeviceQuery {
    pub fn spec(&self, today: NaiveDate) -> Result<ListSpec> {
        let given = crate::input::given;
        let mut filters = Vec::new();
        if let Some(k) = given(&self.kind) {
            let kind = DeviceKind::parse("kind", &k)?;
            filters.push(Filter::tagged("kind", kind.label(), kind.tag()));
        }
        if let Some(l) = given(&self.level) {
            let level = if l == "非密" {
                None
            } else {
                Some(Level::parse("level", &l)?)
            };
            filters.push(Filter::tagged(
                "level",
                level.map_or("", Level::label),
                level_tag(level),
            ));
        }
        if let Some(s) = given(&self.status) {
            let status = DeviceStatus::parse(&s)?;
            filters.push(Filter::tagged("status", status.code(), status_tag(status)));
        }
        if let Some(d) = given(&self.department) {
            filters.push(Filter::eq("department", d));
        }
        if let Some(c) = given(&self.custodian) {
            filters.push(Filter::eq("custodian", c));
        }
        if self.overdue == Some(true) {
            filters.push(Filter::sql(
                "r.status IN ('out', 'lent') AND r.due_on < ?",
                dates::iso(today),
            ));
        }
        Ok(self.list_spec(filters))
    }
}
