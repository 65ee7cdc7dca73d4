//! The classified carrier register (涉密载体登记): the operations a secrecy officer performs.
//!
//! Contract: every method checks the role first (read: 保密员/查阅; change: 保密员), validates
//! its input into trusted types (errors name the field in Chinese), then in one transaction
//! applies the lifecycle rules of [`rules`], appends the event, refreshes the projection and
//! the search index, and writes the audit entry. Nothing is ever deleted: corrections are
//! events that keep the old value.

pub mod columns;
pub mod model;
pub mod rules;
pub mod store;

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use ts_rs::TS;

pub use model::*;
pub use rules::{DocEvent, Documents};
pub use store::{DocPage, DocQuery, DocView};

use crate::dates;
use crate::error::{Error, Result};
use crate::input::{optional, required};
use crate::registers::{approval_ref as approval, event_date, table, Meta, Register};
use crate::vault::roles::Op;
use crate::vault::Session;

/// The outcome of a copy: the original and the new linked copies.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct CopyResult {
    pub original: DocView,
    pub copies: Vec<DocView>,
}

/// A monthly reconciliation (月核对) as recorded.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Reconciliation {
    #[ts(type = "number")]
    pub id: i64,
    pub checked_on: String,
    pub actor: String,
    #[ts(type = "string | null")]
    pub custodian: Option<String>,
    #[ts(type = "string | null")]
    pub location: Option<String>,
    /// Serials that should be in the cabinet (在管/已归档/已解密).
    pub expected: Vec<String>,
    pub counted: Vec<String>,
    /// Expected but not counted: look for them, or mark them missing.
    pub not_found: Vec<String>,
    /// Counted but not expected here (another custodian's, or unknown).
    pub unexpected: Vec<String>,
    /// Lent out at the time of the count (not expected in the cabinet).
    pub borrowed_out: Vec<String>,
    /// Marked missing (下落不明) for this custodian or cabinet.
    pub missing: Vec<String>,
    /// Marked missing but counted now: register them as found (找回).
    pub found_missing: Vec<String>,
    pub remarks: String,
}

/// What is due on the home screen.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct DocReminders {
    /// Borrowed and past due, most overdue first.
    pub overdue: Vec<DocView>,
    /// Missing, nearest leak-incident date first.
    pub missing: Vec<DocView>,
    /// Secrecy period ending within 90 days (or ended): review for declassification.
    pub review_due: Vec<DocView>,
    /// How many in each list in all (the lists stop at 100).
    #[ts(type = "number")]
    pub overdue_total: i64,
    #[ts(type = "number")]
    pub missing_total: i64,
    #[ts(type = "number")]
    pub review_total: i64,
}

/// The carrier register's deadlines: borrowings past due, missing carriers counting down to a
/// leak incident (10/60 days), secrecy periods ending (declassification review).
pub fn due(s: &mut Session) -> Result<Vec<crate::registers::due::Due>> {
    use crate::registers::due::{day, Due};
    let r = s.doc_reminders()?;
    let today = s.today();
    let mut out = Vec::new();
    type DateOf = fn(&DocView) -> Option<&str>;
    let lists: [(&[DocView], &str, &str, DateOf); 3] = [
        (&r.overdue, "doc_overdue", "借阅逾期未还", |v| {
            v.due_on.as_deref()
        }),
        (
            &r.missing,
            "doc_missing",
            "载体下落不明：到期未找回即构成泄密事件",
            |v| v.incident_on.as_deref(),
        ),
        (
            &r.review_due,
            "doc_review",
            "保密期限届满，须作解密审查",
            |v| v.secrecy_until.as_deref(),
        ),
    ];
    for (views, kind, label, date) in lists {
        for v in views {
            if let Some(d) = day(date(v)) {
                out.push(Due::record(
                    kind, label, "doc", v.id, &v.serial, &v.title, d, today,
                ));
            }
        }
    }
    Ok(out)
}

/// The codes of [`Status::HELD`] as an SQL list (a test checks they are the same).
macro_rules! held_statuses {
    () => {
        "('in_custody', 'borrowed', 'archived', 'missing')"
    };
}

/// Carriers still held (they count for the highest level and the holdings per level).
pub const HELD: &str = concat!("r.status IN ", held_statuses!());

/// [`HELD`] as a condition no index answers (the `+`): where another condition is the narrow
/// one (a day), SQLite must not drive the scan from the status index, which holds nine in ten
/// carriers (over 1,000,000 carriers the secrecy review count took 6.2 s that way).
const HELD_UNINDEXED: &str = concat!("+r.status IN ", held_statuses!());

/// Carriers still held counted per status, level and custodian: the rows of
/// `documents_counts`, which triggers keep with every change to the register (migration
/// 0008). Walking the index `documents_held` instead read every held carrier's entry: 47 MB of
/// pages over 1,000,000 carriers, kept in the page cache afterwards (`make bench`).
const HELD_COUNTS: &str = concat!(
    "SELECT status, level, custodian, n FROM documents_counts WHERE status IN ",
    held_statuses!()
);

/// `documents_counts` computed again from the register: what a bulk load runs once at its
/// end instead of the triggers that keep it row by row ([`super::table::suspend_indexes`]).
pub const RECOUNT: &[&str] = &[
    "DELETE FROM documents_counts",
    "INSERT INTO documents_counts (status, level, custodian, n)
     SELECT status, level, custodian, count(*) FROM documents
     GROUP BY status, level, custodian",
];

/// What the person named `?1` still holds: carriers in their custody (lent out or missing
/// included: they answer for them) and carriers they borrowed (第八条: 清退个人承办、保管的密件).
pub const HELD_BY: &str = "SELECT id, serial, title, status,
        CASE WHEN borrower = ?1 AND status = 'borrowed' THEN '借阅人' ELSE '责任人' END
    FROM documents
    WHERE (custodian = ?1 AND status IN ('in_custody', 'borrowed', 'missing'))
       OR (borrower = ?1 AND status = 'borrowed')
    ORDER BY id";

/// The names in charge of carriers still held (custodians and borrowers). The custodians are
/// read from `documents_counts` (see [`HELD_COUNTS`]), a row per distinct (status, level,
/// custodian), not a row per carrier.
pub const PEOPLE: &str = "SELECT custodian AS n FROM documents_counts
    WHERE status IN ('in_custody', 'borrowed', 'missing')
    UNION SELECT borrower FROM documents WHERE status = 'borrowed'";

/// The typed entries of the carrier's single-record actions, each one call of the generic
/// [`Session::act`] (the CLI and the desktop app call `act` directly with JSON).
macro_rules! doc_actions {
    ($($method:ident($input:ty) => $kind:literal),* $(,)?) => {
        impl Session {
            $(
                pub fn $method(&mut self, id: i64, input: &$input) -> Result<DocView> {
                    let json = serde_json::to_value(input)
                        .map_err(|e| Error::internal(e.to_string()))?;
                    self.act::<Documents>(id, $kind, json)
                }
            )*
        }
    };
}

doc_actions! {
    doc_distribute(DistributeInput) => "distribute",
    doc_circulate(CirculateInput) => "circulate",
    doc_borrow(BorrowInput) => "borrow",
    doc_return(ReturnInput) => "return",
    doc_archive(ArchiveInput) => "archive",
    doc_declassify(DeclassifyInput) => "declassify",
    doc_missing(MissingInput) => "missing",
    doc_found(FoundInput) => "found",
    doc_destroy(DestroyInput) => "destroy",
    doc_correct(CorrectInput) => "correct",
}

/// The carriers handed back (清退) to `unit`, by id: what a hand-back bundle sends to the
/// issuing unit.
pub fn handed_back_to(conn: &rusqlite::Connection, unit: &str) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT record_id FROM events
         WHERE register = 'doc' AND kind = 'handed_back' AND json_extract(data, '$.to') = ?1
         ORDER BY record_id",
    )?;
    let ids = stmt
        .query_map([unit.trim()], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(ids)
}

/// The carrier register's part of the year-end statistics: what was received (registered,
/// copies not counted again), copied (sheets made), handed back, destroyed and reported
/// missing in `year`, by level; and the register now, by status and level.
pub fn stats(conn: &rusqlite::Connection, year: i32) -> Result<Vec<super::stats::StatTable>> {
    use super::stats::crosstab;
    use super::Choice;
    let levels: Vec<Choice> = Level::ALL
        .iter()
        .map(|l| Choice::new(l.label(), l.label()))
        .collect();
    let moves = [
        Choice::new("registered", "登记收文"),
        Choice::new("copied", "复制（份）"),
        Choice::new("handed_back", "清退"),
        Choice::new("destroyed", "销毁"),
        Choice::new("marked_missing", "下落不明"),
    ];
    let year = year.to_string();
    Ok(vec![
        crosstab(
            conn,
            Documents::NAME,
            "涉密载体收发与处置（按密级）",
            "SELECT e.kind, r.level,
                    CASE e.kind WHEN 'copied'
                        THEN sum(coalesce(json_extract(e.data, '$.count'), 1)) ELSE count(*) END
             FROM events e JOIN documents r ON r.id = e.record_id
             WHERE e.register = 'doc' AND substr(e.occurred_on, 1, 4) = ?1
               AND NOT (e.kind = 'registered' AND json_extract(e.data, '$.parent_id') IS NOT NULL)
             GROUP BY e.kind, r.level",
            &[&year],
            &moves,
            &levels,
        )?,
        crosstab(
            conn,
            Documents::NAME,
            "当前在册涉密载体（按状态和密级）",
            "SELECT status, level, sum(n) FROM documents_counts GROUP BY status, level",
            &[],
            &Documents::statuses(),
            &levels,
        )?,
    ])
}

/// The carriers' part of the home screen's figures: carriers held by level, by the department
/// of their custodian (as the personnel register knows them) and by status, and the events of
/// the last twelve months (copies count as their parent's 复制, not as registrations).
pub fn figures(
    conn: &rusqlite::Connection,
    today: NaiveDate,
) -> Result<Vec<super::figures::Figure>> {
    use super::figures::Figure;
    let statuses: Vec<super::Choice> = Status::HELD
        .iter()
        .map(|s| super::Choice::new(s.code(), s.label()))
        .collect();
    // One read of the counts for the three figures of what is held.
    let mut held: Vec<(String, String, String, i64)> = Vec::new();
    let mut stmt = conn.prepare(HELD_COUNTS)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        held.push((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?));
    }
    // A custodian's department is that of every person of the name, as a `LEFT JOIN`.
    let mut people: HashMap<String, Vec<String>> = HashMap::new();
    let mut stmt = conn.prepare("SELECT name, department FROM persons")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        people.entry(r.get(0)?).or_default().push(r.get(1)?);
    }
    let departments = held
        .iter()
        .flat_map(|(_, _, custodian, n)| match people.get(custodian) {
            Some(ds) => ds.iter().map(|d| (Some(d.clone()), *n)).collect(),
            None => vec![(None, *n)],
        });
    let count = |key: &String, n: &i64| (key.clone(), "n".to_string(), *n);
    Ok(vec![
        Figure::of_levels(
            Documents::NAME,
            "涉密载体",
            held.iter().map(|(_, level, _, n)| count(level, n)),
        ),
        Figure::of_departments("涉密载体", departments),
        Figure::of_statuses(
            Documents::NAME,
            ("doc_status", "在管载体（按状态）"),
            &statuses,
            held.iter().map(|(status, _, _, n)| count(status, n)),
        ),
        Figure::movements(
            conn,
            Documents::NAME,
            today,
            "SELECT CASE kind WHEN 'registered' THEN 'registered' WHEN 'borrowed' THEN 'lent'
                    WHEN 'returned' THEN 'returned' WHEN 'handed_back' THEN 'handed_back'
                    WHEN 'destroyed' THEN 'destroyed' ELSE 'other' END,
                    substr(occurred_on, 1, 7), count(*)
             FROM events
             WHERE register = 'doc' AND occurred_on BETWEEN ?1 AND ?2
               AND kind NOT IN ('corrected', '_adopted')
               AND NOT (kind = 'registered' AND json_extract(data, '$.parent_id') IS NOT NULL)
             GROUP BY 1, 2",
        )?,
    ])
}

impl Session {
    fn meta(&self, occurred_on: NaiveDate, approval: Option<String>, recorded_at: &str) -> Meta {
        Meta {
            occurred_on,
            recorded_at: recorded_at.to_string(),
            actor: self.user().to_string(),
            approval,
        }
    }

    /// The unit's serial pattern for carriers (default `{密级}-{年}-{序号:4}`).
    pub fn doc_serial_pattern(&self) -> Result<String> {
        self.serial_pattern::<Documents>()
    }

    /// Sets the serial pattern (系统管理员, as a unit setting).
    pub fn set_doc_serial_pattern(&mut self, pattern: &str) -> Result<()> {
        self.set_serial_pattern::<Documents>(pattern)
    }

    /// Registers a carrier; returns it with its serial and status.
    pub fn doc_add(&mut self, input: &DocInput) -> Result<DocView> {
        self.register::<Documents>(input)
    }

    /// One carrier with its whole history.
    pub fn doc_show(&mut self, id: i64) -> Result<DocView> {
        let (mut v, history) = self.show::<Documents>(id)?;
        v.history = Some(history);
        Ok(v)
    }

    /// Finds a carrier by id or serial number.
    pub fn doc_resolve(&mut self, key: &str) -> Result<i64> {
        self.resolve::<Documents>(key)
    }

    pub fn doc_list(&mut self, q: &DocQuery) -> Result<DocPage> {
        let spec = q.spec(self.today())?;
        self.list::<Documents>(&spec)
    }

    /// Every carrier matching `q`'s filters (paging ignored), up to `max` rows: for listings.
    pub fn doc_list_all(&mut self, q: &DocQuery, max: u32) -> Result<DocPage> {
        let spec = q.spec(self.today())?.all(max);
        self.list::<Documents>(&spec)
    }

    /// The state rebuilt from the events alone (for checks; equals the stored projection).
    pub fn doc_replay(&mut self, id: i64) -> Result<Option<DocState>> {
        self.replay::<Documents>(id)
    }

    /// Runs action `kind` on carrier `id` with its JSON input.
    pub fn doc_act(&mut self, id: i64, kind: &str, input: serde_json::Value) -> Result<DocView> {
        self.act::<Documents>(id, kind, input)
    }

    /// Copies or excerpts carrier `id`: checks the approval rule, registers `count` copies at
    /// the same level linked to the original, and records the copy on the original.
    pub fn doc_copy(&mut self, id: i64, i: &CopyInput) -> Result<CopyResult> {
        self.require(Op::WriteRegisters)?;
        let count = i.count.unwrap_or(1);
        if !(1..=100).contains(&count) {
            return Err(Error::field("count", "份数", "应在 1 到 100 之间"));
        }
        let approver = required("approver", "批准人", &i.approver, 40)?;
        let approver_role = ApproverRole::parse(i.approver_role.as_deref().unwrap_or(""))?;
        let copy_kind = match i.copy_kind.as_deref().map(str::trim) {
            None | Some("") | Some("复印") => "复印".to_string(),
            Some("摘抄") => "摘抄".to_string(),
            Some(other) => {
                return Err(Error::field(
                    "copy_kind",
                    "方式",
                    format!("“{other}”无效，应为“复印”或“摘抄”"),
                ))
            }
        };
        let custodian = optional("custodian", "复制件责任人", &i.custodian, 40)?;
        let today = self.today();
        let occurred_on = event_date(i.on.as_deref(), today)?;
        let approval = approval(i.approval.as_deref())?
            .or_else(|| Some(format!("{}{approver}", approver_role.label())));
        let pattern = self.doc_serial_pattern()?;
        let meta_template = self.meta(occurred_on, approval, "");
        let (original, copies) = self.write(|w| {
            let meta = Meta {
                recorded_at: w.now().to_string(),
                ..meta_template
            };
            let original = table::load::<Documents>(w.tx, id)?;
            // The rule first, so a refused copy creates nothing.
            let probe = DocEvent::Copied {
                count,
                copy_kind: copy_kind.clone(),
                approver: approver.clone(),
                approver_role,
                copy_ids: vec![],
            };
            Documents::apply(Some(&original), &probe, &meta)?;
            let mut copies = Vec::new();
            for n in 1..=count {
                let cid = table::next_id::<Documents>(w.tx)?;
                let serial = w.next_free_serial::<Documents>(
                    &pattern,
                    original.fields.level.short(),
                    chrono::Datelike::year(&occurred_on),
                )?;
                let mut fields = original.fields.clone();
                fields.copies = 1;
                fields.copy_numbers = format!("{copy_kind}件{n}");
                fields.received_on = occurred_on;
                if !custodian.is_empty() {
                    fields.custodian = custodian.clone();
                }
                fields.remarks = format!("{copy_kind}自 {}", original.serial);
                let ev = DocEvent::Registered {
                    id: cid,
                    serial,
                    fields,
                    parent_id: Some(id),
                };
                copies.push(w.record::<Documents>(None, cid, &meta, &ev)?);
            }
            let copy_ids = copies.iter().map(|c| c.id).collect();
            let event = DocEvent::Copied {
                count,
                copy_kind,
                approver,
                approver_role,
                copy_ids,
            };
            let original = w.record::<Documents>(Some(&original), id, &meta, &event)?;
            Ok((original, copies))
        })?;
        Ok(CopyResult {
            original: store::view(&original, today),
            copies: copies.iter().map(|c| store::view(c, today)).collect(),
        })
    }

    /// Hands back one or many carriers to their issuer (year-end 清退), all or none.
    pub fn doc_handback(&mut self, ids: &[i64], i: &HandbackInput) -> Result<Vec<DocView>> {
        self.require(Op::WriteRegisters)?;
        let mut all: Vec<i64> = ids.to_vec();
        all.extend(i.ids.iter().flatten());
        all.sort_unstable();
        all.dedup();
        if all.is_empty() {
            return Err(Error::field("ids", "清退载体", "请至少选择一件载体"));
        }
        let to = required("to", "清退接收单位", &i.to, 60)?;
        let today = self.today();
        let occurred_on = event_date(i.on.as_deref(), today)?;
        let meta_template = self.meta(occurred_on, approval(i.approval.as_deref())?, "");
        let states = self.write(|w| {
            let meta = Meta {
                recorded_at: w.now().to_string(),
                ..meta_template
            };
            let mut out = Vec::new();
            for id in &all {
                let s = table::load::<Documents>(w.tx, *id)?;
                out.push(w.record::<Documents>(
                    Some(&s),
                    *id,
                    &meta,
                    &DocEvent::HandedBack { to: to.clone() },
                )?);
            }
            Ok(out)
        })?;
        Ok(states.iter().map(|s| store::view(s, today)).collect())
    }

    /// Records a monthly reconciliation of one custodian's and/or one cabinet's holdings.
    pub fn doc_reconcile(&mut self, i: &ReconcileInput) -> Result<Reconciliation> {
        self.require(Op::WriteRegisters)?;
        let custodian = optional("custodian", "责任人", &i.custodian, 40)?;
        let location = optional("location", "存放位置", &i.location, 60)?;
        if custodian.is_empty() && location.is_empty() {
            return Err(Error::field(
                "custodian",
                "核对对象",
                "请填写责任人或存放位置（至少一项）",
            ));
        }
        let today = self.today();
        let checked_on = event_date(i.on.as_deref(), today)?;
        let remarks = optional("remarks", "备注", &i.remarks, 500)?;
        let mut counted: Vec<String> = i
            .counted
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        counted.sort();
        counted.dedup();
        let mut clauses = vec!["1 = 1".to_string()];
        let mut args: Vec<String> = Vec::new();
        if !custodian.is_empty() {
            args.push(custodian.clone());
            clauses.push(format!("custodian = ?{}", args.len()));
        }
        if !location.is_empty() {
            args.push(location.clone());
            clauses.push(format!("location = ?{}", args.len()));
        }
        let select = |status: &str| -> Result<Vec<String>> {
            let mut stmt = self.conn().prepare(&format!(
                "SELECT serial FROM documents WHERE {} AND status IN ({status}) ORDER BY serial",
                clauses.join(" AND ")
            ))?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
        };
        let expected = select("'in_custody', 'archived', 'declassified'")?;
        let borrowed_out = select("'borrowed'")?;
        let missing = select("'missing'")?;
        let not_found: Vec<String> = expected
            .iter()
            .filter(|s| !counted.contains(s))
            .cloned()
            .collect();
        let found_missing: Vec<String> = counted
            .iter()
            .filter(|s| missing.contains(s))
            .cloned()
            .collect();
        let unexpected: Vec<String> = counted
            .iter()
            .filter(|s| !expected.contains(s) && !missing.contains(s))
            .cloned()
            .collect();
        let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        let actor = self.user().to_string();
        let (c, l) = (custodian.clone(), location.clone());
        let (e, cn, nf, un, r) = (
            json(&expected),
            json(&counted),
            json(&not_found),
            json(&unexpected),
            remarks.clone(),
        );
        let (bo, mi) = (json(&borrowed_out), json(&missing));
        let id = self.write(|w| {
            w.tx.execute(
                "INSERT INTO reconciliations (checked_on, recorded_at, actor, custodian, location, expected, counted, not_found, unexpected, remarks, borrowed_out, missing)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                rusqlite::params![dates::iso(checked_on), w.now(), actor, c, l, e, cn, nf, un, r, bo, mi],
            )?;
            let id = w.tx.last_insert_rowid();
            // The log names what was counted by field, never the custodian or the cabinet, and
            // lists only serials of the register (what was scanned but is not one stays out).
            let by: Vec<&str> = [("custodian", &c), ("location", &l)]
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, _)| k)
                .collect();
            w.audit(
                "doc_reconcile",
                &format!("#{id}"),
                serde_json::json!({
                    "id": id, "by": by, "expected": expected.len(), "counted": counted.len(),
                    "not_found": not_found, "unexpected": unexpected.len(),
                    "found_missing": found_missing,
                }),
            )?;
            Ok(id)
        })?;
        let opt = |s: String| if s.is_empty() { None } else { Some(s) };
        Ok(Reconciliation {
            id,
            checked_on: dates::iso(checked_on),
            actor: self.user().to_string(),
            custodian: opt(custodian),
            location: opt(location),
            expected,
            counted,
            not_found,
            unexpected,
            borrowed_out,
            missing,
            found_missing,
            remarks,
        })
    }

    /// What is due: overdue borrowings, missing items counting down, reviews due.
    pub fn doc_reminders(&mut self) -> Result<DocReminders> {
        self.require(Op::ReadRegisters)?;
        let today = self.today();
        let t = dates::iso(today);
        let soon = dates::iso(today + chrono::Duration::days(store::REVIEW_NOTICE_DAYS));
        let views = |v: Vec<DocState>| v.iter().map(|s| store::view(s, today)).collect::<Vec<_>>();
        // Driven by the due-day index: few carriers are due, many are lent (see HELD_UNINDEXED).
        const OVERDUE: &str = "+r.status = 'borrowed' AND r.due_on < ?1";
        const MISSING: &str = "r.status = 'missing' AND ?1 = ?1";
        let review = format!("r.secrecy_until <= ?1 AND {HELD_UNINDEXED}");
        let (overdue, overdue_total) =
            table::where_states::<Documents>(self.conn(), OVERDUE, &t, "r.due_on", 100)?;
        let (missing, missing_total) =
            table::where_states::<Documents>(self.conn(), MISSING, &t, "r.missing_since", 100)?;
        let (review_due, review_total) =
            table::where_states::<Documents>(self.conn(), &review, &soon, "r.secrecy_until", 100)?;
        let (overdue, missing, review_due) = (views(overdue), views(missing), views(review_due));
        let mut missing = missing;
        missing.sort_by_key(|v| v.incident_days_left.unwrap_or(i64::MAX));
        Ok(DocReminders {
            overdue,
            missing,
            review_due,
            overdue_total,
            missing_total,
            review_total,
        })
    }

    /// The highest level of any record still held (for the classified-machine banner): every
    /// register counts, not only carriers.
    pub fn doc_highest_level(&mut self) -> Result<Option<Level>> {
        self.highest_level()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SQL of what is held lists exactly the codes of [`Status::HELD`], in its order.
    #[test]
    fn the_sql_of_what_is_held_lists_the_held_statuses() {
        let codes: Vec<String> = Status::HELD
            .iter()
            .map(|s| format!("'{}'", s.code()))
            .collect();
        assert_eq!(held_statuses!(), format!("({})", codes.join(", ")));
        assert!(HELD.ends_with(held_statuses!()) && HELD_COUNTS.contains(held_statuses!()));
    }

    /// The triggers of `documents_counts` keep it equal to counting the register, through
    /// inserts, upserts that change status, level or custodian (and ones that do not), and
    /// deletes, down to a count of zero, which leaves no row.
    #[test]
    fn the_counts_follow_every_change_to_the_register() {
        use crate::vault::db::{migrate, Schema};
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        migrate(&mut conn, Schema::Registers).unwrap();
        let put = |conn: &rusqlite::Connection, id: i64, status: &str, level: &str, who: &str| {
            conn.execute(
                "INSERT INTO documents (id, serial, doc_no, title, origin_unit, level,
                    secrecy_period, scope, copies, copy_numbers, carrier_type, custodian,
                    location, received_on, no_copy, remarks, status, state, updated_at)
                 VALUES (?1, 'S' || ?1, '', '', '', ?3, '', '', 1, '', '', ?4, '', '', 0, '',
                    ?2, '{}', '')
                 ON CONFLICT(id) DO UPDATE SET status = excluded.status,
                    level = excluded.level, custodian = excluded.custodian,
                    remarks = 'changed'",
                rusqlite::params![id, status, level, who],
            )
            .unwrap();
        };
        let same = |conn: &rusqlite::Connection| {
            let read = |sql: &str| -> Vec<(String, String, String, i64)> {
                let mut stmt = conn.prepare(sql).unwrap();
                let rows = stmt
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                    .unwrap();
                rows.collect::<rusqlite::Result<_>>().unwrap()
            };
            let kept = read("SELECT * FROM documents_counts ORDER BY 1, 2, 3");
            let counted = read(
                "SELECT status, level, custodian, count(*) FROM documents
                 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            );
            assert_eq!(kept, counted);
            kept.len()
        };
        for id in 1..=30 {
            let level = ["绝密", "机密", "秘密"][id as usize % 3];
            put(
                &conn,
                id,
                "in_custody",
                level,
                ["张三", "李四"][id as usize % 2],
            );
        }
        assert_eq!(same(&conn), 6);
        put(&conn, 4, "borrowed", "秘密", "张三"); // status and level change
        put(&conn, 5, "in_custody", "秘密", "张三"); // custodian changes
        put(&conn, 6, "in_custody", "绝密", "张三"); // nothing counted changes
        assert_eq!(same(&conn), 7);
        conn.execute("UPDATE documents SET custodian = '王五' WHERE id = 7", [])
            .unwrap();
        assert_eq!(same(&conn), 8);
        conn.execute(
            "UPDATE documents SET status = 'destroyed' WHERE id % 2 = 0",
            [],
        )
        .unwrap();
        same(&conn);
        conn.execute("DELETE FROM documents WHERE id > 10", [])
            .unwrap();
        same(&conn);
        conn.execute("DELETE FROM documents", []).unwrap();
        assert_eq!(same(&conn), 0);
    }
}
