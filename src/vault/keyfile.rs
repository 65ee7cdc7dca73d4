//! The vault's key file (`vault.keys`): key slots, key grants, login counters, the policy
//! mirror, the audit seal and the guard over what is written before anyone signs in.
//!
//! Contract: the file is versioned JSON; an unknown format is refused as tampering, a newer
//! version as unsupported, and the format-1 files of early builds (one shared data key) as
//! no longer supported. Each account has one slot: its password, through Argon2id, wraps the
//! account's private keys (an [`Identity`]) with AES-256-GCM, with the slot header (vault id,
//! account, KDF parameters, salt, public keys) bound as associated data, so a slot cannot be
//! moved to another account or vault, nor its public keys swapped. Vault keys are never in a
//! slot: each is a [`KeyGrant`] wrapped to one account's public X25519 key, naming the key
//! ([`VaultKey::System`] or [`VaultKey::Registers`]) and its epoch, so the three administrators
//! hold the system key only, a key can be granted without anyone's password, and rotating a
//! key (a new epoch) leaves old grants useless. Reading the file checks what login would
//! otherwise trust blindly before any key is known: KDF parameters within
//! [`KdfParams::validate`]'s bounds, salts of a length Argon2 accepts, the policy mirror within
//! its bounds; anything else is an integrity error, never a panic or an unbounded allocation.
//! The audit seal (sequence and hash of the newest log entry) and the [`Guard`] (policy mirror,
//! login counters and pending events as of the last signed-in write) are signed by the account
//! that wrote them; what is added without a key (failed sign-ins, lockouts) must be a lawful
//! extension of the guard, checked at the next sign-in ([`KeyFile::unsigned_changes`]). Writes
//! are atomic (temp file, fsync, rename) and every read-modify-write holds an exclusive lock
//! on `vault.lock`. Nothing here ever holds a register record.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Code, Error, Result};
use crate::vault::crypto::{self, Grant, Identity, KdfParams, PublicKeys, RecoveryKey, Secret};
use crate::vault::policy::Policy;

pub const FORMAT: &str = "baomi-vault-keys";
pub const VERSION: u32 = 2;
pub const FILE_NAME: &str = "vault.keys";
pub const LOCK_NAME: &str = "vault.lock";
/// Salt lengths accepted in a slot: Argon2's minimum, and a generous ceiling (we write 16).
const SALT_MIN: usize = 8;
const SALT_MAX: usize = 64;
/// The grantee name of the vault's recovery key (no account name can start with `@`).
pub const RECOVERY: &str = "@recovery";
/// The kinds of event that may be recorded without a key (before anyone signs in).
pub const UNSIGNED_ACTIONS: [&str; 2] = ["login_failed", "account_locked"];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    pub format: String,
    pub version: u32,
    pub vault_id: String,
    pub slots: Vec<KeySlot>,
    #[serde(default)]
    pub grants: Vec<KeyGrant>,
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
    #[serde(default)]
    pub guard: Option<Guard>,
    /// Counts the signed-in writes of this file; the system database records the same number
    /// in the transaction of each write, so an older copy of this file put back (to revive an
    /// old password, or erase failed sign-ins) is behind the database and refused. The copy
    /// inside the signed [`Guard`] is the one checked; this one is the working counter.
    #[serde(default)]
    pub generation: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySlot {
    /// [`account_id`] of the account: the file never names an account in plain text.
    pub account: String,
    pub kdf: KdfParams,
    pub salt: String,
    /// The account's public keys (hex), bound to the slot as associated data.
    pub agreement_pub: String,
    pub signing_pub: String,
    pub nonce: String,
    /// The account's [`Identity`], wrapped under its password.
    pub wrapped: String,
}

/// The vault's two keys: the system database's, and the register database's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum VaultKey {
    System,
    Registers,
}

impl VaultKey {
    fn code(self) -> &'static str {
        match self {
            VaultKey::System => "system",
            VaultKey::Registers => "registers",
        }
    }
    /// The key's name for people.
    pub fn label(self) -> &'static str {
        match self {
            VaultKey::System => "系统密钥",
            VaultKey::Registers => "登记簿密钥",
        }
    }
}

/// A vault key wrapped to one account's public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyGrant {
    pub account: String,
    pub key: VaultKey,
    pub epoch: u32,
    pub ephemeral: String,
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

/// The newest audit entry as last committed, signed by the account that committed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seal {
    pub seq: i64,
    pub hash: String,
    /// Ed25519 key (hex) of the signer.
    pub signer: String,
    pub sig: String,
}

impl Seal {
    fn message(vault_id: &str, seq: i64, hash: &str) -> Vec<u8> {
        format!("baomi-audit-seal-v2|{vault_id}|{seq}|{hash}").into_bytes()
    }
    pub fn make(id: &Identity, vault_id: &str, seq: i64, hash: &str) -> Seal {
        Seal {
            seq,
            hash: hash.to_string(),
            signer: id.public().signer(),
            sig: hex::encode(id.sign(&Self::message(vault_id, seq, hash))),
        }
    }
    /// Whether the seal is signed by the key it names (whose key that is, is the verifier's
    /// question: see [`crate::vault::audit::verify`]).
    pub fn is_authentic(&self, vault_id: &str) -> bool {
        crypto::verify_hex(
            &self.signer,
            &Self::message(vault_id, self.seq, &self.hash),
            &self.sig,
        )
    }
}

/// What the file held before anyone signed in, as of the last signed-in write: the policy
/// mirror, the login counters and the pending events, signed by the account that wrote them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guard {
    pub at: String,
    #[serde(default)]
    pub generation: u64,
    pub policy: Policy,
    pub logins: BTreeMap<String, LoginState>,
    pub pending: Vec<PendingEvent>,
    pub signer: String,
    pub sig: String,
}

impl Guard {
    fn message(
        vault_id: &str,
        at: &str,
        generation: u64,
        policy: &Policy,
        logins: &BTreeMap<String, LoginState>,
        pending: &[PendingEvent],
    ) -> Vec<u8> {
        serde_json::json!([
            "baomi-keyfile-guard-v1",
            vault_id,
            at,
            generation,
            policy,
            logins,
            pending
        ])
        .to_string()
        .into_bytes()
    }
    pub fn is_authentic(&self, vault_id: &str) -> bool {
        crypto::verify_hex(
            &self.signer,
            &Self::message(
                vault_id,
                &self.at,
                self.generation,
                &self.policy,
                &self.logins,
                &self.pending,
            ),
            &self.sig,
        )
    }
}

/// How the pre-login part of the file differs from what its guard allows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tampering {
    /// What was found, as codes for the audit entry (`guard_missing`, `guard_forged`,
    /// `policy_changed`, `pending_removed`, `pending_forged`, `logins_changed`).
    pub findings: Vec<&'static str>,
    /// Pending events refused (not a kind that may be unsigned, or out of time bounds).
    pub refused_events: usize,
}

/// Applies one unsigned event to the login counters, exactly as a failed sign-in does.
pub fn apply_event(
    logins: &mut BTreeMap<String, LoginState>,
    event: &PendingEvent,
    policy: &Policy,
) {
    let detail: serde_json::Value =
        serde_json::from_str(&event.detail).unwrap_or(serde_json::Value::Null);
    let st = logins.entry(event.account.clone()).or_default();
    match event.action.as_str() {
        "login_failed" if detail["reason"] == "wrong_password" => {
            st.failures = st.failures.saturating_add(1);
            st.locked_until = None;
        }
        "account_locked" => {
            st.failures = 0;
            st.locked_until = parse_time(&event.at).map(|t| {
                crate::clock::stamp(t + Duration::minutes(i64::from(policy.lockout_minutes)))
            });
        }
        _ => {}
    }
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
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

fn slot_aad(vault_id: &str, slot: &KeySlot) -> Vec<u8> {
    let kdf = &slot.kdf;
    format!(
        "baomi-keyslot-v2|{vault_id}|{}|{}|{}|{}|{}|{}|{}",
        slot.account,
        kdf.memory_kib,
        kdf.iterations,
        kdf.parallelism,
        slot.salt,
        slot.agreement_pub,
        slot.signing_pub
    )
    .into_bytes()
}

fn grant_aad(vault_id: &str, account: &str, key: VaultKey, epoch: u32) -> Vec<u8> {
    format!("baomi-grant-v1|{vault_id}|{account}|{}|{epoch}", key.code()).into_bytes()
}

fn decode<const N: usize>(s: &str) -> Option<[u8; N]> {
    B64.decode(s).ok()?.try_into().ok()
}

impl KeySlot {
    /// The public keys this slot declares (authenticated only once the slot is unwrapped).
    pub fn public(&self) -> Option<PublicKeys> {
        let agreement = hex::decode(&self.agreement_pub).ok()?.try_into().ok()?;
        let signing = hex::decode(&self.signing_pub).ok()?.try_into().ok()?;
        Some(PublicKeys { agreement, signing })
    }
}

impl KeyFile {
    pub fn new(vault_id: String, policy: Policy) -> Self {
        KeyFile {
            format: FORMAT.into(),
            version: VERSION,
            vault_id,
            slots: Vec::new(),
            grants: Vec::new(),
            logins: BTreeMap::new(),
            pending: Vec::new(),
            policy,
            seal: None,
            guard: None,
            generation: 0,
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
            Some(1) => {
                return Err(Error::new(
                    Code::Unsupported,
                    "此保密库由早期试用版创建（所有账户共用一个数据密钥，管理员可读登记内容），本程序不再打开这种格式；请在试用版中导出数据后用本程序新建保密库",
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
            if !salt_ok || slot.public().is_none() {
                return Err(Error::integrity("密钥文件已损坏：密钥槽的盐值或公钥无效"));
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

    /// Adds or replaces `user`'s slot so that `password` unwraps `identity`.
    pub fn set_slot(
        &mut self,
        user: &str,
        password: &str,
        identity: &Identity,
        kdf: KdfParams,
    ) -> Result<()> {
        let salt_bytes = crypto::random_bytes::<16>()?;
        let public = identity.public();
        let mut slot = KeySlot {
            account: account_id(&self.vault_id, user),
            kdf,
            salt: B64.encode(salt_bytes),
            agreement_pub: hex::encode(public.agreement),
            signing_pub: hex::encode(public.signing),
            nonce: String::new(),
            wrapped: String::new(),
        };
        let wrapping = crypto::derive_key(password, &salt_bytes, kdf)?;
        let aad = slot_aad(&self.vault_id, &slot);
        let (nonce, wrapped) = crypto::seal(&wrapping, &identity.to_bytes(), &aad)?;
        slot.nonce = B64.encode(nonce);
        slot.wrapped = B64.encode(wrapped);
        self.slots.retain(|s| s.account != slot.account);
        self.slots.push(slot);
        Ok(())
    }

    /// Unwraps `user`'s private keys with the password: `Ok(None)` for a wrong password (or
    /// no such account: the two are deliberately indistinguishable).
    pub fn unwrap_identity(&self, user: &str, password: &str) -> Result<Option<Identity>> {
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
        let corrupt = || Error::integrity(format!("密钥文件中账户“{user}”的密钥槽已损坏"));
        let salt = B64.decode(&slot.salt).map_err(|_| corrupt())?;
        let nonce = B64.decode(&slot.nonce).map_err(|_| corrupt())?;
        let wrapped = B64.decode(&slot.wrapped).map_err(|_| corrupt())?;
        let wrapping = crypto::derive_key(password, &salt, slot.kdf)?;
        let aad = slot_aad(&self.vault_id, slot);
        let Some(plain) = crypto::open(&wrapping, &nonce, &wrapped, &aad) else {
            return Ok(None);
        };
        let plain = zeroize::Zeroizing::new(plain);
        let identity = Identity::from_bytes(&plain).ok_or_else(corrupt)?;
        if Some(identity.public()) != slot.public() {
            return Err(corrupt());
        }
        Ok(Some(identity))
    }

    /// Wraps `key` (epoch `epoch`) to `user`, whose public keys are `to`, replacing any grant
    /// of the same key and epoch.
    pub fn grant(
        &mut self,
        user: &str,
        to: &PublicKeys,
        key: VaultKey,
        epoch: u32,
        secret: &Secret,
    ) -> Result<()> {
        let account = account_id(&self.vault_id, user);
        let g = crypto::grant_to(
            &to.agreement,
            secret,
            &grant_aad(&self.vault_id, &account, key, epoch),
        )?;
        self.grants
            .retain(|x| !(x.account == account && x.key == key && x.epoch == epoch));
        self.grants.push(KeyGrant {
            account,
            key,
            epoch,
            ephemeral: B64.encode(g.ephemeral),
            nonce: B64.encode(g.nonce),
            wrapped: B64.encode(g.wrapped),
        });
        Ok(())
    }

    /// Whether `user` holds a grant of `key` at `epoch`.
    pub fn has_grant(&self, user: &str, key: VaultKey, epoch: u32) -> bool {
        let account = account_id(&self.vault_id, user);
        self.grants
            .iter()
            .any(|g| g.account == account && g.key == key && g.epoch == epoch)
    }

    /// Opens `user`'s grants of `key`, newest epoch first (after an interrupted rotation the
    /// newest may be for a key the database never got, so callers try them in order).
    pub fn open_grants(&self, user: &str, id: &Identity, key: VaultKey) -> Vec<(u32, Secret)> {
        self.open_grants_with(user, key, |g, aad| id.open_grant(g, aad))
    }

    /// The register key's grants to the vault's recovery key, newest epoch first.
    pub fn open_recovery_grants(&self, recovery: &RecoveryKey) -> Vec<(u32, Secret)> {
        self.open_grants_with(RECOVERY, VaultKey::Registers, |g, aad| {
            recovery.open_grant(g, aad)
        })
    }

    fn open_grants_with(
        &self,
        user: &str,
        key: VaultKey,
        opener: impl Fn(&Grant, &[u8]) -> Option<Secret>,
    ) -> Vec<(u32, Secret)> {
        let account = account_id(&self.vault_id, user);
        let mut mine: Vec<&KeyGrant> = self
            .grants
            .iter()
            .filter(|g| g.account == account && g.key == key)
            .collect();
        mine.sort_by_key(|g| std::cmp::Reverse(g.epoch));
        mine.into_iter()
            .filter_map(|g| {
                let grant = Grant {
                    ephemeral: decode::<32>(&g.ephemeral)?,
                    nonce: decode::<12>(&g.nonce)?,
                    wrapped: B64.decode(&g.wrapped).ok()?,
                };
                opener(&grant, &grant_aad(&self.vault_id, &account, key, g.epoch))
                    .map(|k| (g.epoch, k))
            })
            .collect()
    }

    /// Drops every grant of `key` older than `epoch` (after a rotation has committed).
    pub fn drop_grants_before(&mut self, key: VaultKey, epoch: u32) {
        self.grants.retain(|g| g.key != key || g.epoch >= epoch);
    }

    /// Removes everything that lets `user` in: the slot, every grant, the login counters.
    pub fn revoke(&mut self, user: &str) {
        let account = account_id(&self.vault_id, user);
        self.slots.retain(|s| s.account != account);
        self.grants.retain(|g| g.account != account);
        self.logins.remove(&account);
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

    /// Records an event that happens without a key (a failed sign-in, a lockout): appended
    /// to the pending events and applied to the counters by [`apply_event`], the same rule
    /// [`KeyFile::unsigned_changes`] replays.
    pub fn record_unsigned(&mut self, event: PendingEvent) {
        apply_event(&mut self.logins, &event, &self.policy);
        self.pending.push(event);
    }

    /// Re-signs the guard over the current policy mirror, counters and pending events.
    pub fn sign_guard(&mut self, id: &Identity, at: &str) {
        let message = Guard::message(
            &self.vault_id,
            at,
            self.generation,
            &self.policy,
            &self.logins,
            &self.pending,
        );
        self.guard = Some(Guard {
            at: at.to_string(),
            generation: self.generation,
            policy: self.policy,
            logins: self.logins.clone(),
            pending: self.pending.clone(),
            signer: id.public().signer(),
            sig: hex::encode(id.sign(&message)),
        });
    }

    /// Checks that what changed since the guard was signed is only what a failed sign-in may
    /// do: the policy mirror unchanged, the guard's pending events still first, new events of
    /// an unsigned kind, in time order between the guard and `now`, and the counters exactly
    /// the guard's counters with the new events applied. `trusted` says whether a signer key
    /// belongs to an account of this vault. Refused events are dropped from `pending`, and
    /// the counters are put back to what the lawful events give (so erasing failures does not
    /// reset a lockout).
    pub fn unsigned_changes(
        &mut self,
        now: DateTime<Utc>,
        trusted: impl Fn(&str) -> bool,
    ) -> Tampering {
        let mut t = Tampering::default();
        let Some(guard) = self.guard.clone() else {
            t.findings.push("guard_missing");
            t.refused_events = self
                .pending
                .iter()
                .filter(|e| !UNSIGNED_ACTIONS.contains(&e.action.as_str()))
                .count();
            self.pending
                .retain(|e| UNSIGNED_ACTIONS.contains(&e.action.as_str()));
            return t;
        };
        if !guard.is_authentic(&self.vault_id) || !trusted(&guard.signer) {
            t.findings.push("guard_forged");
        }
        if guard.policy != self.policy {
            t.findings.push("policy_changed");
            self.policy = guard.policy;
        }
        let prefix_kept = self.pending.len() >= guard.pending.len()
            && self.pending[..guard.pending.len()] == guard.pending[..];
        if !prefix_kept {
            t.findings.push("pending_removed");
        }
        let fresh: Vec<PendingEvent> = if prefix_kept {
            self.pending[guard.pending.len()..].to_vec()
        } else {
            self.pending.clone()
        };
        let mut lawful = guard.pending.clone();
        let mut logins = guard.logins.clone();
        let mut last = parse_time(&guard.at);
        for e in fresh {
            let at = parse_time(&e.at);
            let in_order = match (at, last) {
                (Some(a), Some(l)) => a >= l && a <= now,
                _ => false,
            };
            if !UNSIGNED_ACTIONS.contains(&e.action.as_str()) || !in_order {
                t.refused_events += 1;
                continue;
            }
            if !prefix_kept && guard.pending.contains(&e) {
                continue;
            }
            last = at;
            apply_event(&mut logins, &e, &guard.policy);
            lawful.push(e);
        }
        if t.refused_events > 0 {
            t.findings.push("pending_forged");
        }
        let meaningful = |m: &BTreeMap<String, LoginState>| -> BTreeMap<String, LoginState> {
            m.iter()
                .filter(|(_, st)| **st != LoginState::default())
                .map(|(k, st)| (k.clone(), st.clone()))
                .collect()
        };
        if meaningful(&logins) != meaningful(&self.logins) {
            t.findings.push("logins_changed");
            self.logins = logins;
        }
        self.pending = lawful;
        t
    }

    /// Moves the seal forward to the log head (`seq`, `hash`), signed by `id`. The seal is
    /// made once, at vault creation, and only ever advanced: a missing seal is never made
    /// again, an older head never replaces a newer one, and a seal that no longer matches the
    /// log (`sealed_entry_hash` is the stored hash of the entry at the current seal's seq) is
    /// left in place: re-sealing a tampered log would launder it, so the break stays visible.
    pub fn advance_seal(
        &mut self,
        id: &Identity,
        seq: i64,
        hash: &str,
        sealed_entry_hash: Option<&str>,
    ) {
        let Some(current) = &self.seal else {
            return;
        };
        if current.seq >= seq
            || !current.is_authentic(&self.vault_id)
            || sealed_entry_hash != Some(current.hash.as_str())
        {
            return;
        }
        self.seal = Some(Seal::make(id, &self.vault_id, seq, hash));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bound_to_account_and_vault() {
        let id = Identity::generate().unwrap();
        let mut kf = KeyFile::new("v1".into(), Policy::default());
        kf.set_slot("alice", "Passw0rd!x", &id, KdfParams::minimum())
            .unwrap();
        let opened = kf.unwrap_identity("alice", "Passw0rd!x").unwrap().unwrap();
        assert_eq!(opened.public(), id.public());
        assert!(kf.unwrap_identity("alice", "wrong").unwrap().is_none());
        assert!(kf.unwrap_identity("bob", "Passw0rd!x").unwrap().is_none());
        // Moving alice's slot to bob fails: the account name is bound as associated data.
        let mut moved = kf.clone();
        moved.slots[0].account = account_id("v1", "bob");
        assert!(moved
            .unwrap_identity("bob", "Passw0rd!x")
            .unwrap()
            .is_none());
        let mut other_vault = kf.clone();
        other_vault.vault_id = "v2".into();
        assert!(other_vault
            .unwrap_identity("alice", "Passw0rd!x")
            .unwrap()
            .is_none());
        // Swapping the public keys the slot declares breaks it too.
        let mut swapped = kf.clone();
        swapped.slots[0].signing_pub = hex::encode(Identity::generate().unwrap().public().signing);
        assert!(swapped
            .unwrap_identity("alice", "Passw0rd!x")
            .unwrap()
            .is_none());
    }

    #[test]
    fn grants_open_for_their_account_newest_epoch_first() {
        let alice = Identity::generate().unwrap();
        let bob = Identity::generate().unwrap();
        let (k1, k2) = (Secret::random().unwrap(), Secret::random().unwrap());
        let mut kf = KeyFile::new("v1".into(), Policy::default());
        kf.grant("alice", &alice.public(), VaultKey::Registers, 1, &k1)
            .unwrap();
        kf.grant("alice", &alice.public(), VaultKey::Registers, 2, &k2)
            .unwrap();
        let opened = kf.open_grants("alice", &alice, VaultKey::Registers);
        let epochs: Vec<u32> = opened.iter().map(|(e, _)| *e).collect();
        assert_eq!(epochs, [2, 1]);
        assert_eq!(opened[0].1.expose(), k2.expose());
        assert!(kf.open_grants("alice", &alice, VaultKey::System).is_empty());
        assert!(kf.open_grants("bob", &bob, VaultKey::Registers).is_empty());
        // A grant relabelled to another key or epoch no longer opens.
        let mut relabelled = kf.clone();
        relabelled.grants.retain(|g| g.epoch == 2);
        relabelled.grants[0].key = VaultKey::System;
        assert!(relabelled
            .open_grants("alice", &alice, VaultKey::System)
            .is_empty());
        kf.drop_grants_before(VaultKey::Registers, 2);
        assert_eq!(kf.grants.len(), 1);
        kf.revoke("alice");
        assert!(kf.grants.is_empty());
    }

    #[test]
    fn versions_and_formats_are_checked() {
        let kf = KeyFile::new("v1".into(), Policy::default());
        let mut v = serde_json::to_value(&kf).unwrap();
        assert!(KeyFile::parse(&serde_json::to_vec(&v).unwrap()).is_ok());
        v["version"] = 3.into();
        assert_eq!(
            KeyFile::parse(&serde_json::to_vec(&v).unwrap())
                .unwrap_err()
                .code,
            Code::Unsupported
        );
        v["version"] = 1.into();
        let old = KeyFile::parse(&serde_json::to_vec(&v).unwrap()).unwrap_err();
        assert_eq!(old.code, Code::Unsupported);
        assert!(old.message.contains("早期试用版"));
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
    fn seal_is_signed_monotonic_and_never_recreated() {
        let id = Identity::generate().unwrap();
        let mut kf = KeyFile::new("v1".into(), Policy::default());
        kf.advance_seal(&id, 5, "aa", None);
        assert!(kf.seal.is_none(), "a missing seal is never made again");
        kf.seal = Some(Seal::make(&id, "v1", 5, "aa"));
        kf.advance_seal(&id, 4, "bb", Some("aa"));
        let seal = kf.seal.clone().unwrap();
        assert_eq!(seal.seq, 5);
        assert!(seal.is_authentic("v1"));
        // A seal that does not match the log's entry at its seq is never advanced.
        kf.advance_seal(&id, 9, "cc", Some("not aa"));
        assert_eq!(kf.seal.as_ref().unwrap().seq, 5);
        kf.advance_seal(&id, 9, "cc", Some("aa"));
        assert_eq!(kf.seal.as_ref().unwrap().seq, 9);
        let forged = Seal {
            seq: 3,
            ..seal.clone()
        };
        assert!(!forged.is_authentic("v1"));
        assert!(!seal.is_authentic("v2"));
    }

    fn failed(account: &str, at: &str) -> PendingEvent {
        PendingEvent {
            at: at.into(),
            account: account.into(),
            action: "login_failed".into(),
            detail: r#"{"reason":"wrong_password"}"#.into(),
        }
    }

    #[test]
    fn the_guard_admits_lawful_failures_and_names_every_edit() {
        let id = Identity::generate().unwrap();
        let now = parse_time("2026-11-30T10:00:00Z").unwrap();
        let trusted = |s: &str| s == id.public().signer();
        let mut kf = KeyFile::new("v1".into(), Policy::default());
        kf.sign_guard(&id, "2026-11-30T09:00:00Z");
        kf.record_unsigned(failed("a", "2026-11-30T09:10:00Z"));
        kf.record_unsigned(failed("a", "2026-11-30T09:11:00Z"));
        let lawful = kf.clone();
        assert_eq!(kf.unsigned_changes(now, trusted), Tampering::default());
        assert_eq!(kf.logins["a"].failures, 2);

        // Erasing the counters: caught, and the counters come back.
        let mut erased = lawful.clone();
        erased.logins.clear();
        let t = erased.unsigned_changes(now, trusted);
        assert_eq!(t.findings, ["logins_changed"]);
        assert_eq!(erased.logins["a"].failures, 2);

        // Raising the lockout threshold: caught, and put back.
        let mut raised = lawful.clone();
        raised.policy.max_failures = 99;
        assert_eq!(
            raised.unsigned_changes(now, trusted).findings,
            ["policy_changed"]
        );
        assert_eq!(raised.policy, Policy::default());

        // Injecting a backdated lockout and a register event: refused, never recorded.
        let mut injected = lawful.clone();
        injected.pending.push(PendingEvent {
            action: "account_locked".into(),
            ..failed("b", "2026-01-01T00:00:00Z")
        });
        injected.pending.push(PendingEvent {
            action: "doc_destroyed".into(),
            ..failed("b", "2026-11-30T09:30:00Z")
        });
        let t = injected.unsigned_changes(now, trusted);
        assert_eq!(t.refused_events, 2);
        assert!(t.findings.contains(&"pending_forged"));
        assert_eq!(injected.pending.len(), 2);

        // A guard signed by a key that is no account's, or none at all.
        let mut forged = lawful.clone();
        forged.sign_guard(&Identity::generate().unwrap(), "2026-11-30T09:00:00Z");
        assert!(forged
            .unsigned_changes(now, trusted)
            .findings
            .contains(&"guard_forged"));
        let mut missing = lawful;
        missing.guard = None;
        assert_eq!(
            missing.unsigned_changes(now, trusted).findings,
            ["guard_missing"]
        );
    }
}
