//! The vault's key file (`vault.keys`): key slots, login counters, the policy mirror and the
//! audit seal.
//!
//! Contract: the file is versioned JSON; an unknown format is refused as tampering and a newer
//! version as unsupported. Each account has one slot: its password, through Argon2id, wraps
//! the vault's data key with AES-256-GCM, with the slot header (vault id, account, KDF
//! parameters, salt) bound as associated data, so a slot cannot be moved to another account
//! or vault. Reading the file checks what login would otherwise trust blindly before any key
//! is known: every slot's KDF parameters within [`KdfParams::validate`]'s bounds, every salt
//! decodable and of a length Argon2 accepts, the lockout-policy mirror within the policy's own
//! bounds; anything else is an integrity error, never a panic or an unbounded allocation. New
//! slots never take their parameters from this unauthenticated file (see
//! [`crate::vault::Session`]). The audit seal (sequence and hash of the newest log entry) is authenticated with
//! a key derived from the data key. Writes are atomic (temp file, fsync, rename) and every
//! read-modify-write holds an exclusive lock on `vault.lock`, so concurrent processes never
//! lose each other's updates. Nothing here ever holds a register record.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::error::{Code, Error, Result};
use crate::vault::crypto::{self, KdfParams, Secret};
use crate::vault::policy::Policy;

pub const FORMAT: &str = "baomi-vault-keys";
pub const VERSION: u32 = 1;
pub const FILE_NAME: &str = "vault.keys";
pub const LOCK_NAME: &str = "vault.lock";
/// Salt lengths accepted in a slot: Argon2's minimum, and a generous ceiling (we write 16).
const SALT_MIN: usize = 8;
const SALT_MAX: usize = 64;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    pub format: String,
    pub version: u32,
    pub vault_id: String,
    pub slots: Vec<KeySlot>,
    /// Consecutive failures and lockouts per [`account_id`]; readable before login by design.
    #[serde(default)]
    pub logins: BTreeMap<String, LoginState>,
    /// Security events that happened while nobody could write the database (failed logins);
    /// the next successful login moves them into the audit chain.
    #[serde(default)]
    pub pending: Vec<PendingEvent>,
    /// Mirror of the database's policy, for enforcing lockout before login.
    pub policy: Policy,
    #[serde(default)]
    pub seal: Option<Seal>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySlot {
    /// [`account_id`] of the account: the file never names an account in plain text.
    pub account: String,
    pub kdf: KdfParams,
    pub salt: String,
    pub nonce: String,
    pub wrapped: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginState {
    pub failures: u32,
    #[serde(default)]
    pub locked_until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingEvent {
    pub at: String,
    /// [`account_id`] of the name that was tried.
    pub account: String,
    pub action: String,
    pub detail: String,
}

/// The newest audit entry as last committed, authenticated with the seal key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seal {
    pub seq: i64,
    pub hash: String,
    pub mac: String,
}

impl Seal {
    fn message(vault_id: &str, seq: i64, hash: &str) -> Vec<u8> {
        format!("baomi-audit-seal-v1|{vault_id}|{seq}|{hash}").into_bytes()
    }
    pub fn make(key: &Secret, vault_id: &str, seq: i64, hash: &str) -> Seal {
        let mac = crypto::hmac_sha256(
            &key.derive("audit-seal"),
            &Self::message(vault_id, seq, hash),
        );
        Seal {
            seq,
            hash: hash.to_string(),
            mac: hex::encode(mac),
        }
    }
    pub fn is_authentic(&self, key: &Secret, vault_id: &str) -> bool {
        let Ok(tag) = hex::decode(&self.mac) else {
            return false;
        };
        crypto::hmac_verify(
            &key.derive("audit-seal"),
            &Self::message(vault_id, self.seq, &self.hash),
            &tag,
        )
    }
}

/// Makes a vault file (or folder) readable by its owner only; best effort on other systems.
pub fn restrict(path: &Path, is_dir: bool) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if is_dir { 0o700 } else { 0o600 };
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = (path, is_dir);
}

pub fn path(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// Holds the exclusive lock on the vault's lock file until dropped.
pub struct KeyLock {
    _file: File,
}

/// Takes the vault-wide lock for a read-modify-write of the key file.
pub fn lock(dir: &Path) -> Result<KeyLock> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK_NAME))
        .map_err(|e| Error::io("打开保密库锁文件", &e))?;
    file.lock().map_err(|e| Error::io("锁定保密库", &e))?;
    Ok(KeyLock { _file: file })
}

/// The key file's name for an account: a keyed-by-vault hash, so that the file lists no
/// account names (who the unit's secrecy staff are is itself worth protecting).
pub fn account_id(vault_id: &str, name: &str) -> String {
    hex::encode(&crypto::sha256(format!("baomi-account-v1|{vault_id}|{name}").as_bytes())[..16])
}

fn slot_aad(vault_id: &str, account: &str, kdf: &KdfParams, salt: &str) -> Vec<u8> {
    format!(
        "baomi-keyslot-v1|{vault_id}|{account}|{}|{}|{}|{salt}",
        kdf.memory_kib, kdf.iterations, kdf.parallelism
    )
    .into_bytes()
}

impl KeyFile {
    pub fn new(vault_id: String, policy: Policy) -> Self {
        KeyFile {
            format: FORMAT.into(),
            version: VERSION,
            vault_id,
            slots: Vec::new(),
            logins: BTreeMap::new(),
            pending: Vec::new(),
            policy,
            seal: None,
        }
    }

    /// Reads and checks the key file of the vault in `dir`.
    pub fn read(dir: &Path) -> Result<KeyFile> {
        let p = path(dir);
        let bytes = match fs::read(&p) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::not_found(format!(
                    "在“{}”没有找到保密库（缺少密钥文件 {FILE_NAME}）",
                    dir.display()
                )))
            }
            Err(e) => return Err(Error::io("读取密钥文件", &e)),
        };
        Self::parse(&bytes)
    }

    pub fn parse(bytes: &[u8]) -> Result<KeyFile> {
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|_| Error::integrity("密钥文件已损坏：不是有效的 JSON"))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(Error::integrity(
                "密钥文件格式无法识别：这不是保密台账的密钥文件",
            ));
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) if v > u64::from(VERSION) => {
                return Err(Error::new(
                    Code::Unsupported,
                    format!("密钥文件版本 {v} 由更新版本的保密台账创建，本程序（版本 {VERSION}）无法打开，请升级程序"),
                ))
            }
            _ => return Err(Error::integrity("密钥文件版本无效")),
        }
        let kf: KeyFile = serde_json::from_value(value)
            .map_err(|e| Error::integrity(format!("密钥文件内容无效：{e}")))?;
        kf.check()?;
        Ok(kf)
    }

    /// Refuses values that the types admit but that nothing we write ever contains.
    fn check(&self) -> Result<()> {
        for slot in &self.slots {
            if slot.kdf.validate().is_err() {
                return Err(Error::integrity(
                    "密钥文件已损坏：密钥槽的口令派生参数超出允许范围（内存 64 MiB 至 4 GiB，迭代 1 至 16 次，并行度 1 至 16）",
                ));
            }
            let salt_ok = B64
                .decode(&slot.salt)
                .is_ok_and(|s| (SALT_MIN..=SALT_MAX).contains(&s.len()));
            if !salt_ok {
                return Err(Error::integrity("密钥文件已损坏：密钥槽的盐值无效"));
            }
        }
        if self.policy.validate().is_err() {
            return Err(Error::integrity(
                "密钥文件已损坏：其中的安全策略超出允许范围",
            ));
        }
        Ok(())
    }

    /// Writes the key file atomically: a reader sees the old or the new file, never a mix.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::internal(format!("密钥文件序列化失败：{e}")))?;
        let tmp = dir.join(format!("{FILE_NAME}.tmp"));
        let mut f = File::create(&tmp).map_err(|e| Error::io("写入密钥文件", &e))?;
        restrict(&tmp, false);
        f.write_all(&bytes)
            .map_err(|e| Error::io("写入密钥文件", &e))?;
        f.sync_all().map_err(|e| Error::io("写入密钥文件", &e))?;
        drop(f);
        fs::rename(&tmp, path(dir)).map_err(|e| Error::io("替换密钥文件", &e))?;
        if let Ok(d) = File::open(dir) {
            // Persist the rename itself; a failure here only weakens power-loss durability.
            let _ = d.sync_all();
        }
        Ok(())
    }

    pub fn slot(&self, user: &str) -> Option<&KeySlot> {
        let id = account_id(&self.vault_id, user);
        self.slots.iter().find(|s| s.account == id)
    }

    /// Adds or replaces `user`'s slot so that `password` unwraps `data_key`.
    pub fn set_slot(
        &mut self,
        user: &str,
        password: &str,
        data_key: &Secret,
        kdf: KdfParams,
    ) -> Result<()> {
        let salt_bytes = crypto::random_bytes::<16>()?;
        let salt = B64.encode(salt_bytes);
        let wrapping = crypto::derive_key(password, &salt_bytes, kdf)?;
        let id = account_id(&self.vault_id, user);
        let aad = slot_aad(&self.vault_id, &id, &kdf, &salt);
        let (nonce, wrapped) = crypto::seal(&wrapping, data_key.expose(), &aad)?;
        let slot = KeySlot {
            account: id.clone(),
            kdf,
            salt,
            nonce: B64.encode(nonce),
            wrapped: B64.encode(wrapped),
        };
        self.slots.retain(|s| s.account != id);
        self.slots.push(slot);
        Ok(())
    }

    /// Unwraps the data key with `user`'s password: `Ok(None)` for a wrong password (or no
    /// such account: the two are deliberately indistinguishable).
    pub fn unwrap_key(&self, user: &str, password: &str) -> Result<Option<Secret>> {
        let Some(slot) = self.slot(user) else {
            // Spend the same effort as a real attempt so timing does not reveal account names.
            // The first slot's parameters were bounded when the file was read.
            let _ = crypto::derive_key(
                password,
                &[0u8; 16],
                self.slots
                    .first()
                    .map(|s| s.kdf)
                    .unwrap_or_else(KdfParams::minimum),
            );
            return Ok(None);
        };
        let salt = B64
            .decode(&slot.salt)
            .map_err(|_| Error::integrity(format!("密钥文件中账户“{user}”的密钥槽已损坏")))?;
        let nonce = B64
            .decode(&slot.nonce)
            .map_err(|_| Error::integrity("密钥槽已损坏"))?;
        let wrapped = B64
            .decode(&slot.wrapped)
            .map_err(|_| Error::integrity("密钥槽已损坏"))?;
        let wrapping = crypto::derive_key(password, &salt, slot.kdf)?;
        let aad = slot_aad(&self.vault_id, &slot.account, &slot.kdf, &slot.salt);
        let Some(mut plain) = crypto::open(&wrapping, &nonce, &wrapped, &aad) else {
            return Ok(None);
        };
        let key: Option<[u8; 32]> = plain.as_slice().try_into().ok();
        zeroize::Zeroize::zeroize(&mut plain);
        match key {
            Some(k) => Ok(Some(Secret::from_bytes(k))),
            None => Err(Error::integrity("密钥槽内容长度错误")),
        }
    }

    pub fn login_state(&mut self, user: &str) -> &mut LoginState {
        self.logins
            .entry(account_id(&self.vault_id, user))
            .or_default()
    }

    /// The login state of `user`, if any failures or a lockout are recorded.
    pub fn login_state_of(&self, user: &str) -> Option<&LoginState> {
        self.logins.get(&account_id(&self.vault_id, user))
    }

    pub fn clear_login_state(&mut self, user: &str) {
        self.logins.remove(&account_id(&self.vault_id, user));
    }

    /// Moves the seal forward to the log head (`seq`, `hash`). An older head never replaces
    /// a newer one, and a seal that no longer matches the log (`sealed_entry_hash` is the
    /// stored hash of the entry at the current seal's seq) is left in place: re-sealing a
    /// tampered log would launder it, so the break stays visible to `verify`.
    pub fn advance_seal(
        &mut self,
        key: &Secret,
        seq: i64,
        hash: &str,
        sealed_entry_hash: Option<&str>,
    ) {
        if let Some(current) = &self.seal {
            if current.seq >= seq
                || !current.is_authentic(key, &self.vault_id)
                || sealed_entry_hash != Some(current.hash.as_str())
            {
                return;
            }
        }
        self.seal = Some(Seal::make(key, &self.vault_id, seq, hash));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bound_to_account_and_vault() {
        let key = Secret::random().unwrap();
        let mut kf = KeyFile::new("v1".into(), Policy::default());
        kf.set_slot("alice", "Passw0rd!x", &key, KdfParams::minimum())
            .unwrap();
        assert_eq!(
            kf.unwrap_key("alice", "Passw0rd!x")
                .unwrap()
                .unwrap()
                .expose(),
            key.expose()
        );
        assert!(kf.unwrap_key("alice", "wrong").unwrap().is_none());
        assert!(kf.unwrap_key("bob", "Passw0rd!x").unwrap().is_none());
        // Moving alice's slot to bob fails: the account name is bound as associated data.
        let mut moved = kf.clone();
        moved.slots[0].account = account_id("v1", "bob");
        assert!(moved.unwrap_key("bob", "Passw0rd!x").unwrap().is_none());
        let mut other_vault = kf.clone();
        other_vault.vault_id = "v2".into();
        assert!(other_vault
            .unwrap_key("alice", "Passw0rd!x")
            .unwrap()
            .is_none());
    }

    #[test]
    fn versions_and_formats_are_checked() {
        let kf = KeyFile::new("v1".into(), Policy::default());
        let mut v = serde_json::to_value(&kf).unwrap();
        assert!(KeyFile::parse(&serde_json::to_vec(&v).unwrap()).is_ok());
        v["version"] = 2.into();
        assert_eq!(
            KeyFile::parse(&serde_json::to_vec(&v).unwrap())
                .unwrap_err()
                .code,
            Code::Unsupported
        );
        v["format"] = "other".into();
        assert_eq!(
            KeyFile::parse(&serde_json::to_vec(&v).unwrap())
                .unwrap_err()
                .code,
            Code::Integrity
        );
        assert_eq!(
            KeyFile::parse(b"{not json").unwrap_err().code,
            Code::Integrity
        );
    }

    #[test]
    fn seal_is_authenticated_and_monotonic() {
        let key = Secret::random().unwrap();
        let mut kf = KeyFile::new("v1".into(), Policy::default());
        kf.advance_seal(&key, 5, "aa", None);
        kf.advance_seal(&key, 4, "bb", Some("aa"));
        let seal = kf.seal.clone().unwrap();
        assert_eq!(seal.seq, 5);
        assert!(seal.is_authentic(&key, "v1"));
        // A seal that does not match the log's entry at its seq is never advanced.
        kf.advance_seal(&key, 9, "cc", Some("not aa"));
        assert_eq!(kf.seal.as_ref().unwrap().seq, 5);
        kf.advance_seal(&key, 9, "cc", Some("aa"));
        assert_eq!(kf.seal.as_ref().unwrap().seq, 9);
        let forged = Seal {
            seq: 3,
            ..seal.clone()
        };
        assert!(!forged.is_authentic(&key, "v1"));
        assert!(!seal.is_authentic(&Secret::random().unwrap(), "v1"));
    }
}
