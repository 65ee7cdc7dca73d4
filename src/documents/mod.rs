//! The classified carrier register (涉密载体登记): the operations a secrecy officer performs.
//!
//! Contract: every method checks the role first (read: 保密员/查阅; change: 保密员), validates
//! its input into trusted types (errors name the field in Chinese), then in one transaction
//! applies the lifecycle rules of [`rules`], appends the event, refreshes the projection and
//! the search index, and writes the audit entry. Nothing is ever deleted: corrections are
//! events that keep the old value.

pub mod model;
pub mod rules;
pub mod store;

use chrono::NaiveDate;
use serde::Serialize;
use ts_rs::TS;

pub use model::*;
pub use rules::{DocEvent, Documents};
pub use store::{DocPage, DocQuery, DocView};

use crate::dates;
use crate::error::{Error, Result};
use crate::input::{optional, required};
use crate::register::{self, Meta, Register};
use crate::roles::Op;
use crate::vault::{Session, WriteCtx};

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
    /// Carriers held per level (not destroyed, handed back or declassified).
    pub by_level: Vec<LevelCount>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct LevelCount {
    pub level: Level,
    #[ts(type = "number")]
    pub count: i64,
}

fn event_date(on: Option<&str>, today: NaiveDate) -> Result<NaiveDate> {
    let d = dates::parse_opt("on", "办理日期", on)?.unwrap_or(today);
    if d > today {
        return Err(Error::field("on", "办理日期", "不能晚于今天"));
    }
    Ok(d)
}

fn approval(a: Option<&str>) -> Result<Option<String>> {
    let a = optional("approval", "审批单号", a.unwrap_or(""), 60)?;
    Ok(if a.is_empty() { None } else { Some(a) })
}

const ACTIVE: &str = "d.status IN ('in_custody', 'archived', 'borrowed', 'missing')";

impl WriteCtx<'_> {
    /// Applies `event` to carrier state `state` (None: a new carrier), records it, and
    /// refreshes the projection; returns the new state.
    fn doc_record(
        &mut self,
        state: Option<&DocState>,
        id: i64,
        meta: &Meta,
        event: &DocEvent,
    ) -> Result<DocState> {
        let next = Documents::apply(state, event, meta)?;
        register::append::<Documents>(self.tx, id, meta, event)?;
        store::save(self.tx, &next, self.now())?;
        self.audit(
            &format!("doc_{}", Documents::kind(event)),
            &next.serial,
            serde_json::json!({ "id": id, "summary": Documents::describe(event) }),
        )?;
        Ok(next)
    }
}

impl Session {
    /// Today in the machine's time zone (from the injected clock).
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&chrono::Local).date_naive()
    }

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
        Ok(crate::vault::setting(self.conn(), "doc_serial_pattern")
            .unwrap_or_else(|_| store::DEFAULT_SERIAL_PATTERN.to_string()))
    }

    /// Sets the serial pattern (系统管理员, as a unit setting).
    pub fn set_doc_serial_pattern(&mut self, pattern: &str) -> Result<()> {
        self.require(Op::Settings)?;
        store::validate_pattern(pattern)?;
        let p = pattern.trim().to_string();
        self.write(|w| {
            w.tx.execute(
                "INSERT INTO settings (key, value) VALUES ('doc_serial_pattern', ?1)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [&p],
            )?;
            w.audit(
                "settings_set",
                "doc_serial_pattern",
                serde_json::json!({ "new": p }),
            )
        })
    }

    /// Registers a carrier; returns it with its serial and status.
    pub fn doc_add(&mut self, input: &DocInput) -> Result<DocView> {
        self.require(Op::WriteRegisters)?;
        let fields = input.validate()?;
        let today = self.today();
        if fields.received_on > today {
            return Err(Error::field("received_on", "收到日期", "不能晚于今天"));
        }
        let pattern = self.doc_serial_pattern()?;
        let user = self.user().to_string();
        let state = self.write(|w| {
            let id = store::next_id(w.tx)?;
            let serial = store::next_serial(
                w.tx,
                &pattern,
                fields.level,
                chrono::Datelike::year(&fields.received_on),
            )?;
            let meta = Meta {
                occurred_on: fields.received_on,
                recorded_at: w.now().to_string(),
                actor: user,
                approval: None,
            };
            w.doc_record(
                None,
                id,
                &meta,
                &DocEvent::Registered {
                    id,
                    serial,
                    fields,
                    parent_id: None,
                },
            )
        })?;
        Ok(store::view(&state, today))
    }

    /// One carrier with its whole history.
    pub fn doc_show(&mut self, id: i64) -> Result<DocView> {
        self.require(Op::ReadRegisters)?;
        let state = store::load(self.conn(), id)?;
        let mut v = store::view(&state, self.today());
        v.history = Some(register::history::<Documents>(self.conn(), id)?);
        Ok(v)
    }

    /// Finds a carrier by id or serial number.
    pub fn doc_resolve(&mut self, key: &str) -> Result<i64> {
        self.require(Op::ReadRegisters)?;
        if let Ok(id) = key.trim().parse::<i64>() {
            return Ok(id);
        }
        store::id_by_serial(self.conn(), key)?
            .ok_or_else(|| Error::not_found(format!("没有编号为“{key}”的载体")))
    }

    pub fn doc_list(&mut self, q: &DocQuery) -> Result<DocPage> {
        self.require(Op::ReadRegisters)?;
        store::list(self.conn(), q, self.today())
    }

    /// Every carrier matching `q`'s filters (paging ignored), up to `max` rows: for listings.
    pub fn doc_list_all(&mut self, q: &DocQuery, max: u32) -> Result<DocPage> {
        self.require(Op::ReadRegisters)?;
        store::list_up_to(self.conn(), q, self.today(), max)
    }

    /// The state rebuilt from the events alone (for checks; equals the stored projection).
    pub fn doc_replay(&mut self, id: i64) -> Result<Option<DocState>> {
        self.require(Op::ReadRegisters)?;
        register::replay::<Documents>(self.conn(), id)
    }

    /// Runs one lifecycle event on carrier `id`.
    fn doc_event(
        &mut self,
        id: i64,
        on: Option<&str>,
        approval_ref: Option<&str>,
        make: impl FnOnce(&DocState, NaiveDate) -> Result<DocEvent>,
    ) -> Result<DocView> {
        self.require(Op::WriteRegisters)?;
        let today = self.today();
        let occurred_on = event_date(on, today)?;
        let approval = approval(approval_ref)?;
        let user = self.user().to_string();
        let state = self.write(|w| {
            let state = store::load(w.tx, id)?;
            let event = make(&state, occurred_on)?;
            let meta = Meta {
                occurred_on,
                recorded_at: w.now().to_string(),
                actor: user,
                approval,
            };
            w.doc_record(Some(&state), id, &meta, &event)
        })?;
        Ok(store::view(&state, today))
    }

    pub fn doc_distribute(&mut self, id: i64, i: &DistributeInput) -> Result<DocView> {
        let to = required("to", "接收人（责任人）", &i.to, 40)?;
        let location = optional("location", "存放位置", &i.location, 60)?;
        self.doc_event(id, i.on.as_deref(), i.approval.as_deref(), |_, _| {
            Ok(DocEvent::Distributed { to, location })
        })
    }

    pub fn doc_circulate(&mut self, id: i64, i: &CirculateInput) -> Result<DocView> {
        let reader = required("reader", "阅读人", &i.reader, 40)?;
        let department = optional("department", "部门", &i.department, 40)?;
        self.doc_event(id, i.on.as_deref(), i.approval.as_deref(), |s, _| {
            let outside_scope = !rules::in_scope(&s.fields, &reader, &department);
            Ok(DocEvent::Circulated {
                reader,
                department,
                outside_scope,
            })
        })
    }

    pub fn doc_borrow(&mut self, id: i64, i: &BorrowInput) -> Result<DocView> {
        let borrower = required("borrower", "借阅人", &i.borrower, 40)?;
        let department = optional("department", "部门", &i.department, 40)?;
        let due_on = dates::parse("due_on", "应还日期", &i.due_on)?;
        self.doc_event(id, i.on.as_deref(), i.approval.as_deref(), |s, _| {
            let outside_scope = !rules::in_scope(&s.fields, &borrower, &department);
            Ok(DocEvent::Borrowed {
                borrower,
                department,
                due_on,
                outside_scope,
            })
        })
    }

    pub fn doc_return(&mut self, id: i64, i: &ReturnInput) -> Result<DocView> {
        self.doc_event(id, i.on.as_deref(), i.approval.as_deref(), |_, _| {
            Ok(DocEvent::Returned)
        })
    }

    pub fn doc_archive(&mut self, id: i64, i: &ArchiveInput) -> Result<DocView> {
        let location = optional("location", "存放位置", &i.location, 60)?;
        self.doc_event(id, i.on.as_deref(), i.approval.as_deref(), |_, _| {
            Ok(DocEvent::Archived { location })
        })
    }

    pub fn doc_declassify(&mut self, id: i64, i: &DeclassifyInput) -> Result<DocView> {
        let approver = required("approver", "批准人", &i.approver, 40)?;
        let to = match i.new_level.as_deref().map(str::trim) {
            None | Some("") | Some("解密") => None,
            Some(l) => Some(Level::parse("new_level", l)?),
        };
        self.doc_event(id, i.on.as_deref(), i.approval.as_deref(), |s, _| {
            Ok(DocEvent::Declassified {
                from: s.fields.level,
                to,
                approver,
            })
        })
    }

    pub fn doc_missing(&mut self, id: i64, i: &MissingInput) -> Result<DocView> {
        let since = dates::parse("since", "下落不明日期", &i.since)?;
        self.doc_event(id, i.on.as_deref(), i.approval.as_deref(), |_, _| {
            Ok(DocEvent::MarkedMissing { since })
        })
    }

    pub fn doc_found(&mut self, id: i64, i: &FoundInput) -> Result<DocView> {
        self.doc_event(id, i.on.as_deref(), i.approval.as_deref(), |_, _| {
            Ok(DocEvent::Found)
        })
    }

    pub fn doc_destroy(&mut self, id: i64, i: &DestroyInput) -> Result<DocView> {
        let event = rules::destroyed(
            i.approver.as_deref().unwrap_or(""),
            i.supervisors.as_deref().unwrap_or(&[]),
            i.place.as_deref().unwrap_or(""),
            i.method.as_deref().unwrap_or(""),
            i.list_no.as_deref().unwrap_or(""),
        )?;
        self.doc_event(id, i.on.as_deref(), i.approval.as_deref(), |_, _| Ok(event))
    }

    pub fn doc_correct(&mut self, id: i64, i: &CorrectInput) -> Result<DocView> {
        let field = required("field", "更正字段", &i.field, 30)?;
        let reason = required("reason", "更正原因", &i.reason, 200)?;
        let raw = i.value.as_deref().unwrap_or("");
        let new = match field.as_str() {
            "title" => required("value", "标题", raw, 200)?,
            "custodian" => required("value", "责任人", raw, 40)?,
            "carrier_type" => required("value", "载体类型", raw, 20)?,
            _ => optional("value", "新值", raw, 500)?,
        };
        self.doc_event(id, i.on.as_deref(), i.approval.as_deref(), |s, _| {
            let f = &s.fields;
            let old = match field.as_str() {
                "title" => f.title.clone(),
                "doc_no" => f.doc_no.clone(),
                "origin_unit" => f.origin_unit.clone(),
                "carrier_type" => f.carrier_type.clone(),
                "location" => f.location.clone(),
                "copy_numbers" => f.copy_numbers.clone(),
                "remarks" => f.remarks.clone(),
                "custodian" => f.custodian.clone(),
                other => {
                    return Err(Error::field(
                        "field",
                        "更正字段",
                        format!("“{other}”不能更正：密级和状态只能通过解密、销毁等手续改变"),
                    ))
                }
            };
            if old == new {
                return Err(Error::field("value", "新值", "与原值相同"));
            }
            Ok(DocEvent::Corrected {
                field,
                old,
                new,
                reason,
            })
        })
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
            let original = store::load(w.tx, id)?;
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
                let cid = store::next_id(w.tx)?;
                let serial = store::next_serial(
                    w.tx,
                    &pattern,
                    original.fields.level,
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
                copies.push(w.doc_record(None, cid, &meta, &ev)?);
            }
            let copy_ids = copies.iter().map(|c| c.id).collect();
            let event = DocEvent::Copied {
                count,
                copy_kind,
                approver,
                approver_role,
                copy_ids,
            };
            let original = w.doc_record(Some(&original), id, &meta, &event)?;
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
                let s = store::load(w.tx, *id)?;
                out.push(w.doc_record(
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
            w.audit(
                "doc_reconcile",
                format!("{c} {l}").trim(),
                serde_json::json!({
                    "id": id, "expected": expected.len(), "counted": counted.len(),
                    "not_found": not_found, "unexpected": unexpected, "found_missing": found_missing,
                    "summary": format!(
                        "应在 {} 件，清点 {} 件，未找到 {} 件，不应在此 {} 件，找到下落不明 {} 件",
                        expected.len(), counted.len(), not_found.len(), unexpected.len(), found_missing.len()
                    ),
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
        const OVERDUE: &str = "d.status = 'borrowed' AND d.due_on < ?1";
        const MISSING: &str = "d.status = 'missing' AND ?1 = ?1";
        let review = format!("d.secrecy_until <= ?1 AND {ACTIVE}");
        let (overdue, overdue_total) =
            store::where_states(self.conn(), OVERDUE, &t, "d.due_on", 100)?;
        let (missing, missing_total) =
            store::where_states(self.conn(), MISSING, &t, "d.missing_since", 100)?;
        let (review_due, review_total) =
            store::where_states(self.conn(), &review, &soon, "d.secrecy_until", 100)?;
        let (overdue, missing, review_due) = (views(overdue), views(missing), views(review_due));
        let mut by_level = Vec::new();
        for level in Level::ALL {
            let count: i64 = self.conn().query_row(
                &format!("SELECT count(*) FROM documents d WHERE d.level = ?1 AND {ACTIVE}"),
                [level.label()],
                |r| r.get(0),
            )?;
            by_level.push(LevelCount { level, count });
        }
        let mut missing = missing;
        missing.sort_by_key(|v| v.incident_days_left.unwrap_or(i64::MAX));
        Ok(DocReminders {
            overdue,
            missing,
            review_due,
            overdue_total,
            missing_total,
            review_total,
            by_level,
        })
    }

    /// The highest level of any carrier still held (for the classified-machine banner).
    pub fn doc_highest_level(&mut self) -> Result<Option<Level>> {
        self.require(Op::ReadRegisters)?;
        for level in Level::ALL {
            let held: bool = self.conn().query_row(
                &format!(
                    "SELECT EXISTS (SELECT 1 FROM documents d WHERE d.level = ?1 AND {ACTIVE})"
                ),
                [level.label()],
                |r| r.get(0),
            )?;
            if held {
                return Ok(Some(level));
            }
        }
        Ok(None)
    }
}
