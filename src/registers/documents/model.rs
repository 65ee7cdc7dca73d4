//! The carrier register's types: levels, statuses, the record, and the input of each event.
//!
//! Contract: input DTOs (`*Input`, `deny_unknown_fields`, dates and levels as text) are what
//! the CLI and the UI send; `validate` turns them into the trusted types the rules work on,
//! or fails with a Chinese message naming the field. JSON field names are a public contract
//! (issue 4): `title`, `doc_no`, `origin_unit`, `level`, `secrecy_period`, `scope`, `copies`,
//! `carrier_type`, `custodian`, `location`, `received_on`, `no_copy`, `remarks`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::dates;
use crate::error::{Error, Result};
use crate::input::{optional, required};

pub use crate::registers::level::Level;

/// Where a carrier is in its life.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum Status {
    /// 在管: registered and held by its custodian.
    InCustody,
    /// 借出.
    Borrowed,
    /// 已归档.
    Archived,
    /// 下落不明.
    Missing,
    /// 已解密: no longer classified, still on the register.
    Declassified,
    /// 已清退 (handed back to the issuer): final.
    HandedBack,
    /// 已销毁: final.
    Destroyed,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::InCustody,
        Status::Borrowed,
        Status::Archived,
        Status::Missing,
        Status::Declassified,
        Status::HandedBack,
        Status::Destroyed,
    ];

    /// The statuses of a carrier still held: it counts for the holdings and the unit's
    /// highest level. The SQL of `documents::HELD` lists the same codes (a test checks).
    pub const HELD: [Status; 4] = [
        Status::InCustody,
        Status::Borrowed,
        Status::Archived,
        Status::Missing,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Status::InCustody => "在管",
            Status::Borrowed => "借出",
            Status::Archived => "已归档",
            Status::Missing => "下落不明",
            Status::Declassified => "已解密",
            Status::HandedBack => "已清退",
            Status::Destroyed => "已销毁",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Status::InCustody => "in_custody",
            Status::Borrowed => "borrowed",
            Status::Archived => "archived",
            Status::Missing => "missing",
            Status::Declassified => "declassified",
            Status::HandedBack => "handed_back",
            Status::Destroyed => "destroyed",
        }
    }

    pub fn parse(s: &str) -> Result<Status> {
        Status::ALL
            .into_iter()
            .find(|st| st.code() == s || st.label() == s)
            .ok_or_else(|| {
                Error::field(
                    "status",
                    "状态",
                    format!(
                        "“{s}”无效，应为 在管、借出、已归档、下落不明、已解密、已清退 或 已销毁"
                    ),
                )
            })
    }

    /// Final states take no further lifecycle events.
    pub fn is_final(self) -> bool {
        matches!(self, Status::HandedBack | Status::Destroyed)
    }
}

/// The secrecy period (保密期限) as decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum SecrecyPeriod {
    /// N years from the received (or classification) date.
    Years(u32),
    /// Until a date.
    Until(String),
    /// 长期.
    LongTerm,
}

impl SecrecyPeriod {
    pub fn label(&self) -> String {
        match self {
            SecrecyPeriod::Years(n) => format!("{n}年"),
            SecrecyPeriod::Until(d) => format!("至{d}"),
            SecrecyPeriod::LongTerm => "长期".into(),
        }
    }

    /// The period whose [`SecrecyPeriod::label`] is `label` (its exact inverse; `None` for any
    /// other text).
    pub fn from_label(label: &str) -> Option<SecrecyPeriod> {
        if label == "长期" {
            return Some(SecrecyPeriod::LongTerm);
        }
        if let Some(day) = label.strip_prefix('至') {
            return Some(SecrecyPeriod::Until(day.to_string()));
        }
        let years = label.strip_suffix('年')?;
        if years.is_empty() || !years.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        years.parse().ok().map(SecrecyPeriod::Years)
    }

    /// Parses `30年`, `30`, `2030-01-01`, `长期`, or the level's default when absent.
    pub fn parse(s: Option<&str>, level: Level, received_on: NaiveDate) -> Result<SecrecyPeriod> {
        const F: &str = "secrecy_period";
        const L: &str = "保密期限";
        // `至2036-12-31` as the register writes an end date back.
        let t = s.map(str::trim).unwrap_or("").trim_start_matches('至');
        let period = if t.is_empty() {
            match level.max_years() {
                Some(y) => SecrecyPeriod::Years(y),
                None => SecrecyPeriod::LongTerm,
            }
        } else if t == "长期" {
            SecrecyPeriod::LongTerm
        } else if let Ok(n) = t.trim_end_matches('年').parse::<u32>() {
            if n == 0 {
                return Err(Error::field(F, L, "年数至少为 1"));
            }
            SecrecyPeriod::Years(n)
        } else {
            let d = dates::parse(F, L, t).map_err(|_| {
                Error::field(
                    F,
                    L,
                    format!("“{t}”无效，应为年数（如 20年）、截止日期（如 2036-12-31）或“长期”"),
                )
            })?;
            if d <= received_on {
                return Err(Error::field(F, L, "截止日期应晚于收到日期"));
            }
            SecrecyPeriod::Until(dates::iso(d))
        };
        if let Some(max) = level.max_years() {
            let limit = dates::add_years(received_on, max);
            let too_long = match &period {
                SecrecyPeriod::Years(n) => *n > max,
                SecrecyPeriod::Until(d) => dates::from_iso(d).is_some_and(|d| d > limit),
                SecrecyPeriod::LongTerm => false,
            };
            if too_long {
                return Err(Error::field(
                    F,
                    L,
                    format!("{}级事项的保密期限一般不超过 {max} 年", level.label()),
                ));
            }
        }
        Ok(period)
    }

    /// The date the period ends, if it does.
    pub fn ends_on(&self, from: NaiveDate) -> Option<NaiveDate> {
        match self {
            SecrecyPeriod::Years(n) => Some(dates::add_years(from, *n)),
            SecrecyPeriod::Until(d) => dates::from_iso(d),
            SecrecyPeriod::LongTerm => None,
        }
    }
}

/// A carrier as typed by the officer (`baomi doc add --json`, the register form).
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct DocInput {
    /// 标题.
    pub title: String,
    /// 文号, e.g. 国保发〔2026〕12号.
    #[serde(default)]
    #[ts(optional)]
    pub doc_no: Option<String>,
    /// 制文机关/来文单位.
    #[serde(default)]
    #[ts(optional)]
    pub origin_unit: Option<String>,
    /// 绝密 | 机密 | 秘密 | 工作秘密 | 内部.
    pub level: String,
    /// `20年`, `2036-12-31` or `长期`; defaults to the level's maximum (30/20/10 years).
    #[serde(default)]
    #[ts(optional)]
    pub secrecy_period: Option<String>,
    /// 知悉范围: names of people or departments.
    #[serde(default)]
    #[ts(optional)]
    pub scope: Option<Vec<String>>,
    /// 份数 (default 1).
    #[serde(default)]
    #[ts(optional)]
    pub copies: Option<u32>,
    /// 份号, e.g. `1-5` or `3`.
    #[serde(default)]
    #[ts(optional)]
    pub copy_numbers: Option<String>,
    /// 载体类型: 纸质文件, 电子文件, U盘, 移动硬盘, 光盘, 其他.
    pub carrier_type: String,
    /// 责任人.
    pub custodian: String,
    /// 存放位置 (保密柜).
    #[serde(default)]
    #[ts(optional)]
    pub location: Option<String>,
    /// 收到日期 YYYY-MM-DD.
    pub received_on: String,
    /// 不准复印.
    #[serde(default)]
    #[ts(optional)]
    pub no_copy: Option<bool>,
    /// 备注.
    #[serde(default)]
    #[ts(optional)]
    pub remarks: Option<String>,
}

pub const CARRIER_TYPES: [&str; 7] = [
    "纸质文件",
    "电子文件",
    "U盘",
    "移动硬盘",
    "光盘",
    "磁带",
    "其他",
];

/// The validated, stored fields of a carrier (what the `registered` event carries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocFields {
    pub title: String,
    pub doc_no: String,
    pub origin_unit: String,
    pub level: Level,
    pub secrecy_period: SecrecyPeriod,
    pub scope: Vec<String>,
    pub copies: u32,
    pub copy_numbers: String,
    pub carrier_type: String,
    pub custodian: String,
    pub location: String,
    pub received_on: NaiveDate,
    pub no_copy: bool,
    pub remarks: String,
}

impl DocInput {
    pub fn validate(&self) -> Result<DocFields> {
        let title = required("title", "标题", &self.title, 200)?;
        let doc_no = optional("doc_no", "文号", &self.doc_no, 60)?;
        let origin_unit = optional("origin_unit", "制文机关", &self.origin_unit, 60)?;
        let level = Level::parse("level", &self.level)?;
        let received_on = dates::parse("received_on", "收到日期", &self.received_on)?;
        let secrecy_period =
            SecrecyPeriod::parse(self.secrecy_period.as_deref(), level, received_on)?;
        let mut scope = Vec::new();
        for s in self.scope.iter().flatten() {
            let s = optional("scope", "知悉范围", s, 40)?;
            if !s.is_empty() && !scope.contains(&s) {
                scope.push(s);
            }
        }
        if level.is_state_secret() && scope.is_empty() {
            return Err(Error::field(
                "scope",
                "知悉范围",
                "国家秘密载体须确定知悉范围（人员或部门）",
            ));
        }
        let copies = self.copies.unwrap_or(1);
        if !(1..=9999).contains(&copies) {
            return Err(Error::field("copies", "份数", "应在 1 到 9999 之间"));
        }
        let copy_numbers = optional("copy_numbers", "份号", &self.copy_numbers, 60)?;
        let copy_numbers = if copy_numbers.is_empty() {
            if copies == 1 {
                "1".to_string()
            } else {
                format!("1-{copies}")
            }
        } else {
            copy_numbers
        };
        let carrier_type = required("carrier_type", "载体类型", &self.carrier_type, 20)?;
        let custodian = required("custodian", "责任人", &self.custodian, 40)?;
        let location = optional("location", "存放位置", &self.location, 60)?;
        let remarks = optional("remarks", "备注", &self.remarks, 500)?;
        Ok(DocFields {
            title,
            doc_no,
            origin_unit,
            level,
            secrecy_period,
            scope,
            copies,
            copy_numbers,
            carrier_type,
            custodian,
            location,
            received_on,
            no_copy: self.no_copy.unwrap_or(false),
            remarks,
        })
    }
}

/// The derived current state of one carrier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocState {
    pub id: i64,
    pub serial: String,
    pub fields: DocFields,
    pub status: Status,
    /// Where a borrowed or missing item returns to.
    pub resume: Option<Status>,
    pub borrower: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub missing_since: Option<NaiveDate>,
    pub parent_id: Option<i64>,
}

crate::record_state!(DocState);

/// Who may approve a copy (复印/摘抄).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum ApproverRole {
    #[serde(rename = "制文机关")]
    OriginatingUnit,
    #[serde(rename = "分管保密领导")]
    LeaderInCharge,
}

impl ApproverRole {
    pub fn label(self) -> &'static str {
        match self {
            ApproverRole::OriginatingUnit => "制文机关",
            ApproverRole::LeaderInCharge => "分管保密领导",
        }
    }
    pub fn parse(s: &str) -> Result<ApproverRole> {
        match s.trim() {
            "制文机关" | "原制发机关" | "originating_unit" => {
                Ok(ApproverRole::OriginatingUnit)
            }
            "分管保密领导" | "分管保密工作领导" | "leader_in_charge" => {
                Ok(ApproverRole::LeaderInCharge)
            }
            other => Err(Error::field(
                "approver_role",
                "批准人身份",
                format!("“{other}”无效，应为“制文机关”或“分管保密领导”"),
            )),
        }
    }
}

use crate::event_input;

event_input!(
    /// 分发: hand the carrier to a custodian (person or department).
    DistributeInput { to: String, location: String }
);
event_input!(
    /// 传阅: a reader reads it and signs; outside the knowledge scope it needs `approval`.
    CirculateInput { reader: String, department: String }
);
event_input!(
    /// 借阅: lend it until `due_on`; outside the knowledge scope it needs `approval`.
    BorrowInput { borrower: String, department: String, due_on: String }
);
event_input!(
    /// 归还.
    ReturnInput {}
);
event_input!(
    /// 复印/摘抄: creates `count` linked copies registered like originals.
    CopyInput { count: u32, approver: String, approver_role: String, copy_kind: String, custodian: String }
);
event_input!(
    /// 清退: hand back to the issuer; `ids` hands back many at once (all or none).
    HandbackInput { to: String, #[ts(type = "number[]")] ids: Vec<i64> }
);
event_input!(
    /// 归档.
    ArchiveInput { location: String }
);
event_input!(
    /// 解密 or 降密: `new_level` empty or `解密` declassifies, a lower level downgrades.
    DeclassifyInput { new_level: String, approver: String }
);
event_input!(
    /// 标记下落不明 since a date.
    MissingInput { since: String }
);
event_input!(
    /// 找回.
    FoundInput {}
);
event_input!(
    /// 销毁: listed (`list_no`), approved, at a place, by a method, watched by two people.
    DestroyInput { approver: String, supervisors: Vec<String>, place: String, method: String, list_no: String }
);
/// 更正: one input for every register.
pub use crate::registers::CorrectInput;

/// Input of the monthly reconciliation (月核对).
#[derive(Debug, Clone, Default, Deserialize, TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct ReconcileInput {
    /// Whose holdings were counted.
    #[serde(default)]
    #[ts(optional)]
    pub custodian: Option<String>,
    /// Which cabinet was counted.
    #[serde(default)]
    #[ts(optional)]
    pub location: Option<String>,
    /// Serial numbers actually found.
    #[serde(default)]
    pub counted: Vec<String>,
    #[serde(default)]
    #[ts(optional)]
    pub on: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub remarks: Option<String>,
}
