//! The desktop app's state machine, without any window: one vault folder and at most one
//! signed-in session.
//!
//! Contract: the desktop shell (`src-tauri/`) holds one [`App`] and maps each IPC command to one
//! method here, so every command is testable with a temporary vault and no window. Each
//! session method first applies the idle timeout: a session idle past the policy is locked
//! (audited, key zeroized) and the call fails with `Locked`, which the UI answers by showing
//! the login screen. The shell also calls [`App::lock_if_idle`] on a timer of its own, so an
//! idle session is locked and dropped even when the window makes no call at all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use ts_rs::TS;
use zeroize::Zeroize;
/// The type of every password an `App` method takes: the caller hands over the only copy it
/// holds (the IPC argument, moved), and it is wiped when the call returns.
pub use zeroize::Zeroizing;

use crate::bundle::exchange as bx;
use crate::bundle::unit as bu;
use crate::clock::Clock;
use crate::error::{Code, Error, Result};
use crate::print;
use crate::registers::devices as dv;
use crate::registers::documents as d;
use crate::registers::exchange::Resolution;
use crate::registers::personnel as p;
use crate::vault::accounts::Account;
use crate::vault::audit;
use crate::vault::policy::Policy;
use crate::vault::roles::Role;
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

/// What creating a vault hands back to the person: the recovery code, to write on paper, seal
/// in an envelope and keep in the unit's safe. It is never stored and never shown again.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct SetupDone {
    pub recovery_code: String,
}

pub struct App {
    dir: PathBuf,
    clock: Arc<dyn Clock>,
    options: Options,
    session: Mutex<Option<Session>>,
    /// The latest printouts of the signed-in session, for preview, save and print; dropped
    /// whenever the session ends (they hold record data).
    printouts: Mutex<Vec<print::Printout>>,
}

/// How many printouts the app keeps for preview at once.
const KEEP_PRINTOUTS: usize = 6;

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
            printouts: Mutex::new(Vec::new()),
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
            self.forget_printouts();
            if let Some(s) = guard.take() {
                s.lock(true)?;
            }
            return Err(e);
        }
        f(session)
    }

    /// Locks the session if it has been idle past the policy, with no call from the window:
    /// the desktop shell's timer calls this every few seconds, so an unattended window locks
    /// even when its own timer never fires (F8). The session is dropped (its key zeroized)
    /// and the lock audited as `idle_lock`; a session busy in a call is not idle and is left
    /// alone. Returns whether a session was locked, for the shell to tell the window.
    pub fn lock_if_idle(&self) -> Result<bool> {
        let mut guard = match self.session.try_lock() {
            Ok(g) => g,
            Err(std::sync::TryLockError::WouldBlock) => return Ok(false),
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
        };
        if !guard.as_ref().is_some_and(Session::idle_expired) {
            return Ok(false);
        }
        self.forget_printouts();
        match guard.take() {
            Some(s) => s.lock(true).map(|()| true),
            None => Ok(false),
        }
    }

    /// What the window shows first; an idle-expired session is locked and dropped here, not
    /// merely hidden.
    pub fn status(&self) -> Result<AppStatus> {
        self.lock_if_idle()?;
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

    /// Creates the vault; the request's passwords are wiped afterwards, whatever the outcome.
    /// The recovery code in the answer is shown once and never again.
    pub fn setup(&self, mut req: InitRequest) -> Result<SetupDone> {
        let out = vault::init(&self.dir, &req, &self.options, self.clock.as_ref());
        for a in [&mut req.admin, &mut req.secadmin, &mut req.auditor]
            .into_iter()
            .chain(req.officer.as_mut())
        {
            a.password.zeroize();
        }
        Ok(SetupDone {
            recovery_code: out?.to_string(),
        })
    }

    pub fn login(&self, user: &str, password: Zeroizing<String>) -> Result<SessionInfo> {
        self.sign_in(|dir, clock, options| {
            vault::login(dir, user.trim(), &password, clock, options)
        })
    }

    /// The 安全审计员 accepts a vault refused as older than this machine's mark (the login
    /// screen's 确认恢复备份, after the person confirmed); any other account is refused by
    /// the core.
    pub fn accept_restore(&self, user: &str, password: Zeroizing<String>) -> Result<SessionInfo> {
        self.sign_in(|dir, clock, options| {
            vault::accept_restore(dir, user.trim(), &password, clock, options)
        })
    }

    /// A business account signs in with the sealed recovery code and takes the register key
    /// back (the login screen's 使用恢复码).
    pub fn recover(
        &self,
        user: &str,
        password: Zeroizing<String>,
        code: Zeroizing<String>,
    ) -> Result<SessionInfo> {
        self.sign_in(|dir, clock, options| {
            vault::recover(dir, user.trim(), &password, &code, clock, options)
        })
    }

    /// Ends any current session, then keeps the one `open` returns.
    fn sign_in(
        &self,
        open: impl FnOnce(&Path, Arc<dyn Clock>, &Options) -> Result<Session>,
    ) -> Result<SessionInfo> {
        let mut guard = self.slot();
        self.forget_printouts();
        if let Some(old) = guard.take() {
            old.lock(false)?;
        }
        let mut s = open(&self.dir, self.clock.clone(), &self.options)?;
        // Once, after an upgrade: search indexes written before the pairs' positions.
        s.upgrade_search()?;
        let info = s.info()?;
        *guard = Some(s);
        Ok(info)
    }

    /// Locks the session (the lock button, or the UI's idle timer when `idle`).
    pub fn lock(&self, idle: bool) -> Result<()> {
        self.forget_printouts();
        match self.slot().take() {
            Some(s) => s.lock(idle),
            None => Ok(()),
        }
    }

    /// Through [`App::with`] like every session call: an idle-expired session is locked and
    /// dropped here too, never left holding its key.
    pub fn change_password(
        &self,
        old: Zeroizing<String>,
        new: Zeroizing<String>,
    ) -> Result<SessionInfo> {
        self.with(|s| {
            s.change_password(&old, &new)?;
            s.info()
        })
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
    /// Creates an account; the initial password is wiped afterwards, whatever the outcome.
    pub fn add_account(&self, mut req: NewAccount) -> Result<()> {
        let out = self.with(|s| s.add_account(&req));
        req.password.zeroize();
        out
    }
    pub fn set_account_disabled(&self, name: &str, disabled: bool) -> Result<()> {
        self.with(|s| s.set_account_disabled(name, disabled))
    }
    pub fn reset_password(&self, name: &str, password: Zeroizing<String>) -> Result<()> {
        self.with(|s| s.reset_password(name, &password))
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
    pub fn backup(
        &self,
        out: &Path,
        passphrase: Zeroizing<String>,
    ) -> Result<crate::bundle::backup::BackupInfo> {
        self.with(|s| s.backup(out, &passphrase))
    }
    /// Checks a backup file whole without restoring it (no session needed: it opens with its
    /// own passphrase and touches no vault).
    pub fn backup_verify(
        &self,
        file: &Path,
        passphrase: Zeroizing<String>,
    ) -> Result<crate::bundle::backup::BackupInfo> {
        crate::bundle::backup::verify(file, &passphrase)
    }
    /// Restores a backup file into `dest`, a new or empty folder (the open vault is untouched).
    pub fn backup_restore(
        &self,
        file: &Path,
        passphrase: Zeroizing<String>,
        dest: &Path,
    ) -> Result<crate::bundle::backup::BackupInfo> {
        crate::bundle::backup::restore(file, &passphrase, dest)
    }
    pub fn audit_list(&self, filter: &audit::Filter) -> Result<audit::Page> {
        self.with(|s| s.audit_list(filter))
    }
    pub fn audit_verify(&self) -> Result<audit::Report> {
        self.with(|s| s.audit_verify())
    }
    /// Checks the log against a paper checkpoint (its sequence and head hash as typed).
    pub fn audit_verify_paper(&self, seq: i64, head: &str) -> Result<audit::Report> {
        self.with(|s| s.audit_verify_paper(seq, head))
    }
    pub fn audit_checkpoint(&self) -> Result<audit::Checkpoint> {
        self.with(|s| s.audit_checkpoint())
    }
    /// Typesets the slip of the checkpoint at `seq` (audited); kept for preview and saving
    /// like a print, under its serial `C<seq>`.
    pub fn audit_checkpoint_slip(&self, seq: i64) -> Result<print::PrintJob> {
        let p = self.with(|s| s.audit_checkpoint_slip(seq))?;
        Ok(self.keep(p))
    }
    /// Saves a checkpoint slip as a PDF at a path the person chose. Its typesetting was
    /// audited; the slip holds no register data, so the path is not (unlike a print's).
    pub fn audit_checkpoint_save(&self, serial: &str, path: &Path) -> Result<()> {
        self.with(|_| Ok(()))?;
        self.printout(serial, |p| {
            if p.job.form != print::system::CHECKPOINT_SLIP {
                return Err(Error::not_found(format!("{serial} 不是检查点单")));
            }
            p.save(path)
        })
    }
    /// Records an office inspection (`quarterly`, `annual`) done on `on` (default today).
    pub fn office_check(&self, kind: &str, on: Option<&str>) -> Result<String> {
        let check = crate::registers::due::OfficeCheck::parse(kind)?;
        self.with(|s| s.record_office_check(check, on))
    }
    /// The year-end statistics of `year`.
    pub fn stats(&self, year: i32) -> Result<crate::registers::stats::YearStats> {
        self.with(|s| s.stats(year))
    }
    /// Typesets the year-end statistics report of `year` (audited); kept for preview and
    /// saving like a print.
    pub fn stats_report(&self, year: i32) -> Result<print::PrintJob> {
        let p = self.with(|s| s.year_stats_report(year))?;
        Ok(self.keep(p))
    }
    /// Saves a typeset statistics report as a PDF at a path the person chose.
    pub fn stats_report_save(&self, serial: &str, path: &Path) -> Result<()> {
        self.with(|_| Ok(()))?;
        self.printout(serial, |p| {
            if p.job.form != print::system::YEAR_STATS {
                return Err(Error::not_found(format!("{serial} 不是年度统计表")));
            }
            p.save(path)
        })
    }
    /// Writes the year-end statistics of `year` to `out` as a workbook (audited).
    pub fn stats_export(&self, year: i32, out: &Path) -> Result<crate::excel::SheetExport> {
        self.with(|s| s.export_stats(year, out))
    }
    /// Rotates the keys this account holds the duty for (系统管理员: the system key, 保密员:
    /// the register key); any other role is refused by the core.
    pub fn rotate_keys(&self) -> Result<Vec<vault::keyfile::VaultKey>> {
        self.with(|s| s.rotate_keys())
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

    /// One lifecycle action on one carrier; `kind` selects the action and `input` is its
    /// JSON (the same shapes as `baomi doc <kind>` reads on stdin).
    pub fn doc_event(&self, id: i64, kind: &str, input: serde_json::Value) -> Result<d::DocView> {
        self.with(|s| s.act::<d::Documents>(id, kind, input))
    }

    pub fn device_add(&self, input: serde_json::Value) -> Result<dv::DeviceView> {
        let input: dv::DeviceInput = crate::input::from_value(input)?;
        self.with(|s| s.device_add(&input))
    }
    pub fn device_list(&self, q: &dv::DeviceQuery) -> Result<dv::DevicePage> {
        self.with(|s| s.device_list(q))
    }
    pub fn device_show(&self, id: i64) -> Result<dv::DeviceView> {
        self.with(|s| s.device_show(id))
    }
    /// One action on one device (the same shapes as `baomi device <kind>` reads on stdin).
    pub fn device_event(
        &self,
        id: i64,
        kind: &str,
        input: serde_json::Value,
    ) -> Result<dv::DeviceView> {
        self.with(|s| s.act::<dv::Devices>(id, kind, input))
    }
    /// The 外出 / 维护淘汰 / 介质 book of the device ledger.
    pub fn device_book(
        &self,
        book: &str,
        offset: Option<u32>,
        limit: Option<u32>,
    ) -> Result<crate::page::Page<crate::registers::LoggedEvent>> {
        self.with(|s| s.device_book(book, offset, limit))
    }
    pub fn device_reminders(&self) -> Result<dv::DeviceReminders> {
        self.with(|s| s.device_reminders())
    }
    pub fn device_inspection_intervals(&self) -> Result<Vec<dv::InspectionInterval>> {
        self.with(|s| s.device_inspection_intervals())
    }
    pub fn set_device_inspection_interval(
        &self,
        kind: &str,
        days: u32,
    ) -> Result<Vec<dv::InspectionInterval>> {
        self.with(|s| {
            s.set_device_inspection_interval(kind, days)?;
            s.device_inspection_intervals()
        })
    }

    /// Everything due, most urgent first (the home screen's list).
    pub fn due(&self) -> Result<Vec<crate::registers::due::Due>> {
        self.with(|s| s.due())
    }

    /// The home screen's figures (holdings by level, department and status; movements per
    /// month).
    pub fn figures(&self) -> Result<crate::registers::figures::HomeFigures> {
        self.with(|s| s.figures())
    }
    pub fn person_add(&self, input: serde_json::Value) -> Result<p::PersonView> {
        let input: p::PersonInput = crate::input::from_value(input)?;
        self.with(|s| s.person_add(&input))
    }
    pub fn person_list(&self, q: &p::PersonQuery) -> Result<p::PersonPage> {
        self.with(|s| s.person_list(q))
    }
    pub fn person_show(&self, id: i64) -> Result<p::PersonView> {
        self.with(|s| s.person_show(id))
    }
    /// One action on one person (the same shapes as `baomi person <kind>` reads on stdin).
    pub fn person_event(
        &self,
        id: i64,
        kind: &str,
        input: serde_json::Value,
    ) -> Result<p::PersonView> {
        self.with(|s| s.act::<p::Persons>(id, kind, input))
    }
    pub fn person_reminders(&self) -> Result<p::PersonReminders> {
        self.with(|s| s.person_reminders())
    }
    pub fn person_periods(&self) -> Result<Vec<p::ClassPeriods>> {
        self.with(|s| s.person_periods())
    }
    pub fn set_person_periods(
        &self,
        class: &str,
        review_years: u32,
        cooling_months: u32,
    ) -> Result<Vec<p::ClassPeriods>> {
        self.with(|s| s.set_person_periods(class, review_years, cooling_months))
    }

    // Bundles (data exchange between units): the request arrives as raw JSON like a record
    // input; a passphrase is handed over like a password and wiped when the call returns.

    /// Writes a bundle of the records `req` selects to `out` (the path the officer chose),
    /// sealed to the known units it names or else to `passphrase`.
    pub fn bundle_export(
        &self,
        req: serde_json::Value,
        passphrase: Option<Zeroizing<String>>,
        out: &Path,
    ) -> Result<bx::Exported> {
        let req: bx::ExportRequest = crate::input::from_value(req)?;
        self.with(|s| s.export_bundle(&req, passphrase.as_deref().map(String::as_str), out))
    }
    /// Imports a bundle or a receipt: the preview when `dry_run`, else applied once the
    /// sender is accepted and every conflict resolved (by record key or serial).
    pub fn bundle_import(
        &self,
        path: &Path,
        passphrase: Option<Zeroizing<String>>,
        dry_run: bool,
        accept_sender: bool,
        resolutions: BTreeMap<String, Resolution>,
        receipt: Option<&Path>,
    ) -> Result<bx::ImportReport> {
        let req = bx::ImportRequest {
            path: path.to_path_buf(),
            passphrase,
            dry_run,
            accept_sender,
            resolutions,
            receipt: receipt.map(Path::to_path_buf),
        };
        self.with(|s| s.import_bundle(&req))
    }
    pub fn bundles_sent(&self) -> Result<Vec<bx::SentBundle>> {
        self.with(|s| s.bundles_sent())
    }
    /// Imports an officer's sheet into register `register` (`doc`, `device`, `person`),
    /// reporting progress as it goes.
    pub fn sheet_import(
        &self,
        register: &str,
        path: &Path,
        options: &crate::excel::SheetOptions,
        progress: crate::excel::Progress<'_>,
    ) -> Result<crate::excel::SheetReport> {
        let r = crate::registers::register_named(register)?;
        self.with(|s| (r.import_sheet)(s, path, options, progress))
    }
    /// Exports the records of `register` its list filters `query` select to `out` (.xlsx).
    pub fn sheet_export(
        &self,
        register: &str,
        query: serde_json::Value,
        out: &Path,
    ) -> Result<crate::excel::SheetExport> {
        let r = crate::registers::register_named(register)?;
        self.with(|s| (r.export_sheet)(s, query, out))
    }
    /// This unit's key card (the unit's keys are made the first time).
    pub fn unit_key(&self) -> Result<bu::KeyCard> {
        self.with(|s| s.unit_key())
    }
    pub fn unit_key_export(&self, path: &Path) -> Result<bu::KeyCard> {
        self.with(|s| s.unit_key_export(path))
    }
    /// Imports another unit's key card; `replace` only after the new fingerprint was checked
    /// with that unit.
    pub fn unit_key_import(&self, path: &Path, replace: bool) -> Result<bu::KnownUnit> {
        self.with(|s| s.unit_key_import(path, replace))
    }
    pub fn known_units(&self) -> Result<Vec<bu::KnownUnit>> {
        self.with(|s| s.known_units())
    }

    fn printouts(&self) -> MutexGuard<'_, Vec<print::Printout>> {
        self.printouts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Drops the printouts kept for preview and typst's memoized layouts of them, which hold
    /// record data too.
    fn forget_printouts(&self) {
        self.printouts().clear();
        print::engine::forget_cache();
    }

    pub fn print_forms(&self) -> Result<Vec<print::FormInfo>> {
        self.with(|s| s.print_forms())
    }

    /// Typesets and logs a print job; the printout stays in memory for preview and output.
    pub fn print(&self, req: serde_json::Value) -> Result<print::PrintJob> {
        let req: print::PrintRequest = crate::input::from_value(req)?;
        let p = self.with(|s| s.print(&req))?;
        Ok(self.keep(p))
    }

    /// Keeps a printout for preview and output, dropping the oldest beyond the limit.
    fn keep(&self, p: print::Printout) -> print::PrintJob {
        let job = p.job.clone();
        let mut kept = self.printouts();
        // A slip printed again replaces the earlier one of the same serial.
        kept.retain(|k| k.job.serial != job.serial);
        kept.push(p);
        let extra = kept.len().saturating_sub(KEEP_PRINTOUTS);
        kept.drain(..extra);
        job
    }

    fn printout<T>(
        &self,
        serial: &str,
        f: impl FnOnce(&print::Printout) -> Result<T>,
    ) -> Result<T> {
        let kept = self.printouts();
        let p = kept
            .iter()
            .find(|p| p.job.serial == serial)
            .ok_or_else(|| Error::not_found(format!("打印件 {serial} 已关闭，请重新打印")))?;
        f(p)
    }

    /// Page `page` (from 0) of a printout as a `data:image/png` URL for the preview.
    pub fn print_page(&self, serial: &str, page: u32, pixel_per_pt: f64) -> Result<String> {
        use base64::Engine as _;
        self.with(|_| Ok(()))?;
        let png = self.printout(serial, |p| p.page_png(page as usize, pixel_per_pt))?;
        Ok(format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png)
        ))
    }

    /// Saves a printout as a PDF at a path the person chose (audited).
    pub fn print_save(&self, serial: &str, path: &Path) -> Result<()> {
        // Checked before the file is written (a checkpoint slip has its own save).
        self.with(|s| s.require(crate::vault::roles::Op::Print))?;
        self.printout(serial, |p| p.save(path))?;
        self.with(|s| s.print_delivered(serial, print::Delivery::Pdf(path)))
    }

    /// Records that a printout was sent to the system print dialog (audited).
    pub fn print_sent(&self, serial: &str) -> Result<()> {
        self.printout(serial, |_| Ok(()))?;
        self.with(|s| s.print_delivered(serial, print::Delivery::Printer))
    }

    pub fn print_check(&self, serial: &str) -> Result<print::PrintCheck> {
        self.with(|s| s.print_check(serial))
    }
    pub fn print_log(&self, q: &print::PrintLogQuery) -> Result<print::PrintLogPage> {
        self.with(|s| s.print_log(q))
    }
    pub fn print_templates(&self) -> Result<Vec<print::assets::TemplateInfo>> {
        self.with(|s| s.print_templates())
    }
    /// Writes a template's source to a file, to adapt it and load it back.
    pub fn print_export_template(&self, name: &str, path: &Path) -> Result<()> {
        let text = self.with(|s| s.print_template_source(name))?;
        print::write_atomic(path, text.as_bytes())
    }
    /// Replaces a template with a file's contents (after a test render).
    pub fn print_import_template(
        &self,
        name: &str,
        path: &Path,
    ) -> Result<print::assets::TemplateInfo> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::field(
                "file",
                "模板文件",
                format!("无法读取 {}（须为 UTF-8 文本）：{e}", path.display()),
            )
        })?;
        self.with(|s| s.print_set_template(name, &text))
    }
    pub fn print_reset_template(&self, name: &str) -> Result<print::assets::TemplateInfo> {
        self.with(|s| s.print_reset_template(name))
    }
    pub fn print_fonts(&self) -> Result<print::assets::FontSettings> {
        self.with(|s| s.print_fonts())
    }
    /// Adds a font file the person chose (kept in the vault after a test render).
    pub fn print_add_font(&self, path: &Path) -> Result<print::assets::FontFile> {
        let data = std::fs::read(path).map_err(|e| {
            Error::field(
                "file",
                "字体文件",
                format!("无法读取 {}：{e}", path.display()),
            )
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        self.with(|s| s.print_add_font(&name, data))
    }
    pub fn print_remove_font(&self, name: &str) -> Result<()> {
        self.with(|s| s.print_remove_font(name))
    }
    pub fn print_set_fonts(
        &self,
        choice: &print::assets::FontChoice,
    ) -> Result<print::assets::FontChoice> {
        self.with(|s| s.print_set_fonts(choice))
    }
}
