//! The classified device ledger (涉密信息设备台账): computers, laptops, removable media,
//! printers, copiers, scanners, fax machines and cameras, with check-out (外出审核),
//! maintenance and disposal (维护淘汰), removable-media issue and loans, and inspections.
//!
//! Contract: registration and every action go through the generic [`Session::register`] and
//! [`Session::act`] (role check, one transaction, event + projection + audit); the methods
//! here only name them for the device ledger and add what is the ledger's own — lookup by
//! 保密编号, the reminders of the home screen, and the unit's inspection intervals.

pub mod columns;
pub mod model;
pub mod rules;
pub mod store;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use model::*;
pub use rules::{DeviceEvent, Devices, MaintenanceKind};
pub use store::{DevicePage, DeviceQuery, DeviceView};

use crate::dates;
use crate::error::{Error, Result};
use crate::registers::{table, Projection, Register};
use crate::vault::roles::Op;
use crate::vault::Session;

/// Devices that count for the vault's highest level: classified and not disposed of.
pub const HELD: &str = "r.classified = 1 AND r.status NOT IN ('retired', 'destroyed')";

/// What the person named `?1` still holds: devices and media they are responsible for (an
/// issued medium's custodian is the person it is issued to) and those out with them or lent
/// to them.
pub const HELD_BY: &str = "SELECT id, serial, name, status,
        CASE WHEN holder = ?1 AND status = 'out' THEN '使用人'
             WHEN holder = ?1 AND status = 'lent' THEN '借用人'
             ELSE '责任人' END
    FROM devices
    WHERE status NOT IN ('retired', 'destroyed')
      AND (custodian = ?1 OR (holder = ?1 AND status IN ('out', 'lent')))
    ORDER BY id";

/// The names in charge of devices in service (custodians, and users or borrowers now).
pub const PEOPLE: &str = "SELECT custodian AS n FROM devices
    WHERE status NOT IN ('retired', 'destroyed')
    UNION SELECT holder FROM devices WHERE status IN ('out', 'lent')";

/// Days between two inspections of a device kind (the unit may change them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct InspectionInterval {
    pub kind: DeviceKind,
    pub days: u32,
}

/// The default interval: removable media monthly (月核对), everything else quarterly (季检查).
pub fn default_interval(kind: DeviceKind) -> u32 {
    match kind {
        DeviceKind::RemovableMedia => 30,
        _ => 90,
    }
}

/// A device whose periodic inspection is due.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct InspectionDue {
    pub device: DeviceView,
    /// The day it fell due.
    pub due_on: String,
    #[ts(type = "number")]
    pub days_overdue: i64,
}

/// What is due on the home screen for devices.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct DeviceReminders {
    /// Out (外出) or lent (借用) past the due date, most overdue first.
    pub overdue: Vec<DeviceView>,
    #[ts(type = "number")]
    pub overdue_total: i64,
    /// Periodic inspections due, most overdue first.
    pub inspections: Vec<InspectionDue>,
    #[ts(type = "number")]
    pub inspections_total: i64,
}

const INTERVALS_KEY: &str = "device_inspection_days";

/// The device ledger's deadlines: check-outs and loans past due, periodic inspections due.
pub fn due(s: &mut Session) -> Result<Vec<crate::registers::due::Due>> {
    use crate::registers::due::{day, Due};
    let r = s.device_reminders()?;
    let today = s.today();
    let mut out = Vec::new();
    for v in &r.overdue {
        if let Some(d) = day(v.holding.as_ref().map(|h| h.due_on.as_str())) {
            let label = format!("{}逾期未还", v.status_label);
            out.push(Due::record(
                "device_overdue",
                label,
                "device",
                v.id,
                &v.serial,
                &v.name,
                d,
                today,
            ));
        }
    }
    for i in &r.inspections {
        if let Some(d) = day(Some(&i.due_on)) {
            let v = &i.device;
            out.push(Due::record(
                "device_inspection",
                format!("{}定期检查到期", v.kind.label()),
                "device",
                v.id,
                &v.serial,
                &v.name,
                d,
                today,
            ));
        }
    }
    Ok(out)
}

/// The device ledger's part of the year-end statistics: devices and media now by type and
/// status, and the year's procedures (check-outs, repairs, transfers, loans, inspections,
/// disposals).
pub fn stats(conn: &rusqlite::Connection, year: i32) -> Result<Vec<super::stats::StatTable>> {
    use super::stats::{count_column, crosstab};
    use super::Choice;
    let kinds: Vec<Choice> = DeviceKind::ALL
        .iter()
        .map(|k| Choice::new(k.label(), k.label()))
        .collect();
    let procedures = [
        Choice::new("checked_out", "外出（外出审核）"),
        Choice::new("maintained", "维修"),
        Choice::new("transferred", "变更责任人"),
        Choice::new("lent", "介质借用"),
        Choice::new("inspected", "保密检查"),
        Choice::new("destroyed", "报废销毁"),
    ];
    let year = year.to_string();
    Ok(vec![
        crosstab(
            conn,
            Devices::NAME,
            "当前涉密设备和介质（按类型和状态）",
            "SELECT kind, status, count(*) FROM devices GROUP BY kind, status",
            &[],
            &kinds,
            &Devices::statuses(),
        )?,
        crosstab(
            conn,
            Devices::NAME,
            "年度设备手续",
            "SELECT kind, 'n', count(*) FROM events
             WHERE register = 'device' AND substr(occurred_on, 1, 4) = ?1 GROUP BY kind",
            &[&year],
            &procedures,
            &count_column(),
        )?,
    ])
}

/// The devices' part of the home screen's figures: classified devices and media in service by
/// level, by their department and by status, and the events of the last twelve months.
pub fn figures(
    conn: &rusqlite::Connection,
    today: chrono::NaiveDate,
) -> Result<Vec<super::figures::Figure>> {
    use super::figures::Figure;
    // The statuses of a device still held (`HELD`).
    let held = [
        DeviceStatus::InUse,
        DeviceStatus::Out,
        DeviceStatus::Lent,
        DeviceStatus::InRepair,
        DeviceStatus::Idle,
    ];
    let statuses: Vec<super::Choice> = held
        .iter()
        .map(|s| super::Choice::new(s.code(), s.label()))
        .collect();
    Ok(vec![
        Figure::by_level(
            conn,
            Devices::NAME,
            "涉密设备",
            &format!("SELECT r.level, 'n', count(*) FROM devices r WHERE {HELD} GROUP BY r.level"),
        )?,
        Figure::by_department(
            conn,
            "涉密设备",
            &format!(
                "SELECT r.department, count(*) FROM devices r WHERE {HELD} GROUP BY r.department"
            ),
        )?,
        Figure::by_status(
            conn,
            Devices::NAME,
            ("device_status", "在用涉密设备（按状态）"),
            &statuses,
            &format!(
                "SELECT r.status, 'n', count(*) FROM devices r WHERE {HELD} GROUP BY r.status"
            ),
        )?,
        Figure::movements(
            conn,
            Devices::NAME,
            today,
            "SELECT CASE kind WHEN 'registered' THEN 'registered' WHEN 'checked_out' THEN 'out'
                    WHEN 'lent' THEN 'lent' WHEN 'checked_in' THEN 'returned'
                    WHEN 'given_back' THEN 'returned' WHEN 'destroyed' THEN 'destroyed'
                    ELSE 'other' END,
                    substr(occurred_on, 1, 7), count(*)
             FROM events
             WHERE register = 'device' AND occurred_on BETWEEN ?1 AND ?2
               AND kind NOT IN ('corrected', '_adopted')
             GROUP BY 1, 2",
        )?,
    ])
}

impl Session {
    /// Registers a device; returns it with its ledger number and status.
    pub fn device_add(&mut self, input: &DeviceInput) -> Result<DeviceView> {
        self.register::<Devices>(input)
    }

    /// One device with its whole history.
    pub fn device_show(&mut self, id: i64) -> Result<DeviceView> {
        let (mut v, history) = self.show::<Devices>(id)?;
        v.history = Some(history);
        Ok(v)
    }

    /// Finds a device by id, ledger number or 保密编号.
    pub fn device_resolve(&mut self, key: &str) -> Result<i64> {
        if let Ok(id) = self.resolve::<Devices>(key) {
            return Ok(id);
        }
        let id: Option<i64> = self
            .conn()
            .query_row(
                "SELECT id FROM devices WHERE label_no = ?1 AND label_no <> '' ORDER BY id LIMIT 1",
                [key.trim()],
                |r| r.get(0),
            )
            .ok();
        id.ok_or_else(|| Error::not_found(format!("没有编号为“{key}”的设备")))
    }

    pub fn device_list(&mut self, q: &DeviceQuery) -> Result<DevicePage> {
        let spec = q.spec(self.today())?;
        self.list::<Devices>(&spec)
    }

    /// Every device matching `q`'s filters (paging ignored), up to `max`: for listings.
    pub fn device_list_all(&mut self, q: &DeviceQuery, max: u32) -> Result<DevicePage> {
        let spec = q.spec(self.today())?.all(max);
        self.list::<Devices>(&spec)
    }

    /// Runs action `kind` on device `id` with its JSON input.
    pub fn device_act(
        &mut self,
        id: i64,
        kind: &str,
        input: serde_json::Value,
    ) -> Result<DeviceView> {
        self.act::<Devices>(id, kind, input)
    }

    /// The book of one procedure across the ledger, newest first: `checkout` (外出 and their
    /// returns) or `maintenance` (维护淘汰 and repairs done).
    pub fn device_book(
        &mut self,
        book: &str,
        offset: Option<u32>,
        limit: Option<u32>,
    ) -> Result<crate::page::Page<crate::registers::LoggedEvent>> {
        let kinds: &[&str] = match book {
            "checkout" => &["checked_out", "checked_in"],
            "maintenance" => &["maintained", "repaired"],
            "media" => &["issued", "lent", "given_back"],
            other => {
                return Err(Error::field(
                    "book",
                    "登记簿",
                    format!("“{other}”无效，应为 checkout、maintenance 或 media"),
                ))
            }
        };
        self.event_log::<Devices>(kinds, offset, limit)
    }

    /// The unit's inspection interval for every device kind: read by those who work the
    /// registers and by the 系统管理员 who sets them.
    pub fn device_inspection_intervals(&mut self) -> Result<Vec<InspectionInterval>> {
        let op = if crate::vault::roles::allows(self.role(), Op::Settings) {
            Op::Settings
        } else {
            Op::ReadRegisters
        };
        self.require(op)?;
        self.intervals()
    }

    fn intervals(&self) -> Result<Vec<InspectionInterval>> {
        let set: Vec<InspectionInterval> = crate::vault::setting(self.conn(), INTERVALS_KEY)
            .ok()
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default();
        Ok(DeviceKind::ALL
            .into_iter()
            .map(|kind| InspectionInterval {
                kind,
                days: set
                    .iter()
                    .find(|i| i.kind == kind)
                    .map_or(default_interval(kind), |i| i.days),
            })
            .collect())
    }

    /// Sets the inspection interval of one device kind (系统管理员, a unit setting).
    pub fn set_device_inspection_interval(&mut self, kind: &str, days: u32) -> Result<()> {
        self.require(Op::Settings)?;
        let kind = DeviceKind::parse("kind", kind)?;
        if !(1..=366).contains(&days) {
            return Err(Error::field("days", "检查周期（天）", "应在 1 到 366 之间"));
        }
        let mut all = self.intervals()?;
        for i in &mut all {
            if i.kind == kind {
                i.days = days;
            }
        }
        let json = serde_json::to_string(&all).map_err(|e| Error::internal(e.to_string()))?;
        self.write(|w| {
            w.tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [INTERVALS_KEY, &json],
            )?;
            w.audit(
                "settings_set",
                INTERVALS_KEY,
                serde_json::json!({ "kind": kind.label(), "days": days }),
            )
        })
    }

    /// What is due: overdue check-outs and loans, inspections due.
    pub fn device_reminders(&mut self) -> Result<DeviceReminders> {
        self.require(Op::ReadRegisters)?;
        let today = self.today();
        let t = dates::iso(today);
        let (overdue, overdue_total) = table::where_states::<Devices>(
            self.conn(),
            "r.status IN ('out', 'lent') AND r.due_on < ?1",
            &t,
            "r.due_on",
            100,
        )?;
        let mut inspections = Vec::new();
        let mut inspections_total = 0;
        for i in self.intervals()? {
            let since = dates::iso(today - chrono::Duration::days(i64::from(i.days)));
            let (states, total) = table::where_states::<Devices>(
                self.conn(),
                &format!(
                    "r.kind = '{}' AND r.status IN ('in_use', 'idle') AND r.inspected_on <= ?1",
                    i.kind.label()
                ),
                &since,
                "r.inspected_on",
                100,
            )?;
            inspections_total += total;
            for s in states {
                let due = store::inspected_on(&s) + chrono::Duration::days(i64::from(i.days));
                inspections.push(InspectionDue {
                    device: Devices::view(&s, today),
                    due_on: dates::iso(due),
                    days_overdue: (today - due).num_days(),
                });
            }
        }
        inspections.sort_by_key(|d| -d.days_overdue);
        inspections.truncate(100);
        Ok(DeviceReminders {
            overdue: overdue.iter().map(|s| Devices::view(s, today)).collect(),
            overdue_total,
            inspections,
            inspections_total,
        })
    }
}
