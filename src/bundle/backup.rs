//! Backups of the whole vault as bundles of the same format family (`kind` `backup`).
//!
//! Contract: a backup holds the vault's three files exactly as they are between two
//! transactions — `vault.db`, `registers.db` and `vault.keys`, ciphertext all, so the same
//! accounts and passwords open the restored vault and the 系统管理员 who makes it holds no
//! register key — inside a passphrase bundle signed by the account that made it. Its payload
//! is a manifest (vault id, unit, the audit log's sequence and head hash in the copy, each
//! file's size and SHA-256) followed by the files. [`verify`] checks all of it without a vault
//! or a session; [`restore`] verifies first and writes only into a new or empty folder. A
//! restored vault is older than this installation's mark, so signing in to it is refused until
//! the 安全审计员 accepts the restore (`vault::accept_restore`).

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zeroize::Zeroizing;

use super::format::{self, Header, KeyInfo, Opener, Sealing, Sender};
use crate::error::{Error, Result};
use crate::vault::crypto::{self};
use crate::vault::{db, keyfile, Session};

/// The payload format name of a backup.
pub const BACKUP_FORMAT: &str = "baomi-backup";
/// The files a backup may hold, in order.
const FILES: [&str; 3] = [db::FILE_NAME, db::REGISTERS_FILE, keyfile::FILE_NAME];
/// The largest backup read into memory.
const MAX_BACKUP: u64 = 16 << 30;

/// One file of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct BackupFile {
    pub name: String,
    #[ts(type = "number")]
    pub size: u64,
    pub sha256: String,
}

/// What a backup says of itself (its manifest), with who signed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct BackupInfo {
    pub format: String,
    pub version: u32,
    pub vault_id: String,
    pub unit: String,
    pub created_at: String,
    /// The audit log's last sequence number and head hash in the copy: what an auditor's
    /// checkpoint can be compared with.
    #[ts(type = "number")]
    pub seq: i64,
    pub head: String,
    pub files: Vec<BackupFile>,
    /// The fingerprint of the account key that signed it (filled in when read).
    #[serde(default)]
    pub signer: String,
}

fn passphrase_ok(p: &str) -> Result<()> {
    if p.chars().count() < 8 {
        return Err(Error::field("passphrase", "备份口令", "至少 8 个字符"));
    }
    Ok(())
}

impl Session {
    /// Writes a backup of the whole vault to the file `out`, sealed to `passphrase` and signed
    /// with this account's key; returns its manifest.
    pub fn backup(&mut self, out: &Path, passphrase: &str) -> Result<BackupInfo> {
        passphrase_ok(passphrase)?;
        if out.is_dir() {
            return Err(Error::field(
                "out",
                "备份位置",
                "请给出备份文件的文件名，而不是文件夹",
            ));
        }
        let snap = self.snapshot(&out.display().to_string())?;
        let identity = self.account_identity();
        let public = identity.public();
        let info = BackupInfo {
            format: BACKUP_FORMAT.into(),
            version: 1,
            vault_id: snap.vault_id.clone(),
            unit: snap.unit.clone(),
            created_at: self
                .now()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            seq: snap.seq,
            head: snap.head.clone(),
            files: snap
                .files
                .iter()
                .map(|(name, bytes)| BackupFile {
                    name: name.clone(),
                    size: bytes.len() as u64,
                    sha256: hex::encode(crypto::sha256(bytes)),
                })
                .collect(),
            signer: format::fingerprint(&public.signing),
        };
        let manifest = serde_json::to_vec(&info).map_err(|e| Error::internal(e.to_string()))?;
        let total: usize = snap.files.iter().map(|(_, b)| b.len()).sum();
        let mut payload = Zeroizing::new(Vec::with_capacity(4 + manifest.len() + total));
        payload.extend_from_slice(&(manifest.len() as u32).to_be_bytes());
        payload.extend_from_slice(&manifest);
        for (_, bytes) in &snap.files {
            payload.extend_from_slice(bytes);
        }
        let kdf = self.kdf_params();
        let salt = crypto::random_bytes::<16>()?;
        let key = format::passphrase_key(format::SUITE_AES, passphrase, kdf, &salt)?;
        let header = Header {
            suite: format::SUITE_AES.into(),
            kind: "backup".into(),
            created_at: info.created_at.clone(),
            sender: Sender {
                unit: snap.unit.clone(),
                signing_pub: hex::encode(public.signing),
                fingerprint: info.signer.clone(),
            },
            records: snap.files.len() as u64,
            events: 0,
            chunk_size: format::CHUNK as u32,
            nonce_prefix: hex::encode(crypto::random_bytes::<7>()?),
            key: KeyInfo::Passphrase {
                kdf,
                salt: hex::encode(salt),
            },
        };
        let bytes = format::seal(
            &Sealing {
                header,
                payload_key: &key,
                signer: identity,
            },
            &payload,
        )?;
        crate::print::write_atomic(out, &bytes)?;
        Ok(info)
    }
}

/// A backup's files: name and bytes.
type Files = Vec<(String, Vec<u8>)>;

/// Reads and checks a backup file whole: the bundle (signature, every chunk), its kind, the
/// manifest, every file's size and SHA-256, and that the key file inside is a key file of the
/// manifest's vault. Returns the manifest and the files.
fn open(path: &Path, passphrase: &str) -> Result<(BackupInfo, Files)> {
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io(&format!("读取 {}", path.display()), &e))?
        .len();
    if size > MAX_BACKUP {
        return Err(Error::field("file", "备份文件", "文件过大，不是保密库备份"));
    }
    let bytes =
        std::fs::read(path).map_err(|e| Error::io(&format!("读取 {}", path.display()), &e))?;
    let (header, _) = format::read_header(&bytes)?;
    if header.kind != "backup" {
        return Err(Error::field(
            "file",
            "备份文件",
            "这是交换数据包，不是保密库备份（请用“导入数据包”）",
        ));
    }
    let opened = format::open(&bytes, &Opener::Passphrase(passphrase))?;
    let p = &opened.payload;
    let bad = |why: &str| Error::integrity(format!("备份内容无效：{why}"));
    if p.len() < 4 {
        return Err(bad("缺少清单"));
    }
    let len = u32::from_be_bytes([p[0], p[1], p[2], p[3]]) as usize;
    if p.len() < 4 + len {
        return Err(bad("清单长度与内容不符"));
    }
    let mut info: BackupInfo =
        serde_json::from_slice(&p[4..4 + len]).map_err(|e| bad(&format!("清单无法读取：{e}")))?;
    if info.format != BACKUP_FORMAT || info.version != 1 {
        return Err(bad("不是保密台账的备份（或版本过新）"));
    }
    if info.signer != opened.header.sender.fingerprint {
        return Err(bad("清单中的签名账户与数据包不符"));
    }
    let mut at = 4 + len;
    let mut files = Vec::new();
    for f in &info.files {
        if !FILES.contains(&f.name.as_str()) || files.iter().any(|(n, _)| n == &f.name) {
            return Err(bad(&format!("未知或重复的文件“{}”", f.name)));
        }
        let end = usize::try_from(f.size)
            .ok()
            .and_then(|s| at.checked_add(s))
            .filter(|e| *e <= p.len())
            .ok_or_else(|| bad("文件大小与内容不符"))?;
        let body = &p[at..end];
        if hex::encode(crypto::sha256(body)) != f.sha256 {
            return Err(bad(&format!("{} 的摘要不符", f.name)));
        }
        files.push((f.name.clone(), body.to_vec()));
        at = end;
    }
    if at != p.len() {
        return Err(bad("清单之外还有多余的内容"));
    }
    let keys = files
        .iter()
        .find(|(n, _)| n == keyfile::FILE_NAME)
        .ok_or_else(|| bad("缺少密钥文件"))?;
    let kf = keyfile::KeyFile::parse(&keys.1)?;
    if kf.vault_id != info.vault_id {
        return Err(bad("密钥文件属于另一个保密库"));
    }
    if !files.iter().any(|(n, _)| n == db::FILE_NAME) {
        return Err(bad("缺少系统数据库"));
    }
    info.signer = opened.header.sender.fingerprint.clone();
    Ok((info, files))
}

/// Checks a backup without restoring it (no vault or session needed).
pub fn verify(path: &Path, passphrase: &str) -> Result<BackupInfo> {
    Ok(open(path, passphrase)?.0)
}

/// Restores a backup into `dest`, a new or empty folder, after checking all of it.
pub fn restore(path: &Path, passphrase: &str, dest: &Path) -> Result<BackupInfo> {
    let (info, files) = open(path, passphrase)?;
    if dest.exists() {
        let empty = std::fs::read_dir(dest)
            .map_err(|e| Error::io("读取恢复位置", &e))?
            .next()
            .is_none();
        if !empty {
            return Err(Error::field(
                "vault",
                "恢复位置",
                format!(
                    "“{}”不是空文件夹：只能恢复到新的或空的文件夹",
                    dest.display()
                ),
            ));
        }
    }
    std::fs::create_dir_all(dest).map_err(|e| Error::io("创建恢复文件夹", &e))?;
    keyfile::restrict(dest, true);
    for (name, bytes) in &files {
        let to = dest.join(name);
        crate::print::write_atomic(&to, bytes)?;
        keyfile::restrict(&to, false);
    }
    Ok(info)
}
