//! The personnel register's types (涉密人员): classes, statuses, the kinds of commitment
//! letter (保密承诺书) and of leaving, the record, and the input of each action.
//!
//! Contract: input DTOs (`deny_unknown_fields`, dates as text) are the public JSON of
//! `baomi person …` / `baomi pledge …` and of the desktop app; `validate` turns a registration
//! into trusted [`PersonFields`] or fails with a Chinese message naming the field. JSON field
//! names of `baomi person add` (issue 11): `name`, `department`, `post`, `class` (plus
//! `account`, `remarks`). The rules that read these types are in `rules.rs`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::event_input;
use crate::input::{optional, required};

/// Generates a code/label enum's `ALL`, `label`, `code` and `parse` (accepting the code, the
/// label or an alias), so each vocabulary of this register is declared once as data.
macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident, $field_label:literal {
        $($(#[$vm:meta])* $variant:ident = $code:literal, $label:literal $(| $alias:literal)*;)*
    }) => {
        $(#[$m])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, schemars::JsonSchema,
        )]
        #[serde(rename_all = "snake_case")]
        #[ts(export, export_to = "../ui/src/bindings/")]
        pub enum $name {
            $($(#[$vm])* $variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)*
                }
            }

            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }

            pub fn parse(field: &str, s: &str) -> Result<$name> {
                match s.trim() {
                    $($code | $label $(| $alias)* => Ok($name::$variant),)*
                    other => Err(Error::field(
                        field,
                        $field_label,
                        format!(
                            "“{other}”无效，应为 {}",
                            [$($label),*].join("、")
                        ),
                    )),
                }
            }
        }
    };
}

vocabulary!(
    /// 涉密人员类别 (seed 003 第二条: 以项定岗、以岗定人).
    PersonClass, "涉密人员类别" {
        /// 核心涉密人员 (机要室, 计算机机房).
        Core = "core", "核心" | "核心涉密人员";
        /// 重要涉密人员 (the seed says 重点).
        Important = "important", "重要" | "重点" | "重要涉密人员" | "重点涉密人员";
        /// 一般涉密人员.
        General = "general", "一般" | "一般涉密人员";
    }
);

vocabulary!(
    /// Where a person stands (状态), derived from the events.
    PersonStatus, "状态" {
        /// 拟上岗: registered, not yet cleared for a secret post.
        Candidate = "candidate", "拟上岗";
        /// 在岗: review passed, training passed, 上岗 letter signed.
        OnPost = "on_post", "在岗";
        /// 脱密期: left the post, still bound (第七条).
        Cooling = "cooling", "脱密期";
        /// 已脱密: the period ended after leaving the post (离岗).
        Cleared = "cleared", "已脱密";
        /// 调离: the period ended after a transfer (调动).
        TransferredOut = "transferred_out", "调离";
        /// 退休: the period ended after retirement.
        Retired = "retired", "退休";
    }
);

vocabulary!(
    /// The kinds of 保密承诺书.
    PledgeKind, "承诺书类型" {
        /// 上岗: before taking the post (第四条).
        Onboard = "onboard", "上岗";
        /// 年度 (在岗): renewed every year on the post.
        Annual = "annual", "年度" | "在岗";
        /// 离岗: signed when leaving (第八条), with the off-boarding.
        Leave = "leave", "离岗";
        /// 出国(境)前 (第六条).
        Abroad = "abroad", "出国(境)前" | "出国（境）前" | "出国" | "出境";
    }
);

vocabulary!(
    /// How a person leaves the secret post (第七条、第八条).
    LeaveKind, "离岗类型" {
        Leave = "leave", "离岗" | "辞职" | "离职";
        Transfer = "transfer", "调动";
        Retire = "retire", "退休";
    }
);

vocabulary!(
    /// 保密审查 of a person: before the post, or the periodic joint inspection (第五条).
    ReviewKind, "审查类型" {
        /// 上岗前保密审查 (第三条).
        Initial = "initial", "上岗审查";
        /// 在岗复审: the periodic joint inspection by 人事、纪检、保密.
        Periodic = "periodic", "在岗复审" | "联合检查" | "定期复审";
    }
);

impl PersonClass {
    /// The character for `{密级}` in the serial pattern.
    pub fn short(self) -> char {
        self.label().chars().next().unwrap_or('一')
    }

    /// Default years between two reviews (核心 1, 重要 2, 一般 3).
    pub fn default_review_years(self) -> u32 {
        match self {
            PersonClass::Core => 1,
            PersonClass::Important => 2,
            PersonClass::General => 3,
        }
    }

    /// Default months of 脱密期 (核心 36, 重要 24, 一般 12).
    pub fn default_cooling_months(self) -> u32 {
        match self {
            PersonClass::Core => 36,
            PersonClass::Important => 24,
            PersonClass::General => 12,
        }
    }
}

impl LeaveKind {
    /// The status a person reaches when the 脱密期 of this kind of leaving ends.
    pub fn after_cooling(self) -> PersonStatus {
        match self {
            LeaveKind::Leave => PersonStatus::Cleared,
            LeaveKind::Transfer => PersonStatus::TransferredOut,
            LeaveKind::Retire => PersonStatus::Retired,
        }
    }
}

/// The bounds of a 脱密期 in months (第七条: 一般为6个月至3年).
pub const COOLING_MONTHS: std::ops::RangeInclusive<u32> = 6..=36;

/// A person as typed by the officer (`baomi person add`, the personnel form).
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct PersonInput {
    /// 姓名 (unique in the register: add the department to tell two people apart).
    pub name: String,
    /// 部门.
    pub department: String,
    /// 岗位.
    pub post: String,
    /// 涉密人员类别: 核心, 重要 or 一般.
    pub class: String,
    /// The app account this person signs in with, if any (its name).
    #[serde(default)]
    #[ts(optional)]
    pub account: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub remarks: Option<String>,
}

/// A validated registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonFields {
    pub name: String,
    pub department: String,
    pub post: String,
    pub class: PersonClass,
    /// The linked app account's name, or empty.
    pub account: String,
    pub remarks: String,
}

impl PersonInput {
    pub fn validate(&self) -> Result<PersonFields> {
        Ok(PersonFields {
            name: required("name", "姓名", &self.name, 40)?,
            department: required("department", "部门", &self.department, 40)?,
            post: required("post", "岗位", &self.post, 40)?,
            class: PersonClass::parse("class", &self.class)?,
            account: optional("account", "登录账户", &self.account, 40)?,
            remarks: optional("remarks", "备注", &self.remarks, 500)?,
        })
    }
}

/// One 保密审查.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Review {
    pub review: ReviewKind,
    pub on: String,
    /// 审查结论 as written.
    pub result: String,
    pub passed: bool,
    /// 审查人 / 审查部门.
    pub by: String,
}

/// One 保密培训.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Training {
    pub on: String,
    pub content: String,
    /// 学时, in tenths of an hour (so the record stays exact).
    pub hours_tenths: u32,
    #[ts(type = "number | null")]
    pub score: Option<u32>,
    pub passed: bool,
}

impl Eq for Training {}

/// One signed 保密承诺书.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Pledge {
    pub pledge: PledgeKind,
    pub signed_on: String,
    /// The template the letter was printed from (`内置` or the unit's, with its digest).
    pub template_version: String,
    /// 见证人 (the unit's signatory).
    pub witness: String,
    /// Whether the signed paper is filed (归档).
    pub filed: bool,
}

/// An exception to the pre-post gate (准入例外), open until closed or the person is on post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct GateException {
    pub since: String,
    pub approval: String,
    pub reason: String,
}

/// The leaving of the post and its 脱密期.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Leaving {
    pub leave: LeaveKind,
    pub on: String,
    pub months: u32,
    /// The last day of the 脱密期.
    pub ends_on: String,
}

/// The derived state of a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonState {
    pub id: i64,
    /// 登记编号.
    pub serial: String,
    pub fields: PersonFields,
    pub status: PersonStatus,
    /// The day the person went on post, once cleared.
    pub on_post_since: Option<NaiveDate>,
    pub reviews: Vec<Review>,
    pub trainings: Vec<Training>,
    pub pledges: Vec<Pledge>,
    pub exception: Option<GateException>,
    pub leaving: Option<Leaving>,
}

crate::record_state!(PersonState);

event_input!(
    /// 保密审查: `on` (the day), `result` (结论 as written), `passed`, `by` (审查人或部门),
    /// `review` (上岗审查 or 在岗复审, default: 上岗审查 before the post, 在岗复审 after).
    ReviewInput { result: String, passed: bool, by: String, review: String }
);
event_input!(
    /// 保密培训: `on`, `content`, `hours`, `score` (0–100), `passed`.
    TrainInput { content: String, hours: f64, score: u32, passed: bool }
);
event_input!(
    /// 签订保密承诺书: `kind` (上岗, 年度, 出国(境)前; 离岗 is signed with the off-boarding),
    /// `signed_on` (default: `on`, today), `witness`, `filed`.
    PledgeInput { kind: String, signed_on: String, witness: String, filed: bool }
);
event_input!(
    /// 准入例外: let a person not yet cleared hold carriers or devices, with the approval
    /// reference (`approval`, required) and the reason.
    ExceptionInput { reason: String }
);
event_input!(
    /// 结束准入例外.
    CloseExceptionInput { reason: String }
);
event_input!(
    /// 离岗: `kind` (离岗, 调动, 退休), `on`, `months` (脱密期, 6–36; default by class), and the
    /// 离岗 letter signed with it (`witness`, `filed`).
    OffboardInput { kind: String, months: u32, witness: String, filed: bool }
);
event_input!(
    /// 脱密期满: recorded on or after the period's last day.
    ClearInput {}
);
