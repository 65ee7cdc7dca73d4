//! `baomi`: the scripting face of the core API (DESIGN §7).
//!
//! Contract: every subcommand parses its arguments, obtains a session, calls one core method
//! and prints the result: JSON on stdout with `--json`, Chinese sentences otherwise; errors go
//! to stderr in Chinese (and also as `{"error":…}` on stdout with `--json`). Exit codes: 0 done;
//! 1 refused; 2 usage; 3 authentication failed or locked; 4 integrity failure. No rule lives
//! here: the core decides everything.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
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
    /// 打印某种输入的 JSON Schema（init、account、policy、audit-filter）
    Schema { kind: String },
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

fn schema(kind: &str) -> CliResult<()> {
    let schema = match kind {
        "init" => schemars::schema_for!(InitRequest),
        "account" => schemars::schema_for!(NewAccount),
        "policy" => schemars::schema_for!(Policy),
        "audit-filter" => schemars::schema_for!(audit::Filter),
        other => {
            return Err(Failure::Usage(format!(
                "未知的输入类型“{other}”，可用：init、account、policy、audit-filter"
            )))
        }
    };
    let text = serde_json::to_string_pretty(&schema).map_err(|e| Error::internal(e.to_string()))?;
    println!("{text}");
    Ok(())
}
