//! The security policy (安全策略): password rules, lockout and idle lock.
//!
//! Contract: the policy is set only by the 安全保密管理员 and can only be made stricter than
//! the product's floor ([`Policy::default`] for password rules); every change is audited. The
//! authoritative copy lives in the encrypted database; the key file keeps a mirror so that
//! lockout can be enforced before a password has unlocked anything.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Policy {
    /// Minimum password length in characters (at least 10).
    pub min_length: u32,
    /// How many of the four character classes (lower, upper, digit, other) a password needs.
    pub min_classes: u32,
    /// Consecutive wrong passwords that lock an account.
    pub max_failures: u32,
    /// How long a locked account stays locked, in minutes.
    pub lockout_minutes: u32,
    /// Seconds without activity after which the desktop session locks itself.
    pub idle_lock_seconds: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            min_length: 10,
            min_classes: 3,
            max_failures: 5,
            lockout_minutes: 15,
            idle_lock_seconds: 600,
        }
    }
}

impl Policy {
    /// Checks a proposed policy against the product's floor and sane ceilings.
    pub fn validate(&self) -> Result<()> {
        let floor = Policy::default();
        if self.min_length < floor.min_length || self.min_length > 64 {
            return Err(Error::field(
                "min_length",
                "口令最小长度",
                "应在 10 到 64 之间",
            ));
        }
        if self.min_classes < floor.min_classes || self.min_classes > 4 {
            return Err(Error::field(
                "min_classes",
                "口令字符种类",
                "应为 3 或 4 类",
            ));
        }
        if !(1..=10).contains(&self.max_failures) {
            return Err(Error::field(
                "max_failures",
                "登录失败锁定次数",
                "应在 1 到 10 次之间",
            ));
        }
        if !(1..=1440).contains(&self.lockout_minutes) {
            return Err(Error::field(
                "lockout_minutes",
                "锁定时长",
                "应在 1 到 1440 分钟之间",
            ));
        }
        if !(5..=1800).contains(&self.idle_lock_seconds) {
            return Err(Error::field(
                "idle_lock_seconds",
                "闲置自动锁定时间",
                "应在 5 秒到 30 分钟之间",
            ));
        }
        Ok(())
    }

    /// Checks a new password against this policy; the error names the field `password`.
    pub fn check_password(&self, password: &str, account: &str) -> Result<()> {
        let len = password.chars().count() as u32;
        if len < self.min_length {
            return Err(Error::field(
                "password",
                "口令",
                format!("长度至少 {} 个字符（当前 {} 个）", self.min_length, len),
            ));
        }
        if len > 128 {
            return Err(Error::field("password", "口令", "长度不得超过 128 个字符"));
        }
        let classes = [
            password.chars().any(|c| c.is_ascii_lowercase()),
            password.chars().any(|c| c.is_ascii_uppercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_ascii_alphanumeric()),
        ]
        .iter()
        .filter(|b| **b)
        .count() as u32;
        if classes < self.min_classes {
            return Err(Error::field(
                "password",
                "口令",
                format!(
                    "须包含小写字母、大写字母、数字、符号中的至少 {} 类（当前 {} 类）",
                    self.min_classes, classes
                ),
            ));
        }
        if !account.is_empty() && password.to_lowercase().contains(&account.to_lowercase()) {
            return Err(Error::field("password", "口令", "不得包含账户名"));
        }
        if password.chars().any(|c| c.is_control()) {
            return Err(Error::field("password", "口令", "不得包含控制字符"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pw: &str) -> Result<(), String> {
        Policy::default()
            .check_password(pw, "zhangsan")
            .map_err(|e| e.message)
    }

    #[test]
    fn password_rules() {
        assert!(check("Abcdefg123").is_ok());
        assert!(check("abcdefg12!").is_ok());
        assert!(check("口令口令口令口令Ab1").is_ok());
        assert_eq!(
            check("Abc123!").unwrap_err(),
            "口令：长度至少 10 个字符（当前 7 个）"
        );
        assert!(check("abcdefghijk")
            .unwrap_err()
            .contains("至少 3 类（当前 1 类）"));
        assert!(check("abcdefghij12").unwrap_err().contains("当前 2 类"));
        assert_eq!(check("Zhangsan123!").unwrap_err(), "口令：不得包含账户名");
    }

    #[test]
    fn policy_can_only_be_tightened() {
        let p = Policy {
            min_length: 8,
            ..Default::default()
        };
        assert_eq!(
            p.validate().unwrap_err().field.as_deref(),
            Some("min_length")
        );
        let p = Policy {
            min_length: 14,
            min_classes: 4,
            ..Default::default()
        };
        assert!(p.validate().is_ok());
        assert!(p.check_password("abcdEFGH123456", "x").is_err());
        assert!(p.check_password("abcdEFGH12#456", "x").is_ok());
        let p = Policy {
            idle_lock_seconds: 1,
            ..Default::default()
        };
        assert_eq!(
            p.validate().unwrap_err().field.as_deref(),
            Some("idle_lock_seconds")
        );
    }
}
