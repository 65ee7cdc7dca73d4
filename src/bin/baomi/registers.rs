//! The registers' commands: one generic path for every register (add, list, show, actions),
//! with each register's filters and one-line summary.

use baomi::registers::{HistoryEntry, Register};
use baomi::vault::Session;
use clap::{Args, Subcommand};

use crate::{emit, login, stdin_json, CliResult, Ctx, Failure};

/// The page of a register's `list`, the same flags in every register.
#[derive(Args)]
pub struct Paging {
    #[arg(long, default_value_t = 0)]
    offset: u32,
    #[arg(long, default_value_t = 50)]
    limit: u32,
}

#[derive(Subcommand)]
pub enum DocCmd {
    /// 登记载体：标准输入为 JSON（见 `baomi schema doc`），输出登记后的记录
    Add,
    /// 查询载体（任意长度的中文关键词，加筛选和排序）
    List {
        #[command(flatten)]
        filters: DocFilters,
        #[command(flatten)]
        page: Paging,
    },
    /// 显示一件载体及其全部手续记录（ID 或编号）
    Show { id: String },
    /// 复印或摘抄（count、approver、approver_role），登记复制件
    Copy { id: String },
    /// 清退（可一次清退多件：命令行列出多个 ID，或 JSON 的 ids）
    Handback { ids: Vec<String> },
    /// 月核对：清点某责任人或保密柜的载体（counted 为清点到的编号）
    Reconcile,
    /// 到期提醒：逾期未还、下落不明倒计时、解密审查
    Reminders,
    /// 其余手续：`baomi doc 手续 ID`，JSON 从标准输入（见 `baomi schema doc-手续`）。
    /// 手续：distribute 分发、circulate 传阅、borrow 借阅、return 归还、archive 归档、
    /// declassify 解密/降密、missing 下落不明、found 找回、destroy 销毁、correct 更正
    #[command(external_subcommand)]
    Act(Vec<String>),
}

/// The carrier register's search and filters (shared by `doc list` and `print list doc`).
#[derive(Args)]
pub struct DocFilters {
    #[arg(long, short)]
    query: Option<String>,
    #[arg(long)]
    level: Option<String>,
    #[arg(long)]
    status: Option<String>,
    #[arg(long)]
    custodian: Option<String>,
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: Option<String>,
    #[arg(long, value_name = "YYYY-MM-DD")]
    to: Option<String>,
    /// 只列出逾期未还的
    #[arg(long)]
    overdue: bool,
    /// id、received_on、serial、level、title、due_on
    #[arg(long)]
    sort: Option<String>,
    /// 升序（默认降序）
    #[arg(long)]
    asc: bool,
}

impl DocFilters {
    pub fn query(self, offset: u32, limit: u32) -> baomi::registers::documents::DocQuery {
        baomi::registers::documents::DocQuery {
            query: self.query,
            level: self.level,
            status: self.status,
            custodian: self.custodian,
            received_from: self.from,
            received_to: self.to,
            overdue: self.overdue.then_some(true),
            sort: self.sort,
            desc: Some(!self.asc),
            offset: Some(offset),
            limit: Some(limit),
        }
    }
}

pub fn doc_line(d: &baomi::registers::documents::DocView) -> String {
    let mut flags = Vec::new();
    if d.overdue {
        flags.push(format!(
            "逾期（应还 {}）",
            d.due_on.as_deref().unwrap_or("")
        ));
    }
    if let Some(on) = &d.incident_on {
        flags.push(format!("将于 {on} 构成泄密事件"));
    }
    if d.review_due {
        flags.push("解密审查到期".to_string());
    }
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}{}",
        d.serial,
        d.level.label(),
        d.title,
        d.custodian,
        d.status_label,
        d.received_on,
        flags_text(&flags)
    )
}

pub fn doc(ctx: &Ctx, cmd: DocCmd) -> CliResult<()> {
    use baomi::registers::documents as d;
    let mut s = login(ctx)?;
    match cmd {
        DocCmd::Act(args) => {
            act::<d::Documents>(ctx, &mut s, &args, Session::doc_resolve, doc_line)
        }
        DocCmd::Add => add::<d::Documents>(ctx, &mut s, doc_line),
        DocCmd::List { filters, page } => {
            let page = s.doc_list(&filters.query(page.offset, page.limit))?;
            emit(ctx, &page, || page_text(&page, doc_line, "条"))
        }
        DocCmd::Show { id } => {
            let id = s.doc_resolve(&id)?;
            let v = s.doc_show(id)?;
            emit(ctx, &v, || {
                let lines = vec![
                    doc_line(&v),
                    format!(
                        "文号：{}  制文机关：{}  保密期限：{}",
                        v.doc_no, v.origin_unit, v.secrecy_period
                    ),
                    format!(
                        "知悉范围：{}  份数：{}（{}）  载体：{}  存放：{}",
                        v.scope.join("、"),
                        v.copies,
                        v.copy_numbers,
                        v.carrier_type,
                        v.location
                    ),
                ];
                record_text(lines, &v.history)
            })
        }
        DocCmd::Copy { id } => {
            let id = s.doc_resolve(&id)?;
            let r = s.doc_copy(id, &stdin_json()?)?;
            emit(ctx, &r, || {
                let mut out = vec![format!("已复制 {} 份：", r.copies.len())];
                out.extend(r.copies.iter().map(doc_line));
                out.join("\n")
            })
        }
        DocCmd::Handback { ids } => {
            let ids = ids
                .iter()
                .map(|i| s.doc_resolve(i))
                .collect::<Result<Vec<_>, _>>()?;
            let list = s.doc_handback(&ids, &stdin_json()?)?;
            emit(ctx, &list, || {
                format!(
                    "已清退 {} 件：\n{}",
                    list.len(),
                    list.iter().map(doc_line).collect::<Vec<_>>().join("\n")
                )
            })
        }
        DocCmd::Reconcile => {
            let r = s.doc_reconcile(&stdin_json()?)?;
            emit(ctx, &r, || {
                format!(
                    "核对完成：应在 {} 件，清点 {} 件；未找到：{}；不应在此：{}；借出未还：{}",
                    r.expected.len(),
                    r.counted.len(),
                    if r.not_found.is_empty() {
                        "无".into()
                    } else {
                        r.not_found.join("、")
                    },
                    if r.unexpected.is_empty() {
                        "无".into()
                    } else {
                        r.unexpected.join("、")
                    },
                    if r.borrowed_out.is_empty() {
                        "无".into()
                    } else {
                        r.borrowed_out.join("、")
                    }
                )
            })
        }
        DocCmd::Reminders => {
            let r = s.doc_reminders()?;
            emit(ctx, &r, || {
                let mut out = vec![format!("逾期未还 {} 件：", r.overdue.len())];
                out.extend(r.overdue.iter().map(doc_line));
                out.push(format!("下落不明 {} 件：", r.missing.len()));
                out.extend(r.missing.iter().map(doc_line));
                out.push(format!("解密审查到期 {} 件：", r.review_due.len()));
                out.extend(r.review_due.iter().map(doc_line));
                out.join("\n")
            })
        }
    }
}

/// Runs `baomi <register> KIND ID` through the one generic path: the JSON on stdin (empty
/// means no fields) goes to `Session::act`, which checks the status table and the rules.
fn act<R: Register>(
    ctx: &Ctx,
    s: &mut Session,
    args: &[String],
    resolve: fn(&mut Session, &str) -> baomi::Result<i64>,
    line: fn(&R::View) -> String,
) -> CliResult<()> {
    let kinds = || {
        R::ACTIONS
            .iter()
            .map(|a| format!("{} {}", a.kind, a.label))
            .collect::<Vec<_>>()
            .join("、")
    };
    let [kind, id] = args else {
        return Err(Failure::Usage(format!(
            "用法：baomi {} 手续 ID（JSON 从标准输入）；手续：{}",
            R::NAME,
            kinds()
        )));
    };
    let Some(action) = R::ACTIONS.iter().find(|a| a.kind == kind) else {
        return Err(Failure::Usage(format!(
            "未知的命令或手续“{kind}”；{}台账的手续：{}",
            R::NOUN,
            kinds()
        )));
    };
    let id = resolve(s, id)?;
    let input = stdin_value()?;
    let v = s.act::<R>(id, action.kind, input)?;
    emit(ctx, &v, || format!("已办理{}：{}", action.label, line(&v)))
}

/// The JSON object on stdin, or `{}` when stdin is a terminal or empty.
fn stdin_value() -> CliResult<serde_json::Value> {
    use std::io::{IsTerminal, Read};
    if std::io::stdin().is_terminal() {
        return Ok(serde_json::json!({}));
    }
    let mut buf = String::new();
    std::io::stdin()
        .read_to_string(&mut buf)
        .map_err(|e| Failure::Usage(format!("无法读取标准输入：{e}")))?;
    if buf.trim().is_empty() {
        return Ok(serde_json::json!({}));
    }
    Ok(baomi::input::from_json(&buf)?)
}

#[derive(Subcommand)]
pub enum DeviceCmd {
    /// 登记设备：标准输入为 JSON（见 `baomi schema device`），输出登记后的记录
    Add,
    /// 查询设备台账（任意长度的中文关键词，加筛选和排序）
    List {
        #[command(flatten)]
        filters: DeviceFilters,
        #[command(flatten)]
        page: Paging,
    },
    /// 显示一台设备及其全部手续记录（ID、台账编号或保密编号）
    Show { id: String },
    /// 到期提醒：外出/借用逾期未还、定期检查到期
    Reminders,
    /// 各类设备的定期检查周期：不带参数列出；`interval 类型 天数` 修改（系统管理员）
    Interval {
        kind: Option<String>,
        days: Option<u32>,
    },
    /// 手续：`baomi device 手续 ID`，JSON 从标准输入（见 `baomi schema device-手续`）。
    /// 手续：checkout 外出、checkin 外出归还、issue 配备、lend 借用、give_back 借用归还、
    /// transfer 变更责任人、maintain 维护淘汰、repaired 维修完成、inspect 检查、suspend 停用、
    /// resume 启用、destroy 销毁、correct 更正
    #[command(external_subcommand)]
    Act(Vec<String>),
}

/// The device ledger's search and filters (shared by `device list` and `print list device`).
#[derive(Args)]
pub struct DeviceFilters {
    #[arg(long, short)]
    query: Option<String>,
    /// 设备类型
    #[arg(long)]
    kind: Option<String>,
    /// 密级（或“非密”）
    #[arg(long)]
    level: Option<String>,
    #[arg(long)]
    status: Option<String>,
    #[arg(long)]
    department: Option<String>,
    #[arg(long)]
    custodian: Option<String>,
    /// 只列出外出或借用逾期未还的
    #[arg(long)]
    overdue: bool,
    /// id、serial、kind、name、level、department、in_service_on、due_on
    #[arg(long)]
    sort: Option<String>,
    /// 升序（默认降序）
    #[arg(long)]
    asc: bool,
}

impl DeviceFilters {
    pub fn query(self, offset: u32, limit: u32) -> baomi::registers::devices::DeviceQuery {
        baomi::registers::devices::DeviceQuery {
            query: self.query,
            kind: self.kind,
            level: self.level,
            status: self.status,
            department: self.department,
            custodian: self.custodian,
            overdue: self.overdue.then_some(true),
            sort: self.sort,
            desc: Some(!self.asc),
            offset: Some(offset),
            limit: Some(limit),
        }
    }
}

pub fn device_line(d: &baomi::registers::devices::DeviceView) -> String {
    let mut flags = Vec::new();
    if let Some(h) = &d.holding {
        flags.push(format!(
            "{} {}（应还 {}）",
            d.status_label, h.user, h.due_on
        ));
    }
    if d.overdue {
        flags.push(format!("逾期 {} 天", d.overdue_days.unwrap_or(0)));
    }
    if !d.measures_missing.is_empty() {
        flags.push(d.measures_missing.join("、"));
    }
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}{}",
        d.serial,
        d.label_no,
        d.kind.label(),
        d.name,
        d.level_label,
        d.department,
        d.custodian,
        d.status_label,
        flags_text(&flags)
    )
}

pub fn device(ctx: &Ctx, cmd: DeviceCmd) -> CliResult<()> {
    use baomi::registers::devices as dv;
    let mut s = login(ctx)?;
    match cmd {
        DeviceCmd::Add => add::<dv::Devices>(ctx, &mut s, device_line),
        DeviceCmd::List { filters, page } => {
            let page = s.device_list(&filters.query(page.offset, page.limit))?;
            emit(ctx, &page, || page_text(&page, device_line, "台（件）"))
        }
        DeviceCmd::Show { id } => {
            let id = s.device_resolve(&id)?;
            let v = s.device_show(id)?;
            emit(ctx, &v, || {
                let lines = vec![
                    device_line(&v),
                    format!(
                        "品牌型号：{}  序列号：{}  硬盘序列号：{}  放置地点：{}  启用日期：{}",
                        v.model,
                        v.device_serial,
                        v.storage_serials.join("、"),
                        v.location,
                        v.in_service_on
                    ),
                ];
                record_text(lines, &v.history)
            })
        }
        DeviceCmd::Reminders => {
            let r = s.device_reminders()?;
            emit(ctx, &r, || {
                let mut out = vec![format!("外出/借用逾期 {} 台（件）：", r.overdue_total)];
                out.extend(r.overdue.iter().map(device_line));
                out.push(format!("定期检查到期 {} 台（件）：", r.inspections_total));
                out.extend(
                    r.inspections
                        .iter()
                        .map(|i| format!("{}\t应于 {} 检查", device_line(&i.device), i.due_on)),
                );
                out.join("\n")
            })
        }
        DeviceCmd::Interval { kind, days } => {
            if let Some(kind) = kind {
                let days = days.ok_or_else(|| Failure::Usage("请给出检查周期天数".into()))?;
                s.set_device_inspection_interval(&kind, days)?;
            }
            let list = s.device_inspection_intervals()?;
            emit(ctx, &list, || {
                list.iter()
                    .map(|i| format!("{}\t每 {} 天", i.kind.label(), i.days))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        DeviceCmd::Act(args) => {
            act::<dv::Devices>(ctx, &mut s, &args, Session::device_resolve, device_line)
        }
    }
}

/// A record line's warnings, after a tab (nothing when there are none).
fn flags_text(flags: &[String]) -> String {
    if flags.is_empty() {
        String::new()
    } else {
        format!("\t{}", flags.join("；"))
    }
}

/// `baomi <register> add`: the registration JSON on stdin; prints the new record's line.
fn add<R: Register>(ctx: &Ctx, s: &mut Session, line: fn(&R::View) -> String) -> CliResult<()> {
    let input: R::Input = stdin_json()?;
    let v = s.register::<R>(&input)?;
    emit(ctx, &v, || format!("已登记：{}", line(&v)))
}

/// A record's lines (`show`) followed by its timeline.
fn record_text(mut lines: Vec<String>, history: &Option<Vec<HistoryEntry>>) -> String {
    lines.extend(history.iter().flatten().map(history_line));
    lines.join("\n")
}

/// One timeline entry as a line.
pub fn history_line(h: &HistoryEntry) -> String {
    format!(
        "  {}  {}  {}{}",
        h.occurred_on,
        h.actor,
        h.summary,
        h.approval
            .as_deref()
            .map(|a| format!("  审批：{a}"))
            .unwrap_or_default()
    )
}

/// A page of any register as lines, then the count ("共 10000+ 条" when not exact).
fn page_text<T>(page: &baomi::page::Page<T>, line: fn(&T) -> String, unit: &str) -> String {
    let mut out: Vec<String> = page.rows.iter().map(line).collect();
    out.push(format!(
        "共 {}{} {unit}",
        page.total,
        if page.total_exact { "" } else { "+" }
    ));
    out.join("\n")
}

#[derive(Subcommand)]
pub enum PersonCmd {
    /// 登记涉密人员：标准输入为 JSON（name、department、post、class，见 `baomi schema person`）
    Add,
    /// 查询人员（任意长度的中文关键词，加筛选和排序）
    List {
        #[command(flatten)]
        filters: PersonFilters,
        #[command(flatten)]
        page: Paging,
    },
    /// 显示一名人员：当前保管和借用的载体、设备，审查、培训、承诺书和全部记录（ID、编号或姓名）
    Show { id: String },
    /// 到期提醒：复审、年度承诺书、脱密期届满、未完成上岗手续、准入例外、未登记的责任人
    Reminders,
    /// 各类人员的复审周期和脱密期：不带参数列出；`periods 类别 年 月` 修改（系统管理员）
    Periods {
        class: Option<String>,
        review_years: Option<u32>,
        cooling_months: Option<u32>,
    },
    /// 手续：`baomi person 手续 ID`，JSON 从标准输入（见 `baomi schema person-手续`）。
    /// 手续：review 保密审查、train 保密培训、pledge 签订承诺书、exception 准入例外、
    /// close_exception 结束例外、offboard 离岗（仍有未清退的载体或设备时拒绝并列出）、
    /// clear 脱密期满、correct 更正
    #[command(external_subcommand)]
    Act(Vec<String>),
}

/// The personnel register's search and filters (shared by `person list` and
/// `print list person`).
#[derive(Args)]
pub struct PersonFilters {
    #[arg(long, short)]
    query: Option<String>,
    /// 核心、重要、一般
    #[arg(long)]
    class: Option<String>,
    #[arg(long)]
    status: Option<String>,
    #[arg(long)]
    department: Option<String>,
    /// id、serial、name、department、class、reviewed_on
    #[arg(long)]
    sort: Option<String>,
    /// 升序（默认降序）
    #[arg(long)]
    asc: bool,
}

impl PersonFilters {
    pub fn query(self, offset: u32, limit: u32) -> baomi::registers::personnel::PersonQuery {
        baomi::registers::personnel::PersonQuery {
            query: self.query,
            class: self.class,
            status: self.status,
            department: self.department,
            sort: self.sort,
            desc: Some(!self.asc),
            offset: Some(offset),
            limit: Some(limit),
        }
    }
}

pub fn person_line(p: &baomi::registers::personnel::PersonView) -> String {
    let mut flags = p.missing.clone();
    if let Some(e) = &p.exception {
        flags.push(format!("准入例外（{}）", e.approval));
    }
    if let Some(l) = &p.leaving {
        flags.push(format!("{}，脱密期至 {}", l.leave.label(), l.ends_on));
    }
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}{}",
        p.serial,
        p.name,
        p.department,
        p.post,
        p.class_label,
        p.status_label,
        flags_text(&flags)
    )
}

fn due_line(d: &baomi::registers::personnel::PersonDue) -> String {
    format!(
        "{}\t{} {}",
        person_line(&d.person),
        d.due_on,
        if d.days_overdue > 0 {
            format!("已逾期 {} 天", d.days_overdue)
        } else {
            format!("还有 {} 天", -d.days_overdue)
        }
    )
}

pub fn person(ctx: &Ctx, cmd: PersonCmd) -> CliResult<()> {
    use baomi::registers::personnel as p;
    let mut s = login(ctx)?;
    match cmd {
        PersonCmd::Add => add::<p::Persons>(ctx, &mut s, person_line),
        PersonCmd::List { filters, page } => {
            let page = s.person_list(&filters.query(page.offset, page.limit))?;
            emit(ctx, &page, || page_text(&page, person_line, "人"))
        }
        PersonCmd::Show { id } => {
            let id = s.person_resolve(&id)?;
            let v = s.person_show(id)?;
            emit(ctx, &v, || {
                let mut out = vec![person_line(&v)];
                let held = v.holdings.as_deref().unwrap_or(&[]);
                out.push(if held.is_empty() {
                    "当前没有保管或借用的载体、设备".to_string()
                } else {
                    format!("当前保管或借用 {} 项：", held.len())
                });
                out.extend(held.iter().map(|h| {
                    format!(
                        "  {} {}《{}》\t{}\t{}",
                        h.noun, h.serial, h.title, h.capacity, h.status_label
                    )
                }));
                record_text(out, &v.history)
            })
        }
        PersonCmd::Reminders => {
            let r = s.person_reminders()?;
            emit(ctx, &r, || {
                let mut out = vec![format!("复审到期 {} 人：", r.reviews_due.len())];
                out.extend(r.reviews_due.iter().map(due_line));
                out.push(format!("年度承诺书到期 {} 人：", r.letters_due.len()));
                out.extend(r.letters_due.iter().map(due_line));
                out.push(format!("脱密期届满 {} 人：", r.cooling_ending.len()));
                out.extend(r.cooling_ending.iter().map(due_line));
                out.push(format!("未完成上岗手续 {} 人：", r.not_cleared.len()));
                out.extend(r.not_cleared.iter().map(person_line));
                out.push(format!("准入例外 {} 人：", r.exceptions_open.len()));
                out.extend(r.exceptions_open.iter().map(person_line));
                out.push(format!(
                    "未在人员台账登记的责任人 {} 人：{}",
                    r.unregistered.len(),
                    r.unregistered.join("、")
                ));
                out.join("\n")
            })
        }
        PersonCmd::Periods {
            class,
            review_years,
            cooling_months,
        } => {
            if let Some(class) = class {
                let (Some(years), Some(months)) = (review_years, cooling_months) else {
                    return Err(Failure::Usage(
                        "用法：baomi person periods 类别 复审周期（年） 脱密期（月）".into(),
                    ));
                };
                s.set_person_periods(&class, years, months)?;
            }
            let list = s.person_periods()?;
            emit(ctx, &list, || {
                list.iter()
                    .map(|p| {
                        format!(
                            "{}\t每 {} 年复审\t脱密期 {} 个月",
                            p.class_label, p.review_years, p.cooling_months
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        PersonCmd::Act(args) => {
            act::<p::Persons>(ctx, &mut s, &args, Session::person_resolve, person_line)
        }
    }
}

#[derive(Subcommand)]
pub enum PledgeCmd {
    /// 登记签订的保密承诺书：`baomi pledge add 人员`，JSON 从标准输入
    /// （kind 上岗/年度/出国(境)前、signed_on、witness、filed；离岗承诺书随 `person offboard` 签订）
    Add { id: String },
}

pub fn pledge(ctx: &Ctx, cmd: PledgeCmd) -> CliResult<()> {
    let mut s = login(ctx)?;
    match cmd {
        PledgeCmd::Add { id } => {
            let id = s.person_resolve(&id)?;
            let v = s.person_act(id, "pledge", stdin_value()?)?;
            emit(ctx, &v, || {
                let p = v.pledges.last();
                format!(
                    "已登记{}保密承诺书：{}",
                    p.map_or("", |p| p.pledge.label()),
                    person_line(&v)
                )
            })
        }
    }
}
