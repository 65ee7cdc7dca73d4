//! The deadline engine: one list, most urgent first, of everything due or overdue in every
//! register, plus the office's own cadence (DESIGN §3: 月核对 monthly, 季检查 quarterly, the
//! leading group's inspection yearly, 年终清退归档 at the year's end, and the backup).
//!
//! Contract: each register declares its deadlines in [`super::REGISTERS`] (`due`), built from
//! its own reminder queries; this module adds the cadence, sorts, and answers
//! [`Session::due`], which the CLI (`baomi due`) and the desktop read. A deadline names its
//! record (register, id, serial) so the window can open it; `days_overdue` is negative while
//! days are left.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use ts_rs::TS;

use crate::dates;
use crate::error::Result;
use crate::vault::roles::Op;
use crate::vault::Session;

/// One thing due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Due {
    /// Stable code of the kind of deadline (`doc_overdue`, `person_review`, `reconcile`…).
    pub kind: String,
    /// What is due, in Chinese (借阅逾期未还, 保密复审到期…).
    pub label: String,
    /// The record's register (`doc`, `device`, `person`), empty for the office's cadence.
    pub register: String,
    #[ts(type = "number | null")]
    pub id: Option<i64>,
    pub serial: String,
    /// The record as people know it: a carrier's title, a device's name, a person's name.
    pub subject: String,
    pub due_on: String,
    /// Days past `due_on` (negative: days left).
    #[ts(type = "number")]
    pub days_overdue: i64,
}

impl Due {
    /// A deadline of a record.
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        kind: &str,
        label: impl Into<String>,
        register: &str,
        id: i64,
        serial: &str,
        subject: &str,
        due_on: NaiveDate,
        today: NaiveDate,
    ) -> Due {
        Due {
            kind: kind.to_string(),
            label: label.into(),
            register: register.to_string(),
            id: Some(id),
            serial: serial.to_string(),
            subject: subject.to_string(),
            due_on: dates::iso(due_on),
            days_overdue: (today - due_on).num_days(),
        }
    }

    fn cadence(kind: &str, label: &str, due_on: NaiveDate, today: NaiveDate) -> Due {
        Due {
            kind: kind.to_string(),
            label: label.to_string(),
            register: String::new(),
            id: None,
            serial: String::new(),
            subject: String::new(),
            due_on: dates::iso(due_on),
            days_overdue: (today - due_on).num_days(),
        }
    }
}

/// The unit setting of how many days a backup may age before it is due again.
pub const BACKUP_DAYS_KEY: &str = "backup_reminder_days";
/// Its default.
pub const DEFAULT_BACKUP_DAYS: i64 = 30;

/// Parses a `YYYY-MM-DD` date of a view (None for anything else).
pub fn day(s: Option<&str>) -> Option<NaiveDate> {
    s.and_then(crate::dates::from_iso)
}

/// The office's cadence: the monthly reconciliation (always listed: by the end of the month
/// after the last one, or of this month when there was none), and the year-end hand-back and
/// archive from December.
fn cadence(s: &Session, today: NaiveDate) -> Result<Vec<Due>> {
    let mut out = Vec::new();
    let last: Option<String> =
        s.conn()
            .query_row("SELECT max(checked_on) FROM reconciliations", [], |r| {
                r.get(0)
            })?;
    let month_end = |d: NaiveDate| {
        let first_next = if d.month() == 12 {
            NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
        };
        first_next.and_then(|f| f.pred_opt()).unwrap_or(d)
    };
    let next = match day(last.as_deref()) {
        // The month after the last check, at its end.
        Some(l) => month_end(month_end(l).succ_opt().unwrap_or(l)),
        None => month_end(today),
    };
    out.push(Due::cadence("reconcile", "涉密载体月核对", next, today));
    // The vault's backup (the 系统管理员's): listed once the last one is older than the days
    // the unit set (default 30), or when there has been none.
    let every: i64 = crate::vault::setting(s.conn(), BACKUP_DAYS_KEY)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_BACKUP_DAYS);
    let last = crate::vault::setting(s.conn(), "last_backup_on").ok();
    let due_on = match day(last.as_deref()) {
        Some(l) => l + chrono::Duration::days(every),
        None => today,
    };
    if due_on <= today {
        let label = match last {
            Some(l) => format!("保密库备份已超过 {every} 天（上次备份：{l}），请系统管理员备份"),
            None => "保密库尚未备份，请系统管理员备份".to_string(),
        };
        out.push(Due::cadence("backup", &label, due_on, today));
    }
    // The quarterly inspection (季检查): by the end of the quarter, or of the next one once this
    // quarter's is recorded.
    let quarter_end = |d: NaiveDate| {
        let last_month = ((d.month() - 1) / 3) * 3 + 3;
        month_end(NaiveDate::from_ymd_opt(d.year(), last_month, 1).unwrap_or(d))
    };
    let last = day(
        crate::vault::setting(s.conn(), OfficeCheck::Quarterly.key())
            .ok()
            .as_deref(),
    );
    let next = match last {
        Some(l) if quarter_end(l) >= quarter_end(today) => {
            quarter_end(quarter_end(l).succ_opt().unwrap_or(l))
        }
        _ => quarter_end(today),
    };
    out.push(Due::cadence(
        "quarterly_check",
        OfficeCheck::Quarterly.label(),
        next,
        today,
    ));
    // The leading group's inspection, at least once a year: listed from October until this
    // year's is recorded.
    let last = day(crate::vault::setting(s.conn(), OfficeCheck::Annual.key())
        .ok()
        .as_deref());
    if today.month() >= 10 && last.is_none_or(|l| l.year() < today.year()) {
        if let Some(end) = NaiveDate::from_ymd_opt(today.year(), 12, 31) {
            out.push(Due::cadence(
                "annual_check",
                OfficeCheck::Annual.label(),
                end,
                today,
            ));
        }
    }
    if today.month() == 12 {
        if let Some(end) = NaiveDate::from_ymd_opt(today.year(), 12, 31) {
            out.push(Due::cadence(
                "year_end",
                "年终清退归档（清退到期载体、归档办结文件）",
                end,
                today,
            ));
        }
    }
    Ok(out)
}

/// An inspection of the office's cadence that the deadline list cannot see done by itself
/// (the monthly check is a reconciliation, the backup a backup): the officer records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficeCheck {
    /// 季检查.
    Quarterly,
    /// 保密工作领导小组年度检查.
    Annual,
}

impl OfficeCheck {
    pub fn parse(s: &str) -> Result<OfficeCheck> {
        match s.trim() {
            "quarterly" | "季检查" => Ok(OfficeCheck::Quarterly),
            "annual" | "年度检查" | "领导小组检查" => Ok(OfficeCheck::Annual),
            other => Err(crate::error::Error::field(
                "kind",
                "检查类型",
                format!("“{other}”无效，应为 quarterly（季检查）或 annual（领导小组年度检查）"),
            )),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            OfficeCheck::Quarterly => "quarterly",
            OfficeCheck::Annual => "annual",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OfficeCheck::Quarterly => "季度保密检查",
            OfficeCheck::Annual => "保密工作领导小组年度检查",
        }
    }

    /// The unit setting holding the day it was last done.
    fn key(self) -> &'static str {
        match self {
            OfficeCheck::Quarterly => "last_quarterly_check_on",
            OfficeCheck::Annual => "last_annual_check_on",
        }
    }
}

impl Session {
    /// Records that the office's `check` was done on `on` (default today; never in the
    /// future), audited: the deadline list then moves it to the next period.
    pub fn record_office_check(&mut self, check: OfficeCheck, on: Option<&str>) -> Result<String> {
        self.require(Op::WriteRegisters)?;
        let on = super::event_date(on, self.today())?;
        let day = dates::iso(on);
        self.write(|w| {
            w.tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [check.key(), &day],
            )?;
            w.audit(
                "office_check",
                check.code(),
                serde_json::json!({ "kind": check.code(), "label": check.label(), "on": day }),
            )
        })?;
        Ok(day)
    }

    /// Sets after how many days without a backup the backup is due again (系统管理员).
    pub fn set_backup_reminder_days(&mut self, days: u32) -> Result<()> {
        self.require(Op::Settings)?;
        if !(1..=365).contains(&days) {
            return Err(crate::error::Error::field(
                "remind_days",
                "备份提醒天数",
                "应在 1 到 365 之间",
            ));
        }
        let value = days.to_string();
        self.write(|w| {
            w.tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [BACKUP_DAYS_KEY, &value],
            )?;
            w.audit(
                "settings_set",
                BACKUP_DAYS_KEY,
                serde_json::json!({ "new": days }),
            )
        })
    }

    /// Everything due or overdue in every register and the office's cadence, most urgent
    /// (most overdue, then nearest) first.
    pub fn due(&mut self) -> Result<Vec<Due>> {
        self.require(Op::ReadRegisters)?;
        let today = self.today();
        let mut all = Vec::new();
        for r in super::REGISTERS {
            all.extend((r.due)(self)?);
        }
        all.extend(cadence(self, today)?);
        all.sort_by(|a, b| {
            b.days_overdue
                .cmp(&a.days_overdue)
                .then_with(|| a.kind.cmp(&b.kind))
                .then_with(|| a.serial.cmp(&b.serial))
        });
        Ok(all)
    }
}
