//! The form table of every register, and the carrier register's forms: which template each
//! uses and the JSON each template gets.
//!
//! Contract: each [`Form`] names its register; a request's `ids` and `query` are that
//! register's (ids and list filters), and `content` hands a device form to
//! [`super::devices`]. `content` reads the vault (through the session, so the role is
//! checked) and returns the form's data, its subject for the print log and the classification
//! marking; `sample` returns data of the same shape without a vault, for the test render that
//! a replacement template or font must pass. The keys here are the templates' interface: they
//! are listed in `assets/forms/README.md`, and a template using a key that does not exist
//! fails to print.

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::{devices, persons, ListQuery, PrintRequest, Target};
use crate::dates;
use crate::error::{Error, Result};
use crate::registers::devices::Devices;
use crate::registers::documents::rules::{DocEvent, Documents};
use crate::registers::documents::{DocQuery, DocView, Level};
use crate::registers::personnel::Persons;
use crate::registers::{self as register, Meta, Register};
use crate::vault::Session;

/// A built-in form.
#[derive(Debug, Clone, Copy)]
pub struct Form {
    pub id: &'static str,
    pub title: &'static str,
    /// The register it prints from (`Register::NAME`): whose ids and list filters it takes.
    pub register: &'static str,
    pub target: Target,
    /// The event kind that fills it in, for forms printed from a timeline entry.
    pub event: Option<&'static str>,
    pub landscape: bool,
    /// The built-in template.
    pub source: &'static str,
}

pub const FORMS: &[Form] = &[
    Form {
        id: "doc-destroy",
        title: "涉密载体销毁审批表",
        register: Documents::NAME,
        target: Target::Records,
        event: Some("destroyed"),
        landscape: false,
        source: include_str!("../../assets/forms/doc-destroy.typ"),
    },
    Form {
        id: "doc-copy",
        title: "涉密载体复印（摘抄）审批单",
        register: Documents::NAME,
        target: Target::Record,
        event: Some("copied"),
        landscape: false,
        source: include_str!("../../assets/forms/doc-copy.typ"),
    },
    Form {
        id: "doc-borrow",
        title: "涉密载体借阅单",
        register: Documents::NAME,
        target: Target::Record,
        event: Some("borrowed"),
        landscape: false,
        source: include_str!("../../assets/forms/doc-borrow.typ"),
    },
    Form {
        id: "doc-circulate",
        title: "涉密载体传阅单",
        register: Documents::NAME,
        target: Target::Record,
        event: Some("circulated"),
        landscape: false,
        source: include_str!("../../assets/forms/doc-circulate.typ"),
    },
    Form {
        id: "doc-handback",
        title: "涉密载体清退（移交）清单",
        register: Documents::NAME,
        target: Target::Records,
        event: Some("handed_back"),
        landscape: false,
        source: include_str!("../../assets/forms/doc-handback.typ"),
    },
    Form {
        id: "doc-reconcile",
        title: "涉密载体月核对表",
        register: Documents::NAME,
        target: Target::Reconciliation,
        event: None,
        landscape: false,
        source: include_str!("../../assets/forms/doc-reconcile.typ"),
    },
    Form {
        id: "doc-list",
        title: "涉密载体登记簿",
        register: Documents::NAME,
        target: Target::List,
        event: None,
        landscape: true,
        source: include_str!("../../assets/forms/doc-list.typ"),
    },
    Form {
        id: "device-checkout",
        title: "涉密信息设备外出审核表",
        register: Devices::NAME,
        target: Target::Record,
        event: Some("checked_out"),
        landscape: false,
        source: include_str!("../../assets/forms/device-checkout.typ"),
    },
    Form {
        id: "device-maintenance",
        title: "涉密信息系统、设备维护淘汰管理档案",
        register: Devices::NAME,
        target: Target::Record,
        event: Some("maintained"),
        landscape: false,
        source: include_str!("../../assets/forms/device-maintenance.typ"),
    },
    Form {
        id: "device-transfer",
        title: "涉密信息设备变更审批表",
        register: Devices::NAME,
        target: Target::Record,
        event: Some("transferred"),
        landscape: false,
        source: include_str!("../../assets/forms/device-transfer.typ"),
    },
    Form {
        id: "media-lend",
        title: "移动存储介质借用登记",
        register: Devices::NAME,
        target: Target::Record,
        event: Some("lent"),
        landscape: false,
        source: include_str!("../../assets/forms/media-lend.typ"),
    },
    Form {
        id: "device-list",
        title: "涉密信息设备台账",
        register: Devices::NAME,
        target: Target::List,
        event: None,
        landscape: true,
        source: include_str!("../../assets/forms/device-list.typ"),
    },
    Form {
        id: "person-pledge",
        title: "保密承诺书",
        register: Persons::NAME,
        target: Target::Record,
        event: Some("pledged"),
        landscape: false,
        source: include_str!("../../assets/forms/person-pledge.typ"),
    },
    Form {
        id: "person-handback",
        title: "涉密人员离岗清退清单",
        register: Persons::NAME,
        target: Target::Record,
        event: Some("offboarded"),
        landscape: false,
        source: include_str!("../../assets/forms/person-handback.typ"),
    },
    Form {
        id: "person-list",
        title: "涉密人员登记表",
        register: Persons::NAME,
        target: Target::List,
        event: None,
        landscape: true,
        source: include_str!("../../assets/forms/person-list.typ"),
    },
];

/// The shared template every form imports.
pub const COMMON: (&str, &str) = ("common.typ", include_str!("../../assets/forms/common.typ"));

/// How many rows a listing prints at most.
pub const LIST_MAX_ROWS: u32 = 20_000;

/// A listing's rows (asked with `max` = [`LIST_MAX_ROWS`]), refused when there are more than a
/// listing prints; `noun` and `unit` name what is counted (载体, 件).
pub fn whole<T>(
    page: crate::page::Page<T>,
    noun: &str,
    unit: &str,
) -> Result<crate::page::Page<T>> {
    if !page.total_exact || page.total > LIST_MAX_ROWS as i64 {
        return Err(Error::field(
            "query",
            "筛选条件",
            format!("符合条件的{noun}超过 {LIST_MAX_ROWS} {unit}，请缩小筛选范围后分批打印"),
        ));
    }
    Ok(page)
}

pub fn find(id: &str) -> Result<&'static Form> {
    FORMS.iter().find(|f| f.id == id).ok_or_else(|| {
        let known: Vec<&str> = FORMS.iter().map(|f| f.id).collect();
        Error::field(
            "form",
            "表单",
            format!("没有表单“{id}”，可用：{}", known.join("、")),
        )
    })
}

/// A form's data and what the print log says about it.
pub struct Content {
    pub data: Value,
    /// What the print log (read by the 保密员) says was printed; may hold a listing's filters,
    /// so it never reaches the audit log.
    pub subject: String,
    pub marking: Option<String>,
    /// The serials of the records printed, in order (every row of a listing), for the audit
    /// log, which names records but never the filters that chose them.
    pub records: Vec<String>,
}

/// What printing knows of each register: what its record is called, how its listing's
/// filters are read, and the builders of its forms' data (from the vault, and made up for
/// test renders). A register's forms module is one entry here; nothing else dispatches on
/// the register.
pub struct RegisterForms {
    pub register: &'static str,
    pub noun: &'static str,
    pub query: fn(Value) -> Result<ListQuery>,
    pub content: fn(&mut Session, &Form, &PrintRequest) -> Result<Content>,
    pub sample: fn(&Form, NaiveDate) -> Value,
}

pub const BY_REGISTER: &[RegisterForms] = &[
    RegisterForms {
        register: Documents::NAME,
        noun: Documents::NOUN,
        query: |q| Ok(ListQuery::Doc(crate::input::from_value(q)?)),
        content: doc_content,
        sample: doc_sample,
    },
    RegisterForms {
        register: Devices::NAME,
        noun: Devices::NOUN,
        query: |q| Ok(ListQuery::Device(crate::input::from_value(q)?)),
        content: devices::content,
        sample: devices::sample,
    },
    RegisterForms {
        register: Persons::NAME,
        noun: Persons::NOUN,
        query: |q| Ok(ListQuery::Person(crate::input::from_value(q)?)),
        content: persons::content,
        sample: persons::sample,
    },
];

/// The printing side of the form's register.
fn of(form: &Form) -> &'static RegisterForms {
    BY_REGISTER
        .iter()
        .find(|r| r.register == form.register)
        .unwrap_or(&BY_REGISTER[0])
}

/// What one record of the form's register is called (载体, 设备, 人员).
fn noun(form: &Form) -> &'static str {
    of(form).noun
}

/// The records a record form prints: at least one, exactly one for a single-record form.
pub(super) fn ids<'a>(req: &'a PrintRequest, form: &Form) -> Result<&'a [i64]> {
    let ids = req.ids.as_deref().unwrap_or(&[]);
    let noun = noun(form);
    match (form.target, ids.len()) {
        (_, 0) => Err(Error::field("ids", noun, format!("请选择要打印的{noun}"))),
        (Target::Record, n) if n > 1 => Err(Error::field(
            "ids",
            noun,
            format!("{}每次打印一件{noun}，选择了 {n} 件", form.title),
        )),
        (_, n) if n > 500 => Err(Error::field("ids", noun, "一张清单最多 500 件")),
        _ => Ok(ids),
    }
}

/// A listing's filters as its register reads them (`None` for a form that is no listing,
/// or a listing asked without filters).
pub fn list_query(form: &Form, req: &PrintRequest) -> Result<Option<ListQuery>> {
    let Some(q) = req.query.clone().filter(|_| form.target == Target::List) else {
        return Ok(None);
    };
    let named = |e: Error| Error {
        field: e.field.or_else(|| Some("query".to_string())),
        ..e
    };
    Ok(Some((of(form).query)(q).map_err(named)?))
}

pub fn content(s: &mut Session, form: &Form, req: &PrintRequest) -> Result<Content> {
    (of(form).content)(s, form, req)
}

fn doc_content(s: &mut Session, form: &Form, req: &PrintRequest) -> Result<Content> {
    match form.target {
        Target::Record | Target::Records => {
            let ids = ids(req, form)?;
            let mut docs = Vec::with_capacity(ids.len());
            for &id in ids {
                let view = s.doc_show(id)?;
                let events = register::events::<Documents>(s.conn(), id)?;
                docs.push((view, events));
            }
            let subject = docs
                .iter()
                .map(|(v, _)| v.serial.as_str())
                .collect::<Vec<_>>()
                .join("、");
            let data = match form.id {
                "doc-destroy" => destroy(&docs),
                "doc-handback" => handback(&docs),
                "doc-copy" => copy(s, &docs[0], req.event)?,
                "doc-borrow" => borrow(&docs[0], req.event)?,
                _ => circulate(&docs[0]),
            };
            Ok(Content {
                data,
                subject,
                marking: None,
                records: docs.iter().map(|(v, _)| v.serial.clone()).collect(),
            })
        }
        Target::Reconciliation => {
            let id = req.reconciliation.ok_or_else(|| {
                Error::field("reconciliation", "核对记录", "请选择要打印的月核对记录")
            })?;
            let r = reconciliation(s, id)?;
            let subject = format!("月核对 {} {}", r.checked_on, who(&r.custodian, &r.location));
            let titles = lookup(s, &r)?;
            Ok(Content {
                data: reconcile(&r, &titles),
                subject,
                marking: None,
                records: Vec::new(),
            })
        }
        Target::List => {
            let q = match list_query(form, req)? {
                Some(ListQuery::Doc(q)) => q,
                _ => DocQuery::default(),
            };
            let page = whole(s.doc_list_all(&q, LIST_MAX_ROWS)?, "载体", "件")?;
            let filters = describe_filters(&q);
            let marking = page
                .rows
                .iter()
                .map(|r| r.level)
                .min_by_key(|l| l.rank())
                .map(|l| l.label().to_string());
            Ok(Content {
                data: listing(&page.rows, &filters),
                subject: format!("{}（{} 件）", filters, page.rows.len()),
                marking,
                records: page.rows.iter().map(|r| r.serial.clone()).collect(),
            })
        }
    }
}

fn who(custodian: &Option<String>, location: &Option<String>) -> String {
    [custodian.as_deref(), location.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

type Doc = (DocView, Vec<(i64, Meta, DocEvent)>);

fn doc(v: &DocView) -> Value {
    json!({
        "serial": v.serial, "doc_no": v.doc_no, "title": v.title, "level": v.level.label(),
        "origin_unit": v.origin_unit, "secrecy_period": v.secrecy_period,
        "copies": v.copies, "copy_numbers": v.copy_numbers, "carrier_type": v.carrier_type,
        "scope": v.scope.join("、"), "custodian": v.custodian, "location": v.location,
        "received_on": v.received_on, "no_copy": if v.no_copy { "是" } else { "否" },
        "status": v.status.label(),
    })
}

fn item(v: &DocView, no: usize) -> Value {
    let mut d = doc(v);
    if let Some(o) = d.as_object_mut() {
        o.insert("no".into(), json!(no));
    }
    d
}

/// "绝密 0 件、机密 2 件、秘密 1 件" for the levels present.
fn counts(views: &[&DocView]) -> String {
    Level::ALL
        .iter()
        .filter_map(|l| {
            let n = views.iter().filter(|v| v.level == *l).count();
            (n > 0).then(|| format!("{} {n} 件", l.label()))
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// The chosen event of `kind` (by id), else the latest one; `label` names the procedure in
/// the refusal of an event that is not one of the record's `kind`.
#[allow(clippy::type_complexity)]
pub(super) fn pick<'a, R: Register>(
    events: &'a [(i64, Meta, R::Event)],
    kind: &str,
    wanted: Option<i64>,
    label: &str,
) -> Result<Option<&'a (i64, Meta, R::Event)>> {
    let mut of_kind = events.iter().filter(|(_, _, e)| R::kind(e) == kind);
    match wanted {
        Some(id) => of_kind
            .clone()
            .find(|(i, _, _)| *i == id)
            .map(Some)
            .ok_or_else(|| {
                Error::field(
                    "event",
                    "台账事件",
                    format!("事件 {id} 不是该{}的“{label}”记录", R::NOUN),
                )
            }),
        None => Ok(of_kind.next_back()),
    }
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "borrowed" => "借阅",
        "copied" => "复印（摘抄）",
        "circulated" => "传阅",
        "destroyed" => "销毁",
        "handed_back" => "清退",
        _ => "办理",
    }
}

fn destroy(docs: &[Doc]) -> Value {
    let views: Vec<&DocView> = docs.iter().map(|(v, _)| v).collect();
    // The destruction already recorded (all on one list), else blanks to fill by hand.
    let recorded = docs.iter().find_map(|(_, ev)| {
        ev.iter().rev().find_map(|(_, m, e)| match e {
            DocEvent::Destroyed {
                approver,
                supervisors,
                place,
                method,
                list_no,
            } => Some(json!({
                "approver": approver, "supervisors": supervisors, "place": place,
                "method": method, "list_no": list_no, "destroyed_on": dates::iso(m.occurred_on),
            })),
            _ => None,
        })
    });
    let mut data = recorded.unwrap_or_else(|| {
        json!({
            "approver": "", "supervisors": ["", ""], "place": "", "method": "",
            "list_no": "", "destroyed_on": null,
        })
    });
    if let Some(o) = data.as_object_mut() {
        o.insert("total".into(), json!(views.len()));
        o.insert("counts".into(), json!(counts(&views)));
        o.insert(
            "items".into(),
            views
                .iter()
                .enumerate()
                .map(|(i, v)| item(v, i + 1))
                .collect(),
        );
    }
    data
}

fn handback(docs: &[Doc]) -> Value {
    let views: Vec<&DocView> = docs.iter().map(|(v, _)| v).collect();
    let mut to = String::new();
    let items: Vec<Value> = docs
        .iter()
        .enumerate()
        .map(|(i, (v, ev))| {
            let mut it = item(v, i + 1);
            let back = ev.iter().rev().find_map(|(_, m, e)| match e {
                DocEvent::HandedBack { to } => Some((to.clone(), dates::iso(m.occurred_on))),
                _ => None,
            });
            if let (Some(o), Some((t, on))) = (it.as_object_mut(), back.as_ref()) {
                o.insert("on".into(), json!(on));
                if to.is_empty() {
                    to = t.clone();
                }
            }
            if let Some(o) = it.as_object_mut() {
                o.entry("on").or_insert(json!(""));
            }
            it
        })
        .collect();
    json!({ "to": to, "total": views.len(), "counts": counts(&views), "items": items })
}

fn copy(s: &mut Session, (v, events): &Doc, wanted: Option<i64>) -> Result<Value> {
    let mut data = json!({
        "original": doc(v), "kind": "", "count": null, "approver": "", "approver_role": "",
        "applicant": "", "copies": [], "on": null, "approval": "", "remarks": "",
    });
    if let Some((
        _,
        m,
        DocEvent::Copied {
            count,
            copy_kind,
            approver,
            approver_role,
            copy_ids,
        },
    )) = pick::<Documents>(events, "copied", wanted, kind_label("copied"))?
    {
        let mut serials = Vec::new();
        let mut applicant = String::new();
        for id in copy_ids {
            let c = s.doc_show(*id)?;
            applicant = c.custodian.clone();
            serials.push(c.serial);
        }
        data = json!({
            "original": doc(v), "kind": copy_kind, "count": count, "approver": approver,
            "approver_role": approver_role.label(), "applicant": applicant, "copies": serials,
            "on": dates::iso(m.occurred_on), "approval": m.approval.clone().unwrap_or_default(),
            "remarks": "",
        });
    }
    Ok(data)
}

fn borrow((v, events): &Doc, wanted: Option<i64>) -> Result<Value> {
    let mut data = json!({
        "doc": doc(v), "borrower": "", "department": "", "borrowed_on": null,
        "due_on": null, "returned_on": null, "approval": "",
    });
    if let Some((
        id,
        m,
        DocEvent::Borrowed {
            borrower,
            department,
            due_on,
            ..
        },
    )) = pick::<Documents>(events, "borrowed", wanted, kind_label("borrowed"))?
    {
        // The return that closed this borrowing, if any.
        let returned = events
            .iter()
            .skip_while(|(i, _, _)| i != id)
            .skip(1)
            .take_while(|(_, _, e)| !matches!(e, DocEvent::Borrowed { .. }))
            .find_map(|(_, m, e)| matches!(e, DocEvent::Returned).then_some(m.occurred_on));
        data = json!({
            "doc": doc(v), "borrower": borrower, "department": department,
            "borrowed_on": dates::iso(m.occurred_on), "due_on": dates::iso(*due_on),
            "returned_on": returned.map(dates::iso),
            "approval": m.approval.clone().unwrap_or_default(),
        });
    }
    Ok(data)
}

/// Rows a circulation sheet keeps blank for readers still to come.
const CIRCULATE_ROWS: usize = 12;

fn circulate((v, events): &Doc) -> Value {
    let readers: Vec<Value> = events
        .iter()
        .filter_map(|(_, m, e)| match e {
            DocEvent::Circulated {
                reader, department, ..
            } => Some((reader, department, m)),
            _ => None,
        })
        .enumerate()
        .map(|(i, (reader, department, m))| {
            json!({
                "no": i + 1, "reader": reader, "department": department,
                "on": dates::iso(m.occurred_on), "approval": m.approval.clone().unwrap_or_default(),
            })
        })
        .collect();
    let blank = CIRCULATE_ROWS.saturating_sub(readers.len()).max(2);
    json!({ "doc": doc(v), "readers": readers, "blank_rows": blank })
}

/// The reconciliation as recorded.
pub struct Recorded {
    pub checked_on: String,
    pub actor: String,
    pub custodian: Option<String>,
    pub location: Option<String>,
    pub expected: Vec<String>,
    pub counted: Vec<String>,
    pub not_found: Vec<String>,
    pub unexpected: Vec<String>,
    pub borrowed_out: Vec<String>,
    pub missing: Vec<String>,
    pub remarks: String,
}

fn reconciliation(s: &Session, id: i64) -> Result<Recorded> {
    let list = |t: String| serde_json::from_str::<Vec<String>>(&t).unwrap_or_default();
    s.conn()
        .query_row(
            "SELECT checked_on, actor, custodian, location, expected, counted, not_found,
                    unexpected, borrowed_out, missing, remarks
             FROM reconciliations WHERE id = ?1",
            [id],
            |r| {
                Ok(Recorded {
                    checked_on: r.get(0)?,
                    actor: r.get(1)?,
                    custodian: r.get(2)?,
                    location: r.get(3)?,
                    expected: list(r.get(4)?),
                    counted: list(r.get(5)?),
                    not_found: list(r.get(6)?),
                    unexpected: list(r.get(7)?),
                    borrowed_out: list(r.get(8)?),
                    missing: list(r.get(9)?),
                    remarks: r.get(10)?,
                })
            },
        )
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => {
                Error::not_found(format!("没有编号为 {id} 的月核对记录"))
            }
            other => other.into(),
        })
}

/// Title, level, custodian and location of each serial the reconciliation names.
fn lookup(s: &mut Session, r: &Recorded) -> Result<std::collections::HashMap<String, [String; 4]>> {
    let mut out = std::collections::HashMap::new();
    let all = r
        .expected
        .iter()
        .chain(&r.unexpected)
        .chain(&r.borrowed_out)
        .chain(&r.missing);
    for serial in all {
        if out.contains_key(serial) {
            continue;
        }
        if let Some(id) = crate::registers::table::id_by_serial::<
            crate::registers::documents::Documents,
        >(s.conn(), serial)?
        {
            let v = s.doc_show(id)?;
            out.insert(
                serial.clone(),
                [
                    v.title,
                    v.level.label().to_string(),
                    v.custodian,
                    v.location,
                ],
            );
        }
    }
    Ok(out)
}

fn reconcile(r: &Recorded, info: &std::collections::HashMap<String, [String; 4]>) -> Value {
    let mut rows: Vec<(String, &str, bool)> = Vec::new();
    for s in &r.expected {
        let ok = !r.not_found.contains(s);
        rows.push((s.clone(), if ok { "在位" } else { "未找到" }, ok));
    }
    for s in &r.borrowed_out {
        rows.push((s.clone(), "借出", true));
    }
    for s in &r.missing {
        let found = r.counted.contains(s);
        rows.push((
            s.clone(),
            if found {
                "下落不明，已清点到"
            } else {
                "下落不明"
            },
            false,
        ));
    }
    for s in &r.unexpected {
        rows.push((s.clone(), "不应在此", false));
    }
    let blank = [String::new(), String::new(), String::new(), String::new()];
    // Per custodian and cabinet, then by serial.
    rows.sort_by(|a, b| {
        let ia = info.get(&a.0).unwrap_or(&blank);
        let ib = info.get(&b.0).unwrap_or(&blank);
        (&ia[2], &ia[3], &a.0).cmp(&(&ib[2], &ib[3], &b.0))
    });
    let rows: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(i, (serial, result, ok))| {
            let [title, level, custodian, location] = info.get(serial).unwrap_or(&blank);
            json!({
                "no": i + 1, "serial": serial, "title": if title.is_empty() { "（台账中无此编号）" } else { title },
                "level": level, "custodian": custodian, "location": location,
                "result": result, "ok": ok,
            })
        })
        .collect();
    let summary = format!(
        "应在 {} 件，清点 {} 件，未找到 {} 件，借出 {} 件，下落不明 {} 件，不应在此 {} 件",
        r.expected.len(),
        r.counted.len(),
        r.not_found.len(),
        r.borrowed_out.len(),
        r.missing.len(),
        r.unexpected.len()
    );
    json!({
        "checked_on": r.checked_on, "actor": r.actor,
        "custodian": r.custodian.clone().unwrap_or_default(),
        "location": r.location.clone().unwrap_or_default(),
        "summary": summary, "rows": rows, "remarks": r.remarks,
    })
}

/// The listing's filters that are in use (blank ones dropped).
struct ListFilters<'a> {
    query: Option<&'a str>,
    level: Option<&'a str>,
    status: Option<&'a str>,
    custodian: Option<&'a str>,
    received_from: Option<&'a str>,
    received_to: Option<&'a str>,
    overdue: Option<bool>,
}

impl<'a> From<&'a DocQuery> for ListFilters<'a> {
    fn from(q: &'a DocQuery) -> Self {
        let s = |o: &'a Option<String>| o.as_deref().filter(|s| !s.trim().is_empty());
        ListFilters {
            query: s(&q.query),
            level: s(&q.level),
            status: s(&q.status),
            custodian: s(&q.custodian),
            received_from: s(&q.received_from),
            received_to: s(&q.received_to),
            overdue: q.overdue.filter(|o| *o),
        }
    }
}

/// The filters in words, as printed on the listing (“全部” when none).
pub fn describe_filters(q: &DocQuery) -> String {
    let f = ListFilters::from(q);
    let mut parts = Vec::new();
    if let Some(t) = f.query {
        parts.push(format!("关键词“{t}”"));
    }
    if let Some(l) = f.level {
        parts.push(format!("密级：{l}"));
    }
    if let Some(st) = f.status {
        let label = crate::registers::documents::Status::parse(st)
            .map(|s| s.label().to_string())
            .unwrap_or_else(|_| st.to_string());
        parts.push(format!("状态：{label}"));
    }
    if let Some(c) = f.custodian {
        parts.push(format!("责任人：{c}"));
    }
    match (f.received_from, f.received_to) {
        (Some(a), Some(b)) => parts.push(format!("收到日期：{a} 至 {b}")),
        (Some(a), None) => parts.push(format!("收到日期：{a} 起")),
        (None, Some(b)) => parts.push(format!("收到日期：至 {b}")),
        (None, None) => {}
    }
    if f.overdue.is_some() {
        parts.push("仅逾期未还".to_string());
    }
    if parts.is_empty() {
        "全部".to_string()
    } else {
        parts.join("；")
    }
}

/// The printed width of `s` in units of the text size, counted generously: a Chinese
/// (full-width) character is one unit, anything else 0.52. The listing template sizes its rows
/// from these instead of having typst measure every cell, which triples its speed.
pub fn text_width(s: &str) -> f64 {
    let units: f64 = s
        .chars()
        .map(|c| if c.is_ascii() { 0.52 } else { 1.0 })
        .sum();
    (units * 100.0).ceil() / 100.0
}

/// A listing's row with `widths`: the printed width of each of its values, from which the
/// listing template sizes the row.
pub(super) fn with_widths(mut row: Value) -> Value {
    let widths: serde_json::Map<String, Value> = row
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            let text = v
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string());
            (k.clone(), json!(text_width(&text)))
        })
        .collect();
    if let Some(o) = row.as_object_mut() {
        o.insert("widths".into(), Value::Object(widths));
    }
    row
}

fn listing(rows: &[DocView], filters: &str) -> Value {
    let rows: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(i, v)| {
            with_widths(json!({
                "no": i + 1, "serial": v.serial, "doc_no": v.doc_no, "title": v.title,
                "level": v.level.label(), "secrecy_period": v.secrecy_period, "copies": v.copies,
                "carrier_type": v.carrier_type, "custodian": v.custodian, "location": v.location,
                "received_on": v.received_on, "status": v.status_label,
            }))
        })
        .collect();
    json!({
        "filters": filters, "filters_width": text_width(filters),
        "total": rows.len(), "rows": rows,
    })
}

/// Data of the same shape as `content`'s, made up, for test renders of a template or font.
pub fn sample(form: &Form, today: NaiveDate) -> Value {
    (of(form).sample)(form, today)
}

fn doc_sample(form: &Form, today: NaiveDate) -> Value {
    let on = dates::iso(today);
    let d = |n: usize| {
        json!({
            "no": n, "serial": format!("机-{}-{n:04}", chrono::Datelike::year(&today)),
            "doc_no": "示例〔2026〕1号", "title": "关于示例事项的通知（样张）", "level": "机密",
            "origin_unit": "示例单位", "secrecy_period": "20年", "copies": 1,
            "copy_numbers": "001", "carrier_type": "纸质", "scope": "办公室、综合处",
            "custodian": "张三", "location": "1号保密柜", "received_on": on,
            "no_copy": "否", "status": "在管", "on": on,
        })
    };
    let items: Vec<Value> = (1..=3).map(d).collect();
    match form.id {
        "doc-destroy" => json!({
            "approver": "李四", "supervisors": ["王五", "赵六"], "place": "销毁中心",
            "method": "粉碎", "list_no": "XH-2026-01", "destroyed_on": on,
            "total": 3, "counts": "机密 3 件", "items": items,
        }),
        "doc-handback" => {
            json!({ "to": "市保密局", "total": 3, "counts": "机密 3 件", "items": items })
        }
        "doc-copy" => json!({
            "original": d(1), "kind": "复印", "count": 2, "approver": "李四",
            "approver_role": "分管保密领导", "applicant": "张三", "copies": ["机-2026-0002", "机-2026-0003"],
            "on": on, "approval": "SP-01", "remarks": "工作需要",
        }),
        "doc-borrow" => json!({
            "doc": d(1), "borrower": "王五", "department": "综合处", "borrowed_on": on,
            "due_on": on, "returned_on": null, "approval": "",
        }),
        "doc-circulate" => json!({
            "doc": d(1), "blank_rows": 10,
            "readers": [{ "no": 1, "reader": "王五", "department": "综合处", "on": on, "approval": "" }],
        }),
        "doc-reconcile" => json!({
            "checked_on": on, "actor": "张三", "custodian": "张三", "location": "1号保密柜",
            "summary": "应在 1 件，清点 1 件", "remarks": "",
            "rows": [{ "no": 1, "serial": "机-2026-0001", "title": "示例", "level": "机密",
                       "custodian": "张三", "location": "1号保密柜", "result": "在位", "ok": true }],
        }),
        _ => {
            let rows: Vec<Value> = items
                .iter()
                .map(|i| {
                    let mut i = i.clone();
                    if let Some(o) = i.as_object_mut() {
                        let widths: serde_json::Map<String, Value> = o
                            .iter()
                            .map(|(k, v)| (k.clone(), json!(text_width(&v.to_string()))))
                            .collect();
                        o.insert("widths".into(), Value::Object(widths));
                    }
                    i
                })
                .collect();
            json!({ "filters": "全部", "filters_width": 2.0, "total": 3, "rows": rows })
        }
    }
}
