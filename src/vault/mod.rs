//! The vault: creating it, signing in, and the [`Session`] every operation runs through.
//!
//! Contract: a vault is one folder holding `vault.db` (SQLCipher, the system schema: settings,
//! accounts, the audit log) under the system key, `registers.db` (every register record) under
//! the register key, and `vault.keys` (per account, its private keys wrapped under its password,
//! and the vault keys granted to it; see [`crate::vault::keyfile`]). Every account is granted
//! the system key; only business accounts (保密员, 查阅) are granted the register key, so the
//! three administrators' passwords open no register content, even offline. A business account
//! receives the register key when a 保密员 who holds it next signs in; no administrator ever
//! holds it. Disabling an account removes its slot and grants and rotates the keys
//! ([`Session::rotate_keys`]), so an old password with an old `vault.keys` no longer opens the
//! databases. The only way to read or change anything is a [`Session`], obtained by [`login`]
//! with an account's password; it holds the connection, the account's [`Identity`] and the
//! vault keys it was granted (zeroized when the session is dropped or locked). Every operation
//! checks the role with [`Session::require`] before it touches data, and every change goes
//! through [`Session::write`], which appends the audit entries, signed with the account's key,
//! in the same transaction (one atomic commit across both databases), then advances the seal
//! and the guard in the key file and the installation's high-water mark ([`marks`]). A vault
//! older than that mark is refused until the 安全审计员 accepts the restore.

pub mod accounts;
pub mod audit;
pub mod crypto;
pub mod db;
pub mod keyfile;
pub mod marks;
pub mod policy;
pub mod roles;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::clock::{stamp, Clock};
use crate::error::{Code, Error, Result};
use crate::vault::crypto::{Identity, KdfParams, PublicKeys, RecoveryKey, Secret};
use crate::vault::db::Schema;
use crate::vault::keyfile::{KeyFile, PendingEvent, Seal, VaultKey};
use crate::vault::marks::{Mark, Marks, Standing};
use crate::vault::policy::Policy;
use crate::vault::roles::{NavItem, Op, Role};

/// An account to create, as typed in a form or given to the CLI.
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct NewAccount {
    /// Login name: a letter, then letters, digits, `_`, `.` or `-`; 2–32 characters.
    pub name: String,
    /// The person's name as printed on forms (e.g. 张三).
    pub display: String,
    pub password: String,
}

/// Everything needed to create a vault: the unit and the three administrators (三员), and
/// optionally the first 保密员.
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct InitRequest {
    /// 单位名称.
    pub unit: String,
    pub admin: NewAccount,
    pub secadmin: NewAccount,
    pub auditor: NewAccount,
    #[ts(optional)]
    pub officer: Option<NewAccount>,
}

/// Options of a vault that are not entered by a person.
#[derive(Debug, Clone)]
pub struct Options {
    pub kdf: KdfParams,
    pub tuning: db::Tuning,
    /// Where this installation keeps its high-water marks (outside every vault folder).
    pub marks: Marks,
}

impl Options {
    /// The production settings, with the installation's marks in `marks`.
    pub fn standard(marks: Marks) -> Self {
        Options {
            kdf: KdfParams::standard(),
            tuning: db::Tuning::default(),
            marks,
        }
    }
}

/// Whether `dir` holds a vault (its key file exists).
pub fn exists(dir: &Path) -> bool {
    keyfile::path(dir).exists()
}

pub(crate) fn validate_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let ok_first = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let ok_rest = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    let len = name.chars().count();
    if name.is_empty() {
        return Err(Error::field("name", "账户名", "不能为空"));
    }
    if !(2..=32).contains(&len) || !ok_first || !ok_rest {
        return Err(Error::field(
            "name",
            "账户名",
            format!("“{name}”无效：应以英文字母开头，由字母、数字、_ . - 组成，长 2 到 32 个字符"),
        ));
    }
    Ok(())
}

pub(crate) fn validate_display(display: &str) -> Result<()> {
    validate_text("display", "姓名", display, 32)
}

fn validate_unit(unit: &str) -> Result<()> {
    validate_text("unit", "单位名称", unit, 64)
}

/// A name a person or unit is shown by: not blank, at most `max` characters, no control
/// characters.
fn validate_text(field: &str, label: &str, value: &str, max: usize) -> Result<()> {
    let t = value.trim();
    if t.is_empty() {
        return Err(Error::field(field, label, "不能为空"));
    }
    if t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(Error::field(
            field,
            label,
            format!("不得超过 {max} 个字符，且不能含控制字符"),
        ));
    }
    Ok(())
}

/// Prefixes a field error with the account it belongs to (e.g. `admin.password`).
fn within(prefix: &str, label: &str, e: Error) -> Error {
    match e.field {
        Some(f) => Error {
            code: e.code,
            message: format!("{label}的{}", e.message),
            field: Some(format!("{prefix}.{f}")),
        },
        None => e,
    }
}

/// Creates a new vault in `dir` (created if missing; must hold no vault). Returns the recovery
/// code, shown to the person exactly once (see [`RecoveryKey`]).
pub fn init(
    dir: &Path,
    req: &InitRequest,
    opts: &Options,
    clock: &dyn Clock,
) -> Result<zeroize::Zeroizing<String>> {
    validate_unit(&req.unit)?;
    let mut accounts: Vec<(&NewAccount, Role, &str, &str)> = vec![
        (&req.admin, Role::Admin, "admin", "系统管理员"),
        (&req.secadmin, Role::Secadmin, "secadmin", "安全保密管理员"),
        (&req.auditor, Role::Auditor, "auditor", "安全审计员"),
    ];
    if let Some(o) = &req.officer {
        accounts.push((o, Role::Officer, "officer", "保密员"));
    }
    let policy = Policy::default();
    for (a, _, prefix, label) in &accounts {
        validate_name(&a.name).map_err(|e| within(prefix, label, e))?;
        validate_display(&a.display).map_err(|e| within(prefix, label, e))?;
        policy
            .check_password(&a.password, &a.name)
            .map_err(|e| within(prefix, label, e))?;
    }
    for (i, (a, _, prefix, label)) in accounts.iter().enumerate() {
        if accounts[..i].iter().any(|(b, ..)| b.name == a.name) {
            return Err(Error::field(
                &format!("{prefix}.name"),
                &format!("{label}的账户名"),
                format!(
                    "“{}”已被其他角色使用：三员分立，每个角色须由不同账户担任",
                    a.name
                ),
            ));
        }
    }
    opts.kdf.validate()?;

    if exists(dir) || dir.join(db::FILE_NAME).exists() || dir.join(db::REGISTERS_FILE).exists() {
        return Err(Error::conflict(format!(
            "“{}”已有保密库，未做任何改动",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io("创建保密库文件夹", &e))?;
    keyfile::restrict(dir, true);
    let _lock = keyfile::lock(dir)?;

    let system_key = Secret::random()?;
    let recovery = RecoveryKey::generate()?;
    let recovery_pub = recovery_public_keys(recovery.public());
    let vault_id = hex::encode(crypto::random_bytes::<16>()?);
    let now = stamp(clock.now());
    let mut kf = KeyFile::new(vault_id.clone(), policy);
    let mut identities = Vec::new();
    for (a, role, ..) in &accounts {
        let id = Identity::generate()?;
        kf.set_slot(&a.name, &a.password, &id, opts.kdf)?;
        kf.grant(&a.name, &id.public(), VaultKey::System, 1, &system_key)?;
        identities.push((a, *role, id));
    }
    // The register key exists from the start only if a 保密员 is there to hold it; otherwise
    // the first 保密员 to sign in creates it (see `login`).
    let registers_key = match identities.iter().find(|(_, r, _)| *r == Role::Officer) {
        Some((a, _, id)) => {
            let key = Secret::random()?;
            kf.grant(&a.name, &id.public(), VaultKey::Registers, 1, &key)?;
            kf.grant(
                keyfile::RECOVERY,
                &recovery_pub,
                VaultKey::Registers,
                1,
                &key,
            )?;
            Some(key)
        }
        None => None,
    };
    let admin_id = &identities[0].2;

    let mut conn = db::open(dir, Schema::System, &system_key, true, opts.tuning)?;
    keyfile::restrict(&dir.join(db::FILE_NAME), false);
    db::migrate(&mut conn, Schema::System)?;
    if let Some(key) = &registers_key {
        db::create_registers(dir, key, opts.tuning)?;
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let settings = [
        ("vault_id", vault_id.clone()),
        ("unit_name", req.unit.trim().to_string()),
        ("created_at", now.clone()),
        ("security_policy", policy_json(&policy)?),
        (
            "registers_created",
            if registers_key.is_some() { "1" } else { "0" }.to_string(),
        ),
        ("registers_rotation_due", "0".to_string()),
        ("recovery_pub", hex::encode(recovery.public())),
        ("keyfile_generation", "1".to_string()),
    ];
    for (k, v) in settings {
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)",
            params![k, v],
        )?;
    }
    let keys: serde_json::Map<String, serde_json::Value> = identities
        .iter()
        .map(|(a, _, id)| (a.name.clone(), id.public().signer().into()))
        .collect();
    audit::append(
        &tx,
        &vault_id,
        audit::NewEntry {
            at: &now,
            actor: &req.admin.name,
            action: "vault_create",
            target: req.unit.trim(),
            detail: serde_json::json!({
                "schema_version": db::schema_version(),
                "keys": keys,
                "admin": req.admin.name,
                "auditor": req.auditor.name,
                "recovery_pub": hex::encode(recovery.public()),
            }),
            signer: Some(admin_id),
        },
    )?;
    for (a, role, id) in &identities {
        let public = id.public();
        tx.execute(
            "INSERT INTO accounts (name, display, role, created_at, created_by, agreement_pub, signing_pub)
             VALUES (?1, ?2, ?3, ?4, '初始化', ?5, ?6)",
            params![
                a.name,
                a.display.trim(),
                role.as_str(),
                now,
                hex::encode(public.agreement),
                public.signer()
            ],
        )?;
        audit::append(
            &tx,
            &vault_id,
            audit::NewEntry {
                at: &now,
                actor: &req.admin.name,
                action: "account_create",
                target: &a.name,
                detail: serde_json::json!({ "display": a.display.trim(), "role": role.as_str() }),
                signer: Some(admin_id),
            },
        )?;
    }
    tx.commit()?;
    let Some((seq, hash)) = audit::head(&conn)? else {
        return Err(Error::internal("建库记录未写入审计日志"));
    };
    // The seal is made here and only here: afterwards it is only ever advanced.
    kf.seal = Some(Seal::make(admin_id, &vault_id, seq, &hash));
    kf.generation = 1;
    kf.sign_guard(admin_id, &now);
    // The key file is written last: its existence is what makes the folder a vault.
    kf.write(dir)?;
    opts.marks
        .advance(&marks::key(&vault_id, dir), Mark { seq, hash, at: now })?;
    Ok(recovery.code())
}

/// The recovery key as a grantee: only its agreement key is used.
fn recovery_public_keys(agreement: [u8; 32]) -> PublicKeys {
    PublicKeys {
        agreement,
        signing: [0u8; 32],
    }
}

/// The vault's recovery public key, as the signed creation entry states it: the settings copy
/// must agree, so nobody holding the system key can swap in a key of their own and wait for
/// the next rotation to be granted the register key.
fn recovery_public(conn: &Connection, vault_id: &str) -> Result<PublicKeys> {
    let claims = audit::genesis_claims(conn, vault_id)?;
    let stated = setting(conn, "recovery_pub")?;
    let bad = || Error::integrity("保密库的恢复密钥记录被篡改");
    if claims["recovery_pub"].as_str() != Some(stated.as_str()) {
        return Err(bad());
    }
    let bytes: [u8; 32] = hex::decode(&stated)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(bad)?;
    Ok(recovery_public_keys(bytes))
}

fn policy_json(p: &Policy) -> Result<String> {
    serde_json::to_string(p).map_err(|e| Error::internal(format!("安全策略序列化失败：{e}")))
}

/// The signed-in account.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct SessionInfo {
    pub user: String,
    pub display: String,
    pub role: Role,
    pub role_label: String,
    pub unit: String,
    /// The account must change its password before doing anything else.
    pub must_change_password: bool,
    pub idle_lock_seconds: u32,
    /// What this role may open, in order.
    pub nav: Vec<NavItem>,
    /// The operations this role may perform (the core still checks each call).
    pub ops: Vec<Op>,
    /// Today by the core's clock (YYYY-MM-DD): the default for every date field.
    pub today: String,
}

/// The vault's files read for a backup, with what they hold.
pub(crate) struct Snapshot {
    pub vault_id: String,
    pub unit: String,
    /// The audit log's last sequence number and head hash in the copy.
    pub seq: i64,
    pub head: String,
    /// (file name, bytes): `vault.db`, `registers.db`, `vault.keys` — ciphertext all.
    pub files: Vec<(String, Vec<u8>)>,
}

/// A signed-in account's handle on an open vault.
pub struct Session {
    dir: PathBuf,
    conn: Connection,
    identity: Identity,
    keys: Keys,
    marks: Marks,
    vault_id: String,
    user: String,
    display: String,
    role: Role,
    must_change_password: bool,
    /// The KDF parameters of this account's own slot, authenticated when it was unwrapped.
    kdf: KdfParams,
    clock: Arc<dyn Clock>,
    last_active: DateTime<Utc>,
    idle_lock_seconds: u32,
}

impl std::fmt::Debug for Session {
    /// Names the account and role only: a session's keys and connection are never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user", &self.user)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

fn locked_message(user: &str, until: DateTime<Utc>, now: DateTime<Utc>) -> Error {
    let left = (until - now).num_seconds().max(1);
    Error::new(
        Code::Locked,
        format!(
            "账户“{user}”因连续口令错误已被锁定，请在 {} 分 {} 秒后再试",
            left / 60,
            left % 60
        ),
    )
}

/// Signs `user` in with `password`, enforcing lockout; failed attempts are counted in the key
/// file and enter the audit log at the next successful login.
pub fn login(
    dir: &Path,
    user: &str,
    password: &str,
    clock: Arc<dyn Clock>,
    opts: &Options,
) -> Result<Session> {
    sign_in(dir, user, password, clock, opts, Mode::Normal)
}

/// Signs a business account in that holds no register key (every holder lost their password,
/// or it was reset) with the vault's recovery code: the register key is granted to it from the
/// recovery key's grant, and `key_recovered` is audited.
pub fn recover(
    dir: &Path,
    user: &str,
    password: &str,
    code: &str,
    clock: Arc<dyn Clock>,
    opts: &Options,
) -> Result<Session> {
    let recovery = RecoveryKey::from_code(code)?;
    sign_in(dir, user, password, clock, opts, Mode::Recover(&recovery))
}

/// Signs the 安全审计员 in to a vault that is older than this installation's high-water mark
/// (a backup put back, or a rollback): records `restore_acknowledged` and moves the mark back
/// to the restored log's head. Any other account, or a vault that is not behind, is refused.
pub fn accept_restore(
    dir: &Path,
    user: &str,
    password: &str,
    clock: Arc<dyn Clock>,
    opts: &Options,
) -> Result<Session> {
    sign_in(dir, user, password, clock, opts, Mode::AcceptRestore)
}

/// What a sign-in is for.
#[derive(Clone, Copy)]
enum Mode<'a> {
    Normal,
    AcceptRestore,
    Recover(&'a RecoveryKey),
}

/// The refusal of a rolled-back vault: its own code, so the login screen can offer the
/// auditor's confirmation; the message names both ways to give it.
fn rolled_back_message(mark: &Mark, head: i64) -> Error {
    Error::new(
        Code::RolledBack,
        format!(
            "保密库比本机记录的更旧：本机上次见到审计日志到第 {} 条（{}），现在的保密库只到第 {head} 条或内容不同。保密库可能被回退或替换为旧副本，已拒绝打开。若这是有意恢复的备份，请安全审计员确认恢复（登录界面的“确认恢复备份”，或命令行 baomi audit accept-restore）",
            mark.seq, mark.at
        ),
    )
}

/// The vault keys a signed-in account holds, with their epochs.
struct Keys {
    system: (u32, Secret),
    registers: Option<(u32, Secret)>,
}

/// Tries `grants` newest first with `open`: the first that opens wins (after an interrupted
/// rotation the newest may be for a key the database never got). `Ok(None)` when there is no
/// grant at all; the last integrity error when none opens.
fn first_that_opens<T>(
    grants: Vec<(u32, Secret)>,
    mut open: impl FnMut(&Secret) -> Result<T>,
) -> Result<Option<(T, (u32, Secret))>> {
    let mut last = None;
    for (epoch, key) in grants {
        match open(&key) {
            Ok(t) => return Ok(Some((t, (epoch, key)))),
            Err(e) if e.code == Code::Integrity => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    match last {
        Some(e) => Err(e),
        None => Ok(None),
    }
}

/// Opens the system database with `user`'s system-key grants.
fn open_system(
    dir: &Path,
    kf: &KeyFile,
    user: &str,
    id: &Identity,
    tuning: db::Tuning,
) -> Result<(Connection, (u32, Secret))> {
    let grants = kf.open_grants(user, id, VaultKey::System);
    first_that_opens(grants, |key| {
        db::open(dir, Schema::System, key, false, tuning)
    })?
    .ok_or_else(|| {
        Error::integrity(format!(
            "账户“{user}”没有系统密钥授权（账户已被停用，或密钥文件被篡改）"
        ))
    })
}

/// Attaches the register database with `grants` of the register key; `None` without any.
fn attach_registers(
    conn: &Connection,
    dir: &Path,
    grants: Vec<(u32, Secret)>,
    tuning: db::Tuning,
) -> Result<Option<(u32, Secret)>> {
    Ok(
        first_that_opens(grants, |key| db::attach_registers(conn, dir, key, tuning))?
            .map(|((), key)| key),
    )
}

struct AccountRow {
    display: String,
    role: Option<String>,
    disabled: bool,
    must_change: bool,
    public: (String, String),
}

fn sign_in(
    dir: &Path,
    user: &str,
    password: &str,
    clock: Arc<dyn Clock>,
    opts: &Options,
    mode: Mode<'_>,
) -> Result<Session> {
    let accepting_restore = matches!(mode, Mode::AcceptRestore);
    if user.is_empty() {
        return Err(Error::field("user", "账户名", "不能为空"));
    }
    if !exists(dir) {
        return Err(Error::not_found(format!(
            "在“{}”没有找到保密库",
            dir.display()
        )));
    }
    let lock = keyfile::lock(dir)?;
    let mut kf = KeyFile::read(dir)?;
    let now = clock.now();
    let policy = kf.policy;
    let state = kf.login_state_of(user).cloned().unwrap_or_default();
    let pending = |action: &str, detail: serde_json::Value, kf: &KeyFile| PendingEvent {
        at: stamp(now),
        account: keyfile::account_id(&kf.vault_id, user),
        action: action.into(),
        detail: detail.to_string(),
    };
    if let Some(until) = state.locked_until.as_deref().and_then(parse_time) {
        if now < until {
            let e = pending(
                "login_failed",
                serde_json::json!({ "reason": "account_locked" }),
                &kf,
            );
            kf.record_unsigned(e);
            kf.write(dir)?;
            return Err(locked_message(user, until, now));
        }
    }
    let unwrapped = kf.unwrap_identity(user, password)?;
    // The parameters of the slot that just opened are authenticated (bound as associated
    // data); they, not whatever slot comes first in the file, are what new slots get.
    let kdf = kf.slot(user).map(|s| s.kdf);
    let (Some(id), Some(kdf)) = (unwrapped, kdf) else {
        let failures = state.failures.saturating_add(1);
        let e = pending(
            "login_failed",
            serde_json::json!({ "reason": "wrong_password", "failures": failures }),
            &kf,
        );
        kf.record_unsigned(e);
        let err = if failures >= policy.max_failures {
            let e = pending(
                "account_locked",
                serde_json::json!({ "minutes": policy.lockout_minutes }),
                &kf,
            );
            kf.record_unsigned(e);
            Error::new(
                Code::Locked,
                format!(
                    "账户名或口令错误。连续错误已达 {} 次，账户“{user}”已锁定 {} 分钟",
                    policy.max_failures, policy.lockout_minutes
                ),
            )
        } else {
            Error::new(
                Code::AuthFailed,
                format!(
                    "账户名或口令错误（还可尝试 {} 次，之后账户将锁定 {} 分钟）",
                    policy.max_failures - failures,
                    policy.lockout_minutes
                ),
            )
        };
        kf.write(dir)?;
        return Err(err);
    };

    let (mut conn, system) = open_system(dir, &kf, user, &id, opts.tuning)?;
    db::migrate(&mut conn, Schema::System)?;
    let vault_id = setting(&conn, "vault_id")?;
    if vault_id != kf.vault_id {
        return Err(Error::integrity("密钥文件与数据库不属于同一个保密库"));
    }
    let account: Option<AccountRow> = conn
        .query_row(
            "SELECT display, role, disabled, must_change_password, agreement_pub, signing_pub
             FROM accounts WHERE name = ?1",
            [user],
            |r| {
                Ok(AccountRow {
                    display: r.get(0)?,
                    role: r.get(1)?,
                    disabled: r.get(2)?,
                    must_change: r.get(3)?,
                    public: (r.get(4)?, r.get(5)?),
                })
            },
        )
        .optional()?;
    let public = id.public();
    if let Some(a) = &account {
        if a.public != (hex::encode(public.agreement), public.signer()) {
            return Err(Error::integrity(format!(
                "账户“{user}”的公钥与数据库中的记录不符：密钥文件或数据库被篡改，已拒绝登录"
            )));
        }
    }
    let db_policy: Policy = serde_json::from_str(&setting(&conn, "security_policy")?)
        .map_err(|_| Error::integrity("数据库中的安全策略已损坏"))?;
    check_generation(&conn, &mut kf)?;

    // Rollback: the log must reach this installation's mark with the same entry there.
    let head = audit::head(&conn)?;
    let mark_key = marks::key(&vault_id, dir);
    let mark = opts.marks.get(&mark_key)?;
    let standing = marks::check(mark.as_ref(), head.as_ref().map_or(0, |h| h.0), |seq| {
        audit::hash_at(&conn, seq)
    })?;
    let role = account
        .as_ref()
        .and_then(|a| a.role.as_deref())
        .and_then(|r| Role::parse(r).ok());
    let restore = match (&standing, accepting_restore) {
        (Standing::RolledBack { mark, head }, false) => {
            return Err(rolled_back_message(mark, *head))
        }
        (Standing::RolledBack { mark, head }, true) if role == Some(Role::Auditor) => {
            Some((mark.clone(), *head))
        }
        (_, true) if role != Some(Role::Auditor) => {
            return Err(Error::permission(
                "只有安全审计员可以确认恢复保密库".to_string(),
            ))
        }
        (_, true) => {
            return Err(Error::rule(
                "保密库没有比本机记录更旧，无需确认恢复".to_string(),
            ))
        }
        _ => None,
    };

    let mut refusal = match &account {
        None => Some((
            "no_account",
            Error::new(Code::AuthFailed, "账户名或口令错误"),
        )),
        Some(a) if a.disabled => Some((
            "account_disabled",
            Error::new(
                Code::Locked,
                format!("账户“{user}”已被停用，请联系系统管理员"),
            ),
        )),
        Some(a) if a.role.is_none() => Some((
            "no_role",
            Error::rule(format!(
                "账户“{user}”尚未分配角色，请联系安全保密管理员分配角色后再登录"
            )),
        )),
        _ => None,
    };

    // The register key: business accounts only. The first 保密员 of a vault created without
    // one makes it; anyone else waits until a 保密员 who holds it signs in.
    let business = role.is_some_and(|r| roles::allows(r, Op::ReadRegisters));
    let mut registers = None;
    let mut created_registers = false;
    let mut recovered = None;
    if let (Mode::Recover(_), false) = (mode, business && refusal.is_none()) {
        return Err(refusal.map(|(_, e)| e).unwrap_or_else(|| {
            Error::permission("只有保密员或查阅账户可以用恢复码取回登记簿密钥")
        }));
    }
    if business && refusal.is_none() {
        let mine = kf.open_grants(user, &id, VaultKey::Registers);
        registers = attach_registers(&conn, dir, mine, opts.tuning)?;
        let never_created = setting(&conn, "registers_created")? == "0";
        if let Mode::Recover(recovery) = mode {
            if registers.is_some() {
                return Err(Error::rule(format!(
                    "账户“{user}”已持有登记簿密钥，无需使用恢复码"
                )));
            }
            let grants = kf.open_recovery_grants(recovery);
            if let Ok(Some((epoch, key))) = attach_registers(&conn, dir, grants, opts.tuning) {
                kf.grant(user, &public, VaultKey::Registers, epoch, &key)?;
                recovered = Some(epoch);
                registers = Some((epoch, key));
            }
            if registers.is_none() {
                return Err(Error::field(
                    "recovery_code",
                    "恢复码",
                    "不属于本保密库，或已因密钥轮换失效",
                ));
            }
        }
        if registers.is_none() && never_created && role == Some(Role::Officer) {
            let key = Secret::random()?;
            db::create_registers(dir, &key, opts.tuning)?;
            db::attach_registers(&conn, dir, &key, opts.tuning)?;
            kf.grant(user, &public, VaultKey::Registers, 1, &key)?;
            kf.grant(
                keyfile::RECOVERY,
                &recovery_public(&conn, &vault_id)?,
                VaultKey::Registers,
                1,
                &key,
            )?;
            registers = Some((1, key));
            created_registers = true;
        } else if registers.is_none() {
            refusal = Some((
                "no_register_key",
                Error::rule(format!(
                    "账户“{user}”尚未获得登记簿密钥：密钥由持有它的保密员或查阅账户授予，其中任一人登录一次后即自动授予，请稍后再登录；若已无人持有，请取出建库时封存的恢复码（登录界面的“使用恢复码”，或命令行 baomi recover）"
                )),
            ));
        }
    }

    // Whatever changed in the key file without a key must be what a failed sign-in may do.
    let trusted = signing_keys(&conn)?;
    let tampering = kf.unsigned_changes(now, |k| trusted.contains(k));

    // Move the pending security events into the chain, then record this login (or refusal).
    let names = account_names_by_id(&conn, &vault_id)?;
    let at = stamp(now);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for p in &kf.pending {
        let target = names.get(&p.account).cloned().unwrap_or_else(|| {
            // The id comes from an unauthenticated file: cut by characters, never bytes.
            format!("未知账户#{}", p.account.chars().take(8).collect::<String>())
        });
        let detail: serde_json::Value =
            serde_json::from_str(&p.detail).unwrap_or(serde_json::Value::String(p.detail.clone()));
        audit::append(
            &tx,
            &vault_id,
            audit::NewEntry {
                at: &p.at,
                actor: "-",
                action: &p.action,
                target: &target,
                detail,
                signer: None,
            },
        )?;
    }
    let signer = Signer {
        at: &at,
        actor: user,
        id: &id,
    };
    if !tampering.findings.is_empty() {
        signer.append(
            &tx,
            &vault_id,
            "keyfile_tampered",
            keyfile::FILE_NAME,
            serde_json::json!({
                "findings": tampering.findings,
                "refused_events": tampering.refused_events,
            }),
        )?;
    }
    let (action, detail) = match &refusal {
        Some((reason, _)) => ("login_failed", serde_json::json!({ "reason": reason })),
        None => ("login", serde_json::json!({})),
    };
    signer.append(&tx, &vault_id, action, user, detail)?;
    if let Some((mark, head)) = &restore {
        signer.append(
            &tx,
            &vault_id,
            "restore_acknowledged",
            &vault_id,
            serde_json::json!({ "mark_seq": mark.seq, "mark_at": mark.at, "head": head }),
        )?;
    }
    if let Some(epoch) = recovered {
        signer.append(
            &tx,
            &vault_id,
            "key_recovered",
            user,
            serde_json::json!({ "key": "registers", "epoch": epoch }),
        )?;
    }
    if created_registers {
        tx.execute(
            "UPDATE settings SET value = '1' WHERE key = 'registers_created'",
            [],
        )?;
        signer.append(
            &tx,
            &vault_id,
            "key_grant",
            user,
            serde_json::json!({ "key": "registers", "epoch": 1, "created": true }),
        )?;
    }
    if let Some((epoch, key)) = &registers {
        grant_registers_key(&tx, &vault_id, &mut kf, *epoch, key, &signer)?;
    }
    advance_generation(&tx, &mut kf, &id, &at, dir)?;
    tx.commit()?;
    kf.pending.clear();
    if refusal.is_none() {
        kf.clear_login_state(user);
    }
    kf.policy = db_policy;
    audit::seal_head(&conn, &mut kf, &id)?;
    kf.sign_guard(&id, &at);
    kf.write(dir)?;
    if let Some((seq, hash)) = audit::head(&conn)? {
        let mark = Mark { seq, hash, at };
        if restore.is_some() {
            opts.marks.reset(&mark_key, mark)?;
        } else {
            opts.marks.advance(&mark_key, mark)?;
        }
    }
    drop(lock);
    if let Some((_, err)) = refusal {
        return Err(err);
    }
    let (Some(a), Some(role)) = (account, role) else {
        return Err(Error::internal("账户状态不一致"));
    };
    let mut session = Session {
        dir: dir.to_path_buf(),
        conn,
        identity: id,
        keys: Keys { system, registers },
        vault_id,
        user: user.to_string(),
        display: a.display,
        role,
        must_change_password: a.must_change,
        kdf,
        clock,
        last_active: now,
        idle_lock_seconds: db_policy.idle_lock_seconds,
        marks: opts.marks.clone(),
    };
    // A disable asked for a new register key; the first 保密员 to sign in makes it.
    if role == Role::Officer
        && setting(&session.conn, "registers_rotation_due").as_deref() == Ok("1")
    {
        session.rotate(VaultKey::Registers, "account_disabled")?;
    }
    Ok(session)
}

/// Refuses a key file older than the database: each signed-in write counts in both, the key
/// file first, so after a crash the file may be ahead, never behind.
/// The database's count is the authenticated one: the file continues from it, so a count
/// inflated by an edit of the file is not carried forward.
fn check_generation(conn: &Connection, kf: &mut KeyFile) -> Result<()> {
    let recorded: u64 = setting(conn, "keyfile_generation")?
        .parse()
        .map_err(|_| Error::integrity("数据库中的密钥文件代数已损坏"))?;
    // The signed count, not the file's working copy (which anyone can edit).
    let signed = kf.guard.as_ref().map_or(0, |g| g.generation);
    if signed < recorded {
        return Err(Error::integrity(format!(
            "密钥文件比数据库旧（第 {signed} 代，数据库记录到第 {recorded} 代）：密钥文件被换成了旧副本或其签名的状态记录被删除（可能借此恢复旧口令或抹去登录失败记录），已拒绝打开"
        )));
    }
    kf.generation = recorded;
    Ok(())
}

/// Counts one signed-in write: the next generation goes into the transaction and the key file
/// is written (signed) before the commit, so the file is never behind the database.
fn advance_generation(
    tx: &Connection,
    kf: &mut KeyFile,
    id: &Identity,
    at: &str,
    dir: &Path,
) -> Result<()> {
    kf.generation += 1;
    tx.execute(
        "UPDATE settings SET value = ?1 WHERE key = 'keyfile_generation'",
        [kf.generation.to_string()],
    )?;
    kf.sign_guard(id, at);
    kf.write(dir)
}

/// Who signs the entries of one write.
struct Signer<'a> {
    at: &'a str,
    actor: &'a str,
    id: &'a Identity,
}

impl Signer<'_> {
    fn append(
        &self,
        tx: &Connection,
        vault_id: &str,
        action: &str,
        target: &str,
        detail: serde_json::Value,
    ) -> Result<()> {
        audit::append(
            tx,
            vault_id,
            audit::NewEntry::signed(self.at, self.actor, self.id, action, target, detail),
        )?;
        Ok(())
    }
}

/// Grants the register key (epoch `epoch`) to every active business account that lacks it.
fn grant_registers_key(
    tx: &Transaction<'_>,
    vault_id: &str,
    kf: &mut KeyFile,
    epoch: u32,
    key: &Secret,
    signer: &Signer<'_>,
) -> Result<()> {
    for (name, public) in entitled(tx, VaultKey::Registers)? {
        if kf.slot(&name).is_none() || kf.has_grant(&name, VaultKey::Registers, epoch) {
            continue;
        }
        kf.grant(&name, &public, VaultKey::Registers, epoch, key)?;
        signer.append(
            tx,
            vault_id,
            "key_grant",
            &name,
            serde_json::json!({ "key": "registers", "epoch": epoch }),
        )?;
    }
    if !kf.has_grant(keyfile::RECOVERY, VaultKey::Registers, epoch) {
        kf.grant(
            keyfile::RECOVERY,
            &recovery_public(tx, vault_id)?,
            VaultKey::Registers,
            epoch,
            key,
        )?;
    }
    Ok(())
}

/// The active accounts entitled to `key`, with their public keys: every enabled account for
/// the system key, enabled business accounts for the register key.
fn entitled(conn: &Connection, key: VaultKey) -> Result<Vec<(String, PublicKeys)>> {
    let sql = match key {
        VaultKey::System => {
            "SELECT name, agreement_pub, signing_pub FROM accounts WHERE disabled = 0"
        }
        VaultKey::Registers => {
            "SELECT name, agreement_pub, signing_pub FROM accounts
             WHERE disabled = 0 AND role IN ('officer', 'reader')"
        }
    };
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(name, a, s)| {
            let decode = |h: &str| -> Result<[u8; 32]> {
                hex::decode(h)
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .ok_or_else(|| Error::integrity(format!("账户“{name}”的公钥已损坏")))
            };
            let public = PublicKeys {
                agreement: decode(&a)?,
                signing: decode(&s)?,
            };
            Ok((name, public))
        })
        .collect()
}

/// The signing keys of the vault's accounts (hex), for checking the key file's guard.
fn signing_keys(conn: &Connection) -> Result<std::collections::HashSet<String>> {
    let mut stmt = conn.prepare("SELECT signing_pub FROM accounts")?;
    let keys = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(keys)
}

/// Maps the key file's account ids back to names, for recording pending events.
fn account_names_by_id(
    conn: &Connection,
    vault_id: &str,
) -> Result<std::collections::HashMap<String, String>> {
    let mut stmt = conn.prepare("SELECT name FROM accounts")?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(names
        .into_iter()
        .map(|n| (keyfile::account_id(vault_id, &n), n))
        .collect())
}

pub(crate) fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

pub(crate) fn setting(conn: &Connection, key: &str) -> Result<String> {
    conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or_else(|| Error::integrity(format!("保密库缺少设置项 {key}")))
}

/// What a write closure gets: the transaction, and the key file to change slots in.
pub struct WriteCtx<'a> {
    pub tx: &'a Transaction<'a>,
    pub keyfile: &'a mut KeyFile,
    pub(crate) session_user: &'a str,
    pub(crate) vault_id: &'a str,
    pub(crate) now: String,
    identity: &'a Identity,
    system_key: &'a (u32, Secret),
    /// Inside [`WriteCtx::as_one_act`]: record changes are audited by the act's own entry,
    /// not one entry each.
    pub(crate) one_act: bool,
    /// The act's search index rows, written together at its end.
    pub(crate) deferred_index: Vec<crate::registers::table::IndexRow>,
    /// The serial counters the act's records moved (register and counter key → the number
    /// to move past), written once each before a serial is next drawn and at the act's end:
    /// writing each sheet row's was a twentieth of a 100,000-row import (`make bench`).
    pub(crate) counters: std::collections::HashMap<(&'static str, String), i64>,
    /// Inside [`Session::rehearse`]: everything is rolled back, and nothing searches the
    /// register before, so the records' search tokens are neither made nor written (a fifth
    /// of a large sheet's dry run, `make bench`).
    pub(crate) rehearsal: bool,
}

impl WriteCtx<'_> {
    /// Runs `f` as one audited act of many record changes (a sheet's import): the caller's
    /// single entry names the register, the counts, the first and last serial and the source's
    /// digest, and each record keeps its own events and history as always. The entry per
    /// record is what a bulk import cannot afford (each is signed), and says nothing the
    /// act's entry does not. The act's search index rows are written together at its end.
    pub fn as_one_act<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let was = std::mem::replace(&mut self.one_act, true);
        let out = f(self);
        self.one_act = was;
        let index = std::mem::take(&mut self.deferred_index);
        let out = out?;
        self.write_counters()?;
        crate::registers::table::write_index(self.tx, &index)?;
        Ok(out)
    }

    /// Moves `register`'s serial counter `prefix` past `last`: at once, or inside
    /// [`WriteCtx::as_one_act`] once for the whole act ([`WriteCtx::write_counters`]).
    pub(crate) fn move_counter(
        &mut self,
        register: &'static str,
        prefix: String,
        last: i64,
    ) -> Result<()> {
        if !self.one_act {
            return crate::registers::table::move_counter(self.tx, register, &prefix, last);
        }
        let kept = self.counters.entry((register, prefix)).or_insert(last);
        *kept = (*kept).max(last);
        Ok(())
    }

    /// Writes the counters the act has moved so far (before a serial is drawn from them).
    pub(crate) fn write_counters(&mut self) -> Result<()> {
        for ((register, prefix), last) in std::mem::take(&mut self.counters) {
            crate::registers::table::move_counter(self.tx, register, &prefix, last)?;
        }
        Ok(())
    }

    /// Appends an audit entry by the signed-in account, signed with its key, in this
    /// transaction.
    pub fn audit(&self, action: &str, target: &str, detail: serde_json::Value) -> Result<()> {
        audit::append(
            self.tx,
            self.vault_id,
            audit::NewEntry::signed(
                &self.now,
                self.session_user,
                self.identity,
                action,
                target,
                detail,
            ),
        )?;
        Ok(())
    }
    pub fn now(&self) -> &str {
        &self.now
    }
    /// The signed-in account recording this change.
    pub fn actor(&self) -> &str {
        self.session_user
    }
    /// Gives `user` a new key pair under `password` and grants it the system key (the key
    /// file is written before the commit, as in every write). Returns the new public keys, which the caller stores
    /// in the account row and names in the audit entry (that is how the chain learns them).
    pub fn new_identity(
        &mut self,
        user: &str,
        password: &str,
        kdf: KdfParams,
    ) -> Result<PublicKeys> {
        let id = Identity::generate()?;
        self.keyfile.revoke(user);
        self.keyfile.set_slot(user, password, &id, kdf)?;
        let (epoch, key) = self.system_key;
        self.keyfile
            .grant(user, &id.public(), VaultKey::System, *epoch, key)?;
        Ok(id.public())
    }
    /// Rewraps the signed-in account's own keys under a new password.
    pub fn rewrap_own(&mut self, password: &str, kdf: KdfParams) -> Result<()> {
        self.keyfile
            .set_slot(self.session_user, password, self.identity, kdf)?;
        Ok(())
    }
}

impl Session {
    /// The signed-in account's display name (as printed on forms).
    pub fn display_name(&self) -> &str {
        &self.display
    }
    pub fn user(&self) -> &str {
        &self.user
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    pub fn vault_id(&self) -> &str {
        &self.vault_id
    }
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
    /// Whether this session holds the register key (a business account).
    pub fn holds_registers(&self) -> bool {
        self.keys.registers.is_some()
    }

    pub fn info(&self) -> Result<SessionInfo> {
        Ok(SessionInfo {
            user: self.user.clone(),
            display: self.display.clone(),
            role: self.role,
            role_label: self.role.label().to_string(),
            unit: setting(&self.conn, "unit_name")?,
            must_change_password: self.must_change_password,
            idle_lock_seconds: self.idle_lock_seconds,
            nav: roles::navigation(self.role),
            ops: Op::ALL
                .into_iter()
                .filter(|op| roles::allows(self.role, *op))
                .collect(),
            today: crate::dates::iso(self.today()),
        })
    }

    /// Refuses `op` unless this account's role allows it; a refusal is itself audited.
    pub fn require(&mut self, op: Op) -> Result<()> {
        if self.must_change_password {
            return Err(Error::rule("请先修改初始口令，再进行其他操作"));
        }
        if roles::allows(self.role, op) {
            return self.still_on_post(op);
        }
        let role = self.role;
        self.write(|w| {
            w.audit(
                "permission_denied",
                "",
                serde_json::json!({ "op": op, "role": role.as_str() }),
            )
        })?;
        Err(roles::denied(role, op))
    }

    /// Register business stops the day the secret-related person of this account left the
    /// post (the personnel register marks the account when the 保密员 records the leaving).
    fn still_on_post(&mut self, op: Op) -> Result<()> {
        if !matches!(op, Op::ReadRegisters | Op::WriteRegisters | Op::Print) {
            return Ok(());
        }
        let left: Option<String> = self
            .conn()
            .query_row(
                "SELECT person_left_on FROM accounts WHERE name = ?1",
                [&self.user],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let today = crate::dates::iso(self.now().with_timezone(&chrono::Local).date_naive());
        match left {
            Some(day) if day <= today => {
                let role = self.role;
                self.write(|w| {
                    w.audit(
                        "permission_denied",
                        "",
                        serde_json::json!({ "op": op, "role": role.as_str(), "person_left_on": day }),
                    )
                })?;
                Err(Error::permission(format!(
                    "本账户对应的涉密人员已于 {day} 离岗，不能再办理台账业务；请系统管理员停用本账户"
                )))
            }
            _ => Ok(()),
        }
    }

    /// Records activity; fails with `SessionLocked` when the idle timeout has already passed,
    /// in which case the caller must drop the session (see [`Session::lock`]).
    pub fn touch(&mut self) -> Result<()> {
        let now = self.clock.now();
        if (now - self.last_active).num_seconds() > i64::from(self.idle_lock_seconds) {
            return Err(Error::new(
                Code::SessionLocked,
                "会话闲置超时，已自动锁定，请重新登录",
            ));
        }
        self.last_active = now;
        Ok(())
    }

    /// Whether the idle timeout has passed without activity.
    pub fn idle_expired(&self) -> bool {
        (self.clock.now() - self.last_active).num_seconds() > i64::from(self.idle_lock_seconds)
    }

    /// Ends the session: records why, then drops the connection and zeroizes the keys.
    pub fn lock(mut self, idle: bool) -> Result<()> {
        let action = if idle { "idle_lock" } else { "lock" };
        self.write(|w| w.audit(action, "", serde_json::json!({})))
    }

    /// Runs `f` in one immediate transaction (spanning both databases), then seals the new log
    /// head and re-signs the guard in the key file, and moves the installation's mark.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut WriteCtx<'_>) -> Result<T>) -> Result<T> {
        let _lock = keyfile::lock(&self.dir)?;
        let mut kf = KeyFile::read(&self.dir)?;
        let now = stamp(self.clock.now());
        let trusted = signing_keys(&self.conn)?;
        let tampering = kf.unsigned_changes(self.clock.now(), |k| trusted.contains(k));
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut ctx = WriteCtx {
            tx: &tx,
            keyfile: &mut kf,
            session_user: &self.user,
            vault_id: &self.vault_id,
            now,
            identity: &self.identity,
            system_key: &self.keys.system,
            one_act: false,
            deferred_index: Vec::new(),
            counters: std::collections::HashMap::new(),
            rehearsal: false,
        };
        if !tampering.findings.is_empty() {
            ctx.audit(
                "keyfile_tampered",
                keyfile::FILE_NAME,
                serde_json::json!({
                    "findings": tampering.findings,
                    "refused_events": tampering.refused_events,
                }),
            )?;
        }
        let out = f(&mut ctx)?;
        let now = ctx.now.clone();
        check_generation(&tx, &mut kf)?;
        // The key file (slots included) is written before the commit: a slot without its
        // account row is harmless, the reverse is not; and the file is never behind.
        advance_generation(&tx, &mut kf, &self.identity, &now, &self.dir)?;
        tx.commit()?;
        audit::seal_head(&self.conn, &mut kf, &self.identity)?;
        kf.sign_guard(&self.identity, &now);
        kf.write(&self.dir)?;
        if let Some((seq, hash)) = audit::head(&self.conn)? {
            self.marks.advance(
                &marks::key(&self.vault_id, &self.dir),
                Mark { seq, hash, at: now },
            )?;
        }
        Ok(out)
    }

    /// Runs `f` as [`Session::write`] would, then rolls everything back: what an import would
    /// do, found by doing it, without changing anything (a dry run). The records' search
    /// tokens are left out ([`WriteCtx::rehearsal`]).
    pub fn rehearse<T>(&mut self, f: impl FnOnce(&mut WriteCtx<'_>) -> Result<T>) -> Result<T> {
        let _lock = keyfile::lock(&self.dir)?;
        let mut kf = KeyFile::read(&self.dir)?;
        let now = stamp(self.clock.now());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut ctx = WriteCtx {
            tx: &tx,
            keyfile: &mut kf,
            session_user: &self.user,
            vault_id: &self.vault_id,
            now,
            identity: &self.identity,
            system_key: &self.keys.system,
            one_act: false,
            deferred_index: Vec::new(),
            counters: std::collections::HashMap::new(),
            rehearsal: true,
        };
        let out = f(&mut ctx);
        tx.rollback()?;
        out
    }

    /// The auditor's view of the log.
    pub fn audit_list(&mut self, filter: &audit::Filter) -> Result<audit::Page> {
        self.require(Op::ReadAudit)?;
        audit::list(&self.conn, filter)
    }

    /// Verifies the whole chain (links, hashes, signatures) against the sealed head and the
    /// newest checkpoint; the verification itself is logged after the check, so it never
    /// masks what it found.
    pub fn audit_verify(&mut self) -> Result<audit::Report> {
        self.require(Op::ReadAudit)?;
        let checkpoint = audit::latest_checkpoint(&self.conn)?;
        self.verify_against(checkpoint.as_ref())
    }

    /// Verifies the chain as [`Session::audit_verify`] does, and against a checkpoint the
    /// auditor holds on paper (its sequence and head hash, typed as printed: the groups'
    /// spaces and dashes are ignored, see [`audit::parse_head`]): a log rewritten or rolled
    /// back together with its checkpoints table still disagrees with the paper.
    pub fn audit_verify_paper(&mut self, seq: i64, head: &str) -> Result<audit::Report> {
        self.require(Op::ReadAudit)?;
        if seq < 1 {
            return Err(Error::field("seq", "序号", "应为检查点单上的正整数"));
        }
        let head = audit::parse_head(head)?;
        let head = head.as_str();
        let stored = audit::hash_at(&self.conn, seq)?;
        if stored.as_deref() != Some(head) {
            let entries = audit::head(&self.conn)?.map_or(0, |h| h.0);
            return Ok(audit::Report {
                intact: false,
                entries,
                first_broken: Some(seq.min(entries + 1).max(1)),
                problem: format!(
                    "日志与纸质检查点不符：回执记录第 {seq} 条的头哈希为 {}…，库中{}（日志被改写或回退）",
                    head.chars().take(16).collect::<String>(),
                    match stored {
                        None => format!("只有 {entries} 条"),
                        Some(_) => "该条内容不同".to_string(),
                    }
                ),
            });
        }
        self.audit_verify()
    }

    fn verify_against(&mut self, checkpoint: Option<&audit::Checkpoint>) -> Result<audit::Report> {
        let kf = KeyFile::read(&self.dir)?;
        let anchors = audit::Anchors {
            seal: kf.seal.as_ref(),
            checkpoint,
        };
        let report = audit::verify(&self.conn, &self.vault_id, anchors)?;
        if report.intact {
            let entries = report.entries;
            self.write(|w| {
                w.audit(
                    "audit_verify",
                    "",
                    serde_json::json!({ "intact": true, "entries": entries }),
                )
            })?;
        }
        Ok(report)
    }

    pub fn policy(&mut self) -> Result<Policy> {
        self.require(Op::ViewPolicy)?;
        self.current_policy()
    }

    pub(crate) fn current_policy(&self) -> Result<Policy> {
        serde_json::from_str(&setting(&self.conn, "security_policy")?)
            .map_err(|_| Error::integrity("数据库中的安全策略已损坏"))
    }

    /// Replaces the security policy (安全保密管理员 only).
    pub fn set_policy(&mut self, policy: Policy) -> Result<Policy> {
        self.require(Op::SetPolicy)?;
        policy.validate()?;
        let old = self.current_policy()?;
        let json = policy_json(&policy)?;
        self.write(|w| {
            w.tx.execute(
                "UPDATE settings SET value = ?1 WHERE key = 'security_policy'",
                [&json],
            )?;
            w.keyfile.policy = policy;
            w.audit(
                "policy_set",
                "security_policy",
                serde_json::json!({ "old": old, "new": policy }),
            )
        })?;
        self.idle_lock_seconds = policy.idle_lock_seconds;
        Ok(policy)
    }

    /// The unit's name (shown in the title bar and printed on forms).
    pub fn unit_name(&self) -> Result<String> {
        setting(&self.conn, "unit_name")
    }

    /// Renames the unit (系统管理员 only).
    pub fn set_unit_name(&mut self, unit: &str) -> Result<()> {
        self.require(Op::Settings)?;
        validate_unit(unit)?;
        let old = self.unit_name()?;
        let unit = unit.trim().to_string();
        self.write(|w| {
            w.tx.execute(
                "UPDATE settings SET value = ?1 WHERE key = 'unit_name'",
                [&unit],
            )?;
            w.audit(
                "settings_set",
                "unit_name",
                serde_json::json!({ "old": old, "new": unit }),
            )
        })
    }

    /// Signs the log head as the 安全审计员 saw it: a checkpoint kept in the vault, on the
    /// installation's mark, and printed on paper. `audit verify` checks the log against the
    /// newest one, so a log rewritten or rolled back behind it cannot pass.
    pub fn audit_checkpoint(&mut self) -> Result<audit::Checkpoint> {
        self.require(Op::ReadAudit)?;
        let report = self.audit_verify()?;
        if !report.intact {
            return Err(Error::integrity(format!(
                "审计日志不完整，不能签署检查点：{}",
                report.problem
            )));
        }
        let Some((seq, head)) = audit::head(&self.conn)? else {
            return Err(Error::internal("审计日志为空"));
        };
        let checkpoint = audit::Checkpoint::make(
            &self.vault_id,
            &self.identity,
            &self.user,
            seq,
            &head,
            &stamp(self.clock.now()),
        );
        let c = checkpoint.clone();
        self.write(|w| {
            audit::store_checkpoint(w.tx, &c)?;
            w.audit(
                "audit_checkpoint",
                "",
                serde_json::json!({ "seq": c.seq, "head": c.head, "at": c.at }),
            )
        })?;
        Ok(checkpoint)
    }

    /// The vault's files as they are between two transactions, for a backup to `target`
    /// (named in the audit): the backup is recorded first (the day, for the reminder when the
    /// last backup grows old, and the audit entry, so the copy contains its own entry), then
    /// the files are read under the vault lock, so no writer commits while they are read
    /// (with rollback journals a database file between transactions is complete on its own).
    /// Also returns the audit log's head (sequence and hash) the copy holds.
    pub(crate) fn snapshot(&mut self, target: &str) -> Result<Snapshot> {
        self.require(Op::Backup)?;
        let today = crate::dates::iso(self.today());
        self.write(|w| {
            w.tx.execute(
                "INSERT INTO settings (key, value) VALUES ('last_backup_on', ?1)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [&today],
            )?;
            w.audit("backup", target, serde_json::json!({}))
        })?;
        let _lock = keyfile::lock(&self.dir)?;
        let head = audit::head(&self.conn)?.unwrap_or_default();
        let mut files = Vec::new();
        for file in [db::FILE_NAME, db::REGISTERS_FILE, keyfile::FILE_NAME] {
            let path = self.dir.join(file);
            if !path.exists() {
                continue;
            }
            let bytes = std::fs::read(&path).map_err(|e| Error::io("读取保密库文件", &e))?;
            files.push((file.to_string(), bytes));
        }
        Ok(Snapshot {
            vault_id: self.vault_id.clone(),
            unit: self.unit_name()?,
            seq: head.0,
            head: head.1,
            files,
        })
    }

    /// The signed-in account's private keys (a backup is signed with them).
    pub(crate) fn account_identity(&self) -> &Identity {
        &self.identity
    }

    /// Rotates the keys this account may rotate, on demand: the 系统管理员 the system key, a
    /// 保密员 the register key. Old `vault.keys` copies, and the passwords in them, no longer
    /// open the databases afterwards.
    pub fn rotate_keys(&mut self) -> Result<Vec<VaultKey>> {
        let mut rotated = Vec::new();
        if roles::allows(self.role, Op::ManageAccounts) {
            self.require(Op::ManageAccounts)?;
            self.rotate(VaultKey::System, "on_demand")?;
            rotated.push(VaultKey::System);
        }
        if roles::allows(self.role, Op::WriteRegisters) && self.keys.registers.is_some() {
            self.require(Op::WriteRegisters)?;
            self.rotate(VaultKey::Registers, "on_demand")?;
            rotated.push(VaultKey::Registers);
        }
        if rotated.is_empty() {
            // Audited like every refusal (系统密钥由系统管理员轮换，登记簿密钥由保密员轮换).
            self.require(Op::WriteRegisters)?;
        }
        Ok(rotated)
    }

    /// Re-encrypts one database under a new key, granted to every account entitled to it.
    /// Crash-safe in three steps: the new grants are added to the key file beside the old
    /// ones; the database is rekeyed and the rotation audited in one transaction; then the
    /// old grants are dropped. Sign-in tries the newest grant first and falls back, so a crash
    /// at any point leaves a vault that opens.
    pub(crate) fn rotate(&mut self, which: VaultKey, reason: &str) -> Result<()> {
        let (epoch, schema) = match (which, &self.keys.registers) {
            (VaultKey::System, _) => (self.keys.system.0, "main"),
            (VaultKey::Registers, Some((e, _))) => (*e, db::REGISTERS_SCHEMA),
            (VaultKey::Registers, None) => {
                return Err(Error::permission("没有登记簿密钥，不能轮换".to_string()))
            }
        };
        let next = epoch + 1;
        let key = Secret::random()?;
        let entitled = entitled(&self.conn, which)?;
        {
            let _lock = keyfile::lock(&self.dir)?;
            let mut kf = KeyFile::read(&self.dir)?;
            for (name, public) in &entitled {
                if kf.slot(name).is_some() {
                    kf.grant(name, public, which, next, &key)?;
                }
            }
            if which == VaultKey::Registers {
                let recovery = recovery_public(&self.conn, &self.vault_id)?;
                kf.grant(keyfile::RECOVERY, &recovery, which, next, &key)?;
            }
            kf.write(&self.dir)?;
        }
        db::rekey(&self.conn, schema, &key)?;
        let count = entitled.len();
        let code = match which {
            VaultKey::System => "system",
            VaultKey::Registers => "registers",
        };
        self.write(|w| {
            if which == VaultKey::Registers {
                w.tx.execute(
                    "UPDATE settings SET value = '0' WHERE key = 'registers_rotation_due'",
                    [],
                )?;
            }
            w.keyfile.drop_grants_before(which, next);
            w.audit(
                "key_rotate",
                "",
                serde_json::json!({ "key": code, "epoch": next, "accounts": count, "reason": reason }),
            )
        })?;
        match which {
            VaultKey::System => self.keys.system = (next, key),
            VaultKey::Registers => self.keys.registers = Some((next, key)),
        }
        Ok(())
    }
}

impl Session {
    /// The KDF parameters new or rewrapped slots get: those of the signed-in account's own
    /// slot, never the key file's first slot (which anyone with the folder can edit).
    pub(crate) fn kdf_params(&self) -> KdfParams {
        self.kdf
    }
    pub(crate) fn clear_must_change(&mut self) {
        self.must_change_password = false;
    }
}
