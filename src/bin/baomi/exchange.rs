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
