//! The life of a secret-related person and its rules (DESIGN §2.3, seed 003 涉密人员管理
//! 第三条–第八条), as a pure fold.
//!
//! Contract: [`Persons::apply`] is the only place a person's status changes. A person is
//! registered 拟上岗 and becomes 在岗 the day the last of the three conditions of 第三条、第四条
//! is met — the latest 保密审查 passed, a 保密培训 passed, the 上岗 letter signed. Leaving the
//! post (离岗, 调动, 退休) signs the 离岗 letter and starts a 脱密期 of 6–36 months (第七条);
//! it is refused while the person still holds anything of another register (第八条) — that
//! fact is read when the event is built, so `apply` stays pure. 脱密期满 is recorded on or
//! after its last day. An exception to the pre-post gate needs an approval reference and
//! stays open until closed or the person is on post.

use chrono::{Months, NaiveDate};

use super::model::*;
use crate::dates;
use crate::error::{Error, Result};
use crate::input::{from_value as parse, optional, required};
use crate::registers::{describe_correction, Action, Choice, Cx, Meta, Register, Registration};

crate::register_event! {
    /// A person's events; the 更正 variant `Corrected(Correction)` comes with the macro.
    pub enum PersonEvent {
        Registered {
            id: i64,
            serial: String,
            fields: PersonFields,
        },
        Reviewed {
            review: Review,
        },
        Trained {
            training: Training,
        },
        Pledged {
            pledge: Pledge,
        },
        ExceptionOpened {
            reason: String,
        },
        ExceptionClosed {
            reason: String,
        },
        Offboarded {
            leaving: Leaving,
            pledge: Pledge,
        },
        CooledDown,
    }
}

pub struct Persons;

/// Every action on a person, in the order of the procedures.
pub const ACTIONS: &[Action] = &[
    Action {
        kind: "review",
        label: "保密审查",
    },
    Action {
        kind: "train",
        label: "保密培训",
    },
    Action {
        kind: "pledge",
        label: "签订承诺书",
    },
    Action {
        kind: "exception",
        label: "准入例外",
    },
    Action {
        kind: "close_exception",
        label: "结束例外",
    },
    Action {
        kind: "offboard",
        label: "离岗",
    },
    Action {
        kind: "clear",
        label: "脱密期满",
    },
    Action {
        kind: "correct",
        label: "更正",
    },
];

/// The fields a correction may change, with their labels (the name is the person's key in
/// the other registers and is not corrected; register the person anew instead).
pub const CORRECTABLE: &[(&str, &str)] = &[
    ("department", "部门"),
    ("post", "岗位"),
    ("class", "涉密人员类别"),
    ("account", "登录账户"),
    ("remarks", "备注"),
];

/// The actions a status allows: the life as data (更正 is always possible).
pub fn allowed(s: &PersonState) -> Vec<&'static str> {
    use PersonStatus::*;
    let by_status: &[&str] = match s.status {
        Candidate => &["review", "train", "pledge", "exception"],
        OnPost => &["review", "train", "pledge", "exception", "offboard"],
        Cooling => &["pledge", "clear"],
        Cleared | TransferredOut | Retired => &[],
    };
    by_status
        .iter()
        .copied()
        .filter(|a| *a != "exception" || s.exception.is_none())
        .chain(s.exception.is_some().then_some("close_exception"))
        .chain(["correct"])
        .collect()
}

/// The action an event belongs to.
fn action_of(e: &PersonEvent) -> &'static str {
    match e {
        PersonEvent::Registered { .. } => "register",
        PersonEvent::Reviewed { .. } => "review",
        PersonEvent::Trained { .. } => "train",
        PersonEvent::Pledged { .. } => "pledge",
        PersonEvent::ExceptionOpened { .. } => "exception",
        PersonEvent::ExceptionClosed { .. } => "close_exception",
        PersonEvent::Offboarded { .. } => "offboard",
        PersonEvent::CooledDown => "clear",
        PersonEvent::Corrected(_) => "correct",
    }
}

/// What keeps a person from a secret post, in the order of 第三条、第四条 (empty: nothing).
pub fn missing_for_post(s: &PersonState) -> Vec<&'static str> {
    let mut missing = Vec::new();
    match s.reviews.last() {
        None => missing.push("未经保密审查"),
        Some(r) if !r.passed => missing.push("最近一次保密审查未通过"),
        Some(_) => {}
    }
    if !s.trainings.iter().any(|t| t.passed) {
        missing.push("未通过保密培训");
    }
    if !s.pledges.iter().any(|p| p.pledge == PledgeKind::Onboard) {
        missing.push("未签订上岗保密承诺书");
    }
    missing
}

/// The day the 脱密期 that starts on `on` ends after `months`.
pub fn cooling_end(on: NaiveDate, months: u32) -> NaiveDate {
    on.checked_add_months(Months::new(months))
        .and_then(|d| d.pred_opt())
        .unwrap_or(on)
}

/// The months of a 脱密期, in the bounds of 第七条.
pub fn cooling_months(months: u32) -> Result<u32> {
    if !COOLING_MONTHS.contains(&months) {
        return Err(Error::field(
            "months",
            "脱密期（月）",
            format!(
                "{months} 个月不在规定范围内：脱密期一般为 {} 个月至 {} 个月（3年）",
                COOLING_MONTHS.start(),
                COOLING_MONTHS.end()
            ),
        ));
    }
    Ok(months)
}

fn iso_date(field: &str, label: &str, s: &str) -> Result<NaiveDate> {
    dates::parse(field, label, s)
}

/// Builds the event of action `kind` from its JSON input. `default_months` is the unit's
/// 脱密期 for the person's class; `holdings` what the person still holds in other registers.
pub fn event(
    kind: &str,
    input: serde_json::Value,
    s: &PersonState,
    cx: &Cx<'_>,
    template_version: &str,
    default_months: u32,
) -> Result<PersonEvent> {
    let on = dates::iso(cx.occurred_on);
    Ok(match kind {
        "review" => {
            let i: ReviewInput = parse(input)?;
            let review = match i.review.as_deref().map(str::trim) {
                None | Some("") if s.status == PersonStatus::Candidate => ReviewKind::Initial,
                None | Some("") => ReviewKind::Periodic,
                Some(r) => ReviewKind::parse("review", r)?,
            };
            PersonEvent::Reviewed {
                review: Review {
                    review,
                    on,
                    result: required("result", "审查结论", &i.result, 200)?,
                    passed: i
                        .passed
                        .ok_or_else(|| Error::field("passed", "是否通过", "须注明审查是否通过"))?,
                    by: required("by", "审查人", &i.by, 40)?,
                },
            }
        }
        "train" => {
            let i: TrainInput = parse(input)?;
            let hours = i
                .hours
                .ok_or_else(|| Error::field("hours", "学时", "不能为空"))?;
            if !(hours > 0.0 && hours <= 200.0 && hours.is_finite()) {
                return Err(Error::field("hours", "学时", "应大于 0、不超过 200"));
            }
            if i.score.is_some_and(|sc| sc > 100) {
                return Err(Error::field("score", "考试成绩", "应在 0 到 100 之间"));
            }
            PersonEvent::Trained {
                training: Training {
                    on,
                    content: required("content", "培训内容", &i.content, 200)?,
                    hours_tenths: (hours * 10.0).round() as u32,
                    score: i.score,
                    passed: i
                        .passed
                        .ok_or_else(|| Error::field("passed", "是否通过", "须注明培训是否通过"))?,
                },
            }
        }
        "pledge" => {
            let i: PledgeInput = parse(input)?;
            let pledge = PledgeKind::parse("kind", &required("kind", "承诺书类型", &i.kind, 20)?)?;
            PersonEvent::Pledged {
                pledge: Pledge {
                    pledge,
                    signed_on: on,
                    template_version: template_version.to_string(),
                    witness: optional("witness", "见证人", &i.witness, 40)?,
                    filed: i.filed.unwrap_or(false),
                },
            }
        }
        "exception" => {
            let i: ExceptionInput = parse(input)?;
            if cx.approval.is_none() {
                return Err(Error::field(
                    "approval",
                    "审批单号",
                    "准入例外须经批准，请填写审批单号",
                ));
            }
            PersonEvent::ExceptionOpened {
                reason: required("reason", "例外事由", &i.reason, 200)?,
            }
        }
        "close_exception" => {
            let i: CloseExceptionInput = parse(input)?;
            PersonEvent::ExceptionClosed {
                reason: optional("reason", "结束原因", &i.reason, 200)?,
            }
        }
        "offboard" => {
            let i: OffboardInput = parse(input)?;
            let leave = LeaveKind::parse("kind", &required("kind", "离岗类型", &i.kind, 20)?)?;
            let months = cooling_months(i.months.unwrap_or(default_months))?;
            PersonEvent::Offboarded {
                leaving: Leaving {
                    leave,
                    on: on.clone(),
                    months,
                    ends_on: dates::iso(cooling_end(cx.occurred_on, months)),
                },
                pledge: Pledge {
                    pledge: PledgeKind::Leave,
                    signed_on: on,
                    template_version: template_version.to_string(),
                    witness: optional("witness", "见证人", &i.witness, 40)?,
                    filed: i.filed.unwrap_or(false),
                },
            }
        }
        "clear" => {
            let _: ClearInput = parse(input)?;
            PersonEvent::CooledDown
        }
        other => return Err(crate::registers::unknown_action::<Persons>(other)),
    })
}

fn corrected(s: &PersonState, field: &str, raw: &str) -> Result<(String, String)> {
    let f = &s.fields;
    Ok(match field {
        "department" => (f.department.clone(), required("value", "部门", raw, 40)?),
        "post" => (f.post.clone(), required("value", "岗位", raw, 40)?),
        "class" => (
            f.class.label().to_string(),
            PersonClass::parse("value", raw)?.label().to_string(),
        ),
        "account" => (f.account.clone(), optional("value", "登录账户", raw, 40)?),
        "remarks" => (f.remarks.clone(), optional("value", "备注", raw, 500)?),
        "name" => {
            return Err(Error::field(
                "field",
                "更正字段",
                "姓名不能更正：其他台账以姓名指向此人，请另行登记",
            ))
        }
        other => return Err(crate::registers::not_correctable(other)),
    })
}

/// Moves a candidate on post the day the last condition is met; an open exception ends then.
fn promote(next: &mut PersonState, on: NaiveDate) {
    if next.status == PersonStatus::Candidate && missing_for_post(next).is_empty() {
        next.status = PersonStatus::OnPost;
        next.on_post_since = Some(on);
        next.exception = None;
    }
}

fn yes(b: bool) -> &'static str {
    if b {
        "通过"
    } else {
        "未通过"
    }
}

impl Register for Persons {
    const NAME: &'static str = "person";
    const TABLE: &'static str = "persons";
    const NOUN: &'static str = "人员";
    const DEFAULT_SERIAL_PATTERN: &'static str = "RY-{年}-{序号:4}";
    const ACTIONS: &'static [Action] = ACTIONS;
    const CORRECTABLE: &'static [(&'static str, &'static str)] = CORRECTABLE;

    type Event = PersonEvent;
    type Input = PersonInput;
    type Fields = PersonFields;

    fn statuses() -> Vec<Choice> {
        Choice::all(PersonStatus::ALL, PersonStatus::code, PersonStatus::label)
    }

    fn describe(e: &PersonEvent) -> String {
        match e {
            PersonEvent::Registered { fields, .. } => format!(
                "登记：{}，{}，{}，{}涉密人员",
                fields.name,
                fields.department,
                fields.post,
                fields.class.label()
            ),
            PersonEvent::Reviewed { review } => format!(
                "{}：{}（{}），审查人 {}",
                review.review.label(),
                yes(review.passed),
                review.result,
                review.by
            ),
            PersonEvent::Trained { training } => format!(
                "保密培训：{}，{} 学时{}，{}",
                training.content,
                f64::from(training.hours_tenths) / 10.0,
                training
                    .score
                    .map_or(String::new(), |s| format!("，成绩 {s}")),
                yes(training.passed)
            ),
            PersonEvent::Pledged { pledge } => format!(
                "签订{}保密承诺书{}{}",
                pledge.pledge.label(),
                if pledge.witness.is_empty() {
                    String::new()
                } else {
                    format!("，见证人 {}", pledge.witness)
                },
                if pledge.filed {
                    "，已归档"
                } else {
                    "，纸质件未归档"
                }
            ),
            PersonEvent::ExceptionOpened { reason } => format!("准入例外：{reason}"),
            PersonEvent::ExceptionClosed { reason } if reason.is_empty() => "结束准入例外".into(),
            PersonEvent::ExceptionClosed { reason } => format!("结束准入例外：{reason}"),
            PersonEvent::Offboarded { leaving, .. } => format!(
                "{}，签订离岗保密承诺书；脱密期 {} 个月，至 {}",
                leaving.leave.label(),
                leaving.months,
                leaving.ends_on
            ),
            PersonEvent::CooledDown => "脱密期满".into(),
            PersonEvent::Corrected(c) => describe_correction::<Self>(c),
        }
    }

    fn apply(state: Option<&PersonState>, e: &PersonEvent, meta: &Meta) -> Result<PersonState> {
        let Some(s) = state else {
            return match e {
                PersonEvent::Registered { id, serial, fields } => Ok(PersonState {
                    id: *id,
                    serial: serial.clone(),
                    fields: fields.clone(),
                    status: PersonStatus::Candidate,
                    on_post_since: None,
                    reviews: Vec::new(),
                    trainings: Vec::new(),
                    pledges: Vec::new(),
                    exception: None,
                    leaving: None,
                }),
                _ => Err(Error::internal("人员尚未登记，不能记录其他事件")),
            };
        };
        crate::registers::check_allowed::<Self>(s, action_of(e))?;
        let mut next = s.clone();
        let on = meta.occurred_on;
        match e {
            PersonEvent::Registered { .. } => {}
            PersonEvent::Reviewed { review } => {
                next.reviews.push(review.clone());
                promote(&mut next, on);
            }
            PersonEvent::Trained { training } => {
                next.trainings.push(training.clone());
                promote(&mut next, on);
            }
            PersonEvent::Pledged { pledge } => {
                match (pledge.pledge, s.status) {
                    (PledgeKind::Leave, _) => {
                        return Err(Error::field(
                            "kind",
                            "承诺书类型",
                            "离岗保密承诺书在办理离岗手续时签订（离岗）",
                        ))
                    }
                    (PledgeKind::Onboard, st) if st != PersonStatus::Candidate => {
                        return Err(Error::field(
                            "kind",
                            "承诺书类型",
                            format!(
                                "{} 当前为“{}”，上岗承诺书在上岗前签订",
                                s.fields.name,
                                st.label()
                            ),
                        ))
                    }
                    (PledgeKind::Annual, st) if st != PersonStatus::OnPost => {
                        return Err(Error::field(
                            "kind",
                            "承诺书类型",
                            format!(
                                "{} 当前为“{}”，年度承诺书由在岗人员签订",
                                s.fields.name,
                                st.label()
                            ),
                        ))
                    }
                    _ => {}
                }
                next.pledges.push(pledge.clone());
                promote(&mut next, on);
            }
            PersonEvent::ExceptionOpened { reason } => {
                let approval = meta
                    .approval
                    .clone()
                    .filter(|a| !a.trim().is_empty())
                    .ok_or_else(|| {
                        Error::field("approval", "审批单号", "准入例外须经批准，请填写审批单号")
                    })?;
                next.exception = Some(GateException {
                    since: dates::iso(on),
                    approval,
                    reason: reason.clone(),
                });
            }
            PersonEvent::ExceptionClosed { .. } => next.exception = None,
            PersonEvent::Offboarded { leaving, pledge } => {
                cooling_months(leaving.months)?;
                let start = iso_date("on", "离岗日期", &leaving.on)?;
                if dates::iso(cooling_end(start, leaving.months)) != leaving.ends_on
                    || pledge.pledge != PledgeKind::Leave
                {
                    return Err(Error::integrity("离岗事件的脱密期与月数不符"));
                }
                next.pledges.push(pledge.clone());
                next.leaving = Some(leaving.clone());
                next.exception = None;
                next.status = PersonStatus::Cooling;
            }
            PersonEvent::CooledDown => {
                let Some(leaving) = &s.leaving else {
                    return Err(Error::internal("没有离岗记录"));
                };
                let ends = iso_date("ends_on", "脱密期截止日期", &leaving.ends_on)?;
                if on < ends {
                    return Err(Error::rule(format!(
                        "{} 的脱密期至 {}，期满前不能登记脱密期满",
                        s.fields.name,
                        dates::chinese(ends)
                    )));
                }
                next.status = leaving.leave.after_cooling();
            }
            PersonEvent::Corrected(c) => {
                let (f, new) = (&mut next.fields, &c.new);
                match c.field.as_str() {
                    "department" => f.department = new.clone(),
                    "post" => f.post = new.clone(),
                    "class" => f.class = PersonClass::parse("value", new)?,
                    "account" => f.account = new.clone(),
                    "remarks" => f.remarks = new.clone(),
                    other => return Err(crate::registers::not_correctable(other)),
                }
            }
        }
        Ok(next)
    }

    fn registration(input: &PersonInput, today: NaiveDate) -> Result<Registration<PersonFields>> {
        let fields = input.validate()?;
        Ok(Registration {
            occurred_on: today,
            level_mark: fields.class.short(),
            fields,
        })
    }

    fn admissible(reg: &Registration<PersonFields>, conn: &rusqlite::Connection) -> Result<()> {
        let fields = &reg.fields;
        super::check_account(conn, "account", &fields.account)?;
        if super::person_named(conn, &fields.name)?.is_some() {
            return Err(Error::field(
                "name",
                "姓名",
                format!(
                    "人员台账中已有“{}”；同名的人请在姓名后注明部门以示区别，如“{}（{}）”",
                    fields.name, fields.name, fields.department
                ),
            ));
        }
        Ok(())
    }

    fn registered(id: i64, serial: String, fields: PersonFields) -> PersonEvent {
        PersonEvent::Registered { id, serial, fields }
    }

    fn allowed(s: &PersonState) -> Vec<&'static str> {
        allowed(s)
    }

    fn event(
        kind: &str,
        input: serde_json::Value,
        s: &PersonState,
        cx: &Cx<'_>,
    ) -> Result<PersonEvent> {
        if kind == "offboard" {
            super::refuse_while_holding(cx.conn, s)?;
        }
        let template = super::template_version(cx.conn, kind, &input)?;
        let months = super::cooling_months_of(cx.conn, s.fields.class)?;
        event(kind, input, s, cx, &template, months)
    }

    fn corrected(s: &PersonState, field: &str, raw: &str, cx: &Cx<'_>) -> Result<(String, String)> {
        let (old, new) = corrected(s, field, raw)?;
        if field == "account" && new != old {
            super::check_account(cx.conn, "value", &new)?;
        }
        Ok((old, new))
    }

    fn date_field(kind: &str) -> Option<&'static str> {
        match kind {
            "pledge" => Some("signed_on"),
            _ => None,
        }
    }

    fn after(conn: &rusqlite::Connection, next: &PersonState, e: &PersonEvent) -> Result<()> {
        super::after_event(conn, next, e)
    }
}
