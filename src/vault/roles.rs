//! Roles and what each may do (三员分立 plus the business roles).
//!
//! Contract: [`allows`] is the single permission table of the product; every core operation
//! asks it before touching data. The three administrator roles are held by three different
//! accounts, set once when the vault is created; none of them reads or edits register data,
//! and only the auditor reads the audit log. Nobody can alter the log: no operation exists.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum Role {
    /// 系统管理员: accounts, backups, settings.
    Admin,
    /// 安全保密管理员: assigns business roles, sets the security policy.
    Secadmin,
    /// 安全审计员: reads and verifies the audit log.
    Auditor,
    /// 保密员: works the registers.
    Officer,
    /// 查阅: reads the registers.
    Reader,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Secadmin,
        Role::Auditor,
        Role::Officer,
        Role::Reader,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Secadmin => "secadmin",
            Role::Auditor => "auditor",
            Role::Officer => "officer",
            Role::Reader => "reader",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Secadmin => "安全保密管理员",
            Role::Auditor => "安全审计员",
            Role::Officer => "保密员",
            Role::Reader => "查阅",
        }
    }

    pub fn parse(s: &str) -> Result<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s || r.label() == s)
            .ok_or_else(|| {
                Error::field(
                    "role",
                    "角色",
                    format!("“{s}”无效，应为 admin、secadmin、auditor、officer 或 reader"),
                )
            })
    }

    /// The three administrator roles (三员), fixed at vault creation.
    pub fn is_administrator(self) -> bool {
        matches!(self, Role::Admin | Role::Secadmin | Role::Auditor)
    }
}

/// Every kind of operation the core guards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum Op {
    /// Create, disable, enable accounts and reset business accounts' passwords.
    ManageAccounts,
    /// Give a business role (保密员 / 查阅) to an account.
    AssignRoles,
    /// See the list of accounts.
    ViewAccounts,
    /// Change the security policy.
    SetPolicy,
    /// See the security policy.
    ViewPolicy,
    /// Read and verify the audit log.
    ReadAudit,
    /// Make a backup copy of the vault.
    Backup,
    /// Change unit settings (unit name).
    Settings,
    /// Read register records.
    ReadRegisters,
    /// Create and change register records.
    WriteRegisters,
    /// Print forms and listings, and read the print log.
    Print,
}

impl Op {
    pub const ALL: [Op; 11] = [
        Op::ManageAccounts,
        Op::AssignRoles,
        Op::ViewAccounts,
        Op::SetPolicy,
        Op::ViewPolicy,
        Op::ReadAudit,
        Op::Backup,
        Op::Settings,
        Op::ReadRegisters,
        Op::WriteRegisters,
        Op::Print,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Op::ManageAccounts => "管理账户",
            Op::AssignRoles => "分配角色",
            Op::ViewAccounts => "查看账户",
            Op::SetPolicy => "设置安全策略",
            Op::ViewPolicy => "查看安全策略",
            Op::ReadAudit => "查阅审计日志",
            Op::Backup => "备份保密库",
            Op::Settings => "修改系统设置",
            Op::ReadRegisters => "查阅台账",
            Op::WriteRegisters => "登记和修改台账",
            Op::Print => "打印表单和台账",
        }
    }
}

/// The permission table. Everything not listed is refused.
pub fn allows(role: Role, op: Op) -> bool {
    use Op::*;
    match role {
        Role::Admin => matches!(
            op,
            ManageAccounts | ViewAccounts | ViewPolicy | Backup | Settings
        ),
        Role::Secadmin => matches!(op, AssignRoles | ViewAccounts | SetPolicy | ViewPolicy),
        Role::Auditor => matches!(op, ReadAudit),
        Role::Officer => matches!(op, ReadRegisters | WriteRegisters | Print),
        Role::Reader => matches!(op, ReadRegisters),
    }
}

/// The permission error for `role` attempting `op`.
pub fn denied(role: Role, op: Op) -> Error {
    Error::permission(format!("权限不足：{}无权{}", role.label(), op.label()))
}

/// One entry of the main window's navigation.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct NavItem {
    pub key: String,
    pub label: String,
}

/// The navigation a role sees: only what it may use (DESIGN §9).
pub fn navigation(role: Role) -> Vec<NavItem> {
    let all: [(&str, &str, Op); 11] = [
        ("home", "首页", Op::ReadRegisters),
        ("documents", "涉密载体", Op::ReadRegisters),
        ("devices", "设备台账", Op::ReadRegisters),
        ("personnel", "人员与承诺书", Op::ReadRegisters),
        ("checkout", "外出审核", Op::ReadRegisters),
        ("maintenance", "维护淘汰", Op::ReadRegisters),
        ("stats", "年度统计", Op::ReadRegisters),
        ("exchange", "数据交换", Op::WriteRegisters),
        ("accounts", "账户管理", Op::ViewAccounts),
        ("audit", "审计日志", Op::ReadAudit),
        ("settings", "系统设置", Op::ViewPolicy),
    ];
    all.iter()
        .filter(|(_, _, op)| allows(role, *op))
        .map(|(k, l, _)| NavItem {
            key: k.to_string(),
            label: l.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administrators_never_touch_registers_and_only_the_auditor_reads_the_log() {
        for role in Role::ALL {
            if role.is_administrator() {
                assert!(!allows(role, Op::ReadRegisters), "{role:?}");
                assert!(!allows(role, Op::WriteRegisters), "{role:?}");
            }
            assert_eq!(allows(role, Op::ReadAudit), role == Role::Auditor);
        }
    }

    #[test]
    fn navigation_follows_permissions() {
        let keys = |r| navigation(r).into_iter().map(|n| n.key).collect::<Vec<_>>();
        assert_eq!(keys(Role::Auditor), ["audit"]);
        assert_eq!(keys(Role::Admin), ["accounts", "settings"]);
        assert_eq!(keys(Role::Secadmin), ["accounts", "settings"]);
        assert!(keys(Role::Officer).contains(&"exchange".to_string()));
        assert!(!keys(Role::Reader).contains(&"exchange".to_string()));
        assert!(!keys(Role::Reader).contains(&"audit".to_string()));
    }

    #[test]
    fn roles_parse_by_code_or_label() {
        assert_eq!(Role::parse("officer").unwrap(), Role::Officer);
        assert_eq!(Role::parse("保密员").unwrap(), Role::Officer);
        assert_eq!(
            Role::parse("boss").unwrap_err().field.as_deref(),
            Some("role")
        );
    }
}
