//! The device ledger's types: device kinds, statuses, the record, and the input of each action.
//!
//! Contract: input DTOs (`deny_unknown_fields`, dates and levels as text) are the public JSON
//! of `baomi device …` and of the desktop app; `validate` turns a registration into trusted
//! [`DeviceFields`] or fails with a Chinese message naming the field. JSON field names of
//! `baomi device add` (issue 9): `kind`, `name`, `model`, `serial`, `storage_serials`,
//! `classified`, `level`, `label_no`, `department`, `custodian`, `location`, `in_service_on`,
//! `three_in_one`, `wireless_removed` (plus `label_affixed`, `remarks`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::dates;
use crate::error::{Error, Result};
use crate::event_input;
use crate::input::{optional, required};
use crate::registers::level::Level;

/// What kind of device (设备类型).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, schemars::JsonSchema,
)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum DeviceKind {
    #[serde(rename = "台式计算机")]
    Desktop,
    #[serde(rename = "便携式计算机")]
    Laptop,
    #[serde(rename = "移动存储介质")]
    RemovableMedia,
    #[serde(rename = "打印机")]
    Printer,
    #[serde(rename = "复印机")]
    Copier,
    #[serde(rename = "扫描仪")]
    Scanner,
    #[serde(rename = "传真机")]
    Fax,
    #[serde(rename = "照相机/摄像机")]
    Camera,
    #[serde(rename = "其他")]
    Other,
}

impl DeviceKind {
    pub const ALL: [DeviceKind; 9] = [
        DeviceKind::Desktop,
        DeviceKind::Laptop,
        DeviceKind::RemovableMedia,
        DeviceKind::Printer,
        DeviceKind::Copier,
        DeviceKind::Scanner,
        DeviceKind::Fax,
        DeviceKind::Camera,
        DeviceKind::Other,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DeviceKind::Desktop => "台式计算机",
            DeviceKind::Laptop => "便携式计算机",
            DeviceKind::RemovableMedia => "移动存储介质",
            DeviceKind::Printer => "打印机",
            DeviceKind::Copier => "复印机",
            DeviceKind::Scanner => "扫描仪",
            DeviceKind::Fax => "传真机",
            DeviceKind::Camera => "照相机/摄像机",
            DeviceKind::Other => "其他",
        }
    }

    /// Index tag token (`kd0`…`kd8`).
    pub fn tag(self) -> String {
        let i = DeviceKind::ALL.iter().position(|k| *k == self).unwrap_or(8);
        format!("kd{i}")
    }

    pub fn parse(field: &str, s: &str) -> Result<DeviceKind> {
        let t = s.trim();
        let alias = match t {
            "计算机" | "台式机" => "台式计算机",
            "笔记本" | "笔记本电脑" | "便携机" => "便携式计算机",
            "U盘" | "移动硬盘" | "存储介质" => "移动存储介质",
            "照相机" | "摄像机" => "照相机/摄像机",
            other => other,
        };
        DeviceKind::ALL
            .into_iter()
            .find(|k| k.label() == alias)
            .ok_or_else(|| {
                Error::field(
                    field,
                    "设备类型",
                    format!(
                        "“{s}”无效，应为 {}",
                        DeviceKind::ALL.map(|k| k.label()).join("、")
                    ),
                )
            })
    }

    /// A computer: the only kind a removable medium can be used with.
    pub fn is_computer(self) -> bool {
        matches!(self, DeviceKind::Desktop | DeviceKind::Laptop)
    }
}

/// Where a device is in its life (状态).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum DeviceStatus {
    /// 在用.
    InUse,
    /// 外出: checked out with an approved 外出审核表.
    Out,
    /// 借出: a removable medium lent for use with a computer.
    Lent,
    /// 维修.
    InRepair,
    /// 停用.
    Idle,
    /// 已淘汰: final.
    Retired,
    /// 已销毁: final.
    Destroyed,
}

impl DeviceStatus {
    pub const ALL: [DeviceStatus; 7] = [
        DeviceStatus::InUse,
        DeviceStatus::Out,
        DeviceStatus::Lent,
        DeviceStatus::InRepair,
        DeviceStatus::Idle,
        DeviceStatus::Retired,
        DeviceStatus::Destroyed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DeviceStatus::InUse => "在用",
            DeviceStatus::Out => "外出",
            DeviceStatus::Lent => "借出",
            DeviceStatus::InRepair => "维修",
            DeviceStatus::Idle => "停用",
            DeviceStatus::Retired => "已淘汰",
            DeviceStatus::Destroyed => "已销毁",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            DeviceStatus::InUse => "in_use",
            DeviceStatus::Out => "out",
            DeviceStatus::Lent => "lent",
            DeviceStatus::InRepair => "in_repair",
            DeviceStatus::Idle => "idle",
            DeviceStatus::Retired => "retired",
            DeviceStatus::Destroyed => "destroyed",
        }
    }

    pub fn parse(s: &str) -> Result<DeviceStatus> {
        DeviceStatus::ALL
            .into_iter()
            .find(|st| st.code() == s.trim() || st.label() == s.trim())
            .ok_or_else(|| {
                Error::field(
                    "status",
                    "状态",
                    format!(
                        "“{s}”无效，应为 {}",
                        DeviceStatus::ALL.map(|k| k.label()).join("、")
                    ),
                )
            })
    }

    /// Retired and destroyed devices take no further events (but corrections).
    pub fn is_final(self) -> bool {
        matches!(self, DeviceStatus::Retired | DeviceStatus::Destroyed)
    }
}

/// A device as typed by the officer (`baomi device add`, the ledger form).
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct DeviceInput {
    /// 设备类型: 台式计算机, 便携式计算机, 移动存储介质, 打印机, 复印机, 扫描仪, 传真机,
    /// 照相机/摄像机, 其他.
    pub kind: String,
    /// 设备名称.
    pub name: String,
    /// 品牌型号.
    #[serde(default)]
    #[ts(optional)]
    pub model: Option<String>,
    /// 设备序列号 (the maker's serial number).
    #[serde(default)]
    #[ts(optional)]
    pub serial: Option<String>,
    /// 硬盘（存储部件）序列号: one or more.
    #[serde(default)]
    #[ts(optional)]
    pub storage_serials: Option<Vec<String>>,
    /// 是否涉密.
    pub classified: bool,
    /// 密级 of a classified device: 绝密, 机密 or 秘密.
    #[serde(default)]
    #[ts(optional)]
    pub level: Option<String>,
    /// 保密编号 / 涉密标签号.
    #[serde(default)]
    #[ts(optional)]
    pub label_no: Option<String>,
    /// 使用部门.
    pub department: String,
    /// 责任人.
    pub custodian: String,
    /// 放置地点.
    #[serde(default)]
    #[ts(optional)]
    pub location: Option<String>,
    /// 启用日期 YYYY-MM-DD.
    pub in_service_on: String,
    /// 已安装“三合一”.
    #[serde(default)]
    #[ts(optional)]
    pub three_in_one: Option<bool>,
    /// 已拆除无线模块.
    #[serde(default)]
    #[ts(optional)]
    pub wireless_removed: Option<bool>,
    /// 已粘贴涉密标签.
    #[serde(default)]
    #[ts(optional)]
    pub label_affixed: Option<bool>,
    #[serde(default)]
    #[ts(optional)]
    pub remarks: Option<String>,
}

/// A validated device registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceFields {
    pub kind: DeviceKind,
    pub name: String,
    pub model: String,
    pub device_serial: String,
    pub storage_serials: Vec<String>,
    pub classified: bool,
    /// Set exactly when `classified`.
    pub level: Option<Level>,
    pub label_no: String,
    pub department: String,
    pub custodian: String,
    pub location: String,
    pub in_service_on: NaiveDate,
    pub three_in_one: bool,
    pub wireless_removed: bool,
    pub label_affixed: bool,
    pub remarks: String,
}

/// A classified device's level: a state secret (绝密/机密/秘密); a non-classified one has none.
pub fn device_level(classified: bool, level: Option<&str>) -> Result<Option<Level>> {
    let given = level
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "非密");
    match (classified, given) {
        (true, None) => Err(Error::field(
            "level",
            "密级",
            "涉密设备须填写密级（绝密、机密或秘密）",
        )),
        (true, Some(l)) => {
            let level = Level::parse("level", l)?;
            if !level.is_state_secret() {
                return Err(Error::field(
                    "level",
                    "密级",
                    "涉密设备的密级应为绝密、机密或秘密",
                ));
            }
            Ok(Some(level))
        }
        (false, Some(_)) => Err(Error::field(
            "level",
            "密级",
            "非涉密设备不填密级（严禁非涉密设备处理涉密信息）",
        )),
        (false, None) => Ok(None),
    }
}

/// Trimmed, non-empty serial numbers, each at most 60 characters, no duplicates.
pub fn serial_list(field: &str, label: &str, items: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for s in items {
        let s = optional(field, label, s, 60)?;
        if s.is_empty() {
            continue;
        }
        if out.contains(&s) {
            return Err(Error::field(field, label, format!("“{s}”重复")));
        }
        out.push(s);
    }
    Ok(out)
}

impl DeviceInput {
    pub fn validate(&self) -> Result<DeviceFields> {
        let kind = DeviceKind::parse("kind", &self.kind)?;
        let level = device_level(self.classified, self.level.as_deref())?;
        let label_no = optional("label_no", "保密编号", &self.label_no, 40)?;
        if self.classified && label_no.is_empty() {
            return Err(Error::field(
                "label_no",
                "保密编号",
                "涉密设备须登记保密编号（涉密标签号）",
            ));
        }
        Ok(DeviceFields {
            kind,
            name: required("name", "设备名称", &self.name, 60)?,
            model: optional("model", "品牌型号", &self.model, 60)?,
            device_serial: optional("serial", "设备序列号", &self.serial, 60)?,
            storage_serials: serial_list(
                "storage_serials",
                "硬盘序列号",
                self.storage_serials.as_deref().unwrap_or(&[]),
            )?,
            classified: self.classified,
            level,
            label_no,
            department: required("department", "使用部门", &self.department, 40)?,
            custodian: required("custodian", "责任人", &self.custodian, 40)?,
            location: optional("location", "放置地点", &self.location, 60)?,
            in_service_on: dates::parse("in_service_on", "启用日期", &self.in_service_on)?,
            three_in_one: self.three_in_one.unwrap_or(false),
            wireless_removed: self.wireless_removed.unwrap_or(false),
            label_affixed: self.label_affixed.unwrap_or(false),
            remarks: optional("remarks", "备注", &self.remarks, 500)?,
        })
    }
}

/// An open check-out (外出) or loan (借用) of the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Holding {
    /// 使用人 / 借用人.
    pub user: String,
    pub since: String,
    /// 预计归还日期.
    pub due_on: String,
    /// The highest level of information taken or allowed.
    pub max_level: Option<Level>,
    /// Destination of a check-out, or the computer a medium is used with.
    pub place: String,
}

/// The derived state of a device: its fields, status, and what is open on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceState {
    pub id: i64,
    /// The ledger number (台账编号) given at registration.
    pub serial: String,
    pub fields: DeviceFields,
    pub status: DeviceStatus,
    /// Where a device out, lent or in repair returns to.
    pub resume: Option<DeviceStatus>,
    pub holding: Option<Holding>,
    /// The person a removable medium is issued to (配备), if any.
    pub issued_to: Option<String>,
    pub last_inspected_on: Option<NaiveDate>,
}

crate::record_state!(DeviceState);

/// The storage destruction record (淘汰/改作非涉密: 指定承销单位销毁).
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct DestructionInput {
    /// 承销单位.
    #[serde(default)]
    #[ts(optional)]
    pub unit: Option<String>,
    /// 销毁证明编号.
    #[serde(default)]
    #[ts(optional)]
    pub certificate_no: Option<String>,
    /// 销毁日期.
    #[serde(default)]
    #[ts(optional)]
    pub on: Option<String>,
}

event_input!(
    /// 变更: a new responsible person, department, place or (classified devices) level, with
    /// the leading group's approval (`approval`, 第十五条); `wiped` records an information
    /// wipe done for the change.
    TransferInput { custodian: String, department: String, location: String, level: String, wiped: bool }
);
event_input!(
    /// 外出: take the device out with a signed 外出审核表.
    CheckoutInput {
        user: String,
        reason: String,
        destination: String,
        out_on: String,
        due_on: String,
        max_level: String,
        security_officer: String,
        security_officer_on: String,
        leader: String,
        leader_on: String,
        ports_opened: String,
    }
);
event_input!(
    /// 外出归还: the return check.
    CheckinInput {
        returned_on: String,
        checked_by: String,
        seals_intact: bool,
        no_unauthorized_connection: bool,
        ports_closed: bool,
        wiped: bool,
    }
);
event_input!(
    /// 维护淘汰: 维修, 保养, 淘汰 or 改作非涉密 (附表2).
    MaintainInput {
        kind: String,
        content: String,
        external: bool,
        performer: String,
        vendor_agreement: String,
        supervisors: Vec<String>,
        storage_removed: bool,
        storage_serial: String,
        storage_kept_at: String,
        new_storage_serials: Vec<String>,
        destruction: DestructionInput,
    }
);
event_input!(
    /// 维修完成: the device is back; a replaced disk's new serials are recorded.
    RepairedInput { checked_by: String, new_storage_serials: Vec<String> }
);
event_input!(
    /// 停用.
    SuspendInput { reason: String }
);
event_input!(
    /// 启用 (after 停用).
    ResumeInput {}
);
event_input!(
    /// 配备: a removable medium issued to a person.
    IssueInput { to: String, department: String }
);
event_input!(
    /// 借用: a removable medium lent for use with one computer (its 台账编号 or 保密编号).
    LendInput { borrower: String, computer: String, max_level: String, due_on: String }
);
event_input!(
    /// 借用归还: a lent medium comes back; `wiped` where required.
    GiveBackInput { wiped: bool }
);
event_input!(
    /// 检查: the periodic inspection of the device.
    InspectInput { inspector: String, result: String, passed: bool }
);
event_input!(
    /// 销毁 of a whole device (storage media included), by a designated unit.
    DeviceDestroyInput { approver: String, destruction: DestructionInput, supervisors: Vec<String> }
);
