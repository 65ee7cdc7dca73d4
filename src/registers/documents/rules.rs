//! The carrier lifecycle and its rules (DESIGN §3), as a pure fold over events.
//!
//! Contract: [`Documents::apply`] is the only place a carrier's status changes. It refuses
//! any event the current status does not allow (a destroyed or handed-back carrier takes none)
//! and every event whose rule is broken; the checks that need only the event itself (two
//! distinct supervisors, the copy approver's role for the level) live in the event
//! constructors below, so they hold however the event was produced.

use chrono::NaiveDate;

use super::model::*;
use crate::dates;
use crate::error::{Error, Result};
use crate::input::{from_value as parse, optional, required};
use crate::registers::{describe_correction, Action, Choice, Cx, Meta, Register, Registration};

crate::register_event! {
    /// A carrier's events; the 更正 variant `Corrected(Correction)` comes with the macro.
    pub enum DocEvent {
        Registered {
            id: i64,
            serial: String,
            fields: DocFields,
            parent_id: Option<i64>,
        },
        Distributed {
            to: String,
            location: String,
        },
        Circulated {
            reader: String,
            department: String,
            outside_scope: bool,
        },
        Borrowed {
            borrower: String,
            department: String,
            due_on: NaiveDate,
            outside_scope: bool,
        },
        Returned,
        Copied {
            count: u32,
            copy_kind: String,
            approver: String,
            approver_role: ApproverRole,
            copy_ids: Vec<i64>,
        },
        HandedBack {
            to: String,
        },
        Archived {
            location: String,
        },
        Declassified {
            from: Level,
            to: Option<Level>,
            approver: String,
        },
        #[serde(rename = "missing", alias = "marked_missing")]
        MarkedMissing {
            since: NaiveDate,
        },
        Found,
        Destroyed {
            approver: String,
            supervisors: [String; 2],
            place: String,
            method: String,
            list_no: String,
        },
    }
}

pub struct Documents;

fn refuse(state: &DocState, what: &str) -> Error {
    Error::rule(format!(
        "载体 {} 当前状态为“{}”，不能{what}",
        state.serial,
        state.status.label()
    ))
}

/// The fields a correction may change, with their Chinese labels.
pub const CORRECTABLE: [(&str, &str); 8] = [
    ("title", "标题"),
    ("doc_no", "文号"),
    ("origin_unit", "制文机关"),
    ("carrier_type", "载体类型"),
    ("location", "存放位置"),
    ("copy_numbers", "份号"),
    ("remarks", "备注"),
    ("custodian", "责任人"),
];

/// Whether `who` (or their department) is inside the knowledge scope.
pub fn in_scope(fields: &DocFields, who: &str, department: &str) -> bool {
    fields.scope.is_empty()
        || fields
            .scope
            .iter()
            .any(|s| s == who || (!department.is_empty() && s == department))
}

/// The copy rule: 绝密 or 不准复印 needs the originating unit; others the leader in charge.
pub fn check_copy_approval(fields: &DocFields, role: ApproverRole) -> Result<()> {
    let needs_origin = fields.level == Level::TopSecret || fields.no_copy;
    if needs_origin && role != ApproverRole::OriginatingUnit {
        let why = if fields.level == Level::TopSecret {
            "绝密级载体"
        } else {
            "标注“不准复印”的载体"
        };
        return Err(Error::field(
            "approver_role",
            "批准人身份",
            format!("{why}须经制文机关（原制发机关）批准方可复印或摘抄"),
        ));
    }
    Ok(())
}

/// The destruction rule: listed, approved, placed, with a method, two different supervisors.
pub fn destroyed(
    approver: &str,
    supervisors: &[String],
    place: &str,
    method: &str,
    list_no: &str,
) -> Result<DocEvent> {
    let need = |field: &str, label: &str, v: &str| crate::input::required(field, label, v, 60);
    let list_no = need("list_no", "销毁清单编号", list_no)?;
    let approver = need("approver", "批准人（分管保密工作领导）", approver)?;
    let place = need("place", "销毁地点", place)?;
    let method = need("method", "销毁方式", method)?;
    let names: Vec<String> = supervisors
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let [a, b] = names.as_slice() else {
        return Err(Error::field(
            "supervisors",
            "监销人",
            format!("销毁须由两人监销，当前填写了 {} 人", names.len()),
        ));
    };
    if a == b {
        return Err(Error::field(
            "supervisors",
            "监销人",
            "两名监销人须为不同人员",
        ));
    }
    Ok(DocEvent::Destroyed {
        approver,
        supervisors: [a.clone(), b.clone()],
        place,
        method,
        list_no,
    })
}

/// Every action on a carrier, in the order of the paper register's columns.
pub const ACTIONS: &[Action] = &[
    Action {
        kind: "distribute",
        label: "分发",
    },
    Action {
        kind: "circulate",
        label: "传阅",
    },
    Action {
        kind: "borrow",
        label: "借阅",
    },
    Action {
        kind: "return",
        label: "归还",
    },
    Action {
        kind: "copy",
        label: "复印/摘抄",
    },
    Action {
        kind: "handback",
        label: "清退",
    },
    Action {
        kind: "archive",
        label: "归档",
    },
    Action {
        kind: "declassify",
        label: "解密/降密",
    },
    Action {
        kind: "missing",
        label: "下落不明",
    },
    Action {
        kind: "found",
        label: "找回",
    },
    Action {
        kind: "destroy",
        label: "销毁",
    },
    Action {
        kind: "correct",
        label: "更正",
    },
];

/// The actions each status allows (besides 更正, always possible): the lifecycle as data.
/// [`Documents::apply`] refuses the same transitions on its own, so a replayed or imported
/// event cannot slip past this table; a test checks that the two agree.
pub fn allowed(status: Status) -> &'static [&'static str] {
    match status {
        Status::InCustody => &[
            "distribute",
            "circulate",
            "borrow",
            "copy",
            "archive",
            "declassify",
            "handback",
            "missing",
            "destroy",
        ],
        Status::Borrowed => &["return", "missing"],
        Status::Archived => &[
            "circulate",
            "borrow",
            "copy",
            "declassify",
            "handback",
            "missing",
            "destroy",
        ],
        Status::Missing => &["found"],
        Status::Declassified => &[
            "circulate",
            "borrow",
            "archive",
            "handback",
            "missing",
            "destroy",
        ],
        Status::HandedBack | Status::Destroyed => &[],
    }
}

/// Builds the event of a single-record action from its JSON input.
fn event(kind: &str, input: serde_json::Value, s: &DocState) -> Result<DocEvent> {
    Ok(match kind {
        "distribute" => {
            let i: DistributeInput = parse(input)?;
            DocEvent::Distributed {
                to: required("to", "接收人（责任人）", &i.to, 40)?,
                location: optional("location", "存放位置", &i.location, 60)?,
            }
        }
        "circulate" => {
            let i: CirculateInput = parse(input)?;
            let reader = required("reader", "阅读人", &i.reader, 40)?;
            let department = optional("department", "部门", &i.department, 40)?;
            let outside_scope = !in_scope(&s.fields, &reader, &department);
            DocEvent::Circulated {
                reader,
                department,
                outside_scope,
            }
        }
        "borrow" => {
            let i: BorrowInput = parse(input)?;
            let borrower = required("borrower", "借阅人", &i.borrower, 40)?;
            let department = optional("department", "部门", &i.department, 40)?;
            let due_on = dates::parse("due_on", "应还日期", &i.due_on)?;
            let outside_scope = !in_scope(&s.fields, &borrower, &department);
            DocEvent::Borrowed {
                borrower,
                department,
                due_on,
                outside_scope,
            }
        }
        "return" => {
            let _: ReturnInput = parse(input)?;
            DocEvent::Returned
        }
        "archive" => {
            let i: ArchiveInput = parse(input)?;
            DocEvent::Archived {
                location: optional("location", "存放位置", &i.location, 60)?,
            }
        }
        "declassify" => {
            let i: DeclassifyInput = parse(input)?;
            let approver = required("approver", "批准人", &i.approver, 40)?;
            let to = match i.new_level.as_deref().map(str::trim) {
                None | Some("") | Some("解密") => None,
                Some(l) => Some(Level::parse("new_level", l)?),
            };
            DocEvent::Declassified {
                from: s.fields.level,
                to,
                approver,
            }
        }
        "missing" => {
            let i: MissingInput = parse(input)?;
            DocEvent::MarkedMissing {
                since: dates::parse("since", "下落不明日期", &i.since)?,
            }
        }
        "found" => {
            let _: FoundInput = parse(input)?;
            DocEvent::Found
        }
        "destroy" => {
            let i: DestroyInput = parse(input)?;
            destroyed(
                i.approver.as_deref().unwrap_or(""),
                i.supervisors.as_deref().unwrap_or(&[]),
                i.place.as_deref().unwrap_or(""),
                i.method.as_deref().unwrap_or(""),
                i.list_no.as_deref().unwrap_or(""),
            )?
        }
        // Copy registers new records and hand-back takes many: they have their own entries.
        "copy" | "handback" => {
            return Err(Error::validation(format!(
                "“{kind}”手续涉及多件载体，请使用复印/清退专用入口（baomi doc {kind}）"
            )))
        }
        other => return Err(crate::registers::unknown_action::<Documents>(other)),
    })
}

/// 更正: the new value of a correctable field, with the old one kept.
fn corrected(s: &DocState, field: &str, raw: &str) -> Result<(String, String)> {
    let new = match field {
        "title" => required("value", "标题", raw, 200)?,
        "custodian" => required("value", "责任人", raw, 40)?,
        "carrier_type" => required("value", "载体类型", raw, 20)?,
        _ => optional("value", "新值", raw, 500)?,
    };
    let f = &s.fields;
    let old = match field {
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
    Ok((old, new))
}

impl Register for Documents {
    const NAME: &'static str = "doc";
    const TABLE: &'static str = "documents";
    const NOUN: &'static str = "载体";
    const DEFAULT_SERIAL_PATTERN: &'static str = "{密级}-{年}-{序号:4}";
    const ACTIONS: &'static [Action] = ACTIONS;
    const CORRECTABLE: &'static [(&'static str, &'static str)] = &CORRECTABLE;
    type Event = DocEvent;
    type Input = DocInput;
    type Fields = DocFields;

    fn registration(input: &DocInput, today: NaiveDate) -> Result<Registration<DocFields>> {
        let fields = input.validate()?;
        if fields.received_on > today {
            return Err(Error::field("received_on", "收到日期", "不能晚于今天"));
        }
        Ok(Registration {
            occurred_on: fields.received_on,
            level_mark: fields.level.short(),
            fields,
        })
    }

    fn registered(id: i64, serial: String, fields: DocFields) -> DocEvent {
        DocEvent::Registered {
            id,
            serial,
            fields,
            parent_id: None,
        }
    }

    fn allowed(s: &DocState) -> Vec<&'static str> {
        let mut v = allowed(s.status).to_vec();
        v.push("correct");
        v
    }

    fn event(kind: &str, input: serde_json::Value, s: &DocState, _: &Cx<'_>) -> Result<DocEvent> {
        event(kind, input, s)
    }

    fn corrected(s: &DocState, field: &str, raw: &str, _: &Cx<'_>) -> Result<(String, String)> {
        corrected(s, field, raw)
    }

    fn statuses() -> Vec<Choice> {
        Choice::all(&Status::ALL, Status::code, Status::label)
    }

    fn assigns(event: &DocEvent) -> Vec<(&'static str, &'static str, &str)> {
        match event {
            DocEvent::Registered { fields, .. } => vec![("custodian", "责任人", &fields.custodian)],
            DocEvent::Distributed { to, .. } => vec![("to", "接收人（责任人）", to)],
            DocEvent::Borrowed { borrower, .. } => vec![("borrower", "借阅人", borrower)],
            DocEvent::Corrected(c) if c.field == "custodian" => vec![("value", "责任人", &c.new)],
            _ => Vec::new(),
        }
    }

    fn describe(event: &DocEvent) -> String {
        match event {
            DocEvent::Registered { serial, fields, parent_id, .. } => match parent_id {
                Some(p) => format!("登记复制件 {serial}（原件 #{p}），密级{}", fields.level.label()),
                None => format!("登记 {serial}，密级{}，责任人{}", fields.level.label(), fields.custodian),
            },
            DocEvent::Distributed { to, location } => {
                if location.is_empty() { format!("分发给{to}") } else { format!("分发给{to}，存放于{location}") }
            }
            DocEvent::Circulated { reader, outside_scope, .. } => {
                if *outside_scope { format!("传阅：{reader} 阅签（知悉范围外，经审批）") } else { format!("传阅：{reader} 阅签") }
            }
            DocEvent::Borrowed { borrower, due_on, .. } => format!("借出给{borrower}，应于 {due_on} 前归还"),
            DocEvent::Returned => "归还".into(),
            DocEvent::Copied { count, copy_kind, approver, approver_role, .. } => {
                format!("{copy_kind} {count} 份，经{}{approver}批准", approver_role.label())
            }
            DocEvent::HandedBack { to } => format!("清退给{to}"),
            DocEvent::Archived { location } => {
                if location.is_empty() { "归档".into() } else { format!("归档，存放于{location}") }
            }
            DocEvent::Declassified { from, to, approver } => match to {
                Some(l) => format!("降密：{} → {}，经{approver}批准", from.label(), l.label()),
                None => format!("解密（原{}），经{approver}批准", from.label()),
            },
            DocEvent::MarkedMissing { since } => format!("标记下落不明（自 {since}）"),
            DocEvent::Found => "找回".into(),
            DocEvent::Destroyed { supervisors, place, method, list_no, approver } => format!(
                "销毁（清单 {list_no}），经{approver}批准，于{place}以{method}方式销毁，监销人{}、{}",
                supervisors[0], supervisors[1]
            ),
            DocEvent::Corrected(c) => describe_correction::<Self>(c),
        }
    }

    fn apply(state: Option<&DocState>, event: &DocEvent, meta: &Meta) -> Result<DocState> {
        let Some(s) = state else {
            return match event {
                DocEvent::Registered {
                    id,
                    serial,
                    fields,
                    parent_id,
                } => Ok(DocState {
                    id: *id,
                    serial: serial.clone(),
                    fields: fields.clone(),
                    status: Status::InCustody,
                    resume: None,
                    borrower: None,
                    due_on: None,
                    missing_since: None,
                    parent_id: *parent_id,
                }),
                _ => Err(Error::internal("载体尚未登记，不能记录其他事件")),
            };
        };
        let mut next = s.clone();
        if s.status.is_final() && !matches!(event, DocEvent::Corrected(_)) {
            return Err(Error::rule(format!(
                "载体 {} 已{}，不能再办理任何手续",
                s.serial,
                if s.status == Status::Destroyed {
                    "销毁"
                } else {
                    "清退"
                }
            )));
        }
        match event {
            DocEvent::Registered { .. } => {
                return Err(Error::conflict(format!("载体 {} 已经登记", s.serial)))
            }
            DocEvent::Distributed { to, location } => {
                if s.status != Status::InCustody {
                    return Err(refuse(s, "分发"));
                }
                next.fields.custodian = to.clone();
                if !location.is_empty() {
                    next.fields.location = location.clone();
                }
            }
            DocEvent::Circulated {
                reader,
                department,
                outside_scope,
            } => {
                if !matches!(
                    s.status,
                    Status::InCustody | Status::Archived | Status::Declassified
                ) {
                    return Err(refuse(s, "传阅"));
                }
                check_scope(s, reader, department, *outside_scope, meta, "传阅")?;
            }
            DocEvent::Borrowed {
                borrower,
                department,
                due_on,
                outside_scope,
            } => {
                if !matches!(
                    s.status,
                    Status::InCustody | Status::Archived | Status::Declassified
                ) {
                    return Err(refuse(s, "借出"));
                }
                check_scope(s, borrower, department, *outside_scope, meta, "借阅")?;
                if *due_on < meta.occurred_on {
                    return Err(Error::field("due_on", "应还日期", "不能早于借出日期"));
                }
                next.resume = Some(s.status);
                next.status = Status::Borrowed;
                next.borrower = Some(borrower.clone());
                next.due_on = Some(*due_on);
            }
            DocEvent::Returned => {
                if s.status != Status::Borrowed {
                    return Err(refuse(s, "归还"));
                }
                next.status = s.resume.unwrap_or(Status::InCustody);
                next.resume = None;
                next.borrower = None;
                next.due_on = None;
            }
            DocEvent::Copied { approver_role, .. } => {
                if !matches!(s.status, Status::InCustody | Status::Archived) {
                    return Err(refuse(s, "复印或摘抄"));
                }
                check_copy_approval(&s.fields, *approver_role)?;
            }
            DocEvent::HandedBack { .. } => {
                if !matches!(
                    s.status,
                    Status::InCustody | Status::Archived | Status::Declassified
                ) {
                    return Err(refuse(s, "清退"));
                }
                next.status = Status::HandedBack;
            }
            DocEvent::Archived { location } => {
                if !matches!(s.status, Status::InCustody | Status::Declassified) {
                    return Err(refuse(s, "归档"));
                }
                next.status = Status::Archived;
                if !location.is_empty() {
                    next.fields.location = location.clone();
                }
            }
            DocEvent::Declassified { from, to, .. } => {
                if !matches!(s.status, Status::InCustody | Status::Archived) {
                    return Err(refuse(s, "解密或降密"));
                }
                if *from != s.fields.level {
                    return Err(Error::internal("降密事件的原密级与登记不符"));
                }
                match to {
                    Some(l) if l.rank() <= from.rank() => {
                        return Err(Error::field(
                            "new_level",
                            "新密级",
                            format!("应低于原密级{}", from.label()),
                        ))
                    }
                    Some(l) => next.fields.level = *l,
                    None => next.status = Status::Declassified,
                }
            }
            DocEvent::MarkedMissing { since } => {
                if !matches!(
                    s.status,
                    Status::InCustody | Status::Borrowed | Status::Archived | Status::Declassified
                ) {
                    return Err(refuse(s, "标记下落不明"));
                }
                if *since > meta.occurred_on {
                    return Err(Error::field("since", "下落不明日期", "不能晚于今天"));
                }
                next.resume = Some(if s.status == Status::Borrowed {
                    s.resume.unwrap_or(Status::InCustody)
                } else {
                    s.status
                });
                next.status = Status::Missing;
                next.missing_since = Some(*since);
                next.borrower = None;
                next.due_on = None;
            }
            DocEvent::Found => {
                if s.status != Status::Missing {
                    return Err(refuse(s, "登记找回"));
                }
                next.status = s.resume.unwrap_or(Status::InCustody);
                next.resume = None;
                next.missing_since = None;
            }
            DocEvent::Destroyed { .. } => {
                if !matches!(
                    s.status,
                    Status::InCustody | Status::Archived | Status::Declassified
                ) {
                    return Err(refuse(s, "销毁"));
                }
                next.status = Status::Destroyed;
            }
            DocEvent::Corrected(c) => {
                let (f, new) = (&mut next.fields, &c.new);
                match c.field.as_str() {
                    "title" => f.title = new.clone(),
                    "doc_no" => f.doc_no = new.clone(),
                    "origin_unit" => f.origin_unit = new.clone(),
                    "carrier_type" => f.carrier_type = new.clone(),
                    "location" => f.location = new.clone(),
                    "copy_numbers" => f.copy_numbers = new.clone(),
                    "remarks" => f.remarks = new.clone(),
                    "custodian" => f.custodian = new.clone(),
                    other => return Err(crate::registers::not_correctable(other)),
                }
            }
        }
        Ok(next)
    }
}

fn check_scope(
    s: &DocState,
    who: &str,
    department: &str,
    outside: bool,
    meta: &Meta,
    what: &str,
) -> Result<()> {
    let inside = in_scope(&s.fields, who, department);
    if inside == outside {
        return Err(Error::internal("知悉范围判断不一致"));
    }
    if !inside && meta.approval.as_deref().is_none_or(|a| a.trim().is_empty()) {
        return Err(Error::field(
            "approval",
            "审批单号",
            format!(
                "{who}不在该载体的知悉范围（{}）内，{what}须经审批，请填写审批单号",
                s.fields.scope.join("、")
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(status: Status) -> DocState {
        let received_on = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        DocState {
            id: 1,
            serial: "机-2026-0001".into(),
            fields: DocFields {
                title: "通知".into(),
                doc_no: String::new(),
                origin_unit: String::new(),
                level: Level::Secret,
                secrecy_period: SecrecyPeriod::Years(20),
                scope: vec![],
                copies: 1,
                copy_numbers: String::new(),
                carrier_type: "纸质文件".into(),
                custodian: "王五".into(),
                location: String::new(),
                received_on,
                no_copy: false,
                remarks: String::new(),
            },
            status,
            resume: (status == Status::Borrowed || status == Status::Missing)
                .then_some(Status::InCustody),
            borrower: None,
            due_on: None,
            missing_since: None,
            parent_id: None,
        }
    }

    /// One valid event of every action that is a single event on one carrier.
    fn events() -> Vec<(&'static str, DocEvent)> {
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        vec![
            (
                "distribute",
                DocEvent::Distributed {
                    to: "李四".into(),
                    location: String::new(),
                },
            ),
            (
                "circulate",
                DocEvent::Circulated {
                    reader: "王五".into(),
                    department: String::new(),
                    outside_scope: false,
                },
            ),
            (
                "borrow",
                DocEvent::Borrowed {
                    borrower: "王五".into(),
                    department: String::new(),
                    due_on: day,
                    outside_scope: false,
                },
            ),
            ("return", DocEvent::Returned),
            (
                "copy",
                DocEvent::Copied {
                    count: 1,
                    copy_kind: "复印".into(),
                    approver: "孙局长".into(),
                    approver_role: ApproverRole::LeaderInCharge,
                    copy_ids: vec![],
                },
            ),
            (
                "handback",
                DocEvent::HandedBack {
                    to: "国家保密局".into(),
                },
            ),
            (
                "archive",
                DocEvent::Archived {
                    location: String::new(),
                },
            ),
            (
                "declassify",
                DocEvent::Declassified {
                    from: Level::Secret,
                    to: None,
                    approver: "孙局长".into(),
                },
            ),
            ("missing", DocEvent::MarkedMissing { since: day }),
            ("found", DocEvent::Found),
            (
                "destroy",
                destroyed(
                    "孙局长",
                    &["甲".into(), "乙".into()],
                    "销毁室",
                    "粉碎",
                    "XH-1",
                )
                .unwrap(),
            ),
        ]
    }

    /// The lifecycle table the UI and `act` use and the rules of `apply` are the same
    /// lifecycle: for every status and every action, `apply` accepts exactly the actions the
    /// table lists, and refuses the others with the status in the message.
    #[test]
    fn the_action_table_and_apply_agree_for_every_status() {
        let meta = Meta {
            occurred_on: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            recorded_at: "t".into(),
            actor: "wangwu".into(),
            approval: None,
        };
        let mut checked = 0;
        for status in Status::ALL {
            let s = state(status);
            for (action, event) in events() {
                let listed = allowed(status).contains(&action);
                let got = Documents::apply(Some(&s), &event, &meta);
                assert_eq!(got.is_ok(), listed, "{status:?} {action}: {got:?}");
                if let Err(e) = got {
                    assert_eq!(e.code, crate::Code::Rule, "{status:?} {action}");
                    assert!(e.message.contains(status.label()), "{}", e.message);
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 7 * 11);
    }

    /// (status, event) → the status after it: the transitions of DESIGN §2.1.
    #[test]
    fn transitions() {
        let meta = Meta {
            occurred_on: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            recorded_at: "t".into(),
            actor: "wangwu".into(),
            approval: None,
        };
        use Status::*;
        let table = [
            (InCustody, "borrow", Borrowed),
            (Borrowed, "return", InCustody),
            (InCustody, "archive", Archived),
            (Archived, "declassify", Declassified),
            (Declassified, "archive", Archived),
            (Archived, "missing", Missing),
            (Missing, "found", InCustody),
            (Borrowed, "missing", Missing),
            (InCustody, "handback", HandedBack),
            (Declassified, "destroy", Destroyed),
            (InCustody, "distribute", InCustody),
            (Archived, "circulate", Archived),
        ];
        let events = events();
        for (from, action, to) in table {
            let event = &events.iter().find(|(a, _)| *a == action).unwrap().1;
            let next = Documents::apply(Some(&state(from)), event, &meta).unwrap();
            assert_eq!(next.status, to, "{from:?} {action}");
        }
    }
}
