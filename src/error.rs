//! The one error type that crosses the core's public API.
//!
//! Contract: every failure a user can cause is an [`Error`] with a stable [`Code`] (what the UI
//! and the CLI switch on) and a Chinese message for the person (what they read). Nothing in
//! the core panics on user input; modules convert their own failures into this type at their
//! boundary. The code decides the CLI exit status (DESIGN §7).

use serde::Serialize;
use ts_rs::TS;

/// What kind of failure this is; stable across releases, matched on by the UI and scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum Code {
    /// An input field is missing or malformed; the message names the field.
    Validation,
    /// A business or security rule refuses the operation as asked.
    Rule,
    /// The signed-in account's role may not do this.
    Permission,
    /// The record or account does not exist.
    NotFound,
    /// The thing to create exists already, or the vault exists already.
    Conflict,
    /// Wrong account name or password.
    AuthFailed,
    /// The account is locked out or disabled (at login).
    Locked,
    /// No session, or the session locked itself after the idle timeout: sign in again.
    SessionLocked,
    /// Tampered or corrupted vault, key file, log or bundle.
    Integrity,
    /// The vault is older than this installation last saw it (a backup put back, or a
    /// rollback): refused at sign-in until the 安全审计员 accepts the restore. An integrity
    /// failure of its own, so the login screen can offer that path.
    RolledBack,
    /// The vault was written by a newer version of the program.
    Unsupported,
    /// The file system refused (missing folder, no permission, disk full).
    Io,
    /// A defect in this program; the message says what was being done.
    Internal,
}

impl Code {
    /// The process exit status of the CLI for this code (DESIGN §7).
    pub fn exit_status(self) -> i32 {
        match self {
            Code::AuthFailed | Code::Locked | Code::SessionLocked => 3,
            Code::Integrity | Code::RolledBack => 4,
            _ => 1,
        }
    }
}

/// A failure with its code and a Chinese message naming the field or the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, TS)]
#[error("{message}")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Error {
    pub code: Code,
    pub message: String,
    /// The input field at fault, when there is one (the UI shows the message next to it).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            field: None,
        }
    }
    /// A validation failure of one named field; `label` is the field's Chinese name.
    pub fn field(field: &str, label: &str, reason: impl std::fmt::Display) -> Self {
        Error {
            code: Code::Validation,
            message: format!("{label}：{reason}"),
            field: Some(field.to_string()),
        }
    }
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(Code::Validation, message)
    }
    pub fn rule(message: impl Into<String>) -> Self {
        Self::new(Code::Rule, message)
    }
    pub fn permission(message: impl Into<String>) -> Self {
        Self::new(Code::Permission, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Code::NotFound, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(Code::Conflict, message)
    }
    pub fn integrity(message: impl Into<String>) -> Self {
        Self::new(Code::Integrity, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Code::Internal, message)
    }
    pub fn io(what: &str, err: &std::io::Error) -> Self {
        let reason = match err.kind() {
            std::io::ErrorKind::NotFound => "文件或文件夹不存在".to_string(),
            std::io::ErrorKind::PermissionDenied => "没有访问权限".to_string(),
            std::io::ErrorKind::AlreadyExists => "已存在".to_string(),
            _ => format!("系统错误（{err}）"),
        };
        Self::new(Code::Io, format!("{what}失败：{reason}"))
    }
}

impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        match &err {
            rusqlite::Error::SqliteFailure(e, _) if e.code == ErrorCode::NotADatabase => {
                Error::integrity("保密库数据库无法解密或已损坏（密钥不符或文件被篡改）")
            }
            rusqlite::Error::SqliteFailure(e, _) if e.code == ErrorCode::DatabaseCorrupt => {
                Error::integrity("保密库数据库已损坏")
            }
            rusqlite::Error::SqliteFailure(e, _)
                if e.code == ErrorCode::DatabaseBusy || e.code == ErrorCode::DatabaseLocked =>
            {
                Error::new(Code::Io, "保密库正被另一个程序写入，请稍后再试")
            }
            rusqlite::Error::SqliteFailure(e, _) if e.code == ErrorCode::DiskFull => {
                Error::new(Code::Io, "磁盘空间不足，操作未完成")
            }
            _ => Error::internal(format!("数据库操作失败：{err}")),
        }
    }
}
