//! `baomi`: the scripting face of the core API (DESIGN §7).
//!
//! Contract: every subcommand parses its arguments, obtains a session, calls one core method
//! and prints the result: JSON on stdout with `--json`, Chinese sentences otherwise; errors go
//! to stderr in Chinese (and also as `{"error":…}` on stdout with `--json`). Exit codes: 0 done;
//! 1 refused; 2 usage; 3 authentication failed or locked; 4 integrity failure. No rule lives
//! here: the core decides everything.

use std::io::{BufRead, IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

mod admin;
mod exchange;
mod print;
mod registers;
mod sheets;

use baomi::clock::{Clock, SystemClock};
use baomi::paths;
use baomi::vault::audit;
use baomi::vault::marks::Marks;
use baomi::vault::policy::Policy;
use baomi::vault::{self, InitRequest, NewAccount, Session};
use baomi::Error;
use clap::{Parser, Subcommand};
use serde::Serialize;
use zeroize::Zeroizing;

use admin::{audit_cmd, init, policy, user, AuditCmd, InitArgs, PolicyCmd, UserCmd};
use exchange::UnitCmd;
use print::{print, PrintCmd};
use registers::{device, doc, person, pledge, DeviceCmd, DocCmd, PersonCmd, PledgeCmd};

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
    /// (`baomi unit 新名称`)；`baomi unit key show|export|import`：本单位的数据交换密钥（保密员）；
    /// `baomi unit list`：已导入密钥的单位
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Unit {
        #[command(subcommand)]
        cmd: Option<UnitCmd>,
        name: Option<String>,
    },
    /// 导出记录为加密签名的数据包（保密员）：选定记录、清退给某单位的载体、某人的档案、某日以来的变动
    Export(exchange::ExportArgs),
    /// 导入数据包或回执（保密员）：先校验整个数据包，--dry-run 预览新增、变更和冲突
    Import(exchange::ImportArgs),
    /// 本单位发出的数据包及其回执
    Bundles,
    /// 备份整个保密库为一个加密签名的备份文件（系统管理员；备份口令取自 BAOMI_BUNDLE_PASSPHRASE，或提示输入）；
    /// `baomi backup verify F`：不恢复而校验备份文件
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Backup {
        #[command(subcommand)]
        cmd: Option<BackupCmd>,
        #[arg(long, value_name = "F", required_unless_present = "remind_days")]
        out: Option<PathBuf>,
        /// 上次备份超过多少天提醒（1–365，默认 30）
        #[arg(long, value_name = "DAYS")]
        remind_days: Option<u32>,
    },
    /// 把备份文件恢复到 --vault 指定的新文件夹（先校验整个备份；口令取自 BAOMI_BUNDLE_PASSPHRASE，或提示输入）
    Restore { file: PathBuf },
    /// 涉密载体登记：登记、查询和各项手续（记录以 JSON 从标准输入提供）
    #[command(subcommand)]
    Doc(DocCmd),
    /// 涉密信息设备台账：登记、查询、外出审核、维护淘汰、移动存储介质借用（记录以 JSON 从标准输入提供）
    #[command(subcommand)]
    Device(DeviceCmd),
    /// 涉密人员登记：登记、审查、培训、承诺书、离岗和脱密期（记录以 JSON 从标准输入提供）
    #[command(subcommand)]
    Person(PersonCmd),
    /// 保密承诺书
    #[command(subcommand)]
    Pledge(PledgeCmd),
    /// 年度保密工作统计：载体收发与处置、设备和介质、涉密人员与承诺书（保密员、查阅）
    Stats {
        #[arg(long, value_name = "YEAR")]
        year: i32,
        /// 另存为 Excel 文件（.xlsx，每张统计表一个工作表）
        #[arg(long, value_name = "F.xlsx")]
        xlsx: Option<PathBuf>,
    },
    /// 登记已完成的保密检查：quarterly（季检查）或 annual（保密工作领导小组年度检查），到期事项随之顺延
    OfficeCheck {
        kind: String,
        /// 检查日期（默认今天）
        #[arg(long, value_name = "YYYY-MM-DD")]
        on: Option<String>,
    },
    /// 从本单位的 Excel 台账（.xlsx、.csv）导入记录：自动识别表头和各列，--dry-run 先报告每一行能否导入；有错误时不导入任何记录
    ImportXlsx(sheets::ImportArgs),
    /// 把台账（可加筛选条件）导出为 Excel 文件（.xlsx）
    ExportXlsx(sheets::ExportArgs),
    /// 到期事项：逾期未还、下落不明倒计时、解密审查、复审、承诺书、脱密期、检查、月核对……按紧急程度排列
    Due,
    /// 打印表单和台账清单为 PDF，查看打印记录；管理打印模板和字体
    #[command(subcommand)]
    Print(PrintCmd),
    /// 用建库时封存的恢复码为当前账户（保密员或查阅）取回登记簿密钥（恢复码取自 BAOMI_RECOVERY_CODE，或提示输入）
    Recover,
    /// 密钥管理
    #[command(subcommand)]
    Key(KeyCmd),
    /// 打印某种输入的 JSON Schema（如 init、doc、doc-borrow、doc-destroy；`baomi schema list` 列出全部）
    Schema { kind: String },
}

#[derive(Subcommand)]
enum BackupCmd {
    /// 校验备份文件：签名、每一块、清单和每个文件的摘要，不恢复
    Verify { file: PathBuf },
}

#[derive(Subcommand)]
enum KeyCmd {
    /// 轮换密钥：系统管理员轮换系统密钥，保密员轮换登记簿密钥；旧的密钥文件副本从此打不开保密库
    Rotate,
}

/// A failure of the CLI: a core refusal, or a usage problem the core never saw.
pub enum Failure {
    Core(Error),
    Usage(String),
    /// A refusal whose details are already printed (an import's report): said on stderr, with
    /// the refusal's exit status, and nothing more on stdout.
    Reported(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

pub type CliResult<T> = Result<T, Failure>;

pub struct Ctx {
    vault: PathBuf,
    user: Option<String>,
    password_stdin: bool,
    json: bool,
    clock: Arc<dyn Clock>,
}

impl Ctx {
    /// The vault options of this installation (its high-water marks live outside the vault).
    pub fn options(&self) -> vault::Options {
        vault::Options::standard(Marks::for_vault(baomi::paths::APP_ID, &self.vault))
    }
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
                out(
                    &serde_json::json!({ "error": { "code": "usage", "message": msg } })
                        .to_string(),
                );
            }
            ExitCode::from(2)
        }
        Err(Failure::Reported(e)) => {
            eprintln!("错误：{}", e.message);
            ExitCode::from(e.code.exit_status() as u8)
        }
        Err(Failure::Core(e)) => {
            eprintln!("错误：{}", e.message);
            if json {
                out(&serde_json::json!({ "error": e }).to_string());
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
        Command::Device(cmd) => device(&ctx, cmd),
        Command::Person(cmd) => person(&ctx, cmd),
        Command::Due => {
            let mut s = login(&ctx)?;
            let list = s.due()?;
            emit(&ctx, &list, || {
                if list.is_empty() {
                    return "没有到期事项".to_string();
                }
                list.iter()
                    .map(|d| {
                        format!(
                            "{}\t{}\t{} {}\t{}",
                            d.due_on,
                            if d.days_overdue > 0 {
                                format!("逾期 {} 天", d.days_overdue)
                            } else if d.days_overdue == 0 {
                                "今天到期".to_string()
                            } else {
                                format!("还有 {} 天", -d.days_overdue)
                            },
                            d.serial,
                            d.subject,
                            d.label
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Pledge(cmd) => pledge(&ctx, cmd),
        Command::Print(cmd) => print(&ctx, cmd),
        Command::Audit(cmd) => audit_cmd(&ctx, cmd),
        Command::Policy(cmd) => policy(&ctx, cmd),
        Command::Unit { cmd: Some(cmd), .. } => exchange::unit(&ctx, cmd),
        Command::Unit { cmd: None, name } => {
            let name = name.ok_or_else(|| {
                Failure::Usage("用法：baomi unit 新名称，或 baomi unit key show|export|import、baomi unit list".into())
            })?;
            let mut s = login(&ctx)?;
            s.set_unit_name(&name)?;
            done(&ctx, &format!("单位名称已改为“{}”", name.trim()))
        }
        Command::Stats {
            year,
            xlsx: Some(out),
        } => {
            let mut s = login(&ctx)?;
            let r = s.export_stats(year, &out)?;
            emit(&ctx, &r, || {
                format!("已导出 {year} 年度保密工作统计到 {}", r.path)
            })
        }
        Command::Stats { year, xlsx: None } => {
            let mut s = login(&ctx)?;
            let stats = s.stats(year)?;
            emit(&ctx, &stats, || stats_text(&stats))
        }
        Command::OfficeCheck { kind, on } => {
            let check = baomi::registers::due::OfficeCheck::parse(&kind)?;
            let mut s = login(&ctx)?;
            let day = s.record_office_check(check, on.as_deref())?;
            done(&ctx, &format!("已登记{}（{day}）", check.label()))
        }
        Command::ImportXlsx(a) => sheets::import(&ctx, a),
        Command::ExportXlsx(a) => sheets::export(&ctx, a),
        Command::Export(a) => exchange::export(&ctx, a),
        Command::Import(a) => exchange::import(&ctx, a),
        Command::Bundles => exchange::bundles(&ctx),
        Command::Recover => admin::recover(&ctx),
        Command::Key(KeyCmd::Rotate) => admin::rotate(&ctx),
        Command::Backup {
            cmd: Some(BackupCmd::Verify { file }),
            ..
        } => {
            let passphrase = secret_from("BAOMI_BUNDLE_PASSPHRASE", "备份口令")?;
            let info = baomi::bundle::backup::verify(&file, &passphrase)?;
            emit(&ctx, &info, || {
                format!("备份完好：{}\n{}", file.display(), backup_text(&info))
            })
        }
        Command::Backup {
            cmd: None,
            out,
            remind_days,
        } => {
            let mut s = login(&ctx)?;
            if let Some(days) = remind_days {
                s.set_backup_reminder_days(days)?;
            }
            match out {
                Some(out) => {
                    let passphrase = secret_from("BAOMI_BUNDLE_PASSPHRASE", "备份口令")?;
                    let info = s.backup(&out, &passphrase)?;
                    emit(&ctx, &info, || {
                        format!("已备份到 {}\n{}", out.display(), backup_text(&info))
                    })
                }
                None => done(&ctx, "已设置备份提醒天数"),
            }
        }
        Command::Restore { file } => {
            let dest = ctx.vault.clone();
            let passphrase = secret_from("BAOMI_BUNDLE_PASSPHRASE", "备份口令")?;
            let info = baomi::bundle::backup::restore(&file, &passphrase, &dest)?;
            emit(&ctx, &info, || {
                format!(
                    "已恢复到 {}\n{}\n在本机登录前须由安全审计员确认恢复（若本机用过该保密库）",
                    dest.display(),
                    backup_text(&info)
                )
            })
        }
    }
}

pub fn emit<T: Serialize>(ctx: &Ctx, value: &T, human: impl FnOnce() -> String) -> CliResult<()> {
    if ctx.json {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| Error::internal(format!("JSON 输出失败：{e}")))?;
        out(&text);
    } else {
        out(&human());
    }
    Ok(())
}

/// Writes a line to standard output. A reader that went away (`baomi schema … | head`) ends
/// the program quietly, as Unix tools do, instead of a panic; any other failure to write is
/// said on standard error with exit status 1.
pub fn out(text: &str) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    if let Err(e) = writeln!(o, "{text}").and_then(|()| o.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        let _ = writeln!(std::io::stderr(), "错误：无法写出结果：{e}");
        std::process::exit(1);
    }
}

pub fn done(ctx: &Ctx, message: &str) -> CliResult<()> {
    emit(
        ctx,
        &serde_json::json!({ "ok": true, "message": message }),
        || message.to_string(),
    )
}

/// Reads a secret from `var`, else prompts on a terminal, else fails as a usage error. The
/// secret is held in a buffer wiped on drop from the moment it is read.
pub fn secret_from(var: &str, prompt: &str) -> CliResult<Zeroizing<String>> {
    if let Ok(v) = std::env::var(var) {
        return Ok(Zeroizing::new(v));
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(format!("{prompt}："))
            .map(Zeroizing::new)
            .map_err(|e| Failure::Usage(format!("无法读取口令：{e}")));
    }
    Err(Failure::Usage(format!(
        "缺少{prompt}：请设置环境变量 {var}，或在终端中运行以输入"
    )))
}

fn acting_password(ctx: &Ctx, user: &str) -> CliResult<Zeroizing<String>> {
    if ctx.password_stdin {
        let mut line = Zeroizing::new(String::new());
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::Usage(format!("无法从标准输入读取口令：{e}")))?;
        let end = line.trim_end_matches(['\r', '\n']).len();
        line.truncate(end);
        return Ok(line);
    }
    secret_from("BAOMI_PASSWORD", &format!("账户 {user} 的口令"))
}

pub fn new_password(ctx: &Ctx, what: &str) -> CliResult<Zeroizing<String>> {
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

/// The acting account and its password, as given by flags, environment or prompt.
pub fn credentials(ctx: &Ctx) -> CliResult<(String, Zeroizing<String>)> {
    let user = ctx
        .user
        .clone()
        .ok_or_else(|| Failure::Usage("请用 --user 或 BAOMI_USER 指定账户".into()))?;
    let password = acting_password(ctx, &user)?;
    Ok((user, password))
}

fn login_keep_password(ctx: &Ctx) -> CliResult<(Session, Zeroizing<String>)> {
    let (user, password) = credentials(ctx)?;
    let mut s = vault::login(
        &ctx.vault,
        &user,
        &password,
        ctx.clock.clone(),
        &ctx.options(),
    )?;
    // Once, after an upgrade: search indexes written before the pairs' positions.
    s.upgrade_search()?;
    Ok((s, password))
}

pub fn login(ctx: &Ctx) -> CliResult<Session> {
    login_keep_password(ctx).map(|(s, _)| s)
}

const SCHEMAS: [&str; 44] = [
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
    "device",
    "device-query",
    "device-transfer",
    "device-checkout",
    "device-checkin",
    "device-maintain",
    "device-repaired",
    "device-suspend",
    "device-resume",
    "device-issue",
    "device-lend",
    "device-give_back",
    "device-inspect",
    "device-destroy",
    "device-correct",
    "person",
    "person-query",
    "person-review",
    "person-train",
    "person-pledge",
    "person-exception",
    "person-close_exception",
    "person-offboard",
    "person-clear",
    "person-correct",
];

fn schema(kind: &str) -> CliResult<()> {
    use baomi::registers::devices as dv;
    use baomi::registers::documents as d;
    use baomi::registers::personnel as p;
    let schema = match kind {
        "list" => {
            out(&SCHEMAS.join("\n"));
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
        "doc-correct" => schemars::schema_for!(baomi::registers::CorrectInput),
        "doc-reconcile" => schemars::schema_for!(d::ReconcileInput),
        "device" => schemars::schema_for!(dv::DeviceInput),
        "device-query" => schemars::schema_for!(dv::DeviceQuery),
        "device-transfer" => schemars::schema_for!(dv::TransferInput),
        "device-checkout" => schemars::schema_for!(dv::CheckoutInput),
        "device-checkin" => schemars::schema_for!(dv::CheckinInput),
        "device-maintain" => schemars::schema_for!(dv::MaintainInput),
        "device-repaired" => schemars::schema_for!(dv::RepairedInput),
        "device-suspend" => schemars::schema_for!(dv::SuspendInput),
        "device-resume" => schemars::schema_for!(dv::ResumeInput),
        "device-issue" => schemars::schema_for!(dv::IssueInput),
        "device-lend" => schemars::schema_for!(dv::LendInput),
        "device-give_back" => schemars::schema_for!(dv::GiveBackInput),
        "device-inspect" => schemars::schema_for!(dv::InspectInput),
        "device-destroy" => schemars::schema_for!(dv::DeviceDestroyInput),
        "device-correct" => schemars::schema_for!(baomi::registers::CorrectInput),
        "person" => schemars::schema_for!(p::PersonInput),
        "person-query" => schemars::schema_for!(p::PersonQuery),
        "person-review" => schemars::schema_for!(p::ReviewInput),
        "person-train" => schemars::schema_for!(p::TrainInput),
        "person-pledge" => schemars::schema_for!(p::PledgeInput),
        "person-exception" => schemars::schema_for!(p::ExceptionInput),
        "person-close_exception" => schemars::schema_for!(p::CloseExceptionInput),
        "person-offboard" => schemars::schema_for!(p::OffboardInput),
        "person-clear" => schemars::schema_for!(p::ClearInput),
        "person-correct" => schemars::schema_for!(baomi::registers::CorrectInput),
        other => {
            return Err(Failure::Usage(format!(
                "未知的输入类型“{other}”，可用：{}",
                SCHEMAS.join("、")
            )))
        }
    };
    let text = serde_json::to_string_pretty(&schema).map_err(|e| Error::internal(e.to_string()))?;
    out(&text);
    Ok(())
}

/// Reads the whole of stdin as the JSON input of a command.
pub fn stdin_json<T: serde::de::DeserializeOwned>() -> CliResult<T> {
    let mut buf = String::new();
    std::io::stdin()
        .read_to_string(&mut buf)
        .map_err(|e| Failure::Usage(format!("无法读取标准输入：{e}")))?;
    Ok(baomi::input::from_json(&buf)?)
}

/// A backup's manifest in words.
fn backup_text(i: &baomi::bundle::backup::BackupInfo) -> String {
    format!(
        "单位：{}\n保密库：{}\n制作于：{}（账户密钥指纹 {}）\n审计日志：第 {} 条，哈希 {}\n文件：{}",
        i.unit,
        i.vault_id,
        i.created_at,
        i.signer,
        i.seq,
        i.head,
        i.files
            .iter()
            .map(|f| format!("{}（{} 字节）", f.name, f.size))
            .collect::<Vec<_>>()
            .join("、")
    )
}

/// The year's statistics as text tables.
fn stats_text(y: &baomi::registers::stats::YearStats) -> String {
    let mut out = vec![format!("{} {} 年度保密工作统计", y.unit, y.year)];
    for t in &y.tables {
        out.push(String::new());
        out.push(format!("【{}】", t.title));
        out.push(format!("项目\t{}\t合计", t.columns.join("\t")));
        for r in &t.rows {
            let values: Vec<String> = r.values.iter().map(i64::to_string).collect();
            out.push(format!("{}\t{}\t{}", r.label, values.join("\t"), r.total));
        }
    }
    out.join("\n")
}
