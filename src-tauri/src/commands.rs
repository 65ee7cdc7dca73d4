//! The IPC commands: each maps one call of the UI to one method of [`baomi::app::App`].
//!
//! Contract: no logic here. Errors cross as `{code, message, field?}` ([`baomi::Error`]);
//! request and response types are the core's, exported to `ui/src/bindings/` by ts-rs.
//! Commands run off the main thread (`async`), so Argon2id never freezes the window. A
//! password argument is moved into a `Zeroizing` buffer at once (no copy), wiped after the call.

use std::collections::BTreeMap;
use std::path::PathBuf;

use baomi::app::{App, AppStatus, SetupDone, Zeroizing};
use baomi::bundle::exchange as bx;
use baomi::bundle::unit as bu;
use baomi::excel::{SheetExport, SheetOptions, SheetReport};
use baomi::print as pr;
use baomi::registers::devices as dv;
use baomi::registers::documents as d;
use baomi::registers::exchange::Resolution;
use baomi::registers::personnel as p;
use baomi::registers::stats::YearStats;
use baomi::vault::accounts::Account;
use baomi::vault::audit::{Checkpoint, Filter, Page, Report};
use baomi::vault::keyfile::VaultKey;
use baomi::vault::policy::Policy;
use baomi::vault::roles::Role;
use baomi::vault::{InitRequest, NewAccount, SessionInfo};
use baomi::Error;
use tauri::ipc::Channel;
use tauri::State;

type R<T> = Result<T, Error>;

#[tauri::command(async)]
fn app_status(app: State<'_, App>) -> R<AppStatus> {
    app.status()
}

#[tauri::command(async)]
fn setup_vault(app: State<'_, App>, req: InitRequest) -> R<SetupDone> {
    app.setup(req)
}

#[tauri::command(async)]
fn login(app: State<'_, App>, user: String, password: String) -> R<SessionInfo> {
    app.login(&user, Zeroizing::new(password))
}

#[tauri::command(async)]
fn lock(app: State<'_, App>, idle: bool) -> R<()> {
    app.lock(idle)
}

#[tauri::command(async)]
fn change_password(app: State<'_, App>, old: String, new: String) -> R<SessionInfo> {
    app.change_password(Zeroizing::new(old), Zeroizing::new(new))
}

#[tauri::command(async)]
fn touch(app: State<'_, App>) -> R<String> {
    app.touch()
}

#[tauri::command(async)]
fn unlock_account(app: State<'_, App>, name: String) -> R<()> {
    app.unlock_account(&name)
}

#[tauri::command(async)]
fn list_accounts(app: State<'_, App>) -> R<Vec<Account>> {
    app.list_accounts()
}

#[tauri::command(async)]
fn add_account(app: State<'_, App>, req: NewAccount) -> R<()> {
    app.add_account(req)
}

#[tauri::command(async)]
fn set_account_disabled(app: State<'_, App>, name: String, disabled: bool) -> R<()> {
    app.set_account_disabled(&name, disabled)
}

#[tauri::command(async)]
fn reset_password(app: State<'_, App>, name: String, password: String) -> R<()> {
    app.reset_password(&name, Zeroizing::new(password))
}

#[tauri::command(async)]
fn assign_role(app: State<'_, App>, name: String, role: Role) -> R<()> {
    app.assign_role(&name, role)
}

#[tauri::command(async)]
fn get_policy(app: State<'_, App>) -> R<Policy> {
    app.policy()
}

#[tauri::command(async)]
fn set_policy(app: State<'_, App>, policy: Policy) -> R<Policy> {
    app.set_policy(policy)
}

#[tauri::command(async)]
fn set_unit_name(app: State<'_, App>, unit: String) -> R<SessionInfo> {
    app.set_unit_name(&unit)
}

#[tauri::command(async)]
fn backup_vault(
    app: State<'_, App>,
    dest: PathBuf,
    passphrase: String,
) -> R<baomi::bundle::backup::BackupInfo> {
    app.backup(&dest, Zeroizing::new(passphrase))
}

#[tauri::command(async)]
fn backup_verify(
    app: State<'_, App>,
    file: PathBuf,
    passphrase: String,
) -> R<baomi::bundle::backup::BackupInfo> {
    app.backup_verify(&file, Zeroizing::new(passphrase))
}

#[tauri::command(async)]
fn backup_restore(
    app: State<'_, App>,
    file: PathBuf,
    passphrase: String,
    dest: PathBuf,
) -> R<baomi::bundle::backup::BackupInfo> {
    app.backup_restore(&file, Zeroizing::new(passphrase), &dest)
}

#[tauri::command(async)]
fn audit_list(app: State<'_, App>, filter: Filter) -> R<Page> {
    app.audit_list(&filter)
}

#[tauri::command(async)]
fn audit_verify(app: State<'_, App>) -> R<Report> {
    app.audit_verify()
}

#[tauri::command(async)]
fn audit_verify_paper(app: State<'_, App>, seq: i64, head: String) -> R<Report> {
    app.audit_verify_paper(seq, &head)
}

#[tauri::command(async)]
fn audit_checkpoint(app: State<'_, App>) -> R<Checkpoint> {
    app.audit_checkpoint()
}

#[tauri::command(async)]
fn audit_checkpoint_slip(app: State<'_, App>, seq: i64) -> R<pr::PrintJob> {
    app.audit_checkpoint_slip(seq)
}

#[tauri::command(async)]
fn audit_checkpoint_save(app: State<'_, App>, serial: String, path: PathBuf) -> R<()> {
    app.audit_checkpoint_save(&serial, &path)
}

#[tauri::command(async)]
fn accept_restore(app: State<'_, App>, user: String, password: String) -> R<SessionInfo> {
    app.accept_restore(&user, Zeroizing::new(password))
}

#[tauri::command(async)]
fn recover(app: State<'_, App>, user: String, password: String, code: String) -> R<SessionInfo> {
    app.recover(&user, Zeroizing::new(password), Zeroizing::new(code))
}

#[tauri::command(async)]
fn rotate_keys(app: State<'_, App>) -> R<Vec<VaultKey>> {
    app.rotate_keys()
}

#[tauri::command(async)]
fn doc_add(app: State<'_, App>, input: serde_json::Value) -> R<d::DocView> {
    app.doc_add(input)
}

#[tauri::command(async)]
fn doc_list(app: State<'_, App>, query: d::DocQuery) -> R<d::DocPage> {
    app.doc_list(&query)
}

#[tauri::command(async)]
fn doc_show(app: State<'_, App>, id: i64) -> R<d::DocView> {
    app.doc_show(id)
}

#[tauri::command(async)]
fn doc_event(
    app: State<'_, App>,
    id: i64,
    kind: String,
    input: serde_json::Value,
) -> R<d::DocView> {
    app.doc_event(id, &kind, input)
}

#[tauri::command(async)]
fn doc_copy(app: State<'_, App>, id: i64, input: serde_json::Value) -> R<d::CopyResult> {
    app.doc_copy(id, input)
}

#[tauri::command(async)]
fn doc_handback(
    app: State<'_, App>,
    ids: Vec<i64>,
    input: serde_json::Value,
) -> R<Vec<d::DocView>> {
    app.doc_handback(&ids, input)
}

#[tauri::command(async)]
fn doc_reconcile(app: State<'_, App>, input: serde_json::Value) -> R<d::Reconciliation> {
    app.doc_reconcile(input)
}

#[tauri::command(async)]
fn doc_reminders(app: State<'_, App>) -> R<d::DocReminders> {
    app.doc_reminders()
}

#[tauri::command(async)]
fn doc_highest_level(app: State<'_, App>) -> R<Option<d::Level>> {
    app.doc_highest_level()
}

#[tauri::command(async)]
fn device_add(app: State<'_, App>, input: serde_json::Value) -> R<dv::DeviceView> {
    app.device_add(input)
}

#[tauri::command(async)]
fn device_list(app: State<'_, App>, query: dv::DeviceQuery) -> R<dv::DevicePage> {
    app.device_list(&query)
}

#[tauri::command(async)]
fn device_show(app: State<'_, App>, id: i64) -> R<dv::DeviceView> {
    app.device_show(id)
}

#[tauri::command(async)]
fn device_event(
    app: State<'_, App>,
    id: i64,
    kind: String,
    input: serde_json::Value,
) -> R<dv::DeviceView> {
    app.device_event(id, &kind, input)
}

#[tauri::command(async)]
fn device_book(
    app: State<'_, App>,
    book: String,
    offset: Option<u32>,
    limit: Option<u32>,
) -> R<baomi::page::Page<baomi::registers::LoggedEvent>> {
    app.device_book(&book, offset, limit)
}

#[tauri::command(async)]
fn device_reminders(app: State<'_, App>) -> R<dv::DeviceReminders> {
    app.device_reminders()
}

#[tauri::command(async)]
fn device_inspection_intervals(app: State<'_, App>) -> R<Vec<dv::InspectionInterval>> {
    app.device_inspection_intervals()
}

#[tauri::command(async)]
fn set_device_inspection_interval(
    app: State<'_, App>,
    kind: String,
    days: u32,
) -> R<Vec<dv::InspectionInterval>> {
    app.set_device_inspection_interval(&kind, days)
}

#[tauri::command(async)]
fn due(app: State<'_, App>) -> R<Vec<baomi::registers::due::Due>> {
    app.due()
}

#[tauri::command(async)]
fn figures(app: State<'_, App>) -> R<baomi::registers::figures::HomeFigures> {
    app.figures()
}

#[tauri::command(async)]
fn person_add(app: State<'_, App>, input: serde_json::Value) -> R<p::PersonView> {
    app.person_add(input)
}

#[tauri::command(async)]
fn person_list(app: State<'_, App>, query: p::PersonQuery) -> R<p::PersonPage> {
    app.person_list(&query)
}

#[tauri::command(async)]
fn person_show(app: State<'_, App>, id: i64) -> R<p::PersonView> {
    app.person_show(id)
}

#[tauri::command(async)]
fn person_event(
    app: State<'_, App>,
    id: i64,
    kind: String,
    input: serde_json::Value,
) -> R<p::PersonView> {
    app.person_event(id, &kind, input)
}

#[tauri::command(async)]
fn person_reminders(app: State<'_, App>) -> R<p::PersonReminders> {
    app.person_reminders()
}

#[tauri::command(async)]
fn person_periods(app: State<'_, App>) -> R<Vec<p::ClassPeriods>> {
    app.person_periods()
}

#[tauri::command(async)]
fn set_person_periods(
    app: State<'_, App>,
    class: String,
    review_years: u32,
    cooling_months: u32,
) -> R<Vec<p::ClassPeriods>> {
    app.set_person_periods(&class, review_years, cooling_months)
}

#[tauri::command(async)]
fn print_forms(app: State<'_, App>) -> R<Vec<pr::FormInfo>> {
    app.print_forms()
}

#[tauri::command(async)]
fn print(app: State<'_, App>, req: serde_json::Value) -> R<pr::PrintJob> {
    app.print(req)
}

#[tauri::command(async)]
fn print_page(app: State<'_, App>, serial: String, page: u32, scale: f64) -> R<String> {
    app.print_page(&serial, page, scale)
}

#[tauri::command(async)]
fn print_save(app: State<'_, App>, serial: String, path: PathBuf) -> R<()> {
    app.print_save(&serial, &path)
}

#[tauri::command(async)]
fn print_sent(app: State<'_, App>, serial: String) -> R<()> {
    app.print_sent(&serial)
}

#[tauri::command(async)]
fn print_check(app: State<'_, App>, serial: String) -> R<pr::PrintCheck> {
    app.print_check(&serial)
}

#[tauri::command(async)]
fn print_log(app: State<'_, App>, query: pr::PrintLogQuery) -> R<pr::PrintLogPage> {
    app.print_log(&query)
}

#[tauri::command(async)]
fn print_templates(app: State<'_, App>) -> R<Vec<pr::TemplateInfo>> {
    app.print_templates()
}

#[tauri::command(async)]
fn print_export_template(app: State<'_, App>, name: String, path: PathBuf) -> R<()> {
    app.print_export_template(&name, &path)
}

#[tauri::command(async)]
fn print_import_template(app: State<'_, App>, name: String, path: PathBuf) -> R<pr::TemplateInfo> {
    app.print_import_template(&name, &path)
}

#[tauri::command(async)]
fn print_reset_template(app: State<'_, App>, name: String) -> R<pr::TemplateInfo> {
    app.print_reset_template(&name)
}

#[tauri::command(async)]
fn print_fonts(app: State<'_, App>) -> R<pr::FontSettings> {
    app.print_fonts()
}

#[tauri::command(async)]
fn print_add_font(app: State<'_, App>, path: PathBuf) -> R<pr::FontFile> {
    app.print_add_font(&path)
}

#[tauri::command(async)]
fn print_remove_font(app: State<'_, App>, name: String) -> R<()> {
    app.print_remove_font(&name)
}

#[tauri::command(async)]
fn print_set_fonts(app: State<'_, App>, choice: pr::FontChoice) -> R<pr::FontChoice> {
    app.print_set_fonts(&choice)
}

#[tauri::command(async)]
fn bundle_export(
    app: State<'_, App>,
    req: serde_json::Value,
    passphrase: Option<String>,
    out: PathBuf,
) -> R<bx::Exported> {
    app.bundle_export(req, passphrase.map(Zeroizing::new), &out)
}

#[tauri::command(async)]
fn bundle_import(
    app: State<'_, App>,
    path: PathBuf,
    passphrase: Option<String>,
    dry_run: bool,
    accept_sender: bool,
    resolutions: BTreeMap<String, Resolution>,
    receipt: Option<PathBuf>,
) -> R<bx::ImportReport> {
    let passphrase = passphrase.map(Zeroizing::new);
    app.bundle_import(
        &path,
        passphrase,
        dry_run,
        accept_sender,
        resolutions,
        receipt.as_deref(),
    )
}

/// Imports a sheet; `on_progress` receives `[rows done, rows]` as the import goes.
#[tauri::command(async)]
fn sheet_import(
    app: State<'_, App>,
    register: String,
    path: PathBuf,
    options: SheetOptions,
    on_progress: Channel<[u32; 2]>,
) -> R<SheetReport> {
    app.sheet_import(&register, &path, &options, &mut |done, total| {
        let _ = on_progress.send([done, total]);
    })
}

#[tauri::command(async)]
fn office_check(app: State<'_, App>, kind: String, on: Option<String>) -> R<String> {
    app.office_check(&kind, on.as_deref())
}

#[tauri::command(async)]
fn stats(app: State<'_, App>, year: i32) -> R<YearStats> {
    app.stats(year)
}

#[tauri::command(async)]
fn stats_report(app: State<'_, App>, year: i32) -> R<pr::PrintJob> {
    app.stats_report(year)
}

#[tauri::command(async)]
fn stats_report_save(app: State<'_, App>, serial: String, path: PathBuf) -> R<()> {
    app.stats_report_save(&serial, &path)
}

#[tauri::command(async)]
fn stats_export(app: State<'_, App>, year: i32, out: PathBuf) -> R<SheetExport> {
    app.stats_export(year, &out)
}

#[tauri::command(async)]
fn sheet_export(
    app: State<'_, App>,
    register: String,
    query: serde_json::Value,
    out: PathBuf,
) -> R<SheetExport> {
    app.sheet_export(&register, query, &out)
}

#[tauri::command(async)]
fn bundles_sent(app: State<'_, App>) -> R<Vec<bx::SentBundle>> {
    app.bundles_sent()
}

#[tauri::command(async)]
fn unit_key(app: State<'_, App>) -> R<bu::KeyCard> {
    app.unit_key()
}

#[tauri::command(async)]
fn unit_key_export(app: State<'_, App>, path: PathBuf) -> R<bu::KeyCard> {
    app.unit_key_export(&path)
}

#[tauri::command(async)]
fn unit_key_import(app: State<'_, App>, path: PathBuf, replace: bool) -> R<bu::KnownUnit> {
    app.unit_key_import(&path, replace)
}

#[tauri::command(async)]
fn known_units(app: State<'_, App>) -> R<Vec<bu::KnownUnit>> {
    app.known_units()
}

pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app_status,
        setup_vault,
        login,
        lock,
        change_password,
        touch,
        unlock_account,
        list_accounts,
        add_account,
        set_account_disabled,
        reset_password,
        assign_role,
        get_policy,
        set_policy,
        set_unit_name,
        backup_vault,
        backup_verify,
        backup_restore,
        audit_list,
        audit_verify,
        audit_verify_paper,
        audit_checkpoint,
        audit_checkpoint_slip,
        audit_checkpoint_save,
        accept_restore,
        recover,
        rotate_keys,
        doc_add,
        doc_list,
        doc_show,
        doc_event,
        doc_copy,
        doc_handback,
        doc_reconcile,
        doc_reminders,
        doc_highest_level,
        device_add,
        device_list,
        device_show,
        device_event,
        device_book,
        device_reminders,
        device_inspection_intervals,
        set_device_inspection_interval,
        due,
        figures,
        person_add,
        person_list,
        person_show,
        person_event,
        person_reminders,
        person_periods,
        set_person_periods,
        print_forms,
        print,
        print_page,
        print_save,
        print_sent,
        print_log,
        print_check,
        print_templates,
        print_export_template,
        print_import_template,
        print_reset_template,
        print_fonts,
        print_add_font,
        print_remove_font,
        print_set_fonts,
        bundle_export,
        bundle_import,
        bundles_sent,
        sheet_import,
        sheet_export,
        office_check,
        stats,
        stats_report,
        stats_report_save,
        stats_export,
        unit_key,
        unit_key_export,
        unit_key_import,
        known_units,
    ]
}
