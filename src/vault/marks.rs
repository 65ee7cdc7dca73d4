//! High-water marks: how far each vault's audit log had reached, kept outside the vault.
//!
//! Contract: the marks file is a state file of the installation (`vault-marks.json` in the
//! application's data folder, never inside a vault folder), mapping a vault (its id and the
//! folder it was opened from, see [`key`]) to the newest audit entry (sequence and hash) this
//! installation saw committed. Keying by folder too means that opening a backup copy elsewhere
//! to look at it never makes the live vault look rolled back. A vault whose log does not
//! reach its mark, or holds another entry there, is an older copy put back in place (a
//! rollback): [`check`] refuses it until the 安全审计员 acknowledges the restore, which moves
//! the mark back and is itself audited. Marks only move forward otherwise ([`advance`]). The
//! file names no account and holds no record, only ids and hashes. Writes are atomic and
//! locked, like the key file's. A missing file means no vault has been opened here yet; an
//! unreadable one is an integrity error (never silently reset).

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub const FILE_NAME: &str = "vault-marks.json";
const FORMAT: &str = "baomi-vault-marks";

/// The newest audit entry an installation saw for one vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mark {
    pub seq: i64,
    pub hash: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MarksFile {
    format: String,
    vaults: BTreeMap<String, Mark>,
}

/// The key of a vault in the marks file: its id and the folder it is opened from.
pub fn key(vault_id: &str, dir: &Path) -> String {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    format!("{vault_id}@{}", dir.display())
}

/// Where the marks of an installation live: a folder outside every vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marks {
    dir: PathBuf,
}

impl Marks {
    pub fn new(dir: PathBuf) -> Marks {
        Marks { dir }
    }

    /// The production location: `<data dir>/<app id>/`, beside (not inside) the vault folder.
    pub fn for_app(app_id: &str) -> Option<Marks> {
        if let Some(v) = std::env::var_os("BAOMI_STATE").filter(|v| !v.is_empty()) {
            return Some(Marks::new(PathBuf::from(v)));
        }
        crate::paths::data_dir().map(|d| Marks::new(d.join(app_id)))
    }

    /// The installation's marks for the vault in `vault`: [`Marks::for_app`], or, where the
    /// environment names no data folder, the folder that holds the vault folder.
    pub fn for_vault(app_id: &str, vault: &Path) -> Marks {
        Self::for_app(app_id).unwrap_or_else(|| {
            Marks::new(
                vault
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| PathBuf::from(".")),
            )
        })
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    fn read(&self) -> Result<MarksFile> {
        match fs::read(self.path()) {
            Ok(bytes) => {
                let f: MarksFile = serde_json::from_slice(&bytes).map_err(|_| {
                    Error::integrity(format!(
                        "本机的保密库高水位记录（{}）已损坏",
                        self.path().display()
                    ))
                })?;
                if f.format != FORMAT {
                    return Err(Error::integrity("本机的保密库高水位记录格式无法识别"));
                }
                Ok(f)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(MarksFile {
                format: FORMAT.into(),
                vaults: BTreeMap::new(),
            }),
            Err(e) => Err(Error::io("读取本机的保密库高水位记录", &e)),
        }
    }

    fn write(&self, f: &MarksFile) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(f)
            .map_err(|e| Error::internal(format!("高水位记录序列化失败：{e}")))?;
        let tmp = self.dir.join(format!("{FILE_NAME}.tmp"));
        let mut file = File::create(&tmp).map_err(|e| Error::io("写入高水位记录", &e))?;
        file.write_all(&bytes)
            .and_then(|_| file.sync_all())
            .map_err(|e| Error::io("写入高水位记录", &e))?;
        drop(file);
        fs::rename(&tmp, self.path()).map_err(|e| Error::io("替换高水位记录", &e))?;
        Ok(())
    }

    fn locked<T>(&self, f: impl FnOnce(&Self) -> Result<T>) -> Result<T> {
        fs::create_dir_all(&self.dir).map_err(|e| Error::io("创建本机状态文件夹", &e))?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.dir.join(format!("{FILE_NAME}.lock")))
            .map_err(|e| Error::io("打开高水位记录锁", &e))?;
        lock.lock().map_err(|e| Error::io("锁定高水位记录", &e))?;
        f(self)
    }

    /// The mark of `vault_id`, if this installation has one.
    pub fn get(&self, vault_id: &str) -> Result<Option<Mark>> {
        Ok(self.read()?.vaults.get(vault_id).cloned())
    }

    /// Moves the mark of `vault_id` forward to `mark` (never back).
    pub fn advance(&self, vault_id: &str, mark: Mark) -> Result<()> {
        self.locked(|m| {
            let mut f = m.read()?;
            let newer = f.vaults.get(vault_id).is_none_or(|old| mark.seq > old.seq);
            if newer {
                f.vaults.insert(vault_id.to_string(), mark);
                m.write(&f)?;
            }
            Ok(())
        })
    }

    /// Puts the mark of `vault_id` at `mark`, older or not: only after the auditor accepted a
    /// restore.
    pub fn reset(&self, vault_id: &str, mark: Mark) -> Result<()> {
        self.locked(|m| {
            let mut f = m.read()?;
            f.vaults.insert(vault_id.to_string(), mark);
            m.write(&f)
        })
    }
}

/// How a vault's log stands against its mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// No mark yet, or the log reaches it with the same entry there.
    Current,
    /// The log is older than the mark: it ends before it, or holds another entry at it.
    RolledBack { mark: Mark, head: i64 },
}

/// Compares the mark with the log: `hash_at(seq)` is the stored hash of entry `seq`.
pub fn check(
    mark: Option<&Mark>,
    head: i64,
    hash_at: impl Fn(i64) -> Result<Option<String>>,
) -> Result<Standing> {
    let Some(mark) = mark else {
        return Ok(Standing::Current);
    };
    if head >= mark.seq && hash_at(mark.seq)?.as_deref() == Some(mark.hash.as_str()) {
        return Ok(Standing::Current);
    }
    Ok(Standing::RolledBack {
        mark: mark.clone(),
        head,
    })
}

/// The marks folder must not be inside the vault: a copy of the folder would carry its mark.
pub fn outside(marks: &Marks, vault: &Path) -> bool {
    let (Ok(m), Ok(v)) = (marks.dir.canonicalize(), vault.canonicalize()) else {
        return !marks.dir.starts_with(vault);
    };
    !m.starts_with(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(seq: i64, hash: &str) -> Mark {
        Mark {
            seq,
            hash: hash.into(),
            at: "2026-11-30T10:00:00Z".into(),
        }
    }

    #[test]
    fn marks_only_advance_and_detect_an_older_log() {
        let tmp = tempfile::tempdir().unwrap();
        let m = Marks::new(tmp.path().to_path_buf());
        assert_eq!(m.get("v").unwrap(), None);
        m.advance("v", mark(5, "e5")).unwrap();
        m.advance("v", mark(3, "e3")).unwrap();
        assert_eq!(m.get("v").unwrap().unwrap().seq, 5);
        let log = |s: i64| -> Result<Option<String>> { Ok((s <= 7).then(|| format!("e{s}"))) };
        let current = m.get("v").unwrap();
        assert_eq!(check(current.as_ref(), 7, log).unwrap(), Standing::Current);
        // A log that ends before the mark, or holds another entry at it, was rolled back.
        assert!(matches!(
            check(current.as_ref(), 4, log).unwrap(),
            Standing::RolledBack { head: 4, .. }
        ));
        let rewritten = |_: i64| -> Result<Option<String>> { Ok(Some("other".into())) };
        assert!(matches!(
            check(current.as_ref(), 9, rewritten).unwrap(),
            Standing::RolledBack { .. }
        ));
        m.reset("v", mark(4, "e4")).unwrap();
        assert_eq!(m.get("v").unwrap().unwrap().seq, 4);
        std::fs::write(m.path(), b"garbage").unwrap();
        assert!(m.get("v").is_err());
    }
}
