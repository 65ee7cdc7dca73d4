//! `baomi`: the scripting face of the core API (DESIGN §7).
//!
//! Contract: every subcommand parses its arguments, obtains a session, calls one core method
//! and prints the result: JSON on stdout with `--json`, Chinese sentences otherwise; errors go
//! to stderr in Chinese (and also as `{"error":…}` on stdout with `--json`). Exit codes: 0 done;
//! 1 refused; 2 usage; 3 authentication failed or locked; 4 integrity failure. No rule lives
//! here: the core decides everything.

use std::io::{BufRead, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use baomi::audit;
use baomi::clock::{Clock, SystemClock};
use baomi::crypto::KdfParams;
use baomi::db::Tuning;
use baomi::paths;
use baomi::policy::Policy;
use baomi::roles::Role;
use baomi::vault::{self, InitRequest, NewAccount, Options, Session};
use baomi::Error;
use clap::{Args, Parser, Subcommand};
use serde::Serialize;

#[derive(Parser)]
#[command(name = "baomi", version, about = "保密台账 命令行工具：与桌面程序共用同一核心", long_about = None)]
struct Cli {
    /// 保密库文件夹（默认：用户数据目录下的 cn.baomi.ledger/vault）
    #[arg(long, global = true, env = "BAOMI_VAULT", value_name = "DIR")]
    vault: Option<PathBuf>,
    /// 以此账户身份操作
    #[arg(long, global = true, env = "BAOMI_USER", value_name = "NAME")]
    user: Option<String>,
    /// 从标准输入的第一行读取当前账户的口令（否则读 BAOMI_PASSWORD，或在终端提示输入）
    #[arg(long, global = true)]
    password_stdin: bool,
    /// 在标准输出打印机器可读的 JSON
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 创建保密库和三员账户（口令取自 BAOMI_ADMIN_PASSWORD、BAOMI_SECADMIN_PASSWORD、BAOMI_AUDITOR_PASSWORD，或提示输入）
    Init(InitArgs),
    /// 显示当前账户、角色和可用功能
    Whoami,
    /// 账户管理
    #[command(subcommand)]
    User(UserCmd),
    /// 修改当前账户的口令（新口令取自 BAOMI_NEW_PASSWORD，或提示输入）
    Passwd,
    /// 审计日志（仅安全审计员）
    #[command(subcommand)]
    Audit(AuditCmd),
    /// 安全策略（安全保密管理员设置）
    #[command(subcommand)]
    Policy(PolicyCmd),
    /// 修改单位名称（系统管理员）
    Unit { name: String },
    /// 备份整个保密库到一个新的空文件夹（系统管理员）
    Backup {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// 涉密载体登记：登记、查询和各项手续（记录以 JSON 从标准输入提供）
    #[command(subcommand)]
    Doc(DocCmd),
    /// 打印表单和台账清单为 PDF，查看打印记录；管理打印模板和字体
    #[command(subcommand)]
    Print(PrintCmd),
    /// 打印某种输入的 JSON Schema（如 init、doc、doc-borrow、doc-destroy；`baomi schema list` 列出全部）
    Schema { kind: String },
}

#[derive(Subcommand)]
enum DocCmd {
    /// 登记载体：标准输入为 JSON（见 `baomi schema doc`），输出登记后的记录
    Add,
    /// 查询载体（任意长度的中文关键词，加筛选和排序）
    List {
        #[command(flatten)]
        filters: DocFilters,
        #[arg(long, default_value_t = 0)]
        offset: u32,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// 显示一件载体及其全部手续记录（ID 或编号）
    Show { id: String },
    /// 分发
    Distribute { id: String },
    /// 传阅（阅读人签收；知悉范围外须填 approval）
    Circulate { id: String },
    /// 借阅（borrower、due_on）
    Borrow { id: String },
    /// 归还
    Return { id: String },
    /// 复印或摘抄（count、approver、approver_role）
    Copy { id: String },
    /// 清退（可一次清退多件：命令行列出多个 ID，或 JSON 的 ids）
    Handback { ids: Vec<String> },
    /// 归档
    Archive { id: String },
    /// 解密或降密（new_level、approver）
    Declassify { id: String },
    /// 标记下落不明（since）
    Missing { id: String },
    /// 登记找回
    Found { id: String },
    /// 销毁（approver、supervisors 两人、place、method、list_no）
    Destroy { id: String },
    /// 更正登记内容（field、value、reason），原值保留在记录中
    Correct { id: String },
    /// 月核对：清点某责任人或保密柜的载体（counted 为清点到的编号）
    Reconcile,
    /// 到期提醒：逾期未还、下落不明倒计时、解密审查
    Reminders,
}

/// The carrier register's search and filters (shared by `doc list` and `print list doc`).
#[derive(Args)]
struct DocFilters {
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
    fn query(self, offset: u32, limit: u32) -> baomi::documents::DocQuery {
        baomi::documents::DocQuery {
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

#[derive(Subcommand)]
enum PrintCmd {
    /// 列出可打印的表单
    Forms,
    /// 打印台账清单（A4 横向）：`baomi print list doc [筛选条件] --out F.pdf`
    List {
        #[command(subcommand)]
        register: ListRegister,
    },
    /// 打印记录（打印编号、表单、对象、数据摘要）
    Log {
        #[arg(long)]
        form: Option<String>,
        /// 打印编号或载体编号
        #[arg(long, short)]
        query: Option<String>,
        #[arg(long, default_value_t = 0)]
        offset: u32,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// 核对纸质件：按打印编号查出打印记录，并核对所印数据与保密库当前数据是否一致
    Check { serial: String },
    /// 打印模板（系统管理员）：list、show NAME、set NAME FILE、reset NAME
    #[command(subcommand)]
    Template(TemplateCmd),
    /// 表单字体（系统管理员）：list、add FILE、remove NAME、use --body --title
    #[command(subcommand)]
    Font(FontCmd),
    /// 打印表单：`baomi print FORM ID... --out F.pdf [--event N]`（FORM 见 `baomi print forms`）
    #[command(external_subcommand)]
    Form(Vec<String>),
}

#[derive(Subcommand)]
enum ListRegister {
    /// 涉密载体登记簿
    Doc {
        #[command(flatten)]
        filters: DocFilters,
        /// 保存 PDF 的路径
        #[arg(long, value_name = "F.pdf")]
        out: PathBuf,
    },
}

/// `baomi print FORM ID... --out F.pdf`
#[derive(Parser)]
#[command(name = "baomi print", no_binary_name = true)]
struct FormArgs {
    /// 表单（如 doc-borrow）
    form: String,
    /// 载体的 ID 或编号（清单类表单可列出多件）；月核对表为核对记录的 ID
    #[arg(required = true)]
    ids: Vec<String>,
    /// 保存 PDF 的路径
    #[arg(long, value_name = "F.pdf")]
    out: PathBuf,
    /// 用哪一条手续记录填表（事件 ID，见 `baomi doc show --json`），默认最近一条
    #[arg(long)]
    event: Option<i64>,
}

#[derive(Subcommand)]
enum TemplateCmd {
    /// 列出模板及是否已被本单位替换
    List,
    /// 输出模板源文件（便于修改后用 set 载入）
    Show { name: String },
    /// 用本单位的模板替换（测试排版通过后才生效）
    Set { name: String, file: PathBuf },
    /// 恢复内置模板
    Reset { name: String },
}

#[derive(Subcommand)]
enum FontCmd {
    /// 列出字体文件和表单所用字体
    List,
    /// 添加字体文件（如本单位授权的仿宋_GB2312），保存在保密库中
    Add { file: PathBuf },
    /// 删除本单位添加的字体文件
    Remove { name: String },
    /// 选择表单的正文字体和标题字体（字体族名）
    Use {
        #[arg(long)]
        body: String,
        #[arg(long)]
        title: String,
    },
}

#[derive(Args)]
struct InitArgs {
    /// 单位名称
    #[arg(long)]
    unit: String,
    /// 系统管理员账户名
    #[arg(long)]
    admin: String,
    /// 安全保密管理员账户名
    #[arg(long)]
    secadmin: String,
    /// 安全审计员账户名
    #[arg(long)]
    auditor: String,
    /// 可选：同时创建第一个保密员账户（口令取自 BAOMI_OFFICER_PASSWORD）
    #[arg(long)]
    officer: Option<String>,
    #[arg(long, value_name = "姓名")]
    admin_display: Option<String>,
    #[arg(long, value_name = "姓名")]
    secadmin_display: Option<String>,
    #[arg(long, value_name = "姓名")]
    auditor_display: Option<String>,
    #[arg(long, value_name = "姓名")]
    officer_display: Option<String>,
    /// 口令派生内存（MiB，至少 64，默认 256）
    #[arg(long, value_name = "MIB")]
    kdf_memory_mib: Option<u32>,
    /// 口令派生迭代次数（默认 2）
    #[arg(long, value_name = "N")]
    kdf_iterations: Option<u32>,
}

#[derive(Subcommand)]
enum UserCmd {
    /// 创建账户（系统管理员）；初始口令取自 BAOMI_NEW_PASSWORD；角色由安全保密管理员用 `user role` 分配
    Add {
        name: String,
        #[arg(long, value_name = "姓名")]
        display: String,
    },
    /// 列出账户
    List,
    /// 停用账户（系统管理员）
    Disable { name: String },
    /// 启用账户（系统管理员）
    Enable { name: String },
    /// 重置账户口令（系统管理员）；新初始口令取自 BAOMI_NEW_PASSWORD
    Reset { name: String },
    /// 提前解除因口令错误造成的锁定（系统管理员）
    Unlock { name: String },
    /// 分配业务角色 officer|reader（安全保密管理员）
    Role { name: String, role: String },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// 列出审计日志（新的在前）
    List {
        #[arg(long)]
        actor: Option<String>,
        #[arg(long)]
        action: Option<String>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        #[arg(long)]
        text: Option<String>,
        #[arg(long, default_value_t = 200)]
        limit: u32,
    },
    /// 校验审计日志的哈希链；完好退出码 0，被篡改退出码 4 并指出第一条损坏的记录
    Verify,
}

#[derive(Subcommand)]
enum PolicyCmd {
    /// 显示安全策略
    Show,
    /// 修改安全策略（只能比默认更严格）
    Set {
        #[arg(long)]
        min_length: Option<u32>,
        #[arg(long)]
        min_classes: Option<u32>,
        #[arg(long)]
        max_failures: Option<u32>,
        #[arg(long)]
        lockout_minutes: Option<u32>,
        #[arg(long)]
        idle_lock_seconds: Option<u32>,
    },
}

/// A failure of the CLI: a core refusal, or a usage problem the core never saw.
enum Failure {
    Core(Error),
    Usage(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

type CliResult<T> = Result<T, Failure>;

struct Ctx {
    vault: PathBuf,
    user: Option<String>,
    password_stdin: bool,
    json: bool,
    clock: Arc<dyn Clock>,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // Help and version are not errors; clap prints them and exits 0.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let json = cli.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!("用法错误：{msg}");
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "error": { "code": "usage", "message": msg } })
                );
            }
            ExitCode::from(2)
        }
        Err(Failure::Core(e)) => {
            eprintln!("错误：{}", e.message);
            if json {
                println!("{}", serde_json::json!({ "error": e }));
            }
            ExitCode::from(e.code.exit_status() as u8)
        }
    }
}

fn run(cli: Cli) -> CliResult<()> {
    let vault = match cli.vault {
        Some(v) => v,
        None => paths::default_vault_dir(paths::APP_ID).ok_or_else(|| {
            Failure::Usage("无法确定用户数据目录，请用 --vault 指定保密库文件夹".into())
        })?,
    };
    let ctx = Ctx {
        vault,
        user: cli.user,
        password_stdin: cli.password_stdin,
        json: cli.json,
        clock: Arc::new(SystemClock),
    };
    match cli.command {
        Command::Init(a) => init(&ctx, a),
        Command::Schema { kind } => schema(&kind),
        Command::Whoami => {
            let s = login(&ctx)?;
            let info = s.info()?;
            emit(&ctx, &info, || {
                format!(
                    "{}（{}），角色：{}，单位：{}",
                    info.display, info.user, info.role_label, info.unit
                )
            })
        }
        Command::Passwd => {
            let (mut s, old) = login_keep_password(&ctx)?;
            let new = new_password(&ctx, "新口令")?;
            s.change_password(&old, &new)?;
            done(&ctx, "口令已修改")
        }
        Command::User(cmd) => user(&ctx, cmd),
        Command::Doc(cmd) => doc(&ctx, cmd),
        Command::Print(cmd) => print(&ctx, cmd),
        Command::Audit(cmd) => audit_cmd(&ctx, cmd),
        Command::Policy(cmd) => policy(&ctx, cmd),
        Command::Unit { name } => {
            let mut s = login(&ctx)?;
            s.set_unit_name(&name)?;
            done(&ctx, &format!("单位名称已改为“{}”", name.trim()))
        }
        Command::Backup { out } => {
            let mut s = login(&ctx)?;
            s.backup(&out)?;
            done(&ctx, &format!("已备份到 {}", out.display()))
        }
    }
}

fn emit<T: Serialize>(ctx: &Ctx, value: &T, human: impl FnOnce() -> String) -> CliResult<()> {
    if ctx.json {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| Error::internal(format!("JSON 输出失败：{e}")))?;
        println!("{text}");
    } else {
        println!("{}", human());
    }
    Ok(())
}

fn done(ctx: &Ctx, message: &str) -> CliResult<()> {
    emit(
        ctx,
        &serde_json::json!({ "ok": true, "message": message }),
        || message.to_string(),
    )
}

/// Reads a secret from `var`, else prompts on a terminal, else fails as a usage error.
fn secret_from(var: &str, prompt: &str) -> CliResult<String> {
    if let Ok(v) = std::env::var(var) {
        return Ok(v);
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(format!("{prompt}："))
            .map_err(|e| Failure::Usage(format!("无法读取口令：{e}")));
    }
    Err(Failure::Usage(format!(
        "缺少{prompt}：请设置环境变量 {var}，或在终端中运行以输入"
    )))
}

fn acting_password(ctx: &Ctx, user: &str) -> CliResult<String> {
    if ctx.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::Usage(format!("无法从标准输入读取口令：{e}")))?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    secret_from("BAOMI_PASSWORD", &format!("账户 {user} 的口令"))
}

fn new_password(ctx: &Ctx, what: &str) -> CliResult<String> {
    let _ = ctx;
    let p = secret_from("BAOMI_NEW_PASSWORD", what)?;
    if std::env::var("BAOMI_NEW_PASSWORD").is_err() {
        let again = secret_from("BAOMI_NEW_PASSWORD", &format!("再次输入{what}"))?;
        if again != p {
            return Err(Error::field("password", what, "两次输入不一致").into());
        }
    }
    Ok(p)
}

fn login_keep_password(ctx: &Ctx) -> CliResult<(Session, String)> {
    let user = ctx
        .user
        .clone()
        .ok_or_else(|| Failure::Usage("请用 --user 或 BAOMI_USER 指定账户".into()))?;
    let password = acting_password(ctx, &user)?;
    let s = vault::login(
        &ctx.vault,
        &user,
        &password,
        ctx.clock.clone(),
        Tuning::default(),
    )?;
    Ok((s, password))
}

fn login(ctx: &Ctx) -> CliResult<Session> {
    login_keep_password(ctx).map(|(s, _)| s)
}

fn init(ctx: &Ctx, a: InitArgs) -> CliResult<()> {
    let account =
        |name: &str, display: Option<String>, var: &str, label: &str| -> CliResult<NewAccount> {
            Ok(NewAccount {
                name: name.to_string(),
                display: display.unwrap_or_else(|| name.to_string()),
                password: secret_from(var, &format!("{label} {name} 的口令"))?,
            })
        };
    let req = InitRequest {
        unit: a.unit,
        admin: account(
            &a.admin,
            a.admin_display,
            "BAOMI_ADMIN_PASSWORD",
            "系统管理员",
        )?,
        secadmin: account(
            &a.secadmin,
            a.secadmin_display,
            "BAOMI_SECADMIN_PASSWORD",
            "安全保密管理员",
        )?,
        auditor: account(
            &a.auditor,
            a.auditor_display,
            "BAOMI_AUDITOR_PASSWORD",
            "安全审计员",
        )?,
        officer: match &a.officer {
            Some(o) => Some(account(
                o,
                a.officer_display,
                "BAOMI_OFFICER_PASSWORD",
                "保密员",
            )?),
            None => None,
        },
    };
    let mut kdf = KdfParams::standard();
    if let Some(m) = a.kdf_memory_mib {
        kdf.memory_kib = m.saturating_mul(1024);
    }
    if let Some(t) = a.kdf_iterations {
        kdf.iterations = t;
    }
    vault::init(
        &ctx.vault,
        &req,
        Options {
            kdf,
            ..Options::default()
        },
        ctx.clock.as_ref(),
    )?;
    emit(
        ctx,
        &serde_json::json!({ "ok": true, "vault": ctx.vault, "unit": req.unit.trim() }),
        || {
            format!(
                "已在 {} 创建保密库（单位：{}）",
                ctx.vault.display(),
                req.unit.trim()
            )
        },
    )
}

fn user(ctx: &Ctx, cmd: UserCmd) -> CliResult<()> {
    let mut s = login(ctx)?;
    match cmd {
        UserCmd::Add { name, display } => {
            let password = new_password(ctx, "新账户的初始口令")?;
            s.add_account(&NewAccount {
                name: name.clone(),
                display,
                password,
            })?;
            done(ctx, &format!("已创建账户“{name}”；请安全保密管理员用 `baomi user role {name} officer|reader` 分配角色，首次登录须修改口令"))
        }
        UserCmd::List => {
            let list = s.list_accounts()?;
            emit(ctx, &list, || {
                list.iter()
                    .map(|a| {
                        format!(
                            "{}\t{}\t{}{}{}",
                            a.name,
                            a.display,
                            a.role_label,
                            if a.disabled { "\t已停用" } else { "" },
                            if a.locked_until.is_some() {
                                "\t已锁定"
                            } else {
                                ""
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        UserCmd::Disable { name } => {
            s.set_account_disabled(&name, true)?;
            done(ctx, &format!("账户“{name}”已停用"))
        }
        UserCmd::Enable { name } => {
            s.set_account_disabled(&name, false)?;
            done(ctx, &format!("账户“{name}”已启用"))
        }
        UserCmd::Reset { name } => {
            let password = new_password(ctx, "新的初始口令")?;
            s.reset_password(&name, &password)?;
            done(ctx, &format!("账户“{name}”的口令已重置，首次登录须修改"))
        }
        UserCmd::Unlock { name } => {
            s.unlock_account(&name)?;
            done(ctx, &format!("账户“{name}”已解除锁定"))
        }
        UserCmd::Role { name, role } => {
            let role = Role::parse(&role)?;
            s.assign_role(&name, role)?;
            done(ctx, &format!("已将账户“{name}”的角色设为{}", role.label()))
        }
    }
}

fn audit_cmd(ctx: &Ctx, cmd: AuditCmd) -> CliResult<()> {
    let mut s = login(ctx)?;
    match cmd {
        AuditCmd::List {
            actor,
            action,
            from,
            to,
            text,
            limit,
        } => {
            let page = s.audit_list(&audit::Filter {
                actor,
                action,
                from,
                to,
                text,
                limit: Some(limit),
                offset: None,
            })?;
            emit(ctx, &page, || {
                let mut out: Vec<String> = page
                    .entries
                    .iter()
                    .map(|e| {
                        format!(
                            "{}\t{}\t{}\t{}\t{}\t{}",
                            e.seq, e.at, e.actor, e.action_label, e.target, e.detail
                        )
                    })
                    .collect();
                out.push(format!("共 {} 条", page.total));
                out.join("\n")
            })
        }
        AuditCmd::Verify => {
            let report = s.audit_verify()?;
            emit(ctx, &report, || {
                if report.intact {
                    format!("审计日志完好：共 {} 条，哈希链与封印一致", report.entries)
                } else {
                    format!("审计日志已被篡改：{}", report.problem)
                }
            })?;
            if report.intact {
                Ok(())
            } else {
                // Exit 4; the report is already on stdout.
                Err(Failure::Core(Error::integrity(format!(
                    "审计日志校验失败：{}",
                    report.problem
                ))))
            }
        }
    }
}

fn policy(ctx: &Ctx, cmd: PolicyCmd) -> CliResult<()> {
    let mut s = login(ctx)?;
    let show = |p: &Policy| {
        format!(
            "口令最小长度：{}\n口令字符种类：至少 {} 类\n连续错误锁定：{} 次\n锁定时长：{} 分钟\n闲置自动锁定：{} 秒",
            p.min_length, p.min_classes, p.max_failures, p.lockout_minutes, p.idle_lock_seconds
        )
    };
    match cmd {
        PolicyCmd::Show => {
            let p = s.policy()?;
            emit(ctx, &p, || show(&p))
        }
        PolicyCmd::Set {
            min_length,
            min_classes,
            max_failures,
            lockout_minutes,
            idle_lock_seconds,
        } => {
            let mut p = s.policy()?;
            p.min_length = min_length.unwrap_or(p.min_length);
            p.min_classes = min_classes.unwrap_or(p.min_classes);
            p.max_failures = max_failures.unwrap_or(p.max_failures);
            p.lockout_minutes = lockout_minutes.unwrap_or(p.lockout_minutes);
            p.idle_lock_seconds = idle_lock_seconds.unwrap_or(p.idle_lock_seconds);
            let p = s.set_policy(p)?;
            emit(ctx, &p, || format!("安全策略已更新：\n{}", show(&p)))
        }
    }
}

const SCHEMAS: [&str; 19] = [
    "init",
    "account",
    "policy",
    "audit-filter",
    "doc",
    "doc-query",
    "doc-distribute",
    "doc-circulate",
    "doc-borrow",
    "doc-return",
    "doc-copy",
    "doc-handback",
    "doc-archive",
    "doc-declassify",
    "doc-missing",
    "doc-found",
    "doc-destroy",
    "doc-correct",
    "doc-reconcile",
];

fn schema(kind: &str) -> CliResult<()> {
    use baomi::documents as d;
    let schema = match kind {
        "list" => {
            println!("{}", SCHEMAS.join("\n"));
            return Ok(());
        }
        "init" => schemars::schema_for!(InitRequest),
        "account" => schemars::schema_for!(NewAccount),
        "policy" => schemars::schema_for!(Policy),
        "audit-filter" => schemars::schema_for!(audit::Filter),
        "doc" => schemars::schema_for!(d::DocInput),
        "doc-query" => schemars::schema_for!(d::DocQuery),
        "doc-distribute" => schemars::schema_for!(d::DistributeInput),
        "doc-circulate" => schemars::schema_for!(d::CirculateInput),
        "doc-borrow" => schemars::schema_for!(d::BorrowInput),
        "doc-return" => schemars::schema_for!(d::ReturnInput),
        "doc-copy" => schemars::schema_for!(d::CopyInput),
        "doc-handback" => schemars::schema_for!(d::HandbackInput),
        "doc-archive" => schemars::schema_for!(d::ArchiveInput),
        "doc-declassify" => schemars::schema_for!(d::DeclassifyInput),
        "doc-missing" => schemars::schema_for!(d::MissingInput),
        "doc-found" => schemars::schema_for!(d::FoundInput),
        "doc-destroy" => schemars::schema_for!(d::DestroyInput),
        "doc-correct" => schemars::schema_for!(d::CorrectInput),
        "doc-reconcile" => schemars::schema_for!(d::ReconcileInput),
        other => {
            return Err(Failure::Usage(format!(
                "未知的输入类型“{other}”，可用：{}",
                SCHEMAS.join("、")
            )))
        }
    };
    let text = serde_json::to_string_pretty(&schema).map_err(|e| Error::internal(e.to_string()))?;
    println!("{text}");
    Ok(())
}

/// Reads the whole of stdin as the JSON input of a command.
fn stdin_json<T: serde::de::DeserializeOwned>() -> CliResult<T> {
    let mut buf = String::new();
    std::io::stdin()
        .read_to_string(&mut buf)
        .map_err(|e| Failure::Usage(format!("无法读取标准输入：{e}")))?;
    Ok(baomi::input::from_json(&buf)?)
}

/// Like [`stdin_json`], but an empty stdin means "no optional fields".
fn stdin_json_or_default<T: serde::de::DeserializeOwned + Default>() -> CliResult<T> {
    if std::io::stdin().is_terminal() {
        return Ok(T::default());
    }
    let mut buf = String::new();
    std::io::stdin()
        .read_to_string(&mut buf)
        .map_err(|e| Failure::Usage(format!("无法读取标准输入：{e}")))?;
    if buf.trim().is_empty() {
        return Ok(T::default());
    }
    Ok(baomi::input::from_json(&buf)?)
}

fn doc_line(d: &baomi::documents::DocView) -> String {
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
        if flags.is_empty() {
            String::new()
        } else {
            format!("\t{}", flags.join("；"))
        }
    )
}

fn doc(ctx: &Ctx, cmd: DocCmd) -> CliResult<()> {
    use baomi::documents as d;
    let mut s = login(ctx)?;
    let one =
        |ctx: &Ctx, v: &d::DocView, verb: &str| emit(ctx, v, || format!("{verb}：{}", doc_line(v)));
    match cmd {
        DocCmd::Add => {
            let input: d::DocInput = stdin_json()?;
            let v = s.doc_add(&input)?;
            one(ctx, &v, "已登记")
        }
        DocCmd::List {
            filters,
            offset,
            limit,
        } => {
            let q = filters.query(offset, limit);
            let page = s.doc_list(&q)?;
            emit(ctx, &page, || {
                let mut out: Vec<String> = page.rows.iter().map(doc_line).collect();
                out.push(format!(
                    "共 {}{} 条",
                    page.total,
                    if page.total_exact { "" } else { "+" }
                ));
                out.join("\n")
            })
        }
        DocCmd::Show { id } => {
            let id = s.doc_resolve(&id)?;
            let v = s.doc_show(id)?;
            emit(ctx, &v, || {
                let mut out = vec![
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
                for h in v.history.iter().flatten() {
                    out.push(format!(
                        "  {}  {}  {}{}",
                        h.occurred_on,
                        h.actor,
                        h.summary,
                        h.approval
                            .as_deref()
                            .map(|a| format!("  审批：{a}"))
                            .unwrap_or_default()
                    ));
                }
                out.join("\n")
            })
        }
        DocCmd::Distribute { id } => {
            let id = s.doc_resolve(&id)?;
            let v = s.doc_distribute(id, &stdin_json()?)?;
            one(ctx, &v, "已分发")
        }
        DocCmd::Circulate { id } => {
            let id = s.doc_resolve(&id)?;
            let v = s.doc_circulate(id, &stdin_json()?)?;
            one(ctx, &v, "已登记传阅")
        }
        DocCmd::Borrow { id } => {
            let id = s.doc_resolve(&id)?;
            let v = s.doc_borrow(id, &stdin_json()?)?;
            one(ctx, &v, "已借出")
        }
        DocCmd::Return { id } => {
            let id = s.doc_resolve(&id)?;
            let v = s.doc_return(id, &stdin_json_or_default()?)?;
            one(ctx, &v, "已归还")
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
        DocCmd::Archive { id } => {
            let id = s.doc_resolve(&id)?;
            let v = s.doc_archive(id, &stdin_json_or_default()?)?;
            one(ctx, &v, "已归档")
        }
        DocCmd::Declassify { id } => {
            let id = s.doc_resolve(&id)?;
            let v = s.doc_declassify(id, &stdin_json()?)?;
            one(ctx, &v, "已办理解密/降密")
        }
        DocCmd::Missing { id } => {
            let id = s.doc_resolve(&id)?;
            let v = s.doc_missing(id, &stdin_json()?)?;
            one(ctx, &v, "已标记下落不明")
        }
        DocCmd::Found { id } => {
            let id = s.doc_resolve(&id)?;
            let v = s.doc_found(id, &stdin_json_or_default()?)?;
            one(ctx, &v, "已登记找回")
        }
        DocCmd::Destroy { id } => {
            let id = s.doc_resolve(&id)?;
            let v = s.doc_destroy(id, &stdin_json()?)?;
            one(ctx, &v, "已销毁")
        }
        DocCmd::Correct { id } => {
            let id = s.doc_resolve(&id)?;
            let v = s.doc_correct(id, &stdin_json()?)?;
            one(ctx, &v, "已更正")
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

fn save_printout(
    ctx: &Ctx,
    s: &mut Session,
    p: &baomi::print::Printout,
    out: &Path,
) -> CliResult<()> {
    p.save(out)?;
    s.print_delivered(&p.job.serial, baomi::print::Delivery::Pdf(out))?;
    emit(ctx, &p.job, || {
        format!(
            "已打印 {}：{}，{} 页，打印编号 {}，数据摘要 {} → {}",
            p.job.title,
            p.job.subject,
            p.job.pages,
            p.job.serial,
            p.job.digest,
            out.display()
        )
    })
}

fn print(ctx: &Ctx, cmd: PrintCmd) -> CliResult<()> {
    use baomi::print::{self as pr, PrintRequest};
    let mut s = login(ctx)?;
    match cmd {
        PrintCmd::Forms => {
            let forms = s.print_forms()?;
            emit(ctx, &forms, || {
                forms
                    .iter()
                    .map(|f| format!("{}\t{}", f.id, f.title))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        PrintCmd::List {
            register: ListRegister::Doc { filters, out },
        } => {
            let req = PrintRequest {
                form: "doc-list".into(),
                query: Some(filters.query(0, 0)),
                ..Default::default()
            };
            let p = s.print(&req)?;
            save_printout(ctx, &mut s, &p, &out)
        }
        PrintCmd::Check { serial } => {
            let c = s.print_check(&serial)?;
            emit(ctx, &c, || {
                let j = &c.job;
                format!(
                    "{} {}（{}），{} 页，{} 由 {} 打印，数据摘要 {}\n{}",
                    j.serial,
                    j.title,
                    j.subject,
                    j.pages,
                    j.printed_at,
                    j.actor,
                    j.digest,
                    if c.unchanged {
                        "所印数据与保密库当前数据一致".to_string()
                    } else {
                        format!(
                            "打印之后保密库中的数据已变化（当前数据摘要 {}）",
                            c.current_digest
                        )
                    }
                )
            })
        }
        PrintCmd::Log {
            form,
            query,
            offset,
            limit,
        } => {
            let page = s.print_log(&pr::PrintLogQuery {
                form,
                query,
                offset: Some(offset),
                limit: Some(limit),
            })?;
            emit(ctx, &page, || {
                let mut out: Vec<String> = page
                    .rows
                    .iter()
                    .map(|j| {
                        format!(
                            "{}\t{}\t{}\t{}\t{} 页\t{}\t{}",
                            j.serial, j.printed_at, j.actor, j.title, j.pages, j.digest, j.subject
                        )
                    })
                    .collect();
                out.push(format!("共 {} 条", page.total));
                out.join("\n")
            })
        }
        PrintCmd::Template(t) => match t {
            TemplateCmd::List => {
                let list = s.print_templates()?;
                emit(ctx, &list, || {
                    list.iter()
                        .map(|t| {
                            format!(
                                "{}\t{}\t{}",
                                t.name,
                                if t.custom {
                                    "本单位模板"
                                } else {
                                    "内置"
                                },
                                t.forms.join("、")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                })
            }
            TemplateCmd::Show { name } => {
                let text = s.print_template_source(&name)?;
                emit(
                    ctx,
                    &serde_json::json!({ "name": name, "source": text }),
                    || text.clone(),
                )
            }
            TemplateCmd::Set { name, file } => {
                let text = std::fs::read_to_string(&file).map_err(|e| {
                    Error::field(
                        "file",
                        "模板文件",
                        format!("无法读取 {}（须为 UTF-8 文本）：{e}", file.display()),
                    )
                })?;
                let info = s.print_set_template(&name, &text)?;
                emit(ctx, &info, || {
                    format!("模板 {} 已替换（测试排版通过）", info.name)
                })
            }
            TemplateCmd::Reset { name } => {
                let info = s.print_reset_template(&name)?;
                emit(ctx, &info, || {
                    format!("模板 {} 已恢复为内置模板", info.name)
                })
            }
        },
        PrintCmd::Font(f) => match f {
            FontCmd::List => {
                let fonts = s.print_fonts()?;
                emit(ctx, &fonts, || {
                    let mut out: Vec<String> = fonts
                        .files
                        .iter()
                        .map(|f| {
                            format!(
                                "{}\t{}\t{}",
                                f.name,
                                if f.builtin {
                                    "内置"
                                } else {
                                    "本单位添加"
                                },
                                f.families.join("、")
                            )
                        })
                        .collect();
                    out.push(format!(
                        "正文字体：{}　标题字体：{}",
                        fonts.choice.body, fonts.choice.title
                    ));
                    out.join("\n")
                })
            }
            FontCmd::Add { file } => {
                let data = std::fs::read(&file).map_err(|e| {
                    Error::field(
                        "file",
                        "字体文件",
                        format!("无法读取 {}：{e}", file.display()),
                    )
                })?;
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                let added = s.print_add_font(&name, data)?;
                emit(ctx, &added, || {
                    format!(
                        "已添加字体文件 {}：{}",
                        added.name,
                        added.families.join("、")
                    )
                })
            }
            FontCmd::Remove { name } => {
                s.print_remove_font(&name)?;
                done(ctx, &format!("已删除字体文件 {name}"))
            }
            FontCmd::Use { body, title } => {
                let c = s.print_set_fonts(&pr::FontChoice { body, title })?;
                emit(ctx, &c, || {
                    format!("表单字体：正文 {}，标题 {}", c.body, c.title)
                })
            }
        },
        PrintCmd::Form(args) => {
            let a = FormArgs::try_parse_from(&args).map_err(|e| Failure::Usage(e.to_string()))?;
            let form = pr::forms::find(&a.form)?;
            let req = match form.target {
                pr::Target::Reconciliation => {
                    let [id] = a.ids.as_slice() else {
                        return Err(Failure::Usage("月核对表每次打印一条核对记录".into()));
                    };
                    let id = id.parse::<i64>().map_err(|_| {
                        Error::field(
                            "reconciliation",
                            "核对记录",
                            format!("“{id}”不是核对记录的 ID"),
                        )
                    })?;
                    PrintRequest {
                        form: a.form.clone(),
                        reconciliation: Some(id),
                        ..Default::default()
                    }
                }
                pr::Target::List => {
                    return Err(Failure::Usage(
                        "打印台账清单请用 `baomi print list doc [筛选条件] --out F.pdf`".into(),
                    ))
                }
                _ => {
                    let mut ids = Vec::new();
                    for key in &a.ids {
                        ids.push(s.doc_resolve(key)?);
                    }
                    PrintRequest {
                        form: a.form.clone(),
                        ids: Some(ids),
                        event: a.event,
                        ..Default::default()
                    }
                }
            };
            let p = s.print(&req)?;
            save_printout(ctx, &mut s, &p, &a.out)
        }
    }
}
