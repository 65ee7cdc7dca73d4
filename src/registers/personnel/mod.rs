//! The personnel register (涉密人员登记): secret-related people, their reviews, trainings and
//! commitment letters (保密承诺书), the pre-post gate, leaving the post with its 脱密期, and the
//! hand-back gate (seed 003 涉密人员管理, seed 000 §四(五)).
//!
//! Contract: registration and every action go through the generic [`Session::register`] and
//! [`Session::act`]; the methods here only name them and add what is the register's own:
//! - [`admit`], the pre-post gate every register consults (through `WriteCtx::record` and
//!   [`crate::registers::Register::assigns`]) before a person is put in charge of a record: a
//!   registered person must be on post with the latest review passed, or hold an open
//!   exception; a name nobody in this register bears is let through and listed by
//!   [`Session::person_unregistered`] for the officer to register — nothing already written is
//!   changed or hidden;
//! - [`held_by`], what a person still holds in every other register (each declares its own
//!   query in [`crate::registers::REGISTERS`]), which refuses leaving the post;
//! - the unit's review intervals and 脱密期 lengths per class, and the reminders.
//!
//! Names are the link: a person's name is unique in this register and is what the carrier
//! and device registers record as custodian, borrower or user.

pub mod columns;
pub mod model;
pub mod rules;
pub mod store;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use model::*;
pub use rules::{PersonEvent, Persons};
pub use store::{Held, PersonPage, PersonQuery, PersonView};

use crate::dates;
use crate::error::{Error, Result};
use crate::registers::{table, Projection, Register, REGISTERS};
use crate::vault::roles::Op;
use crate::vault::Session;

/// The template every kind of 保密承诺书 is printed from.
pub const PLEDGE_TEMPLATE: &str = "person-pledge.typ";

const REVIEW_YEARS_KEY: &str = "person_review_years";
const COOLING_MONTHS_KEY: &str = "person_cooling_months";

/// The person of this register bearing `name`, if any.
pub fn person_named(conn: &Connection, name: &str) -> Result<Option<PersonState>> {
    let json: Option<String> = conn
        .prepare_cached("SELECT state FROM persons WHERE name = ?1")?
        .query_row([name.trim()], |r| r.get(0))
        .optional()?;
    json.map(|j| {
        serde_json::from_str(&j)
            .map_err(|e| Error::integrity(format!("人员“{name}”的状态已损坏：{e}")))
    })
    .transpose()
}

/// Refuses linking a person to an app account that does not exist or is an administrator's
/// (三员 are not secret-related staff of the registers).
pub fn check_account(conn: &Connection, field: &str, account: &str) -> Result<()> {
    if account.is_empty() {
        return Ok(());
    }
    let role: Option<Option<String>> = conn
        .query_row(
            "SELECT role FROM accounts WHERE name = ?1",
            [account],
            |r| r.get(0),
        )
        .optional()?;
    match role {
        None => Err(Error::field(
            field,
            "登录账户",
            format!("没有名为“{account}”的登录账户"),
        )),
        Some(Some(r)) if matches!(r.as_str(), "admin" | "secadmin" | "auditor") => {
            Err(Error::field(
                field,
                "登录账户",
                format!("“{account}”是管理员账户，不能关联到涉密人员"),
            ))
        }
        Some(_) => Ok(()),
    }
}

/// The pre-post gate: may `name` be put in charge (as `label`, input field `field`) now?
pub fn admit(conn: &Connection, field: &str, label: &str, name: &str) -> Result<()> {
    let Some(person) = person_named(conn, name)? else {
        return Ok(());
    };
    store::admissible(&person).map_err(|why| {
        Error::field(
            field,
            label,
            format!(
                "{} 尚不能担任{label}：{}。涉密人员上岗前须经保密审查、通过保密培训并签订上岗保密承诺书（涉密人员管理第三条、第四条）；确需例外的，请在人员台账登记经批准的准入例外",
                person.fields.name,
                why.join("、")
            ),
        )
    })
}

/// Everything `name` still holds in the other registers, each register answering by its own
/// declared query.
pub fn held_by(conn: &Connection, name: &str) -> Result<Vec<Held>> {
    let mut out = Vec::new();
    for r in REGISTERS {
        let Some(sql) = r.held_by else { continue };
        let statuses = (r.statuses)();
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([name.trim()], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
            ))
        })?;
        for row in rows {
            let (id, serial, title, status, capacity) = row?;
            out.push(Held {
                register: r.name.to_string(),
                noun: r.noun.to_string(),
                id,
                serial,
                title,
                status_label: statuses
                    .iter()
                    .find(|c| c.value == status)
                    .map_or(status.clone(), |c| c.label.clone()),
                capacity,
            });
        }
    }
    Ok(out)
}

/// A record that was in a person's charge: its id, and the day of the first event after the
/// last one that put them in charge (when it left their hands), if any.
pub type Assigned = (i64, Option<String>);

/// The records of `R` whose events put `name` in charge ([`Register::assigns`]), each with
/// the day of the first event after the last one that did (None: nothing happened since).
pub fn assigned_records<R: Register>(conn: &Connection, name: &str) -> Result<Vec<Assigned>> {
    let name = name.trim();
    let needle = serde_json::to_string(name).map_err(|e| Error::internal(e.to_string()))?;
    let mut stmt = conn.prepare(
        "SELECT record_id, occurred_on, data FROM events
         WHERE register = ?1 AND kind <> '_adopted' AND record_id IN
            (SELECT record_id FROM events WHERE register = ?1 AND instr(data, ?2) > 0)
         ORDER BY record_id, id",
    )?;
    let rows = stmt
        .query_map([R::NAME, needle.as_str()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out: Vec<(i64, Option<String>)> = Vec::new();
    // Per record: whether it was ever assigned, and whether an event came after.
    let mut current: Option<(i64, bool, Option<String>)> = None;
    let mut flush = |c: Option<(i64, bool, Option<String>)>| {
        if let Some((id, true, left)) = c {
            out.push((id, left));
        }
    };
    for (id, on, data) in rows {
        let event: R::Event = serde_json::from_str(&data)
            .map_err(|e| Error::integrity(format!("{} {id} 的事件已损坏：{e}", R::NOUN)))?;
        let names_them = R::assigns(&event).iter().any(|(_, _, n)| n.trim() == name);
        match &mut current {
            Some((cid, assigned, left)) if *cid == id => {
                if names_them {
                    *assigned = true;
                    *left = None;
                } else if *assigned && left.is_none() {
                    *left = Some(on);
                }
            }
            _ => {
                flush(current.take());
                current = Some((id, names_them, None));
            }
        }
    }
    flush(current);
    Ok(out)
}

/// Something of another register a person was in charge of, for the hand-back checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Handled {
    pub noun: String,
    pub serial: String,
    pub title: String,
    /// 密级 as recorded (empty for a non-classified device).
    pub level: String,
    /// 责任人, 借阅人, …; 经手 for what they no longer hold.
    pub capacity: String,
    pub status_label: String,
    /// The day it left their hands; None while they still hold it (未清退).
    #[ts(type = "string | null")]
    pub returned_on: Option<String>,
}

/// Everything of the other registers `name` was ever put in charge of: what they still hold
/// first, then what they handed on, each with the day.
pub fn handled_by(conn: &Connection, name: &str) -> Result<Vec<Handled>> {
    let held = held_by(conn, name)?;
    let mut out = Vec::new();
    for r in REGISTERS {
        if r.held_by.is_none() {
            continue;
        }
        let statuses = (r.statuses)();
        for (id, left) in (r.assigned)(conn, name)? {
            let (serial, title, status, level): (String, String, String, String) = conn.query_row(
                &format!(
                    "SELECT serial, {}, status, level FROM {} WHERE id = ?1",
                    r.title, r.table
                ),
                [id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )?;
            let holding = held.iter().find(|h| h.register == r.name && h.id == id);
            out.push(Handled {
                noun: r.noun.to_string(),
                serial,
                title,
                level,
                capacity: holding.map_or("经手".to_string(), |h| h.capacity.clone()),
                status_label: statuses
                    .iter()
                    .find(|c| c.value == status)
                    .map_or(status.clone(), |c| c.label.clone()),
                returned_on: if holding.is_some() { None } else { left },
            });
        }
    }
    out.sort_by_key(|h| h.returned_on.is_some());
    Ok(out)
}

/// Refuses leaving the post while anything is still held, listing each item (第八条).
pub fn refuse_while_holding(conn: &Connection, s: &PersonState) -> Result<()> {
    let held = held_by(conn, &s.fields.name)?;
    if held.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = held
        .iter()
        .map(|h| {
            format!(
                "{} {}《{}》（{}，{}）",
                h.noun, h.serial, h.title, h.capacity, h.status_label
            )
        })
        .collect();
    Err(Error::rule(format!(
        "{} 还有 {} 项未清退，须先清退个人承办、保管的密件和设备，方可办理离岗手续（涉密人员管理第八条）：{}",
        s.fields.name,
        held.len(),
        list.join("；")
    )))
}

/// The template version a letter is printed from: the built-in one, or the unit's with the
/// first digits of its SHA-256 and the day it was loaded.
pub fn template_version(
    conn: &Connection,
    kind: &str,
    _input: &serde_json::Value,
) -> Result<String> {
    if !matches!(kind, "pledge" | "offboard") {
        return Ok(String::new());
    }
    let custom: Option<(String, String)> = conn
        .query_row(
            "SELECT sha256, added_at FROM print_assets WHERE kind = 'template' AND name = ?1",
            [PLEDGE_TEMPLATE],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match custom {
        None => "内置模板".to_string(),
        Some((sha, at)) => format!(
            "单位模板 {}（{}）",
            &sha[..sha.len().min(12)],
            at.get(..10).unwrap_or(&at)
        ),
    })
}

/// A class's number (years between reviews, months of 脱密期) as the unit set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct ClassPeriods {
    pub class: PersonClass,
    pub class_label: String,
    /// Years between two 保密审查 (第五条: 每年定期或不定期联合检查).
    pub review_years: u32,
    /// Months of 脱密期 when leaving (6–36, 第七条).
    pub cooling_months: u32,
}

fn class_setting(conn: &Connection, key: &str, class: PersonClass, default: u32) -> u32 {
    crate::vault::setting(conn, key)
        .ok()
        .and_then(|j| serde_json::from_str::<std::collections::BTreeMap<String, u32>>(&j).ok())
        .and_then(|m| m.get(class.code()).copied())
        .unwrap_or(default)
}

/// The unit's 脱密期 for `class`, in months.
pub fn cooling_months_of(conn: &Connection, class: PersonClass) -> Result<u32> {
    Ok(class_setting(
        conn,
        COOLING_MONTHS_KEY,
        class,
        class.default_cooling_months(),
    ))
}

fn periods(conn: &Connection) -> Vec<ClassPeriods> {
    PersonClass::ALL
        .iter()
        .map(|&class| ClassPeriods {
            class,
            class_label: class.label().to_string(),
            review_years: class_setting(
                conn,
                REVIEW_YEARS_KEY,
                class,
                class.default_review_years(),
            ),
            cooling_months: class_setting(
                conn,
                COOLING_MONTHS_KEY,
                class,
                class.default_cooling_months(),
            ),
        })
        .collect()
}

/// What an event does outside the register: leaving the post marks the person's app
/// account, so it stops working for register business that day and the 系统管理员 sees it
/// listed to disable.
pub fn after_event(conn: &Connection, next: &PersonState, e: &PersonEvent) -> Result<()> {
    if let PersonEvent::Offboarded { leaving, .. } = e {
        if !next.fields.account.is_empty() {
            conn.execute(
                "UPDATE accounts SET person_left_on = ?2 WHERE name = ?1",
                rusqlite::params![next.fields.account, leaving.on],
            )?;
        }
    }
    Ok(())
}

/// A person with a date that is due or nearly due.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct PersonDue {
    pub person: PersonView,
    pub due_on: String,
    /// Negative: days left.
    #[ts(type = "number")]
    pub days_overdue: i64,
}

/// What is due for people, for the home screen.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct PersonReminders {
    /// Periodic review (联合检查) due within 30 days or overdue.
    pub reviews_due: Vec<PersonDue>,
    /// Annual letter due within 30 days or overdue.
    pub letters_due: Vec<PersonDue>,
    /// 拟上岗 people and what they still lack.
    pub not_cleared: Vec<PersonView>,
    /// 脱密期 ending within 30 days or ended (脱密期满 to record).
    pub cooling_ending: Vec<PersonDue>,
    /// Open exceptions to the pre-post gate.
    pub exceptions_open: Vec<PersonView>,
    /// Names in charge of records that nobody in the register bears.
    pub unregistered: Vec<String>,
}

/// The personnel register's deadlines: reviews, annual letters, 脱密期 ending, people not yet
/// cleared for their post, exceptions still open.
pub fn due(s: &mut Session) -> Result<Vec<crate::registers::due::Due>> {
    use crate::registers::due::{day, Due};
    let r = s.person_reminders()?;
    let today = s.today();
    let mut out = Vec::new();
    let lists: [(&[PersonDue], &str, &str); 3] = [
        (&r.reviews_due, "person_review", "保密复审（联合检查）到期"),
        (&r.letters_due, "person_letter", "年度保密承诺书到期"),
        (
            &r.cooling_ending,
            "person_cooling",
            "脱密期届满，登记脱密期满",
        ),
    ];
    for (list, kind, label) in lists {
        for d in list {
            if let Some(on) = day(Some(&d.due_on)) {
                let p = &d.person;
                out.push(Due::record(
                    kind, label, "person", p.id, &p.serial, &p.name, on, today,
                ));
            }
        }
    }
    for p in &r.not_cleared {
        let label = format!("未完成上岗手续：{}", p.missing.join("、"));
        out.push(Due::record(
            "person_not_cleared",
            label,
            "person",
            p.id,
            &p.serial,
            &p.name,
            today,
            today,
        ));
    }
    for p in &r.exceptions_open {
        if let Some(since) = day(p.exception.as_ref().map(|e| e.since.as_str())) {
            out.push(Due::record(
                "person_exception",
                "准入例外未结束",
                "person",
                p.id,
                &p.serial,
                &p.name,
                since,
                today,
            ));
        }
    }
    Ok(out)
}

/// How far ahead the reminders look.
const AHEAD_DAYS: i64 = 30;

/// The personnel register's part of the year-end statistics: people now by class and status,
/// and the year's letters by kind (the 离岗 letter signed with the off-boarding included),
/// reviews and trainings.
pub fn stats(conn: &Connection, year: i32) -> Result<Vec<super::stats::StatTable>> {
    use super::stats::{count_column, crosstab};
    use super::Choice;
    let year = year.to_string();
    let mut work = Choice::all(PledgeKind::ALL, PledgeKind::code, PledgeKind::label)
        .into_iter()
        .map(|c| Choice::new(&c.value, &format!("签订{}承诺书", c.label)))
        .collect::<Vec<_>>();
    work.extend([
        Choice::new("reviewed", "保密审查"),
        Choice::new("trained", "保密培训（人次）"),
        Choice::new("passed", "培训合格（人次）"),
    ]);
    Ok(vec![
        crosstab(
            conn,
            Persons::NAME,
            "当前涉密人员（按类别和状态）",
            "SELECT class, status, count(*) FROM persons GROUP BY class, status",
            &[],
            &Choice::all(PersonClass::ALL, PersonClass::code, PersonClass::label),
            &Persons::statuses(),
        )?,
        crosstab(
            conn,
            Persons::NAME,
            "年度承诺书、审查和培训",
            "SELECT json_extract(data, '$.pledge.pledge'), 'n', count(*) FROM events
             WHERE register = 'person' AND kind IN ('pledged', 'offboarded')
               AND substr(occurred_on, 1, 4) = ?1 GROUP BY 1
             UNION ALL
             SELECT kind, 'n', count(*) FROM events
             WHERE register = 'person' AND kind IN ('reviewed', 'trained')
               AND substr(occurred_on, 1, 4) = ?1 GROUP BY kind
             UNION ALL
             SELECT 'passed', 'n', count(*) FROM events
             WHERE register = 'person' AND kind = 'trained'
               AND json_extract(data, '$.training.passed') AND substr(occurred_on, 1, 4) = ?1",
            &[&year],
            &work,
            &count_column(),
        )?,
    ])
}

/// The personnel register's part of the home screen's figures: the people it still manages
/// (拟上岗, 在岗, 脱密期) by department and by status, and its events of the last twelve months
/// (registrations as 登记, everything else as 人员手续).
pub fn figures(conn: &Connection, today: NaiveDate) -> Result<Vec<super::figures::Figure>> {
    use super::figures::Figure;
    const CURRENT: &str = "status IN ('candidate', 'on_post', 'cooling')";
    let current = [
        PersonStatus::Candidate,
        PersonStatus::OnPost,
        PersonStatus::Cooling,
    ];
    let statuses: Vec<super::Choice> = current
        .iter()
        .map(|s| super::Choice::new(s.code(), s.label()))
        .collect();
    Ok(vec![
        Figure::by_department(
            conn,
            "涉密人员",
            &format!(
                "SELECT department, count(*) FROM persons WHERE {CURRENT} GROUP BY department"
            ),
        )?,
        Figure::by_status(
            conn,
            Persons::NAME,
            ("person_status", "涉密人员（按状态）"),
            &statuses,
            &format!("SELECT status, 'n', count(*) FROM persons WHERE {CURRENT} GROUP BY status"),
        )?,
        Figure::movements(
            conn,
            Persons::NAME,
            today,
            "SELECT CASE kind WHEN 'registered' THEN 'registered' ELSE 'personnel' END,
                    substr(occurred_on, 1, 7), count(*)
             FROM events
             WHERE register = 'person' AND occurred_on BETWEEN ?1 AND ?2
               AND kind NOT IN ('corrected', '_adopted')
             GROUP BY 1, 2",
        )?,
    ])
}

impl Session {
    /// Registers a person (拟上岗); returns them with their serial.
    pub fn person_add(&mut self, input: &PersonInput) -> Result<PersonView> {
        self.register::<Persons>(input)
    }

    /// One person with what they hold now and their whole history.
    pub fn person_show(&mut self, id: i64) -> Result<PersonView> {
        let (mut v, history) = self.show::<Persons>(id)?;
        v.history = Some(history);
        v.holdings = Some(held_by(self.conn(), &v.name)?);
        Ok(v)
    }

    /// Finds a person by id, serial or name.
    pub fn person_resolve(&mut self, key: &str) -> Result<i64> {
        if let Ok(id) = self.resolve::<Persons>(key) {
            return Ok(id);
        }
        person_named(self.conn(), key)?
            .map(|p| p.id)
            .ok_or_else(|| Error::not_found(format!("人员台账中没有“{key}”")))
    }

    pub fn person_list(&mut self, q: &PersonQuery) -> Result<PersonPage> {
        let spec = q.spec()?;
        self.list::<Persons>(&spec)
    }

    /// Every person matching `q`'s filters (paging ignored), up to `max`: for listings.
    pub fn person_list_all(&mut self, q: &PersonQuery, max: u32) -> Result<PersonPage> {
        let spec = q.spec()?.all(max);
        self.list::<Persons>(&spec)
    }

    /// Runs action `kind` on person `id` with its JSON input.
    pub fn person_act(
        &mut self,
        id: i64,
        kind: &str,
        input: serde_json::Value,
    ) -> Result<PersonView> {
        self.act::<Persons>(id, kind, input)
    }

    /// The unit's review interval and 脱密期 per class: read by those who work the registers
    /// and by the 系统管理员 who sets them.
    pub fn person_periods(&mut self) -> Result<Vec<ClassPeriods>> {
        let op = if crate::vault::roles::allows(self.role(), Op::Settings) {
            Op::Settings
        } else {
            Op::ReadRegisters
        };
        self.require(op)?;
        Ok(periods(self.conn()))
    }

    /// Sets one class's review interval (1–5 years) and 脱密期 (6–36 months): a unit setting
    /// of the 系统管理员.
    pub fn set_person_periods(
        &mut self,
        class: &str,
        review_years: u32,
        cooling_months: u32,
    ) -> Result<Vec<ClassPeriods>> {
        self.require(Op::Settings)?;
        let class = PersonClass::parse("class", class)?;
        if !(1..=5).contains(&review_years) {
            return Err(Error::field(
                "review_years",
                "复审周期（年）",
                "应在 1 到 5 年之间",
            ));
        }
        rules::cooling_months(cooling_months)?;
        let mut all = periods(self.conn());
        for p in &mut all {
            if p.class == class {
                p.review_years = review_years;
                p.cooling_months = cooling_months;
            }
        }
        let map = |f: fn(&ClassPeriods) -> u32| {
            let m: std::collections::BTreeMap<&str, u32> =
                all.iter().map(|p| (p.class.code(), f(p))).collect();
            serde_json::to_string(&m).map_err(|e| Error::internal(e.to_string()))
        };
        let (years, months) = (map(|p| p.review_years)?, map(|p| p.cooling_months)?);
        self.write(|w| {
            for (key, value) in [(REVIEW_YEARS_KEY, &years), (COOLING_MONTHS_KEY, &months)] {
                w.tx.execute(
                    "INSERT INTO settings (key, value) VALUES (?1, ?2)
                     ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [key, value],
                )?;
            }
            w.audit(
                "settings_set",
                "person_periods",
                serde_json::json!({ "class": class.label(), "review_years": review_years, "cooling_months": cooling_months }),
            )
        })?;
        Ok(all)
    }

    /// Names in charge of records (custodians, borrowers, users) that no person of this
    /// register bears: what a unit's free-text names left to register.
    pub fn person_unregistered(&mut self) -> Result<Vec<String>> {
        self.require(Op::ReadRegisters)?;
        let mut names = std::collections::BTreeSet::new();
        for r in REGISTERS {
            let Some(sql) = r.people else { continue };
            let mut stmt = self.conn().prepare(&format!(
                "SELECT DISTINCT n FROM ({sql}) WHERE n IS NOT NULL AND n <> ''
                 AND n NOT IN (SELECT name FROM persons)"
            ))?;
            for n in stmt.query_map([], |row| row.get::<_, String>(0))? {
                names.insert(n?);
            }
        }
        Ok(names.into_iter().collect())
    }

    /// What is due for people: reviews, annual letters, 脱密期 ending, people not cleared,
    /// open exceptions, unregistered names.
    pub fn person_reminders(&mut self) -> Result<PersonReminders> {
        self.require(Op::ReadRegisters)?;
        let today = self.today();
        let horizon = today + chrono::Duration::days(AHEAD_DAYS);
        let due = |p: &PersonState, due: NaiveDate| PersonDue {
            person: Persons::view(p, today),
            due_on: dates::iso(due),
            days_overdue: (today - due).num_days(),
        };
        let mut reviews_due = Vec::new();
        for p in periods(self.conn()) {
            let since = dates::iso(sub_years(horizon, p.review_years));
            let (states, _) = table::where_states::<Persons>(
                self.conn(),
                &format!(
                    "r.class = '{}' AND r.status = 'on_post' AND r.reviewed_on <= ?1",
                    p.class.code()
                ),
                &since,
                "r.reviewed_on",
                100,
            )?;
            for s in states {
                let last = store::reviewed_on(&s).and_then(|d| dates::parse("on", "", d).ok());
                if let Some(last) = last {
                    reviews_due.push(due(&s, dates::add_years(last, p.review_years)));
                }
            }
        }
        reviews_due.sort_by_key(|d| -d.days_overdue);
        let (states, _) = table::where_states::<Persons>(
            self.conn(),
            "r.status = 'on_post' AND r.pledged_on <= ?1",
            &dates::iso(sub_years(horizon, 1)),
            "r.pledged_on",
            100,
        )?;
        let letters_due = states
            .iter()
            .filter_map(|s| {
                let last = dates::parse("on", "", store::pledged_on(s)?).ok()?;
                Some(due(s, dates::add_years(last, 1)))
            })
            .collect();
        let (states, _) = table::where_states::<Persons>(
            self.conn(),
            "r.status = 'cooling' AND r.cooling_ends_on <= ?1",
            &dates::iso(horizon),
            "r.cooling_ends_on",
            100,
        )?;
        let cooling_ending = states
            .iter()
            .filter_map(|s| {
                let ends = dates::parse("on", "", &s.leaving.as_ref()?.ends_on).ok()?;
                Some(due(s, ends))
            })
            .collect();
        let (states, _) =
            table::where_states::<Persons>(self.conn(), "r.status = ?1", "candidate", "r.id", 100)?;
        let not_cleared = states.iter().map(|s| Persons::view(s, today)).collect();
        let (states, _) =
            table::where_states::<Persons>(self.conn(), "r.exception_open = ?1", "1", "r.id", 100)?;
        let exceptions_open = states.iter().map(|s| Persons::view(s, today)).collect();
        Ok(PersonReminders {
            reviews_due,
            letters_due,
            not_cleared,
            cooling_ending,
            exceptions_open,
            unregistered: self.person_unregistered()?,
        })
    }
}

/// `d` minus `years` calendar years.
fn sub_years(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_sub_months(chrono::Months::new(12 * years))
        .unwrap_or(d)
}
