//! The desktop app's state machine, without any window: one vault folder and at most one
//! signed-in session.
//!
//! Contract: the desktop shell (`src-tauri/`) holds one [`App`] and maps each IPC command to one
//! method here, so every command is testable with a temporary vault and no window. Each
//! session method first applies the idle timeout: a session idle past the policy is locked
//! (audited, key zeroized) and the call fails with `Locked`, which the UI answers by showing
//! the login screen.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use ts_rs::TS;

use crate::accounts::Account;
use crate::audit;
use crate::clock::Clock;
use crate::documents as d;
use crate::error::{Code, Error, Result};
use crate::policy::Policy;
use crate::roles::Role;
use crate::vault::{self, InitRequest, NewAccount, Options, Session, SessionInfo};

/// What the UI needs to decide which screen to show.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct AppStatus {
    pub vault_dir: String,
    /// `false` on first run: the UI shows the setup wizard.
    pub vault_exists: bool,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionInfo>,
}

pub struct App {
    dir: PathBuf,
    clock: Arc<dyn Clock>,
    options: Options,
    session: Mutex<Option<Session>>,
}

fn not_signed_in() -> Error {
    Error::new(Code::SessionLocked, "尚未登录或会话已锁定，请登录")
}

impl App {
    pub fn new(dir: PathBuf, clock: Arc<dyn Clock>, options: Options) -> Self {
        App {
            dir,
            clock,
            options,
            session: Mutex::new(None),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn slot(&self) -> MutexGuard<'_, Option<Session>> {
        // A panic while holding the lock cannot leave the session half-changed in a way that
        // matters: every change is a committed transaction or nothing.
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the signed-in session after applying the idle timeout.
    pub fn with<T>(&self, f: impl FnOnce(&mut Session) -> Result<T>) -> Result<T> {
        let mut guard = self.slot();
        let session = guard.as_mut().ok_or_else(not_signed_in)?;
        if let Err(e) = session.touch() {
            if let Some(s) = guard.take() {
                s.lock(true)?;
            }
            return Err(e);
        }
        f(session)
    }

    pub fn status(&self) -> Result<AppStatus> {
        let session = match self.slot().as_ref() {
            Some(s) if !s.idle_expired() => Some(s.info()?),
            _ => None,
        };
        Ok(AppStatus {
            vault_dir: self.dir.display().to_string(),
            vault_exists: vault::exists(&self.dir),
            session,
        })
    }

    pub fn setup(&self, req: &InitRequest) -> Result<()> {
        vault::init(&self.dir, req, self.options, self.clock.as_ref())
    }

    pub fn login(&self, user: &str, password: &str) -> Result<SessionInfo> {
        let mut guard = self.slot();
        if let Some(old) = guard.take() {
            old.lock(false)?;
        }
        let s = vault::login(
            &self.dir,
            user.trim(),
            password,
            self.clock.clone(),
            self.options.tuning,
        )?;
        let info = s.info()?;
        *guard = Some(s);
        Ok(info)
    }

    /// Locks the session (the lock button, or the UI's idle timer when `idle`).
    pub fn lock(&self, idle: bool) -> Result<()> {
        match self.slot().take() {
            Some(s) => s.lock(idle),
            None => Ok(()),
        }
    }

    pub fn change_password(&self, old: &str, new: &str) -> Result<SessionInfo> {
        let mut guard = self.slot();
        let s = guard.as_mut().ok_or_else(not_signed_in)?;
        s.touch()?;
        s.change_password(old, new)?;
        s.info()
    }

    /// Records user activity seen by the UI (typing a long form) so the idle timer of the
    /// core agrees with the window's; not audited. Returns today by the core's clock, which
    /// the UI uses for date defaults (the core, not the webview, owns the time).
    pub fn touch(&self) -> Result<String> {
        self.with(|s| Ok(crate::dates::iso(s.today())))
    }

    pub fn unlock_account(&self, name: &str) -> Result<()> {
        self.with(|s| s.unlock_account(name))
    }

    pub fn list_accounts(&self) -> Result<Vec<Account>> {
        self.with(|s| s.list_accounts())
    }
    pub fn add_account(&self, req: &NewAccount) -> Result<()> {
        self.with(|s| s.add_account(req))
    }
    pub fn set_account_disabled(&self, name: &str, disabled: bool) -> Result<()> {
        self.with(|s| s.set_account_disabled(name, disabled))
    }
    pub fn reset_password(&self, name: &str, password: &str) -> Result<()> {
        self.with(|s| s.reset_password(name, password))
    }
    pub fn assign_role(&self, name: &str, role: Role) -> Result<()> {
        self.with(|s| s.assign_role(name, role))
    }
    pub fn policy(&self) -> Result<Policy> {
        self.with(|s| s.policy())
    }
    pub fn set_policy(&self, policy: Policy) -> Result<Policy> {
        self.with(|s| s.set_policy(policy))
    }
    pub fn set_unit_name(&self, unit: &str) -> Result<SessionInfo> {
        self.with(|s| {
            s.set_unit_name(unit)?;
            s.info()
        })
    }
    pub fn backup(&self, dest: &Path) -> Result<()> {
        self.with(|s| s.backup(dest))
    }
    pub fn audit_list(&self, filter: &audit::Filter) -> Result<audit::Page> {
        self.with(|s| s.audit_list(filter))
    }
    pub fn audit_verify(&self) -> Result<audit::Report> {
        self.with(|s| s.audit_verify())
    }

    // Record inputs arrive as raw JSON and are parsed here, so a missing or mistyped field
    // gets the core's Chinese message naming it instead of a generic IPC failure.

    pub fn doc_add(&self, input: serde_json::Value) -> Result<d::DocView> {
        let input: d::DocInput = crate::input::from_value(input)?;
        self.with(|s| s.doc_add(&input))
    }
    pub fn doc_list(&self, q: &d::DocQuery) -> Result<d::DocPage> {
        self.with(|s| s.doc_list(q))
    }
    pub fn doc_show(&self, id: i64) -> Result<d::DocView> {
        self.with(|s| s.doc_show(id))
    }
    pub fn doc_reminders(&self) -> Result<d::DocReminders> {
        self.with(|s| s.doc_reminders())
    }
    pub fn doc_highest_level(&self) -> Result<Option<d::Level>> {
        self.with(|s| s.doc_highest_level())
    }
    pub fn doc_copy(&self, id: i64, input: serde_json::Value) -> Result<d::CopyResult> {
        let input: d::CopyInput = crate::input::from_value(input)?;
        self.with(|s| s.doc_copy(id, &input))
    }
    pub fn doc_handback(&self, ids: &[i64], input: serde_json::Value) -> Result<Vec<d::DocView>> {
        let input: d::HandbackInput = crate::input::from_value(input)?;
        self.with(|s| s.doc_handback(ids, &input))
    }
    pub fn doc_reconcile(&self, input: serde_json::Value) -> Result<d::Reconciliation> {
        let input: d::ReconcileInput = crate::input::from_value(input)?;
        self.with(|s| s.doc_reconcile(&input))
    }

    /// One lifecycle event on one carrier; `kind` selects the event and `input` is its JSON
    /// (the same shapes as `baomi doc <kind>` reads on stdin).
    pub fn doc_event(&self, id: i64, kind: &str, input: serde_json::Value) -> Result<d::DocView> {
        use crate::input::from_value as v;
        self.with(|s| match kind {
            "distribute" => s.doc_distribute(id, &v(input)?),
            "circulate" => s.doc_circulate(id, &v(input)?),
            "borrow" => s.doc_borrow(id, &v(input)?),
            "return" => s.doc_return(id, &v(input)?),
            "archive" => s.doc_archive(id, &v(input)?),
            "declassify" => s.doc_declassify(id, &v(input)?),
            "missing" => s.doc_missing(id, &v(input)?),
            "found" => s.doc_found(id, &v(input)?),
            "destroy" => s.doc_destroy(id, &v(input)?),
            "correct" => s.doc_correct(id, &v(input)?),
            other => Err(Error::validation(format!("未知的手续类型“{other}”"))),
        })
    }
}
