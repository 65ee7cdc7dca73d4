//! The device ledger's forms: the JSON of 涉密信息设备外出审核表 (seed 003 附表1), 涉密信息系统、
//! 设备维护淘汰管理档案 (附表2), 涉密信息设备变更审批表, a removable medium's 借用登记 and the
//! 涉密信息设备台账 listing.
//!
//! Contract: the same as [`super::forms`] — `content` reads the vault through the session and
//! `sample` gives data of the same shape for test renders; the keys are listed in
//! `assets/forms/README.md`. A form is filled from one recorded event (the chosen one, or by
//! default: the open check-out, the latest maintenance, the latest change); without one it
//! prints the device's facts and blanks to fill in by hand, because the paper is signed
//! before the procedure is recorded. The old values of a change are the device's state just
//! before that change, replayed from its events.

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::forms::{self, Content, Form, LIST_MAX_ROWS};
use super::{ListQuery, PrintRequest, Target};
use crate::dates;
use crate::error::{Error, Result};
use crate::registers::devices::{
    DeviceEvent, DeviceKind, DeviceQuery, DeviceState, DeviceStatus, DeviceView, Devices,
};
use crate::registers::level::Level;
use crate::registers::{self as register, Meta, Register};
use crate::vault::Session;

type Events = Vec<(i64, Meta, DeviceEvent)>;

pub fn content(s: &mut Session, form: &Form, req: &PrintRequest) -> Result<Content> {
    if form.target == Target::List {
        return list(s, form, req);
    }
    let id = forms::ids(req, form)?[0];
    let view = s.device_show(id)?;
    let events = register::events::<Devices>(s.conn(), id)?;
    let data = match form.id {
        "device-checkout" => checkout(&view, &events, req.event)?,
        "device-maintenance" => maintenance(&view, &events, req.event)?,
        "media-lend" => loans(&view, &events)?,
        _ => transfer(&view, &events, req.event)?,
    };
    Ok(Content {
        data,
        subject: view.serial.clone(),
        marking: None,
        records: vec![view.serial.clone()],
    })
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

fn level_text(l: Option<Level>) -> &'static str {
    l.map_or("非密", Level::label)
}

/// A device as every device form prints it.
fn device(v: &DeviceView) -> Value {
    json!({
        "serial": v.serial, "label_no": v.label_no, "name": v.name, "kind": v.kind.label(),
        "model": v.model, "device_serial": v.device_serial,
        "storage_serials": v.storage_serials.join("、"), "level": v.level_label,
        "department": v.department, "custodian": v.custodian, "location": v.location,
        "in_service_on": v.in_service_on, "status": v.status_label,
    })
}

fn optional_date(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| json!(dates::iso(d)))
}

fn checkout(v: &DeviceView, events: &Events, wanted: Option<i64>) -> Result<Value> {
    // By default the check-out still open; a device back in the office gets a blank form for
    // its next check-out (a past one is printed by choosing its event).
    let chosen = match wanted {
        Some(_) => forms::pick::<Devices>(events, "checked_out", wanted, "外出")?,
        None if v.status == DeviceStatus::Out => {
            forms::pick::<Devices>(events, "checked_out", None, "外出")?
        }
        None => None,
    };
    let mut data = json!({
        "device": device(v), "laptop": v.kind == DeviceKind::Laptop,
        "user": "", "reason": "", "destination": "", "out_on": null, "due_on": null,
        "max_level": "", "ports_opened": "", "security_officer": "", "security_officer_on": null,
        "leader": "", "leader_on": null, "approval": "",
        "returned": {
            "returned_on": null, "checked_by": "", "seals_intact": "",
            "no_unauthorized_connection": "", "ports_closed": "", "wiped": "",
        },
    });
    let Some((
        id,
        m,
        DeviceEvent::CheckedOut {
            user,
            reason,
            destination,
            due_on,
            max_level,
            security_officer,
            security_officer_on,
            leader,
            leader_on,
            ports_opened,
        },
    )) = chosen
    else {
        return Ok(data);
    };
    // The return check that closed this check-out, if any.
    let returned = events
        .iter()
        .skip_while(|(i, _, _)| i != id)
        .skip(1)
        .take_while(|(_, _, e)| !matches!(e, DeviceEvent::CheckedOut { .. }))
        .find_map(|(_, m, e)| match e {
            DeviceEvent::CheckedIn {
                checked_by,
                seals_intact,
                no_unauthorized_connection,
                ports_closed,
                wiped,
            } => Some(json!({
                "returned_on": dates::iso(m.occurred_on), "checked_by": checked_by,
                "seals_intact": yes_no(*seals_intact),
                "no_unauthorized_connection": yes_no(*no_unauthorized_connection),
                "ports_closed": yes_no(*ports_closed), "wiped": yes_no(*wiped),
            })),
            _ => None,
        });
    if let Some(o) = data.as_object_mut() {
        for (k, val) in [
            ("user", json!(user)),
            ("reason", json!(reason)),
            ("destination", json!(destination)),
            ("out_on", json!(dates::iso(m.occurred_on))),
            ("due_on", json!(dates::iso(*due_on))),
            ("max_level", json!(level_text(*max_level))),
            ("ports_opened", json!(ports_opened)),
            ("security_officer", json!(security_officer)),
            ("security_officer_on", optional_date(*security_officer_on)),
            ("leader", json!(leader)),
            ("leader_on", optional_date(*leader_on)),
            ("approval", json!(m.approval.clone().unwrap_or_default())),
        ] {
            o.insert(k.into(), val);
        }
        if let Some(r) = returned {
            o.insert("returned".into(), r);
        }
    }
    Ok(data)
}

fn maintenance(v: &DeviceView, events: &Events, wanted: Option<i64>) -> Result<Value> {
    let mut data = json!({
        "device": device(v), "kind": "", "on": null, "content": "", "external": null,
        "performer": "", "vendor_agreement": "", "supervisors": [], "storage_removed": "",
        "storage_serial": "", "storage_kept_at": "", "new_storage_serials": "",
        "destruction": { "unit": "", "certificate_no": "", "on": null },
        "approval": "", "repaired_on": null, "repaired_by": "",
    });
    let Some((
        id,
        m,
        DeviceEvent::Maintained {
            maintenance,
            content,
            external,
            performer,
            vendor_agreement,
            supervisors,
            storage_removed,
            storage_serial,
            storage_kept_at,
            new_storage_serials,
            destruction,
        },
    )) = forms::pick::<Devices>(events, "maintained", wanted, "维护淘汰")?
    else {
        return Ok(data);
    };
    // The acceptance that ended a repair, if any (it may record the new disks).
    let repaired = events
        .iter()
        .skip_while(|(i, _, _)| i != id)
        .skip(1)
        .take_while(|(_, _, e)| !matches!(e, DeviceEvent::Maintained { .. }))
        .find_map(|(_, m, e)| match e {
            DeviceEvent::Repaired {
                checked_by,
                new_storage_serials,
            } => Some((m.occurred_on, checked_by, new_storage_serials)),
            _ => None,
        });
    let new_disks = match repaired {
        Some((_, _, disks)) if new_storage_serials.is_empty() => disks,
        _ => new_storage_serials,
    };
    data = json!({
        "device": device(v), "kind": maintenance.label(), "on": dates::iso(m.occurred_on),
        "content": content, "external": external, "performer": performer,
        "vendor_agreement": vendor_agreement, "supervisors": supervisors,
        "storage_removed": yes_no(*storage_removed), "storage_serial": storage_serial,
        "storage_kept_at": storage_kept_at, "new_storage_serials": new_disks.join("、"),
        "destruction": match destruction {
            Some(d) => json!({
                "unit": d.unit, "certificate_no": d.certificate_no, "on": dates::iso(d.on),
            }),
            None => json!({ "unit": "", "certificate_no": "", "on": null }),
        },
        "approval": m.approval.clone().unwrap_or_default(),
        "repaired_on": repaired.map(|(on, _, _)| dates::iso(on)),
        "repaired_by": repaired.map_or("", |(_, by, _)| by.as_str()),
    });
    Ok(data)
}

/// The device as it was just before event `id`, replayed from its events.
fn state_before(events: &Events, id: i64) -> Result<Option<DeviceState>> {
    let mut state: Option<DeviceState> = None;
    for (i, meta, e) in events {
        if *i == id {
            break;
        }
        state = Some(Devices::apply(state.as_ref(), e, meta)?);
    }
    Ok(state)
}

fn transfer(v: &DeviceView, events: &Events, wanted: Option<i64>) -> Result<Value> {
    let place = |custodian: &str, department: &str, location: &str| {
        json!({
            "custodian": custodian, "department": department, "location": location,
        })
    };
    let chosen = forms::pick::<Devices>(events, "transferred", wanted, "变更责任人")?;
    let Some((
        id,
        m,
        DeviceEvent::Transferred {
            custodian,
            department,
            location,
            wiped,
            ..
        },
    )) = chosen
    else {
        return Ok(json!({
            "device": device(v),
            "old": place(&v.custodian, &v.department, &v.location),
            "new": place("", "", ""), "wiped": "", "on": null, "approval": "",
        }));
    };
    let before = state_before(events, *id)?
        .ok_or_else(|| Error::integrity(format!("设备 {} 的变更记录之前没有登记记录", v.serial)))?;
    let f = &before.fields;
    Ok(json!({
        "device": device(v),
        "old": place(&f.custodian, &f.department, &f.location),
        "new": place(custodian, department, location),
        "wiped": yes_no(*wiped), "on": dates::iso(m.occurred_on),
        "approval": m.approval.clone().unwrap_or_default(),
    }))
}

/// Rows a loan register keeps blank for the loans to come.
const LEND_ROWS: usize = 14;

/// Every loan of a removable medium, each with its return.
fn loans(v: &DeviceView, events: &Events) -> Result<Value> {
    if v.kind != DeviceKind::RemovableMedia {
        return Err(Error::field(
            "ids",
            Devices::NOUN,
            format!(
                "{} 是{}，只有移动存储介质有借用登记",
                v.serial,
                v.kind.label()
            ),
        ));
    }
    let mut loans: Vec<Value> = Vec::new();
    for (i, (_, m, e)) in events.iter().enumerate() {
        let DeviceEvent::Lent {
            borrower,
            computer,
            max_level,
            due_on,
            ..
        } = e
        else {
            continue;
        };
        let back = events[i + 1..]
            .iter()
            .take_while(|(_, _, e)| !matches!(e, DeviceEvent::Lent { .. }))
            .find_map(|(_, m, e)| match e {
                DeviceEvent::GivenBack { wiped } => Some((m.occurred_on, *wiped)),
                _ => None,
            });
        loans.push(json!({
            "no": loans.len() + 1, "lent_on": dates::iso(m.occurred_on), "borrower": borrower,
            "computer": computer, "max_level": level_text(*max_level),
            "due_on": dates::iso(*due_on),
            "returned_on": back.map_or(String::new(), |(on, _)| dates::iso(on)),
            "wiped": back.map_or("", |(_, w)| yes_no(w)),
            "approval": m.approval.clone().unwrap_or_default(),
        }));
    }
    let blank = LEND_ROWS.saturating_sub(loans.len()).max(2);
    Ok(json!({ "device": device(v), "loans": loans, "blank_rows": blank }))
}

/// The filters in words, as printed on the listing (“全部” when none).
pub fn describe_filters(q: &DeviceQuery) -> String {
    let given = crate::input::given;
    let mut parts = Vec::new();
    if let Some(t) = given(&q.query) {
        parts.push(format!("关键词“{t}”"));
    }
    if let Some(k) = given(&q.kind) {
        let label = DeviceKind::parse("kind", &k).map_or(k, |k| k.label().to_string());
        parts.push(format!("设备类型：{label}"));
    }
    if let Some(l) = given(&q.level) {
        parts.push(format!("密级：{l}"));
    }
    if let Some(st) = given(&q.status) {
        let label = DeviceStatus::parse(&st).map_or(st, |s| s.label().to_string());
        parts.push(format!("状态：{label}"));
    }
    if let Some(d) = given(&q.department) {
        parts.push(format!("使用部门：{d}"));
    }
    if let Some(c) = given(&q.custodian) {
        parts.push(format!("责任人：{c}"));
    }
    if q.overdue == Some(true) {
        parts.push("仅外出或借用逾期未还".to_string());
    }
    if parts.is_empty() {
        "全部".to_string()
    } else {
        parts.join("；")
    }
}

/// One row of the listing: 设备序列号 and 硬盘序列号 share a column.
fn row(v: &DeviceView, no: usize) -> Value {
    let serials = std::iter::once(v.device_serial.as_str())
        .chain(v.storage_serials.iter().map(String::as_str))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("、");
    forms::with_widths(json!({
        "no": no, "serial": v.serial, "label_no": v.label_no, "name": v.name,
        "kind": v.kind.label(), "model": v.model, "serials": serials, "level": v.level_label,
        "department": v.department, "custodian": v.custodian, "location": v.location,
        "in_service_on": v.in_service_on, "status": v.status_label,
    }))
}

fn list(s: &mut Session, form: &Form, req: &PrintRequest) -> Result<Content> {
    let q = match forms::list_query(form, req)? {
        Some(ListQuery::Device(q)) => q,
        _ => DeviceQuery::default(),
    };
    let page = forms::whole(s.device_list_all(&q, LIST_MAX_ROWS)?, "设备", "台")?;
    let filters = describe_filters(&q);
    // The highest level listed (a rank of 0 is 绝密); non-classified devices have none.
    let marking = page
        .rows
        .iter()
        .filter_map(|r| r.level)
        .min_by_key(|l| l.rank())
        .map(|l| l.label().to_string());
    let rows: Vec<Value> = page
        .rows
        .iter()
        .enumerate()
        .map(|(i, v)| row(v, i + 1))
        .collect();
    Ok(Content {
        data: json!({
            "filters": filters, "filters_width": forms::text_width(&filters),
            "total": rows.len(), "rows": rows,
        }),
        subject: format!("{}（{} 台）", filters, page.rows.len()),
        marking,
        records: page.rows.iter().map(|r| r.serial.clone()).collect(),
    })
}

/// Data of the same shape as `content`'s, made up, for test renders of a template or font.
pub fn sample(form: &Form, today: NaiveDate) -> Value {
    let on = dates::iso(today);
    let dev = json!({
        "serial": "SB-2026-0001", "label_no": "BM-2026-001", "name": "示例笔记本（样张）",
        "kind": "便携式计算机", "model": "示例型号", "device_serial": "SN000001",
        "storage_serials": "HD000001", "level": "机密", "department": "办公室",
        "custodian": "张三", "location": "1号保密柜", "in_service_on": on, "status": "在用",
    });
    match form.id {
        "device-checkout" => json!({
            "device": dev, "laptop": true, "user": "张三", "reason": "工作汇报",
            "destination": "示例单位", "out_on": on, "due_on": on, "max_level": "秘密",
            "ports_opened": "USB 口（投影）", "security_officer": "李四",
            "security_officer_on": on, "leader": "王五", "leader_on": on, "approval": "WC-01",
            "returned": {
                "returned_on": on, "checked_by": "李四", "seals_intact": "是",
                "no_unauthorized_connection": "是", "ports_closed": "是", "wiped": "否",
            },
        }),
        "device-maintenance" => json!({
            "device": dev, "kind": "维修", "on": on, "content": "更换电源（样张）",
            "external": true, "performer": "示例维修公司", "vendor_agreement": "BMXY-01",
            "supervisors": ["李四", "赵六"], "storage_removed": "是", "storage_serial": "HD000001",
            "storage_kept_at": "2号保密柜", "new_storage_serials": "HD000002",
            "destruction": { "unit": "示例销毁中心", "certificate_no": "XH-01", "on": on },
            "approval": "", "repaired_on": on, "repaired_by": "李四",
        }),
        "media-lend" => json!({
            "device": dev, "blank_rows": 10,
            "loans": [{
                "no": 1, "lent_on": on, "borrower": "李四", "computer": "SB-2026-0002",
                "max_level": "秘密", "due_on": on, "returned_on": on, "wiped": "是",
                "approval": "",
            }],
        }),
        "device-transfer" => json!({
            "device": dev,
            "old": { "custodian": "张三", "department": "办公室", "location": "1号保密柜" },
            "new": { "custodian": "李四", "department": "综合处", "location": "2号保密柜" },
            "wiped": "是", "on": on, "approval": "BG-01",
        }),
        _ => {
            let rows: Vec<Value> = (1..=3)
                .map(|n| {
                    forms::with_widths(json!({
                        "no": n, "serial": format!("SB-2026-{n:04}"), "label_no": "BM-2026-001",
                        "name": "示例计算机（样张）", "kind": "台式计算机", "model": "示例型号",
                        "serials": "SN000001、HD000001", "level": "机密", "department": "办公室",
                        "custodian": "张三", "location": "1号保密柜", "in_service_on": on,
                        "status": "在用",
                    }))
                })
                .collect();
            json!({ "filters": "全部", "filters_width": 2.0, "total": 3, "rows": rows })
        }
    }
}
