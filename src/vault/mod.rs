//! The vault: creating it, signing in, and the [`Session`] every operation runs through.
//!
//! Contract: a vault is one folder holding `vault.db` (SQLCipher, keyed with a random 256-bit
//! data key) and `vault.keys` (one Argon2id key slot per account, see [`crate::vault::keyfile`]).
//! The only way to read or change anything is a [`Session`], obtained by [`login`] with an
//! account's password; it holds the connection and the data key (zeroized when the session is
//! dropped or locked). Every operation checks the account's role with [`Session::require`]
//! before it touches data, and every change goes through [`Session::write`], which appends the
//! audit entries in the same transaction and then advances the seal in the key file.

pub mod accounts;
pub mod audit;
pub mod crypto;
pub mod db;
pub mod keyfile;
pub mod policy;
pub mod roles;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::clock::{stamp, Clock};
use crate::error::{Code, Error, Result};
use crate::vault::crypto::{KdfParams, Secret};
use crate::vault::keyfile::{KeyFile, PendingEvent};
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
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub kdf: KdfParams,
    pub tuning: db::Tuning,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            kdf: KdfParams::standard(),
            tuning: db::Tuning::default(),
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
    let t = display.trim();
    if t.is_empty() {
        return Err(Error::field("display", "姓名", "不能为空"));
    }
    if t.chars().count() > 32 || t.chars().any(char::is_control) {
        return Err(Error::field(
            "display",
            "姓名",
            "不得超过 32 个字符，且不能含控制字符",
        ));
    }
    Ok(())
}

fn validate_unit(unit: &str) -> Result<()> {
    let t = unit.trim();
    if t.is_empty() {
        return Err(Error::field("unit", "单位名称", "不能为空"));
    }
    if t.chars().count() > 64 || t.chars().any(char::is_control) {
        return Err(Error::field(
            "unit",
            "单位名称",
            "不得超过 64 个字符，且不能含控制字符",
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

/// Creates a new vault in `dir` (created if missing; must hold no vault).
pub fn init(dir: &Path, req: &InitRequest, opts: Options, clock: &dyn Clock) -> Result<()> {
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

    if exists(dir) || dir.join(db::FILE_NAME).exists() {
        return Err(Error::conflict(format!(
            "“{}”已有保密库，未做任何改动",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io("创建保密库文件夹", &e))?;
    keyfile::restrict(dir, true);
    let _lock = keyfile::lock(dir)?;

    let data_key = Secret::random()?;
    let vault_id = hex::encode(crypto::random_bytes::<16>()?);
    let now = stamp(clock.now());
    let mut kf = KeyFile::new(vault_id.clone(), policy);
    for (a, ..) in &accounts {
        kf.set_slot(&a.name, &a.password, &data_key, opts.kdf)?;
    }

    let mut conn = db::open(dir, &data_key, true, opts.tuning)?;
    keyfile::restrict(&dir.join(db::FILE_NAME), false);
    db::migrate(&mut conn)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let settings = [
        ("vault_id", vault_id.clone()),
        ("unit_name", req.unit.trim().to_string()),
        ("created_at", now.clone()),
        ("security_policy", policy_json(&policy)?),
    ];
    for (k, v) in settings {
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)",
            params![k, v],
        )?;
    }
    audit::append(
        &tx,
        &vault_id,
        audit::NewEntry {
            at: &now,
            actor: &req.admin.name,
            action: "vault_create",
            target: req.unit.trim(),
            detail: serde_json::json!({ "schema_version": db::schema_version() }),
        },
    )?;
    for (a, role, ..) in &accounts {
        tx.execute(
            "INSERT INTO accounts (name, display, role, created_at, created_by) VALUES (?1, ?2, ?3, ?4, '初始化')",
            params![a.name, a.display.trim(), role.as_str(), now],
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
            },
        )?;
    }
    tx.commit()?;
    audit::seal_head(&conn, &mut kf, &data_key)?;
    // The key file is written last: its existence is what makes the folder a vault.
    kf.write(dir)?;
    Ok(())
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

/// A signed-in account's handle on an open vault.
pub struct Session {
    dir: PathBuf,
    conn: Connection,
    key: Secret,
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
    tuning: db::Tuning,
) -> Result<Session> {
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
    let state = kf.login_state(user).clone();
    if let Some(until) = state.locked_until.as_deref().and_then(parse_time) {
        if now < until {
            kf.pending.push(PendingEvent {
                at: stamp(now),
                account: keyfile::account_id(&kf.vault_id, user),
                action: "login_failed".into(),
                detail: serde_json::json!({ "reason": "account_locked" }).to_string(),
            });
            kf.write(dir)?;
            return Err(locked_message(user, until, now));
        }
    }
    let unwrapped = kf.unwrap_key(user, password)?;
    // The parameters of the slot that just opened are authenticated (bound as associated
    // data); they, not whatever slot comes first in the file, are what new slots get.
    let kdf = kf.slot(user).map(|s| s.kdf);
    let Some(key) = unwrapped else {
        let st = kf.login_state(user);
        st.failures = st.failures.saturating_add(1);
        st.locked_until = None;
        let failures = st.failures;
        kf.pending.push(PendingEvent {
            at: stamp(now),
            account: keyfile::account_id(&kf.vault_id, user),
            action: "login_failed".into(),
            detail: serde_json::json!({ "reason": "wrong_password", "failures": failures })
                .to_string(),
        });
        let err = if failures >= policy.max_failures {
            let until = now + Duration::minutes(i64::from(policy.lockout_minutes));
            let st = kf.login_state(user);
            st.failures = 0;
            st.locked_until = Some(stamp(until));
            kf.pending.push(PendingEvent {
                at: stamp(now),
                account: keyfile::account_id(&kf.vault_id, user),
                action: "account_locked".into(),
                detail: serde_json::json!({ "minutes": policy.lockout_minutes }).to_string(),
            });
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

    let mut conn = db::open(dir, &key, false, tuning)?;
    db::migrate(&mut conn)?;
    let vault_id = setting(&conn, "vault_id")?;
    if vault_id != kf.vault_id {
        return Err(Error::integrity("密钥文件与数据库不属于同一个保密库"));
    }
    let account: Option<(String, Option<String>, bool, bool)> = conn
        .query_row(
            "SELECT display, role, disabled, must_change_password FROM accounts WHERE name = ?1",
            [user],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let db_policy: Policy = serde_json::from_str(&setting(&conn, "security_policy")?)
        .map_err(|_| Error::integrity("数据库中的安全策略已损坏"))?;

    let refusal = match &account {
        None => Some((
            "no_account",
            Error::new(Code::AuthFailed, "账户名或口令错误"),
        )),
        Some((_, _, true, _)) => Some((
            "account_disabled",
            Error::new(
                Code::Locked,
                format!("账户“{user}”已被停用，请联系系统管理员"),
            ),
        )),
        Some((_, None, _, _)) => Some((
            "no_role",
            Error::rule(format!(
                "账户“{user}”尚未分配角色，请联系安全保密管理员分配角色后再登录"
            )),
        )),
        _ => None,
    };

    // Move the pending security events into the chain, then record this login (or refusal).
    let names = account_names_by_id(&conn, &vault_id)?;
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
            },
        )?;
    }
    let (action, detail) = match &refusal {
        Some((reason, _)) => ("login_failed", serde_json::json!({ "reason": reason })),
        None => ("login", serde_json::json!({})),
    };
    audit::append(
        &tx,
        &vault_id,
        audit::NewEntry {
            at: &stamp(now),
            actor: if refusal.is_some() { "-" } else { user },
            action,
            target: user,
            detail,
        },
    )?;
    tx.commit()?;
    kf.pending.clear();
    if refusal.is_none() {
        kf.clear_login_state(user);
    }
    kf.policy = db_policy;
    audit::seal_head(&conn, &mut kf, &key)?;
    kf.write(dir)?;
    drop(lock);
    if let Some((_, err)) = refusal {
        return Err(err);
    }
    let (Some((display, Some(role), _, must_change)), Some(kdf)) = (account, kdf) else {
        return Err(Error::internal("账户状态不一致"));
    };
    Ok(Session {
        dir: dir.to_path_buf(),
        conn,
        key,
        vault_id,
        user: user.to_string(),
        display,
        role: Role::parse(&role).map_err(|_| Error::integrity("数据库中的角色无效"))?,
        must_change_password: must_change,
        kdf,
        clock,
        last_active: now,
        idle_lock_seconds: db_policy.idle_lock_seconds,
    })
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
    /// Set when the closure changed a key slot; the key file is then written before commit.
    pub slots_changed: bool,
    pub(crate) session_user: &'a str,
    pub(crate) vault_id: &'a str,
    pub(crate) now: String,
    pub(crate) key: &'a Secret,
}

impl WriteCtx<'_> {
    /// Appends an audit entry by the signed-in account, in this transaction.
    pub fn audit(&self, action: &str, target: &str, detail: serde_json::Value) -> Result<()> {
        audit::append(
            self.tx,
            self.vault_id,
            audit::NewEntry {
                at: &self.now,
                actor: self.session_user,
                action,
                target,
                detail,
            },
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
    /// Adds or replaces `user`'s key slot; the key file is written before the commit.
    pub fn set_slot(&mut self, user: &str, password: &str, kdf: KdfParams) -> Result<()> {
        self.keyfile.set_slot(user, password, self.key, kdf)?;
        self.slots_changed = true;
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
            return Ok(());
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

    /// Ends the session: records why, then drops the connection and zeroizes the key.
    pub fn lock(mut self, idle: bool) -> Result<()> {
        let action = if idle { "idle_lock" } else { "lock" };
        self.write(|w| w.audit(action, "", serde_json::json!({})))
    }

    /// Runs `f` in one immediate transaction, then seals the new log head in the key file.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut WriteCtx<'_>) -> Result<T>) -> Result<T> {
        let _lock = keyfile::lock(&self.dir)?;
        let mut kf = KeyFile::read(&self.dir)?;
        let now = stamp(self.clock.now());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut ctx = WriteCtx {
            tx: &tx,
            keyfile: &mut kf,
            slots_changed: false,
            session_user: &self.user,
            vault_id: &self.vault_id,
            now,
            key: &self.key,
        };
        let out = f(&mut ctx)?;
        if ctx.slots_changed {
            // Slot first: a slot without its account row is harmless, the reverse is not.
            kf.write(&self.dir)?;
        }
        tx.commit()?;
        audit::seal_head(&self.conn, &mut kf, &self.key)?;
        kf.write(&self.dir)?;
        Ok(out)
    }

    /// The auditor's view of the log.
    pub fn audit_list(&mut self, filter: &audit::Filter) -> Result<audit::Page> {
        self.require(Op::ReadAudit)?;
        audit::list(&self.conn, filter)
    }

    /// Verifies the whole chain against the sealed head; the verification itself is logged
    /// after the check, so it never masks what it found.
    pub fn audit_verify(&mut self) -> Result<audit::Report> {
        self.require(Op::ReadAudit)?;
        let kf = KeyFile::read(&self.dir)?;
        let report = audit::verify(&self.conn, &self.vault_id, kf.seal.as_ref(), &self.key)?;
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

    /// Writes an encrypted copy of the whole vault (database and key file) to `dest`, which
    /// must be a new or empty folder. The copy opens with the same accounts and passwords.
    pub fn backup(&mut self, dest: &Path) -> Result<()> {
        self.require(Op::Backup)?;
        if dest.exists() {
            let empty = std::fs::read_dir(dest)
                .map_err(|e| Error::io("读取备份文件夹", &e))?
                .next()
                .is_none();
            if !empty {
                return Err(Error::field(
                    "out",
                    "备份位置",
                    format!("“{}”不是空文件夹", dest.display()),
                ));
            }
        }
        std::fs::create_dir_all(dest).map_err(|e| Error::io("创建备份文件夹", &e))?;
        keyfile::restrict(dest, true);
        let dest_display = dest.display().to_string();
        // Record the backup first so the copy contains its own audit entry.
        self.write(|w| w.audit("backup", &dest_display, serde_json::json!({})))?;
        // Hold the vault lock so no writer moves the seal past the copied database.
        let _lock = keyfile::lock(&self.dir)?;
        {
            let mut target = Connection::open(dest.join(db::FILE_NAME))?;
            db::apply_key(&target, &self.key)?;
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut target)?;
            backup.run_to_completion(256, std::time::Duration::from_millis(0), None)?;
        }
        let kf = KeyFile::read(&self.dir)?;
        kf.write(dest)?;
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
