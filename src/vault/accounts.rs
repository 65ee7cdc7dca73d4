//! Accounts: creating, disabling, resetting, assigning business roles, changing passwords.
//!
//! Contract: the system administrator creates, disables and enables accounts and resets the
//! passwords of business accounts; the security administrator alone gives an account its
//! business role (保密员 or 查阅); the three administrator accounts are fixed at vault creation
//! and can be neither disabled, re-roled nor reset by another administrator. A new or reset
//! account must change its password at first login; a reset also clears the business role,
//! so using the account again needs the 安全保密管理员 too. Every change is audited.
//!
//! Keys follow the accounts: a new or reset account gets a fresh key pair under its initial
//! password and the system key (named in the audit entry, which is how the signed log learns
//! the key); the register key reaches it from a 保密员 (see [`crate::vault`]). Disabling an
//! account removes its slot and grants and rotates the system key at once and the register
//! key at the next 保密员's sign-in; enabling it again needs a reset (a new key pair).

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::vault::keyfile::{KeyFile, VaultKey};
use crate::vault::roles::{Op, Role};
use crate::vault::{validate_display, validate_name, NewAccount, Session};

/// An account as listed to administrators (no secret ever leaves the core).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Account {
    pub name: String,
    pub display: String,
    /// `null` until the security administrator assigns a role.
    pub role: Option<Role>,
    pub role_label: String,
    pub disabled: bool,
    pub must_change_password: bool,
    pub created_at: String,
    pub created_by: String,
    /// Set while the account is locked out after wrong passwords.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<String>,
    /// The day the secret-related person of this account left the post (recorded by the
    /// 保密员 in the personnel register): the account works no more for register business and
    /// is to be disabled.
    #[ts(type = "string | null")]
    pub person_left_on: Option<String>,
}

struct Row {
    role: Option<String>,
    disabled: bool,
}

impl Session {
    fn account_row(&self, name: &str) -> Result<Row> {
        self.conn()
            .query_row(
                "SELECT role, disabled FROM accounts WHERE name = ?1",
                [name],
                |r| {
                    Ok(Row {
                        role: r.get(0)?,
                        disabled: r.get(1)?,
                    })
                },
            )
            .optional()?
            .ok_or_else(|| Error::not_found(format!("账户“{name}”不存在")))
    }

    fn refuse_administrator(&self, name: &str, row: &Row, what: &str) -> Result<()> {
        let role = row.role.as_deref().map(Role::parse).transpose()?;
        if role.is_some_and(Role::is_administrator) {
            return Err(Error::rule(format!(
                "三员分立：不能{what}管理员账户“{name}”（{}）",
                role.map(Role::label).unwrap_or_default()
            )));
        }
        Ok(())
    }

    pub fn list_accounts(&mut self) -> Result<Vec<Account>> {
        self.require(Op::ViewAccounts)?;
        let kf = KeyFile::read(self.dir())?;
        let now = self.now();
        let mut stmt = self.conn().prepare(
            "SELECT name, display, role, disabled, must_change_password, created_at, created_by,
                    person_left_on
             FROM accounts ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, bool>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(
                |(name, display, role, disabled, must_change, created_at, created_by, left_on)| {
                    let role = role.as_deref().map(Role::parse).transpose()?;
                    let locked_until = kf
                        .login_state_of(&name)
                        .and_then(|s| s.locked_until.clone())
                        .filter(|u| crate::vault::parse_time(u).is_some_and(|t| t > now));
                    Ok(Account {
                        role_label: role.map(Role::label).unwrap_or("待分配角色").to_string(),
                        name,
                        display,
                        role,
                        disabled,
                        must_change_password: must_change,
                        created_at,
                        created_by,
                        locked_until,
                        person_left_on: left_on,
                    })
                },
            )
            .collect()
    }

    /// Creates an account without a role; the security administrator assigns one.
    pub fn add_account(&mut self, new: &NewAccount) -> Result<()> {
        self.require(Op::ManageAccounts)?;
        validate_name(&new.name)?;
        validate_display(&new.display)?;
        self.current_policy()?
            .check_password(&new.password, &new.name)?;
        let exists: bool = self
            .conn()
            .query_row(
                "SELECT count(*) FROM accounts WHERE name = ?1",
                [&new.name],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)?;
        if exists {
            return Err(Error::field(
                "name",
                "账户名",
                format!("“{}”已存在", new.name),
            ));
        }
        let kdf = self.kdf_params();
        let display = new.display.trim().to_string();
        let creator = self.user().to_string();
        self.write(|w| {
            let public = w.new_identity(&new.name, &new.password, kdf)?;
            w.tx.execute(
                "INSERT INTO accounts (name, display, role, must_change_password, created_at, created_by, agreement_pub, signing_pub)
                 VALUES (?1, ?2, NULL, 1, ?3, ?4, ?5, ?6)",
                params![new.name, display, w.now(), creator, hex::encode(public.agreement), public.signer()],
            )?;
            w.audit(
                "account_create",
                &new.name,
                serde_json::json!({ "display": display, "signing_pub": public.signer() }),
            )
        })
    }

    pub fn set_account_disabled(&mut self, name: &str, disabled: bool) -> Result<()> {
        self.require(Op::ManageAccounts)?;
        let row = self.account_row(name)?;
        self.refuse_administrator(name, &row, if disabled { "停用" } else { "启用" })?;
        if row.disabled == disabled {
            return Err(Error::rule(format!(
                "账户“{name}”已经是{}状态",
                if disabled { "停用" } else { "启用" }
            )));
        }
        if !disabled && KeyFile::read(self.dir())?.slot(name).is_none() {
            return Err(Error::rule(format!(
                "账户“{name}”停用时其密钥已被撤销：请先为其重置口令（生成新密钥），再启用"
            )));
        }
        self.write(|w| {
            w.tx.execute(
                "UPDATE accounts SET disabled = ?1 WHERE name = ?2",
                params![disabled, name],
            )?;
            if disabled {
                // Revocation: the slot and every grant go now; the keys it could open rotate.
                w.keyfile.revoke(name);
                w.tx.execute(
                    "UPDATE settings SET value = '1' WHERE key = 'registers_rotation_due'",
                    [],
                )?;
            }
            w.audit(
                if disabled {
                    "account_disable"
                } else {
                    "account_enable"
                },
                name,
                serde_json::json!({}),
            )
        })?;
        if disabled {
            self.rotate(VaultKey::System, "account_disabled")?;
        }
        Ok(())
    }

    /// Sets a new initial password for a business account; it must be changed at next login.
    /// The reset also clears the account's business role, so the 系统管理员, who now knows the
    /// password, cannot use the account alone: it signs in again only after the 安全保密管理员
    /// assigns a role (no solo takeover).
    pub fn reset_password(&mut self, name: &str, password: &str) -> Result<()> {
        self.require(Op::ManageAccounts)?;
        let row = self.account_row(name)?;
        self.refuse_administrator(name, &row, "重置口令的")?;
        self.current_policy()?.check_password(password, name)?;
        let kdf = self.kdf_params();
        self.write(|w| {
            // A new key pair: the old one is wrapped under a password nobody here knows, and
            // the register key it held goes with it until a 保密员 grants it again.
            let public = w.new_identity(name, password, kdf)?;
            w.keyfile.clear_login_state(name);
            w.tx.execute(
                "UPDATE accounts SET must_change_password = 1, role = NULL, agreement_pub = ?2, signing_pub = ?3
                 WHERE name = ?1",
                params![name, hex::encode(public.agreement), public.signer()],
            )?;
            w.audit(
                "password_reset",
                name,
                serde_json::json!({ "role_cleared": row.role, "signing_pub": public.signer() }),
            )
        })
    }

    /// Ends a lockout early (系统管理员), e.g. after the person proved who they are.
    pub fn unlock_account(&mut self, name: &str) -> Result<()> {
        self.require(Op::ManageAccounts)?;
        self.account_row(name)?;
        let kf = KeyFile::read(self.dir())?;
        let now = self.now();
        let locked = kf
            .login_state_of(name)
            .and_then(|s| s.locked_until.as_deref())
            .and_then(crate::vault::parse_time)
            .is_some_and(|t| t > now);
        if !locked {
            return Err(Error::rule(format!("账户“{name}”当前未被锁定")));
        }
        self.write(|w| {
            w.keyfile.clear_login_state(name);
            w.audit("account_unlock", name, serde_json::json!({}))
        })
    }

    /// Gives a business role (保密员 or 查阅) to an account (安全保密管理员 only).
    pub fn assign_role(&mut self, name: &str, role: Role) -> Result<()> {
        self.require(Op::AssignRoles)?;
        if role.is_administrator() {
            return Err(Error::field(
                "role",
                "角色",
                "三员角色在建库时确定，只能分配保密员（officer）或查阅（reader）",
            ));
        }
        let row = self.account_row(name)?;
        self.refuse_administrator(name, &row, "更改角色的")?;
        let old = row.role.clone();
        self.write(|w| {
            w.tx.execute(
                "UPDATE accounts SET role = ?1 WHERE name = ?2",
                params![role.as_str(), name],
            )?;
            w.audit(
                "role_assign",
                name,
                serde_json::json!({ "old": old, "new": role.as_str() }),
            )
        })
    }

    /// Changes the signed-in account's own password: rewraps its key slot, nothing else.
    pub fn change_password(&mut self, old: &str, new: &str) -> Result<()> {
        let kf = KeyFile::read(self.dir())?;
        if kf.unwrap_identity(self.user(), old)?.is_none() {
            return Err(Error::field("old_password", "原口令", "不正确"));
        }
        if old == new {
            return Err(Error::field("password", "新口令", "不能与原口令相同"));
        }
        let user = self.user().to_string();
        self.current_policy()?.check_password(new, &user)?;
        let kdf = self.kdf_params();
        self.write(|w| {
            w.rewrap_own(new, kdf)?;
            w.tx.execute(
                "UPDATE accounts SET must_change_password = 0 WHERE name = ?1",
                [&user],
            )?;
            w.audit("password_change", &user, serde_json::json!({}))
        })?;
        self.clear_must_change();
        Ok(())
    }
}
