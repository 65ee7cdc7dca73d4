//! The device lifecycle and its rules (DESIGN §3, seed 003 第十一条–第十九条), as a pure fold.
//!
//! Contract: [`Devices::apply`] is the only place a device's status changes. Which action a
//! status allows is the table [`allowed`]; `apply` consults the same table for every event,
//! so a replayed or imported event cannot slip past it. Then each event's own rule:
//! a change of custodian or department needs the leading group's approval (第十五条); a
//! check-out needs the signed 外出审核表 and may not carry information above the device's
//! level (第十七条); external repair only with the storage component removed (第十八条);
//! retiring or repurposing a classified device only with its storage removed and destroyed by
//! a designated unit (第十九条); a removable medium is lent only for content up to its own
//! level and only for a classified computer of at least its level (第十四条, seed 000).
//! Facts about other records (the computer a medium is lent for) are copied into the event
//! when it is built, so `apply` stays pure and replay gives the same answer forever.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::model::*;
use crate::dates;
use crate::error::{Error, Result};
use crate::input::{from_value as parse, optional, required};
use crate::registers::level::Level;
use crate::registers::{
    describe_correction, table, Action, Choice, Cx, Meta, Register, Registration,
};

/// The kind of a maintenance record (附表2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaintenanceKind {
    /// 维修: the device goes into repair until 维修完成.
    Repair,
    /// 保养: recorded, the status does not change.
    Service,
    /// 淘汰: final.
    Retire,
    /// 改作非涉密: the device stays in use, no longer classified.
    Repurpose,
}

impl MaintenanceKind {
    pub fn label(self) -> &'static str {
        match self {
            MaintenanceKind::Repair => "维修",
            MaintenanceKind::Service => "保养",
            MaintenanceKind::Retire => "淘汰",
            MaintenanceKind::Repurpose => "改作非涉密",
        }
    }

    pub fn parse(s: &str) -> Result<MaintenanceKind> {
        match s.trim() {
            "维修" | "repair" => Ok(MaintenanceKind::Repair),
            "保养" | "维护" | "service" => Ok(MaintenanceKind::Service),
            "淘汰" | "retire" => Ok(MaintenanceKind::Retire),
            "改作非涉密" | "改为非涉密" | "repurpose" => Ok(MaintenanceKind::Repurpose),
            other => Err(Error::field(
                "kind",
                "维护类型",
                format!("“{other}”无效，应为 维修、保养、淘汰 或 改作非涉密"),
            )),
        }
    }
}

/// The storage destruction by a designated unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destruction {
    pub unit: String,
    pub certificate_no: String,
    pub on: NaiveDate,
}

crate::register_event! {
    /// A device's events; the 更正 variant `Corrected(Correction)` comes with the macro.
    pub enum DeviceEvent {
        Registered {
            id: i64,
            serial: String,
            fields: DeviceFields,
        },
        Transferred {
            custodian: String,
            department: String,
            location: String,
            /// The new level of a classified device, when it changes.
            #[serde(default)]
            level: Option<Level>,
            wiped: bool,
        },
        CheckedOut {
            user: String,
            reason: String,
            destination: String,
            due_on: NaiveDate,
            max_level: Option<Level>,
            security_officer: String,
            security_officer_on: Option<NaiveDate>,
            leader: String,
            leader_on: Option<NaiveDate>,
            ports_opened: String,
        },
        CheckedIn {
            checked_by: String,
            seals_intact: bool,
            no_unauthorized_connection: bool,
            ports_closed: bool,
            wiped: bool,
        },
        Maintained {
            maintenance: MaintenanceKind,
            content: String,
            external: bool,
            performer: String,
            vendor_agreement: String,
            supervisors: Vec<String>,
            storage_removed: bool,
            storage_serial: String,
            storage_kept_at: String,
            new_storage_serials: Vec<String>,
            destruction: Option<Destruction>,
        },
        Repaired {
            checked_by: String,
            new_storage_serials: Vec<String>,
        },
        Suspended {
            reason: String,
        },
        Resumed,
        Issued {
            to: String,
            department: String,
        },
        Lent {
            borrower: String,
            computer_id: i64,
            computer: String,
            /// The computer as it was when lent: its kind and level (None: non-classified).
            computer_kind: DeviceKind,
            computer_level: Option<Level>,
            max_level: Option<Level>,
            due_on: NaiveDate,
        },
        GivenBack {
            wiped: bool,
        },
        Inspected {
            inspector: String,
            result: String,
            passed: bool,
        },
        Destroyed {
            approver: String,
            destruction: Destruction,
            supervisors: Vec<String>,
        },
    }
}

pub struct Devices;

/// Every action on a device, in the order of the ledger's procedures.
pub const ACTIONS: &[Action] = &[
    Action {
        kind: "checkout",
        label: "外出",
    },
    Action {
        kind: "checkin",
        label: "外出归还",
    },
    Action {
        kind: "issue",
        label: "配备",
    },
    Action {
        kind: "lend",
        label: "借用",
    },
    Action {
        kind: "give_back",
        label: "借用归还",
    },
    Action {
        kind: "transfer",
        label: "变更责任人",
    },
    Action {
        kind: "maintain",
        label: "维护淘汰",
    },
    Action {
        kind: "repaired",
        label: "维修完成",
    },
    Action {
        kind: "inspect",
        label: "检查",
    },
    Action {
        kind: "suspend",
        label: "停用",
    },
    Action {
        kind: "resume",
        label: "启用",
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

/// The actions each status allows: the lifecycle as data (更正 is always possible; 配备 and
/// 借用 only for removable media).
pub fn allowed_by_status(status: DeviceStatus) -> &'static [&'static str] {
    use DeviceStatus::*;
    match status {
        InUse => &[
            "checkout", "issue", "lend", "transfer", "maintain", "inspect", "suspend", "destroy",
        ],
        Out => &["checkin"],
        Lent => &["give_back"],
        InRepair => &["maintain", "repaired"],
        Idle => &[
            "issue", "transfer", "maintain", "inspect", "resume", "destroy",
        ],
        Retired | Destroyed => &[],
    }
}

pub fn allowed(s: &DeviceState) -> Vec<&'static str> {
    let media = s.fields.kind == DeviceKind::RemovableMedia;
    allowed_by_status(s.status)
        .iter()
        .copied()
        .filter(|a| media || !matches!(*a, "issue" | "lend"))
        .chain(["correct"])
        .collect()
}

/// The action an event belongs to.
fn action_of(e: &DeviceEvent) -> &'static str {
    match e {
        DeviceEvent::Registered { .. } => "register",
        DeviceEvent::Transferred { .. } => "transfer",
        DeviceEvent::CheckedOut { .. } => "checkout",
        DeviceEvent::CheckedIn { .. } => "checkin",
        DeviceEvent::Maintained { .. } => "maintain",
        DeviceEvent::Repaired { .. } => "repaired",
        DeviceEvent::Suspended { .. } => "suspend",
        DeviceEvent::Resumed => "resume",
        DeviceEvent::Issued { .. } => "issue",
        DeviceEvent::Lent { .. } => "lend",
        DeviceEvent::GivenBack { .. } => "give_back",
        DeviceEvent::Inspected { .. } => "inspect",
        DeviceEvent::Destroyed { .. } => "destroy",
        DeviceEvent::Corrected(_) => "correct",
    }
}

fn label_of(action: &str) -> &'static str {
    crate::registers::action_label::<Devices>(action)
}

/// Why `action` is not allowed on `s`.
fn refusal(s: &DeviceState, action: &str) -> Error {
    if matches!(action, "issue" | "lend") && s.fields.kind != DeviceKind::RemovableMedia {
        return Error::rule(format!(
            "{} 是{}，只有移动存储介质可以{}",
            s.serial,
            s.fields.kind.label(),
            label_of(action)
        ));
    }
    crate::registers::refused::<Devices>(s, label_of(action))
}

fn level_text(l: Option<Level>) -> &'static str {
    l.map_or("非密", Level::label)
}

/// Whether information of level `info` may be on a device of level `device` (None: not
/// classified, which may hold no state secret at all).
fn fits(info: Option<Level>, device: Option<Level>) -> bool {
    match (info, device) {
        (None, _) => true,
        (Some(i), None) => !i.is_state_secret(),
        (Some(i), Some(d)) => i.rank() >= d.rank(),
    }
}

/// Names, trimmed, empty ones dropped, no duplicates.
fn people(field: &str, label: &str, names: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        let n = optional(field, label, n, 40)?;
        if n.is_empty() {
            continue;
        }
        if out.contains(&n) {
            return Err(Error::field(
                field,
                label,
                format!("“{n}”重复，须为不同人员"),
            ));
        }
        out.push(n);
    }
    Ok(out)
}

fn destruction(d: Option<&DestructionInput>) -> Result<Option<Destruction>> {
    let Some(d) = d else { return Ok(None) };
    let unit = optional("destruction.unit", "承销单位", &d.unit, 60)?;
    let certificate_no = optional(
        "destruction.certificate_no",
        "销毁证明编号",
        &d.certificate_no,
        60,
    )?;
    let on = dates::parse_opt("destruction.on", "销毁日期", d.on.as_deref())?;
    if unit.is_empty() && certificate_no.is_empty() && on.is_none() {
        return Ok(None);
    }
    let on = on.ok_or_else(|| Error::field("destruction.on", "销毁日期", "不能为空"))?;
    if unit.is_empty() {
        return Err(Error::field("destruction.unit", "承销单位", "不能为空"));
    }
    if certificate_no.is_empty() {
        return Err(Error::field(
            "destruction.certificate_no",
            "销毁证明编号",
            "不能为空",
        ));
    }
    Ok(Some(Destruction {
        unit,
        certificate_no,
        on,
    }))
}

fn optional_level(field: &str, label: &str, s: Option<&str>) -> Result<Option<Level>> {
    match s.map(str::trim) {
        None | Some("") | Some("非密") | Some("无") => Ok(None),
        Some(l) => Level::parse(field, l).map(Some).map_err(|e| Error {
            message: e.message.replace("密级", label),
            ..e
        }),
    }
}

/// Finds the computer a medium is lent for, by ledger number, 保密编号 or id.
fn computer(cx: &Cx<'_>, key: &str) -> Result<DeviceState> {
    let key = required("computer", "使用的计算机", key, 40)?;
    let id: Option<i64> = cx
        .conn
        .query_row(
            "SELECT id FROM devices WHERE serial = ?1 OR (label_no = ?1 AND label_no <> '')
             ORDER BY id LIMIT 1",
            [&key],
            |r| r.get(0),
        )
        .ok()
        .or_else(|| key.parse().ok());
    let id = id.ok_or_else(|| {
        Error::field(
            "computer",
            "使用的计算机",
            format!("台账中没有编号为“{key}”的设备"),
        )
    })?;
    table::load::<Devices>(cx.conn, id).map_err(|_| {
        Error::field(
            "computer",
            "使用的计算机",
            format!("台账中没有编号为“{key}”的设备"),
        )
    })
}

/// Builds the event of action `kind` from its JSON input.
fn event(
    kind: &str,
    input: serde_json::Value,
    s: &DeviceState,
    cx: &Cx<'_>,
) -> Result<DeviceEvent> {
    Ok(match kind {
        "transfer" => {
            let i: TransferInput = parse(input)?;
            let custodian = optional("custodian", "新责任人", &i.custodian, 40)?;
            let department = optional("department", "新使用部门", &i.department, 40)?;
            let location = optional("location", "新放置地点", &i.location, 60)?;
            DeviceEvent::Transferred {
                custodian: if custodian.is_empty() {
                    s.fields.custodian.clone()
                } else {
                    custodian
                },
                department: if department.is_empty() {
                    s.fields.department.clone()
                } else {
                    department
                },
                location: if location.is_empty() {
                    s.fields.location.clone()
                } else {
                    location
                },
                level: optional_level("level", "新密级", i.level.as_deref())?
                    .filter(|l| Some(*l) != s.fields.level),
                wiped: i.wiped.unwrap_or(false),
            }
        }
        "checkout" => {
            let i: CheckoutInput = parse(input)?;
            if let Some(out) = dates::parse_opt("out_on", "外出日期", i.out_on.as_deref())? {
                if out != cx.occurred_on {
                    return Err(Error::field("out_on", "外出日期", "与办理日期（on）不一致"));
                }
            }
            let classified = s.fields.classified;
            let sign = |f: &str, l: &str, v: &Option<String>| -> Result<String> {
                if classified {
                    required(f, l, v, 40)
                } else {
                    optional(f, l, v, 40)
                }
            };
            DeviceEvent::CheckedOut {
                user: required("user", "使用人", &i.user, 40)?,
                reason: required("reason", "外出事由", &i.reason, 200)?,
                destination: required("destination", "前往地点", &i.destination, 100)?,
                due_on: dates::parse("due_on", "预计归还日期", &i.due_on)?,
                max_level: optional_level(
                    "max_level",
                    "携带信息的最高密级",
                    i.max_level.as_deref(),
                )?,
                security_officer: sign("security_officer", "安全保密负责人", &i.security_officer)?,
                security_officer_on: dates::parse_opt(
                    "security_officer_on",
                    "安全保密负责人签字日期",
                    i.security_officer_on.as_deref(),
                )?,
                leader: sign("leader", "领导签字", &i.leader)?,
                leader_on: dates::parse_opt("leader_on", "领导签字日期", i.leader_on.as_deref())?,
                ports_opened: optional(
                    "ports_opened",
                    "外出开通的端口或软件",
                    &i.ports_opened,
                    200,
                )?,
            }
        }
        "checkin" => {
            let i: CheckinInput = parse(input)?;
            if let Some(d) = dates::parse_opt("returned_on", "归还日期", i.returned_on.as_deref())?
            {
                if d != cx.occurred_on {
                    return Err(Error::field(
                        "returned_on",
                        "归还日期",
                        "与办理日期（on）不一致",
                    ));
                }
            }
            DeviceEvent::CheckedIn {
                checked_by: required("checked_by", "检查人", &i.checked_by, 40)?,
                seals_intact: i.seals_intact.unwrap_or(false),
                no_unauthorized_connection: i.no_unauthorized_connection.unwrap_or(false),
                ports_closed: i.ports_closed.unwrap_or(true),
                wiped: i.wiped.unwrap_or(false),
            }
        }
        "maintain" => {
            let i: MaintainInput = parse(input)?;
            let maintenance = MaintenanceKind::parse(i.kind.as_deref().unwrap_or(""))?;
            DeviceEvent::Maintained {
                maintenance,
                content: optional("content", "维护内容", &i.content, 500)?,
                external: i.external.unwrap_or(false),
                performer: required("performer", "维护淘汰负责人（承担人员）", &i.performer, 60)?,
                vendor_agreement: optional(
                    "vendor_agreement",
                    "保密协议编号",
                    &i.vendor_agreement,
                    60,
                )?,
                supervisors: people(
                    "supervisors",
                    "监督人员",
                    i.supervisors.as_deref().unwrap_or(&[]),
                )?,
                storage_removed: i.storage_removed.unwrap_or(false),
                storage_serial: optional(
                    "storage_serial",
                    "拆除的存储部件序列号",
                    &i.storage_serial,
                    60,
                )?,
                storage_kept_at: optional(
                    "storage_kept_at",
                    "存储部件存放处",
                    &i.storage_kept_at,
                    60,
                )?,
                new_storage_serials: serial_list(
                    "new_storage_serials",
                    "新硬盘序列号",
                    i.new_storage_serials.as_deref().unwrap_or(&[]),
                )?,
                destruction: destruction(i.destruction.as_ref())?,
            }
        }
        "repaired" => {
            let i: RepairedInput = parse(input)?;
            DeviceEvent::Repaired {
                checked_by: required("checked_by", "验收人", &i.checked_by, 40)?,
                new_storage_serials: serial_list(
                    "new_storage_serials",
                    "新硬盘序列号",
                    i.new_storage_serials.as_deref().unwrap_or(&[]),
                )?,
            }
        }
        "suspend" => {
            let i: SuspendInput = parse(input)?;
            DeviceEvent::Suspended {
                reason: optional("reason", "停用原因", &i.reason, 200)?,
            }
        }
        "resume" => {
            let _: ResumeInput = parse(input)?;
            DeviceEvent::Resumed
        }
        "issue" => {
            let i: IssueInput = parse(input)?;
            DeviceEvent::Issued {
                to: required("to", "配备给", &i.to, 40)?,
                department: optional("department", "部门", &i.department, 40)?,
            }
        }
        "lend" => {
            let i: LendInput = parse(input)?;
            let borrower = required("borrower", "借用人", &i.borrower, 40)?;
            let c = computer(cx, i.computer.as_deref().unwrap_or(""))?;
            if c.id == s.id {
                return Err(Error::field("computer", "使用的计算机", "不能是介质本身"));
            }
            if c.status.is_final() {
                return Err(Error::field(
                    "computer",
                    "使用的计算机",
                    format!("{} 已{}", c.serial, c.status.label()),
                ));
            }
            DeviceEvent::Lent {
                borrower,
                computer_id: c.id,
                computer: c.serial.clone(),
                computer_kind: c.fields.kind,
                computer_level: c.fields.level,
                max_level: optional_level(
                    "max_level",
                    "存储内容的最高密级",
                    i.max_level.as_deref(),
                )?,
                due_on: dates::parse("due_on", "应还日期", &i.due_on)?,
            }
        }
        "give_back" => {
            let i: GiveBackInput = parse(input)?;
            DeviceEvent::GivenBack {
                wiped: i.wiped.unwrap_or(false),
            }
        }
        "inspect" => {
            let i: InspectInput = parse(input)?;
            DeviceEvent::Inspected {
                inspector: required("inspector", "检查人", &i.inspector, 40)?,
                result: optional("result", "检查情况", &i.result, 500)?,
                passed: i.passed.unwrap_or(true),
            }
        }
        "destroy" => {
            let i: DeviceDestroyInput = parse(input)?;
            let d = destruction(i.destruction.as_ref())?.ok_or_else(|| {
                Error::field(
                    "destruction",
                    "销毁记录",
                    "须填写承销单位、销毁证明编号和销毁日期（交由指定承销单位销毁）",
                )
            })?;
            DeviceEvent::Destroyed {
                approver: required("approver", "批准人", &i.approver, 40)?,
                destruction: d,
                supervisors: people(
                    "supervisors",
                    "监督人员",
                    i.supervisors.as_deref().unwrap_or(&[]),
                )?,
            }
        }
        other => return Err(crate::registers::unknown_action::<Devices>(other)),
    })
}

/// The fields a correction may change, with their labels. 责任人 and 部门 change only by
/// 变更 (it needs an approval); the level only by 改作非涉密.
pub const CORRECTABLE: [(&str, &str); 9] = [
    ("name", "设备名称"),
    ("model", "品牌型号"),
    ("serial", "设备序列号"),
    ("label_no", "保密编号"),
    ("location", "放置地点"),
    ("remarks", "备注"),
    ("three_in_one", "三合一"),
    ("wireless_removed", "无线模块已拆除"),
    ("label_affixed", "涉密标签已粘贴"),
];

fn yes_no(b: bool) -> String {
    if b { "是" } else { "否" }.to_string()
}

fn flag(s: &str) -> Result<bool> {
    match s.trim() {
        "是" | "true" | "1" | "已安装" | "已拆除" | "已粘贴" => Ok(true),
        "否" | "false" | "0" => Ok(false),
        other => Err(Error::field(
            "value",
            "新值",
            format!("“{other}”无效，应为“是”或“否”"),
        )),
    }
}

fn corrected(s: &DeviceState, field: &str, raw: &str) -> Result<(String, String)> {
    let f = &s.fields;
    Ok(match field {
        "name" => (f.name.clone(), required("value", "设备名称", raw, 60)?),
        "model" => (f.model.clone(), optional("value", "品牌型号", raw, 60)?),
        "serial" => (
            f.device_serial.clone(),
            optional("value", "设备序列号", raw, 60)?,
        ),
        "label_no" => {
            let v = optional("value", "保密编号", raw, 40)?;
            if f.classified && v.is_empty() {
                return Err(Error::field(
                    "value",
                    "保密编号",
                    "涉密设备的保密编号不能为空",
                ));
            }
            (f.label_no.clone(), v)
        }
        "location" => (f.location.clone(), optional("value", "放置地点", raw, 60)?),
        "remarks" => (f.remarks.clone(), optional("value", "备注", raw, 500)?),
        "three_in_one" => (yes_no(f.three_in_one), yes_no(flag(raw)?)),
        "wireless_removed" => (yes_no(f.wireless_removed), yes_no(flag(raw)?)),
        "label_affixed" => (yes_no(f.label_affixed), yes_no(flag(raw)?)),
        other => {
            return Err(Error::field(
                "field",
                "更正字段",
                format!(
                    "“{other}”不能更正：责任人和部门通过“变更责任人”办理，密级通过“改作非涉密”改变"
                ),
            ))
        }
    })
}

fn needs_approval(s: &DeviceState, meta: &Meta, what: &str) -> Result<()> {
    if meta.approval.as_deref().is_none_or(|a| a.trim().is_empty()) {
        return Err(Error::field(
            "approval",
            "审批单号",
            format!(
                "涉密设备 {} {what}须经保密工作领导小组批准，请填写审批单号",
                s.serial
            ),
        ));
    }
    Ok(())
}

fn apply_maintained(s: &DeviceState, next: &mut DeviceState, e: &DeviceEvent) -> Result<()> {
    let DeviceEvent::Maintained {
        maintenance,
        external,
        vendor_agreement,
        supervisors,
        storage_removed,
        storage_serial,
        storage_kept_at,
        new_storage_serials,
        destruction,
        ..
    } = e
    else {
        return Ok(());
    };
    let classified = s.fields.classified;
    let disposal = matches!(
        maintenance,
        MaintenanceKind::Retire | MaintenanceKind::Repurpose
    );
    if classified {
        if supervisors.is_empty() {
            return Err(Error::field(
                "supervisors",
                "监督人员",
                "涉密设备维护淘汰须有监督人员（安全保密、运行管理）全程在场",
            ));
        }
        if *external && !disposal {
            if !storage_removed {
                return Err(Error::field(
                    "storage_removed",
                    "存储部件已拆除",
                    "涉密设备送外维修须先拆除涉密信息存储部件（第十八条）",
                ));
            }
            if vendor_agreement.is_empty() {
                return Err(Error::field(
                    "vendor_agreement",
                    "保密协议编号",
                    "送外维修须登记维修单位的保密协议编号",
                ));
            }
        }
        if disposal && !storage_removed {
            return Err(Error::field(
                "storage_removed",
                "存储部件已拆除",
                format!(
                    "涉密设备{}前须拆除涉密信息存储部件（第十九条）",
                    maintenance.label()
                ),
            ));
        }
        if *storage_removed {
            if storage_serial.is_empty() {
                return Err(Error::field(
                    "storage_serial",
                    "拆除的存储部件序列号",
                    "不能为空",
                ));
            }
            if !disposal && storage_kept_at.is_empty() {
                return Err(Error::field(
                    "storage_kept_at",
                    "存储部件存放处",
                    "不能为空",
                ));
            }
        }
        if disposal && destruction.is_none() {
            return Err(Error::field(
                "destruction",
                "销毁记录",
                format!(
                    "涉密设备{}须将拆除的存储部件交指定承销单位销毁，并登记承销单位、销毁证明编号和日期",
                    maintenance.label()
                ),
            ));
        }
    }
    if !new_storage_serials.is_empty() {
        next.fields.storage_serials = new_storage_serials.clone();
    } else if *storage_removed && disposal {
        next.fields.storage_serials.clear();
    }
    match maintenance {
        MaintenanceKind::Repair => {
            if s.status != DeviceStatus::InRepair {
                next.resume = Some(s.status);
            }
            next.status = DeviceStatus::InRepair;
        }
        MaintenanceKind::Service => {}
        MaintenanceKind::Retire => {
            next.status = DeviceStatus::Retired;
            next.resume = None;
        }
        MaintenanceKind::Repurpose => {
            next.fields.classified = false;
            next.fields.level = None;
            if s.status == DeviceStatus::InRepair {
                next.status = s.resume.unwrap_or(DeviceStatus::InUse);
                next.resume = None;
            }
        }
    }
    Ok(())
}

impl Register for Devices {
    const NAME: &'static str = "device";
    const TABLE: &'static str = "devices";
    const NOUN: &'static str = "设备";
    const DEFAULT_SERIAL_PATTERN: &'static str = "SB-{年}-{序号:4}";
    const ACTIONS: &'static [Action] = ACTIONS;
    const CORRECTABLE: &'static [(&'static str, &'static str)] = &CORRECTABLE;
    type Event = DeviceEvent;
    type Input = DeviceInput;
    type Fields = DeviceFields;

    fn statuses() -> Vec<Choice> {
        Choice::all(&DeviceStatus::ALL, DeviceStatus::code, DeviceStatus::label)
    }

    fn assigns(e: &DeviceEvent) -> Vec<(&'static str, &'static str, &str)> {
        match e {
            DeviceEvent::Registered { fields, .. } => {
                vec![("custodian", "责任人", &fields.custodian)]
            }
            DeviceEvent::Transferred { custodian, .. } => {
                vec![("custodian", "新责任人", custodian)]
            }
            DeviceEvent::CheckedOut { user, .. } => vec![("user", "使用人", user)],
            DeviceEvent::Issued { to, .. } => vec![("to", "配备对象", to)],
            DeviceEvent::Lent { borrower, .. } => vec![("borrower", "借用人", borrower)],
            _ => Vec::new(),
        }
    }

    fn describe(e: &DeviceEvent) -> String {
        match e {
            DeviceEvent::Registered { serial, fields, .. } => format!(
                "登记 {serial}（{}，{}），责任人{}",
                fields.kind.label(),
                level_text(fields.level),
                fields.custodian
            ),
            DeviceEvent::Transferred {
                custodian,
                department,
                level,
                wiped,
                ..
            } => format!(
                "变更：责任人{custodian}，使用部门{department}{}{}",
                level.map_or(String::new(), |l| format!("，密级改为{}", l.label())),
                if *wiped { "，已做信息消除" } else { "" }
            ),
            DeviceEvent::CheckedOut {
                user,
                destination,
                due_on,
                max_level,
                ..
            } => format!(
                "外出：{user} 携往{destination}，预计 {due_on} 归还，携带信息最高{}",
                level_text(*max_level)
            ),
            DeviceEvent::CheckedIn {
                checked_by,
                seals_intact,
                no_unauthorized_connection,
                wiped,
                ..
            } => {
                let mut s = format!("外出归还，{checked_by}检查");
                s.push_str(if *seals_intact {
                    "：封条完好"
                } else {
                    "：封条有破损"
                });
                s.push_str(if *no_unauthorized_connection {
                    "，未发现违规连接"
                } else {
                    "，发现违规连接"
                });
                if *wiped {
                    s.push_str("，已做信息消除");
                }
                s
            }
            DeviceEvent::Maintained {
                maintenance,
                external,
                performer,
                supervisors,
                storage_removed,
                ..
            } => format!(
                "{}（{}，{performer}），监督人员{}{}",
                maintenance.label(),
                if *external {
                    "外送"
                } else {
                    "本单位内部"
                },
                if supervisors.is_empty() {
                    "无".to_string()
                } else {
                    supervisors.join("、")
                },
                if *storage_removed {
                    "，存储部件已拆除"
                } else {
                    ""
                }
            ),
            DeviceEvent::Repaired { checked_by, .. } => format!("维修完成，{checked_by}验收"),
            DeviceEvent::Suspended { reason } => {
                if reason.is_empty() {
                    "停用".into()
                } else {
                    format!("停用：{reason}")
                }
            }
            DeviceEvent::Resumed => "启用".into(),
            DeviceEvent::Issued { to, .. } => format!("配备给{to}"),
            DeviceEvent::Lent {
                borrower,
                computer,
                max_level,
                due_on,
                ..
            } => format!(
                "借用：{borrower}，用于计算机 {computer}，内容最高{}，应于 {due_on} 前归还",
                level_text(*max_level)
            ),
            DeviceEvent::GivenBack { wiped } => {
                if *wiped {
                    "借用归还，已做信息消除".into()
                } else {
                    "借用归还".into()
                }
            }
            DeviceEvent::Inspected {
                inspector, passed, ..
            } => {
                format!(
                    "检查（{inspector}）：{}",
                    if *passed { "合格" } else { "发现问题" }
                )
            }
            DeviceEvent::Destroyed {
                approver,
                destruction,
                ..
            } => format!(
                "销毁，经{approver}批准，由{}销毁（证明 {}）",
                destruction.unit, destruction.certificate_no
            ),
            DeviceEvent::Corrected(c) => describe_correction::<Self>(c),
        }
    }

    fn apply(state: Option<&DeviceState>, e: &DeviceEvent, meta: &Meta) -> Result<DeviceState> {
        let Some(s) = state else {
            return match e {
                DeviceEvent::Registered { id, serial, fields } => Ok(DeviceState {
                    id: *id,
                    serial: serial.clone(),
                    fields: fields.clone(),
                    status: DeviceStatus::InUse,
                    resume: None,
                    holding: None,
                    issued_to: None,
                    last_inspected_on: None,
                }),
                _ => Err(Error::internal("设备尚未登记，不能记录其他事件")),
            };
        };
        crate::registers::check_allowed::<Self>(s, action_of(e))?;
        let mut next = s.clone();
        let classified = s.fields.classified;
        match e {
            DeviceEvent::Registered { .. } => {}
            DeviceEvent::Transferred {
                custodian,
                department,
                location,
                level,
                ..
            } => {
                if *custodian == s.fields.custodian
                    && *department == s.fields.department
                    && *location == s.fields.location
                    && level.is_none()
                {
                    return Err(Error::field(
                        "custodian",
                        "新责任人",
                        "责任人、部门、地点和密级都没有变化",
                    ));
                }
                if let Some(l) = level {
                    if !classified {
                        return Err(Error::field(
                            "level",
                            "新密级",
                            "非涉密设备不能改为涉密设备（严禁非涉密设备处理涉密信息）",
                        ));
                    }
                    if !l.is_state_secret() {
                        return Err(Error::field(
                            "level",
                            "新密级",
                            "涉密设备的密级应为绝密、机密或秘密；不再涉密请办理“改作非涉密”",
                        ));
                    }
                    next.fields.level = Some(*l);
                }
                let who_changes = *custodian != s.fields.custodian
                    || *department != s.fields.department
                    || level.is_some();
                if classified && who_changes {
                    needs_approval(s, meta, "变更使用部门、责任人或密级")?;
                }
                next.fields.custodian = custodian.clone();
                next.fields.department = department.clone();
                next.fields.location = location.clone();
            }
            DeviceEvent::CheckedOut {
                user,
                destination,
                due_on,
                max_level,
                ..
            } => {
                if *due_on < meta.occurred_on {
                    return Err(Error::field("due_on", "预计归还日期", "不能早于外出日期"));
                }
                if !fits(*max_level, s.fields.level) {
                    return Err(Error::field(
                        "max_level",
                        "携带信息的最高密级",
                        match s.fields.level {
                            Some(l) => format!("不得高于设备本身的密级（{}）", l.label()),
                            None => "非涉密设备不得携带涉密信息外出".to_string(),
                        },
                    ));
                }
                next.resume = Some(s.status);
                next.status = DeviceStatus::Out;
                next.holding = Some(Holding {
                    user: user.clone(),
                    since: dates::iso(meta.occurred_on),
                    due_on: dates::iso(*due_on),
                    max_level: *max_level,
                    place: destination.clone(),
                });
            }
            DeviceEvent::CheckedIn { .. } | DeviceEvent::GivenBack { .. } => {
                let since = s.holding.as_ref().map(|h| h.since.as_str()).unwrap_or("");
                if dates::iso(meta.occurred_on).as_str() < since {
                    return Err(Error::field(
                        "on",
                        "归还日期",
                        format!("不能早于{}日期 {since}", s.status.label()),
                    ));
                }
                next.status = s.resume.unwrap_or(DeviceStatus::InUse);
                next.resume = None;
                next.holding = None;
            }
            DeviceEvent::Maintained { .. } => apply_maintained(s, &mut next, e)?,
            DeviceEvent::Repaired {
                new_storage_serials,
                ..
            } => {
                if !new_storage_serials.is_empty() {
                    next.fields.storage_serials = new_storage_serials.clone();
                }
                next.status = s.resume.unwrap_or(DeviceStatus::InUse);
                next.resume = None;
            }
            DeviceEvent::Suspended { .. } => next.status = DeviceStatus::Idle,
            DeviceEvent::Resumed => next.status = DeviceStatus::InUse,
            DeviceEvent::Issued { to, department } => {
                next.issued_to = Some(to.clone());
                next.fields.custodian = to.clone();
                if !department.is_empty() {
                    next.fields.department = department.clone();
                }
            }
            DeviceEvent::Lent {
                borrower,
                computer,
                computer_kind,
                computer_level,
                max_level,
                due_on,
                ..
            } => {
                if !computer_kind.is_computer() {
                    return Err(Error::field(
                        "computer",
                        "使用的计算机",
                        format!("{computer} 是{}，不是计算机", computer_kind.label()),
                    ));
                }
                if !fits(*max_level, s.fields.level) {
                    return Err(Error::field(
                        "max_level",
                        "存储内容的最高密级",
                        match s.fields.level {
                            Some(l) => format!("不得高于介质本身的密级（{}）", l.label()),
                            None => "非涉密介质不得存储涉密信息".to_string(),
                        },
                    ));
                }
                match (s.fields.level, computer_level) {
                    (Some(_), None) => {
                        return Err(Error::field(
                            "computer",
                            "使用的计算机",
                            format!(
                                "{computer} 是非涉密计算机：严禁在非涉密计算机上使用涉密存储介质"
                            ),
                        ))
                    }
                    (Some(m), Some(c)) if c.rank() > m.rank() => {
                        return Err(Error::field(
                            "computer",
                            "使用的计算机",
                            format!(
                                "{computer} 的密级（{}）低于介质的密级（{}），不得在其上使用",
                                c.label(),
                                m.label()
                            ),
                        ))
                    }
                    (None, Some(_)) => {
                        return Err(Error::field(
                            "computer",
                            "使用的计算机",
                            format!(
                                "{computer} 是涉密计算机：严禁在涉密计算机上使用非涉密存储介质"
                            ),
                        ))
                    }
                    _ => {}
                }
                if *due_on < meta.occurred_on {
                    return Err(Error::field("due_on", "应还日期", "不能早于借用日期"));
                }
                next.resume = Some(s.status);
                next.status = DeviceStatus::Lent;
                next.holding = Some(Holding {
                    user: borrower.clone(),
                    since: dates::iso(meta.occurred_on),
                    due_on: dates::iso(*due_on),
                    max_level: *max_level,
                    place: computer.clone(),
                });
            }
            DeviceEvent::Inspected { .. } => next.last_inspected_on = Some(meta.occurred_on),
            DeviceEvent::Destroyed { supervisors, .. } => {
                if classified && supervisors.is_empty() {
                    return Err(Error::field(
                        "supervisors",
                        "监督人员",
                        "涉密设备销毁须有监督人员在场",
                    ));
                }
                next.status = DeviceStatus::Destroyed;
                next.fields.storage_serials.clear();
            }
            DeviceEvent::Corrected(c) => {
                let (f, new) = (&mut next.fields, &c.new);
                match c.field.as_str() {
                    "name" => f.name = new.clone(),
                    "model" => f.model = new.clone(),
                    "serial" => f.device_serial = new.clone(),
                    "label_no" => f.label_no = new.clone(),
                    "location" => f.location = new.clone(),
                    "remarks" => f.remarks = new.clone(),
                    "three_in_one" => f.three_in_one = new == "是",
                    "wireless_removed" => f.wireless_removed = new == "是",
                    "label_affixed" => f.label_affixed = new == "是",
                    other => return Err(crate::registers::not_correctable(other)),
                }
            }
        }
        Ok(next)
    }

    fn registration(input: &DeviceInput, today: NaiveDate) -> Result<Registration<DeviceFields>> {
        let fields = input.validate()?;
        if fields.in_service_on > today {
            return Err(Error::field("in_service_on", "启用日期", "不能晚于今天"));
        }
        Ok(Registration {
            occurred_on: fields.in_service_on,
            level_mark: fields.level.map_or('非', Level::short),
            fields,
        })
    }

    fn registered(id: i64, serial: String, fields: DeviceFields) -> DeviceEvent {
        DeviceEvent::Registered { id, serial, fields }
    }

    fn allowed(s: &DeviceState) -> Vec<&'static str> {
        allowed(s)
    }

    fn event(
        kind: &str,
        input: serde_json::Value,
        s: &DeviceState,
        cx: &Cx<'_>,
    ) -> Result<DeviceEvent> {
        event(kind, input, s, cx)
    }

    fn corrected(s: &DeviceState, field: &str, raw: &str, _: &Cx<'_>) -> Result<(String, String)> {
        corrected(s, field, raw)
    }

    fn refusal(s: &DeviceState, action: &Action) -> Error {
        refusal(s, action.kind)
    }
    fn date_field(kind: &str) -> Option<&'static str> {
        match kind {
            "checkout" => Some("out_on"),
            "checkin" => Some("returned_on"),
            _ => None,
        }
    }
}
