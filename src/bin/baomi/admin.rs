//! Vault creation and the administrators' commands: accounts, audit log, security policy.

use baomi::vault::audit;
use baomi::vault::crypto::KdfParams;
use baomi::vault::policy::Policy;
use baomi::vault::roles::Role;
use baomi::vault::{self, InitRequest, NewAccount, Options};
use baomi::Error;
use clap::{Args, Subcommand};

use crate::{credentials, done, emit, login, new_password, secret_from, CliResult, Ctx, Failure};

#[derive(Args)]
pub struct InitArgs {
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
pub enum UserCmd {
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
pub enum AuditCmd {
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
    /// 校验审计日志的哈希链、每条记录的签名、封印和最新检查点；完好退出码 0，被篡改退出码 4 并指出第一条损坏的记录
    Verify {
        /// 再对照一张纸质检查点核对：序号:头哈希（检查点回执上抄下的）
        #[arg(long, value_name = "SEQ:HEAD")]
        checkpoint: Option<String>,
    },
    /// 签署审计检查点（序号、头哈希、时间，以审计员的密钥签名），并打印回执供纸质留存
    Checkpoint {
        /// 同时把检查点单（A4，供签字留存）存为 PDF
        #[arg(long, value_name = "FILE.pdf")]
        out: Option<std::path::PathBuf>,
    },
    /// 确认恢复：保密库比本机记录的更旧（恢复了备份）时，由安全审计员确认后才能再打开
    AcceptRestore,
}

#[derive(Subcommand)]
pub enum PolicyCmd {
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

pub fn init(ctx: &Ctx, a: InitArgs) -> CliResult<()> {
    let account = |name: &str,
                   display: Option<String>,
                   var: &str,
                   label: &str|
     -> CliResult<NewAccount> {
        Ok(NewAccount {
            name: name.to_string(),
            display: display.unwrap_or_else(|| name.to_string()),
            // Moved out of its wiped buffer (no copy); wiped again after `init`.
            password: std::mem::take(&mut *secret_from(var, &format!("{label} {name} 的口令"))?),
        })
    };
    let mut req = InitRequest {
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
    let created = vault::init(
        &ctx.vault,
        &req,
        &Options {
            kdf,
            ..ctx.options()
        },
        ctx.clock.as_ref(),
    );
    for a in [&mut req.admin, &mut req.secadmin, &mut req.auditor]
        .into_iter()
        .chain(req.officer.as_mut())
    {
        zeroize::Zeroize::zeroize(&mut a.password);
    }
    let code = created?;
    emit(
        ctx,
        &serde_json::json!({
            "ok": true,
            "vault": ctx.vault,
            "unit": req.unit.trim(),
            "recovery_code": code.as_str(),
        }),
        || {
            format!(
                "已在 {} 创建保密库（单位：{}）\n\n恢复码（只显示这一次，本程序不保存）：\n\n    {}\n\n请抄写在纸上，核对后装入信封密封，存放于保密柜。若所有持有登记簿密钥的账户都忘记口令，只有它能取回登记簿（baomi recover）。",
                ctx.vault.display(),
                req.unit.trim(),
                code.as_str()
            )
        },
    )
}

pub fn user(ctx: &Ctx, cmd: UserCmd) -> CliResult<()> {
    let mut s = login(ctx)?;
    match cmd {
        UserCmd::Add { name, display } => {
            let mut password = new_password(ctx, "新账户的初始口令")?;
            let mut req = NewAccount {
                name: name.clone(),
                display,
                password: std::mem::take(&mut *password),
            };
            let added = s.add_account(&req);
            zeroize::Zeroize::zeroize(&mut req.password);
            added?;
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
            done(ctx, &format!("账户“{name}”的口令已重置，首次登录须修改；其业务角色已清除，须由安全保密管理员重新分配（三员分立：系统管理员不能独自接管业务账户）"))
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

pub fn audit_cmd(ctx: &Ctx, cmd: AuditCmd) -> CliResult<()> {
    // Accepting a restore is itself a way of signing in: the ordinary sign-in below would
    // refuse the rolled-back vault.
    if let AuditCmd::AcceptRestore = cmd {
        return accept_restore(ctx);
    }
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
                    .rows
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
        AuditCmd::Checkpoint { out } => {
            let c = s.audit_checkpoint()?;
            let unit = s.unit_name()?;
            if let Some(path) = &out {
                s.audit_checkpoint_slip(c.seq)?.save(path)?;
            }
            emit(ctx, &c, || {
                [
                    "审计检查点回执（请打印或抄写，由安全审计员签字后留存）".to_string(),
                    format!("单位：{unit}"),
                    format!("保密库：{}", s.vault_id()),
                    format!("审计日志截至：第 {} 条", c.seq),
                    format!("头哈希：{}", c.head),
                    format!("核对码：{}", c.fingerprint()),
                    format!("时间：{}", c.at),
                    format!("安全审计员：{}（密钥 {}）", c.auditor, &c.signer[..16]),
                    format!("签名：{}", c.sig),
                    format!(
                        "日后核对：baomi audit verify --checkpoint {}:{}",
                        c.seq, c.head
                    ),
                ]
                .into_iter()
                .chain(
                    out.as_ref()
                        .map(|p| format!("检查点单已存为：{}", p.display())),
                )
                .collect::<Vec<_>>()
                .join("\n")
            })
        }
        AuditCmd::AcceptRestore => accept_restore(ctx),
        AuditCmd::Verify { checkpoint } => {
            let report = match checkpoint {
                None => s.audit_verify()?,
                Some(text) => {
                    // The head is read by the core (groups and case do not matter).
                    let bad = || {
                        Failure::Core(Error::field(
                            "checkpoint",
                            "检查点",
                            "格式应为 序号:头哈希（64 位十六进制），如 42:3fa9…",
                        ))
                    };
                    let (seq, head) = text
                        .split_once(':')
                        .and_then(|(a, b)| Some((a.trim().parse::<i64>().ok()?, b)))
                        .ok_or_else(bad)?;
                    let head = audit::parse_head(head).map_err(|_| bad())?;
                    s.audit_verify_paper(seq, &head)?
                }
            };
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

fn accept_restore(ctx: &Ctx) -> CliResult<()> {
    let (user, password) = credentials(ctx)?;
    let s = vault::accept_restore(
        &ctx.vault,
        &user,
        &password,
        ctx.clock.clone(),
        &ctx.options(),
    )?;
    drop(s);
    done(
        ctx,
        "已确认恢复：本机的高水位记录已移到恢复后的保密库，此次确认已记入审计日志",
    )
}

/// `baomi recover`: a business account takes the register key back with the recovery code.
pub fn recover(ctx: &Ctx) -> CliResult<()> {
    let (user, password) = credentials(ctx)?;
    let code = secret_from("BAOMI_RECOVERY_CODE", "恢复码")?;
    let s = vault::recover(
        &ctx.vault,
        &user,
        &password,
        &code,
        ctx.clock.clone(),
        &ctx.options(),
    )?;
    drop(s);
    done(ctx, "已用恢复码取回登记簿密钥，此次取回已记入审计日志")
}

/// `baomi key rotate`: the 系统管理员 rotates the system key, a 保密员 the register key.
pub fn rotate(ctx: &Ctx) -> CliResult<()> {
    let mut s = login(ctx)?;
    let rotated = s.rotate_keys()?;
    let names: Vec<&str> = rotated.iter().map(|k| k.label()).collect();
    done(
        ctx,
        &format!(
            "已轮换{}：旧的密钥文件副本和其中的口令不再能打开保密库",
            names.join("和")
        ),
    )
}

pub fn policy(ctx: &Ctx, cmd: PolicyCmd) -> CliResult<()> {
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
