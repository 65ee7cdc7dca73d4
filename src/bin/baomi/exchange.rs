//! Data exchange between units: the unit's keys and the units it knows (bundles, receipts and
//! backups build on them).

use std::path::PathBuf;

use clap::Subcommand;

use crate::{emit, login, CliResult, Ctx};

#[derive(Subcommand)]
pub enum UnitCmd {
    /// 本单位的数据交换密钥（保密员）：show 显示指纹，export --out F 导出密钥卡，import F 导入对方单位的密钥卡
    #[command(subcommand)]
    Key(UnitKeyCmd),
    /// 已导入密钥的单位
    List,
}

#[derive(Subcommand)]
pub enum UnitKeyCmd {
    /// 显示本单位密钥的指纹（第一次使用时生成密钥）
    Show,
    /// 导出本单位的密钥卡（只含公钥），交换给对方单位
    Export {
        #[arg(long, value_name = "F")]
        out: PathBuf,
    },
    /// 打印本单位的密钥登记单（A4 PDF：密钥指纹和两把公钥，交对方单位核对）
    Sheet {
        #[arg(long, value_name = "F")]
        out: PathBuf,
    },
    /// 导入对方单位的密钥卡；对方已更换密钥时须核对指纹后加 --replace
    Import {
        file: PathBuf,
        #[arg(long)]
        replace: bool,
    },
}

fn card_text(c: &baomi::bundle::unit::KeyCard) -> String {
    format!(
        "单位：{}\n密钥指纹：{}\n签名公钥：{}\n加密公钥：{}",
        c.unit, c.fingerprint, c.signing_pub, c.agreement_pub
    )
}

pub fn unit(ctx: &Ctx, cmd: UnitCmd) -> CliResult<()> {
    let mut s = login(ctx)?;
    match cmd {
        UnitCmd::Key(UnitKeyCmd::Sheet { out }) => {
            let p = s.unit_key_sheet()?;
            p.save(&out)?;
            emit(ctx, &p.job, || {
                format!(
                    "已打印 {}（{}）→ {}",
                    p.job.title,
                    p.job.serial,
                    out.display()
                )
            })
        }
        UnitCmd::Key(UnitKeyCmd::Show) => {
            let c = s.unit_key()?;
            emit(ctx, &c, || card_text(&c))
        }
        UnitCmd::Key(UnitKeyCmd::Export { out }) => {
            let c = s.unit_key_export(&out)?;
            emit(ctx, &c, || {
                format!("已导出密钥卡 → {}\n{}", out.display(), card_text(&c))
            })
        }
        UnitCmd::Key(UnitKeyCmd::Import { file, replace }) => {
            let k = s.unit_key_import(&file, replace)?;
            emit(ctx, &k, || {
                format!("已导入单位“{}”的密钥，指纹 {}", k.unit, k.fingerprint)
            })
        }
        UnitCmd::List => {
            let list = s.known_units()?;
            emit(ctx, &list, || {
                if list.is_empty() {
                    return "尚未导入其他单位的密钥".to_string();
                }
                list.iter()
                    .map(|k| format!("{}\t{}\t导入于 {}", k.unit, k.fingerprint, k.imported_at))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
    }
}

/// `baomi export`: the records to send and where the bundle goes.
#[derive(clap::Args)]
pub struct ExportArgs {
    /// 数据包写到哪里（已挂载的审批介质上的文件）
    #[arg(long, value_name = "F")]
    out: PathBuf,
    /// 台账：doc（载体）、device（设备）、person（人员）；不给时为全部台账
    #[arg(long, value_name = "REGISTER")]
    register: Option<String>,
    /// 记录的编号或序号，逗号分隔
    #[arg(long, value_name = "ID,…", value_delimiter = ',')]
    ids: Vec<String>,
    /// 已清退给该单位的全部载体（清退）
    #[arg(long, value_name = "UNIT")]
    handback_to: Option<String>,
    /// 该日期（含）以来有变动的记录
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// 收件单位的密钥卡（须已导入并核对指纹）；可给多次。不给时用口令加密（BAOMI_BUNDLE_PASSPHRASE，或提示输入）
    #[arg(long, value_name = "KEYFILE")]
    to_unit: Vec<PathBuf>,
    /// 加密套件：aes（AES-256-GCM/SHA-256，默认）或 sm4（国密 SM4-GCM/SM3）
    #[arg(long, value_name = "SUITE")]
    suite: Option<String>,
}

/// `baomi import`: a bundle or a receipt.
#[derive(clap::Args)]
pub struct ImportArgs {
    /// 数据包或回执文件
    file: PathBuf,
    /// 只预览将新增、变更和冲突的记录，不写入
    #[arg(long)]
    dry_run: bool,
    /// 确认接受未知的或密钥已变更的发件单位（须先与对方核对指纹）
    #[arg(long)]
    accept_sender: bool,
    /// 冲突的处理：记录键或本单位编号=mine（保留本方）|theirs（采用对方）|both（都保留），可给多次
    #[arg(long, value_name = "KEY=CHOICE")]
    resolve: Vec<String>,
    /// 回执写到哪里（默认：数据包旁的 <名称>.receipt.bdl）
    #[arg(long, value_name = "F")]
    receipt: Option<PathBuf>,
}

const PASSPHRASE_VAR: &str = "BAOMI_BUNDLE_PASSPHRASE";

pub fn export(ctx: &Ctx, a: ExportArgs) -> CliResult<()> {
    let mut s = login(ctx)?;
    let mut to_units = Vec::new();
    for f in &a.to_unit {
        let text = std::fs::read_to_string(f)
            .map_err(|e| baomi::error::Error::io(&format!("读取 {}", f.display()), &e))?;
        to_units.push(baomi::bundle::unit::KeyCard::parse(&text)?.fingerprint);
    }
    let passphrase = if to_units.is_empty() {
        Some(crate::secret_from(PASSPHRASE_VAR, "数据包口令")?)
    } else {
        None
    };
    let req = baomi::bundle::exchange::ExportRequest {
        register: a.register,
        ids: a.ids,
        handback_to: a.handback_to,
        since: a.since,
        to_units,
        suite: a.suite,
    };
    let e = s.export_bundle(&req, passphrase.as_deref().map(|p| p.as_str()), &a.out)?;
    emit(ctx, &e, || {
        format!(
            "已导出 {} 条记录（{} 个事件）→ {}\n内容：{}\n收件：{}\nSHA-256：{}",
            e.records,
            e.events,
            e.path,
            e.selection,
            if e.recipients.is_empty() {
                "口令加密".to_string()
            } else {
                e.recipients.join("、")
            },
            e.hash
        )
    })
}

fn lines(title: &str, items: &[baomi::registers::exchange::PlannedRecord]) -> Option<String> {
    if items.is_empty() {
        return None;
    }
    let body = items
        .iter()
        .map(|i| {
            let mut line = format!("  {} {}《{}》 {}", i.noun, i.serial, i.title, i.theirs);
            if let Some(mine) = &i.mine {
                line.push_str(&format!("（本单位：{mine}）"));
            }
            if !i.unseen.is_empty() {
                line.push_str(&format!("\n    本单位的变更：{}", i.unseen.join("；")));
            }
            if !i.incoming.is_empty() {
                line.push_str(&format!("\n    对方的变更：{}", i.incoming.join("；")));
            }
            if i.mine.is_some() && i.unseen.len() + i.incoming.len() > 0 {
                line.push_str(&format!("\n    记录键：{}", i.key));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n");
    Some(format!("{title}（{}）：\n{body}", items.len()))
}

pub fn import(ctx: &Ctx, a: ImportArgs) -> CliResult<()> {
    use baomi::registers::exchange::Resolution;
    let mut resolutions = std::collections::BTreeMap::new();
    for r in &a.resolve {
        let (key, choice) = r.split_once('=').ok_or_else(|| {
            crate::Failure::Usage(format!("--resolve “{r}” 应为 记录键=mine|theirs|both"))
        })?;
        let choice = Resolution::parse(choice).ok_or_else(|| {
            crate::Failure::Usage(format!(
                "--resolve “{r}”：处理方式应为 mine（保留本方）、theirs（采用对方）或 both（都保留）"
            ))
        })?;
        resolutions.insert(key.trim().to_string(), choice);
    }
    let mut s = login(ctx)?;
    let mut req = baomi::bundle::exchange::ImportRequest {
        path: a.file.clone(),
        passphrase: std::env::var(PASSPHRASE_VAR)
            .ok()
            .map(zeroize::Zeroizing::new),
        dry_run: a.dry_run,
        accept_sender: a.accept_sender,
        resolutions,
        receipt: a.receipt,
    };
    let report = match s.import_bundle(&req) {
        Err(e) if e.field.as_deref() == Some("passphrase") && req.passphrase.is_none() => {
            req.passphrase = Some(crate::secret_from(PASSPHRASE_VAR, "数据包口令")?);
            s.import_bundle(&req)?
        }
        other => other?,
    };
    emit(ctx, &report, || {
        let r = &report;
        let sender = match r.sender.status {
            baomi::bundle::exchange::SenderStatus::Known => "已知单位",
            baomi::bundle::exchange::SenderStatus::Unknown => "未导入密钥卡的单位",
            baomi::bundle::exchange::SenderStatus::Changed => "密钥已变更的单位",
        };
        let mut out = vec![format!(
            "发件单位：{}（{sender}，指纹 {}），制作于 {}",
            r.sender.unit, r.sender.fingerprint, r.created_at
        )];
        if r.kind == "receipt" {
            out.push(format!(
                "回执：对方已签收数据包（{}），{} 条记录{}",
                r.selection,
                r.acknowledged,
                if r.applied { "，已登记签收" } else { "" }
            ));
            return out.join("\n");
        }
        out.push(format!("内容：{}", r.selection));
        out.extend(lines("新增", &r.added));
        out.extend(lines("变更", &r.changed));
        out.extend(lines("冲突", &r.conflicts));
        out.push(format!("无变化：{} 条", r.unchanged));
        if let Some(at) = &r.imported_before {
            out.push(format!("该数据包已于 {at} 导入过，没有再次写入"));
        } else if r.applied {
            out.push("已导入".to_string());
            if let Some(p) = &r.receipt {
                out.push(format!("回执已写出 → {p}（请带回发件单位导入）"));
            }
        } else {
            out.push("预览：未写入任何内容".to_string());
        }
        out.join("\n")
    })
}

pub fn bundles(ctx: &Ctx) -> CliResult<()> {
    let mut s = login(ctx)?;
    let list = s.bundles_sent()?;
    emit(ctx, &list, || {
        if list.is_empty() {
            return "尚未发出数据包".to_string();
        }
        list.iter()
            .map(|b| {
                format!(
                    "{}\t{}\t{} 条\t{}\t{}",
                    b.created_at,
                    b.selection,
                    b.records,
                    if b.recipients.is_empty() {
                        "口令".to_string()
                    } else {
                        b.recipients.join("、")
                    },
                    match (&b.received_at, &b.received_by) {
                        (Some(at), Some(by)) => format!("{by} 已于 {at} 签收"),
                        _ => "未签收".to_string(),
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}
