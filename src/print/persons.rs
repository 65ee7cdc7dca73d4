//! The personnel register's forms: the JSON of the 保密承诺书 (one template for every kind,
//! whose wording the unit may replace), the off-boarding hand-back checklist (涉密人员离岗清退
//! 清单) and the 涉密人员登记表 listing.
//!
//! Contract: the same as [`super::forms`] — `content` reads the vault through the session and
//! `sample` gives data of the same shape for test renders; the keys are listed in
//! `assets/forms/README.md`. A letter is filled from one recorded letter (the chosen event,
//! or the latest), or printed for signature before it is recorded: the request's `kind`
//! names the kind and the date is left blank. The checklist lists everything of the other
//! registers whose history names the person, with the day it left their hands, or 未清退.

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::forms::{self, Content, Form, LIST_MAX_ROWS};
use super::{ListQuery, PrintRequest, Target};
use crate::dates;
use crate::error::{Error, Result};
use crate::registers::level::Level;
use crate::registers::personnel::{
    self as p, Leaving, PersonEvent, PersonQuery, PersonView, Persons, PledgeKind,
};
use crate::registers::{self as register, Meta};
use crate::vault::Session;

type Events = Vec<(i64, Meta, PersonEvent)>;

pub fn content(s: &mut Session, form: &Form, req: &PrintRequest) -> Result<Content> {
    if form.target == Target::List {
        return list(s, form, req);
    }
    let id = forms::ids(req, form)?[0];
    let view = s.person_show(id)?;
    let events = register::events::<Persons>(s.conn(), id)?;
    let (data, marking) = match form.id {
        "person-pledge" => (pledge(&view, &events, req)?, None),
        _ => handback(s, &view)?,
    };
    Ok(Content {
        data,
        subject: format!("{} {}", view.serial, view.name),
        marking,
        records: vec![view.serial.clone()],
    })
}

/// A person as every personnel form prints them.
fn person(v: &PersonView) -> Value {
    json!({
        "serial": v.serial, "name": v.name, "department": v.department, "post": v.post,
        "class": v.class_label, "status": v.status_label, "account": v.account,
        "on_post_since": v.on_post_since,
    })
}

fn leaving(l: Option<&Leaving>) -> Value {
    l.map_or(Value::Null, |l| {
        json!({
            "kind": l.leave.label(), "on": l.on, "months": l.months, "ends_on": l.ends_on,
        })
    })
}

fn pledge(v: &PersonView, events: &Events, req: &PrintRequest) -> Result<Value> {
    let letters = || {
        events.iter().filter_map(|(id, _, e)| match e {
            PersonEvent::Pledged { pledge } => Some((*id, pledge)),
            PersonEvent::Offboarded { pledge, .. } => Some((*id, pledge)),
            _ => None,
        })
    };
    let wanted = match req.kind.as_deref() {
        Some(k) if !k.trim().is_empty() => Some(PledgeKind::parse("kind", k)?),
        _ => None,
    };
    let recorded = match (req.event, wanted) {
        (Some(id), _) => Some(letters().find(|(i, _)| *i == id).ok_or_else(|| {
            Error::field(
                "event",
                "台账事件",
                format!("事件 {id} 不是该人员签订保密承诺书的记录"),
            )
        })?),
        // A kind asked for without an event: a blank letter of that kind, to be signed.
        (None, Some(_)) => None,
        (None, None) => letters().next_back(),
    };
    let kind = recorded
        .map(|(_, l)| l.pledge)
        .or(wanted)
        .unwrap_or(PledgeKind::Onboard);
    Ok(json!({
        "person": person(v), "kind": kind.code(), "kind_label": kind.label(),
        "signed_on": recorded.map(|(_, l)| l.signed_on.clone()),
        "witness": recorded.map_or(String::new(), |(_, l)| l.witness.clone()),
        "filed": recorded.is_some_and(|(_, l)| l.filed),
        "template_version": recorded.map_or(String::new(), |(_, l)| l.template_version.clone()),
        "leaving": if kind == PledgeKind::Leave { leaving(v.leaving.as_ref()) } else { Value::Null },
    }))
}

/// The checklist and its marking: the highest level among the items listed.
fn handback(s: &mut Session, v: &PersonView) -> Result<(Value, Option<String>)> {
    let items = p::handled_by(s.conn(), &v.name)?;
    let marking = items
        .iter()
        .filter_map(|i| Level::parse("level", &i.level).ok())
        .filter(|l| l.is_state_secret())
        .min_by_key(|l| l.rank())
        .map(|l| l.label().to_string());
    let outstanding = items.iter().filter(|i| i.returned_on.is_none()).count();
    let rows: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(n, i)| {
            json!({
                "no": n + 1, "noun": i.noun, "serial": i.serial, "title": i.title,
                "level": i.level, "capacity": i.capacity, "status": i.status_label,
                "returned_on": i.returned_on,
            })
        })
        .collect();
    Ok((
        json!({
            "person": person(v), "leaving": leaving(v.leaving.as_ref()),
            "total": rows.len(), "outstanding": outstanding, "items": rows,
        }),
        marking,
    ))
}

/// The filters in words, as printed on the listing (“全部” when none).
pub fn describe_filters(q: &PersonQuery) -> String {
    let given = crate::input::given;
    let mut parts = Vec::new();
    if let Some(t) = given(&q.query) {
        parts.push(format!("关键词“{t}”"));
    }
    if let Some(c) = given(&q.class) {
        let label = p::PersonClass::parse("class", &c).map_or(c, |c| c.label().to_string());
        parts.push(format!("类别：{label}"));
    }
    if let Some(st) = given(&q.status) {
        let label = p::PersonStatus::parse("status", &st).map_or(st, |s| s.label().to_string());
        parts.push(format!("状态：{label}"));
    }
    if let Some(d) = given(&q.department) {
        parts.push(format!("部门：{d}"));
    }
    if parts.is_empty() {
        "全部".to_string()
    } else {
        parts.join("；")
    }
}

fn row(v: &PersonView, no: usize) -> Value {
    let last = |kinds: &[PledgeKind]| {
        v.pledges
            .iter()
            .rev()
            .find(|l| kinds.contains(&l.pledge))
            .map(|l| l.signed_on.clone())
    };
    json!({
        "no": no, "serial": v.serial, "name": v.name, "department": v.department,
        "post": v.post, "class": v.class_label, "status": v.status_label,
        "reviewed_on": v.reviews.last().map(|r| r.on.clone()),
        "trained": v.trainings.iter().any(|t| t.passed),
        "pledged_on": last(&[PledgeKind::Onboard, PledgeKind::Annual]),
        "on_post_since": v.on_post_since,
        "cooling_ends_on": v.leaving.as_ref().map(|l| l.ends_on.clone()),
    })
}

fn list(s: &mut Session, form: &Form, req: &PrintRequest) -> Result<Content> {
    let q = match forms::list_query(form, req)? {
        Some(ListQuery::Person(q)) => q,
        _ => PersonQuery::default(),
    };
    let page = forms::whole(s.person_list_all(&q, LIST_MAX_ROWS)?, "人员", "人")?;
    let filters = describe_filters(&q);
    let rows: Vec<Value> = page
        .rows
        .iter()
        .enumerate()
        .map(|(i, v)| row(v, i + 1))
        .collect();
    Ok(Content {
        data: json!({ "filters": filters, "total": rows.len(), "rows": rows }),
        subject: format!("{}（{} 人）", filters, page.rows.len()),
        marking: None,
        records: page.rows.iter().map(|r| r.serial.clone()).collect(),
    })
}

/// Data of the same shape as `content`'s, made up, for test renders of a template or font.
pub fn sample(form: &Form, today: NaiveDate) -> Value {
    let on = dates::iso(today);
    let who = json!({
        "serial": "RY-2026-0001", "name": "张三（样张）", "department": "办公室",
        "post": "机要员", "class": "核心", "status": "在岗", "account": "zhangsan",
        "on_post_since": on,
    });
    let leaving = json!({ "kind": "调动", "on": on, "months": 36, "ends_on": on });
    match form.id {
        "person-pledge" => json!({
            "person": who, "kind": "leave", "kind_label": "离岗", "signed_on": on,
            "witness": "李四", "filed": true, "template_version": "内置模板", "leaving": leaving,
        }),
        "person-handback" => json!({
            "person": who, "leaving": leaving, "total": 2, "outstanding": 1,
            "items": [
                { "no": 1, "noun": "载体", "serial": "机-2026-0001", "title": "关于示例事项的通知",
                  "level": "机密", "capacity": "责任人", "status": "在管", "returned_on": on },
                { "no": 2, "noun": "设备", "serial": "SB-2026-0001", "title": "专用U盘",
                  "level": "秘密", "capacity": "责任人", "status": "在用", "returned_on": null },
            ],
        }),
        _ => {
            let rows: Vec<Value> = (1..=3)
                .map(|n| {
                    json!({
                        "no": n, "serial": format!("RY-2026-{n:04}"), "name": "张三（样张）",
                        "department": "办公室", "post": "机要员", "class": "核心",
                        "status": "在岗", "reviewed_on": on, "trained": true, "pledged_on": on,
                        "on_post_since": on, "cooling_ends_on": null,
                    })
                })
                .collect();
            json!({ "filters": "全部", "total": 3, "rows": rows })
        }
    }
}
