// Typed wrappers over the core's IPC commands: one function per command.
//
// Contract: every function resolves with the core's result or rejects with an `ApiError`
// (`{ code, message, field? }`). The UI switches on `code` only; `message` is shown as is.
// Commands that need a signed-in session report a `session_locked` rejection (no session, or it
// expired by idle timeout) to the handler set with `onSessionLost`, so screens need not check
// for it. `app_status`, `setup_vault`, `login`, `accept_restore` and `recover` are not
// session-bound; `locked` means only that an account is locked out or disabled, and
// `rolled_back` that the vault is older than this machine last saw it: both are the login
// screen's business.

import { Channel, invoke } from '@tauri-apps/api/core'
import type { BackupInfo } from './bindings/BackupInfo'
import type { SheetExport } from './bindings/SheetExport'
import type { YearStats } from './bindings/YearStats'
import type { SheetOptions } from './bindings/SheetOptions'
import type { SheetReport } from './bindings/SheetReport'
import type { Account } from './bindings/Account'
import type { Checkpoint } from './bindings/Checkpoint'
import type { AppStatus } from './bindings/AppStatus'
import type { SetupDone } from './bindings/SetupDone'
import type { Code } from './bindings/Code'
import type { CopyInput } from './bindings/CopyInput'
import type { CopyResult } from './bindings/CopyResult'
import type { DeviceInput } from './bindings/DeviceInput'
import type { DeviceQuery } from './bindings/DeviceQuery'
import type { DeviceReminders } from './bindings/DeviceReminders'
import type { DeviceView } from './bindings/DeviceView'
import type { DocInput } from './bindings/DocInput'
import type { DocQuery } from './bindings/DocQuery'
import type { DocReminders } from './bindings/DocReminders'
import type { DocView } from './bindings/DocView'
import type { Due } from './bindings/Due'
import type { Entry } from './bindings/Entry'
import type { ExportRequest } from './bindings/ExportRequest'
import type { Exported } from './bindings/Exported'
import type { ImportReport } from './bindings/ImportReport'
import type { KeyCard } from './bindings/KeyCard'
import type { KnownUnit } from './bindings/KnownUnit'
import type { Resolution } from './bindings/Resolution'
import type { SentBundle } from './bindings/SentBundle'
import type { Error as CoreError } from './bindings/Error'
import type { Filter } from './bindings/Filter'
import type { FontChoice } from './bindings/FontChoice'
import type { FontFile } from './bindings/FontFile'
import type { FontSettings } from './bindings/FontSettings'
import type { FormInfo } from './bindings/FormInfo'
import type { HandbackInput } from './bindings/HandbackInput'
import type { HomeFigures } from './bindings/HomeFigures'
import type { InitRequest } from './bindings/InitRequest'
import type { LoggedEvent } from './bindings/LoggedEvent'
import type { Level } from './bindings/Level'
import type { NewAccount } from './bindings/NewAccount'
import type { ClassPeriods } from './bindings/ClassPeriods'
import type { PersonInput } from './bindings/PersonInput'
import type { PersonQuery } from './bindings/PersonQuery'
import type { PersonReminders } from './bindings/PersonReminders'
import type { PersonView } from './bindings/PersonView'
import type { Page } from './bindings/Page'
import type { Policy } from './bindings/Policy'
import type { PrintJob } from './bindings/PrintJob'
import type { PrintCheck } from './bindings/PrintCheck'
import type { PrintLogQuery } from './bindings/PrintLogQuery'
import type { PrintRequest } from './bindings/PrintRequest'
import type { ReconcileInput } from './bindings/ReconcileInput'
import type { Reconciliation } from './bindings/Reconciliation'
import type { Report } from './bindings/Report'
import type { SessionInfo } from './bindings/SessionInfo'
import type { TemplateInfo } from './bindings/TemplateInfo'
import type { VaultKey } from './bindings/VaultKey'

export type ApiError = CoreError

/** Business roles the security administrator may assign. */
export type BusinessRole = 'officer' | 'reader'

const CODES: readonly Code[] = [
  'validation', 'rule', 'permission', 'not_found', 'conflict', 'auth_failed', 'locked',
  'session_locked', 'integrity', 'rolled_back', 'unsupported', 'io', 'internal',
]

export function isApiError(e: unknown): e is ApiError {
  if (typeof e !== 'object' || e === null) return false
  const o = e as Record<string, unknown>
  return (
    typeof o.code === 'string' &&
    (CODES as readonly string[]).includes(o.code) &&
    typeof o.message === 'string' &&
    (o.field === undefined || typeof o.field === 'string')
  )
}

/** Anything else the IPC layer may reject with (a bad argument, a missing command). */
function toApiError(e: unknown): ApiError {
  if (isApiError(e)) return e
  const text = e instanceof Error ? e.message : String(e)
  return { code: 'internal', message: `程序内部错误：${text}` }
}

let sessionLost: ((e: ApiError) => void) | null = null

/** Sets who hears that a session-bound command failed with `session_locked`. */
export function onSessionLost(handler: (e: ApiError) => void): void {
  sessionLost = handler
}

async function call<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
  try {
    return await invoke<T>(cmd, args)
  } catch (e) {
    throw toApiError(e)
  }
}

async function guarded<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
  try {
    return await call<T>(cmd, args)
  } catch (e) {
    const err = e as ApiError
    if (err.code === 'session_locked' && sessionLost) sessionLost(err)
    throw err
  }
}

export const appStatus = () => call<AppStatus>('app_status')
export const setupVault = (req: InitRequest) => call<SetupDone>('setup_vault', { req })
export const login = (user: string, password: string) =>
  call<SessionInfo>('login', { user, password })

/** The 安全审计员 accepts a vault refused as `rolled_back` (an older copy put back). */
export const acceptRestore = (user: string, password: string) =>
  call<SessionInfo>('accept_restore', { user, password })
/** A business account signs in with the sealed recovery code and takes the register key back. */
export const recover = (user: string, password: string, code: string) =>
  call<SessionInfo>('recover', { user, password, code })

export const lock = (idle: boolean) => call<null>('lock', { idle })
/** Heartbeat: tells the core the person is active (not audited); answers the core's today. */
export const touch = () => guarded<string>('touch')
export const changePassword = (old: string, password: string) =>
  guarded<SessionInfo>('change_password', { old, new: password })

export const listAccounts = () => guarded<Account[]>('list_accounts')
export const addAccount = (req: NewAccount) => guarded<null>('add_account', { req })
export const setAccountDisabled = (name: string, disabled: boolean) =>
  guarded<null>('set_account_disabled', { name, disabled })
export const resetPassword = (name: string, password: string) =>
  guarded<null>('reset_password', { name, password })
export const unlockAccount = (name: string) => guarded<null>('unlock_account', { name })
export const assignRole = (name: string, role: BusinessRole) =>
  guarded<null>('assign_role', { name, role })

export const getPolicy = () => guarded<Policy>('get_policy')
export const setPolicy = (policy: Policy) => guarded<Policy>('set_policy', { policy })
export const setUnitName = (unit: string) => guarded<SessionInfo>('set_unit_name', { unit })
export const backupVault = (dest: string, passphrase: string) =>
  guarded<BackupInfo>('backup_vault', { dest, passphrase })
export const backupVerify = (file: string, passphrase: string) =>
  guarded<BackupInfo>('backup_verify', { file, passphrase })
export const backupRestore = (file: string, passphrase: string, dest: string) =>
  guarded<BackupInfo>('backup_restore', { file, passphrase, dest })

export const auditList = (filter: Filter) => guarded<Page<Entry>>('audit_list', { filter })
export const auditVerify = () => guarded<Report>('audit_verify')
/** Checks the log against a paper checkpoint: its sequence and head hash as typed. */
export const auditVerifyPaper = (seq: number, head: string) =>
  guarded<Report>('audit_verify_paper', { seq, head })
/** Signs the log head as the auditor sees it now (kept in the vault and printed on paper). */
export const auditCheckpoint = () => guarded<Checkpoint>('audit_checkpoint')
/** Typesets (and audits) the A4 slip of the checkpoint at `seq`; kept for preview like a print. */
export const auditCheckpointSlip = (seq: number) => guarded<PrintJob>('audit_checkpoint_slip', { seq })
export const auditCheckpointSave = (serial: string, path: string) =>
  guarded<null>('audit_checkpoint_save', { serial, path })
/** Rotates the key this account holds the duty for (系统管理员: system, 保密员: registers). */
export const rotateKeys = () => guarded<VaultKey[]>('rotate_keys')

/** Lifecycle events of a carrier run through `doc_event`; copy and hand-back have their own. */
export type DocEventKind =
  | 'distribute'
  | 'circulate'
  | 'borrow'
  | 'return'
  | 'archive'
  | 'declassify'
  | 'missing'
  | 'found'
  | 'destroy'
  | 'correct'

export const docList = (query: DocQuery) => guarded<Page<DocView>>('doc_list', { query })
export const docAdd = (input: DocInput) => guarded<DocView>('doc_add', { input })
export const docShow = (id: number) => guarded<DocView>('doc_show', { id })
/** `input` is the JSON of the kind's `*Input` type (`BorrowInput` for `borrow`…). */
export const docEvent = (id: number, kind: DocEventKind, input: Record<string, unknown>) =>
  guarded<DocView>('doc_event', { id, kind, input })
export const docCopy = (id: number, input: CopyInput) => guarded<CopyResult>('doc_copy', { id, input })
export const docHandback = (ids: number[], input: Omit<HandbackInput, 'ids'>) =>
  guarded<DocView[]>('doc_handback', { ids, input })
export const docReconcile = (input: ReconcileInput) => guarded<Reconciliation>('doc_reconcile', { input })
export const docReminders = () => guarded<DocReminders>('doc_reminders')
export const docHighestLevel = () => guarded<Level | null>('doc_highest_level')

/** Actions on a device (`DeviceView.actions[].kind`), all run through `device_event`. */
export type DeviceEventKind =
  | 'checkout'
  | 'checkin'
  | 'issue'
  | 'lend'
  | 'give_back'
  | 'transfer'
  | 'maintain'
  | 'repaired'
  | 'inspect'
  | 'suspend'
  | 'resume'
  | 'destroy'
  | 'correct'

export const deviceList = (query: DeviceQuery) => guarded<Page<DeviceView>>('device_list', { query })
export const deviceAdd = (input: DeviceInput) => guarded<DeviceView>('device_add', { input })
export const deviceShow = (id: number) => guarded<DeviceView>('device_show', { id })
/** `input` is the JSON of the kind's `*Input` type (`CheckoutInput` for `checkout`…). */
export const deviceEvent = (id: number, kind: DeviceEventKind, input: Record<string, unknown>) =>
  guarded<DeviceView>('device_event', { id, kind, input })
export const deviceReminders = () => guarded<DeviceReminders>('device_reminders')

/** A book of the device ledger: `checkout` (外出 and its returns), `maintenance` (维护淘汰 and
 *  repairs done), `media` (removable media issued, lent, given back). */
export type DeviceBook = 'checkout' | 'maintenance' | 'media'
/** The events of one book across every device, newest first, with the exact total. */
export const deviceBook = (book: DeviceBook, offset?: number, limit?: number) =>
  guarded<Page<LoggedEvent>>('device_book', { book, offset, limit })

/** Actions on a person (`PersonView.actions[].kind`), all run through `person_event`. */
export type PersonEventKind =
  | 'review'
  | 'train'
  | 'pledge'
  | 'exception'
  | 'close_exception'
  | 'offboard'
  | 'clear'
  | 'correct'

export const personList = (query: PersonQuery) => guarded<Page<PersonView>>('person_list', { query })
export const personAdd = (input: PersonInput) => guarded<PersonView>('person_add', { input })
/** One person with what they hold now (`holdings`) and their whole history. */
export const personShow = (id: number) => guarded<PersonView>('person_show', { id })
/** `input` is the JSON of the kind's `*Input` type (`PledgeInput` for `pledge`…). */
export const personEvent = (id: number, kind: PersonEventKind, input: Record<string, unknown>) =>
  guarded<PersonView>('person_event', { id, kind, input })
export const personReminders = () => guarded<PersonReminders>('person_reminders')

/** Everything due or overdue in every register and the office's cadence, most urgent first. */
export const due = () => guarded<Due[]>('due')
/** The home screen's figures: holdings by level, department and status; movements per month. */
export const figures = () => guarded<HomeFigures>('figures')
/** The unit's review interval (years) and 脱密期 (months) per class. */
export const personPeriods = () => guarded<ClassPeriods[]>('person_periods')
export const setPersonPeriods = (cls: string, reviewYears: number, coolingMonths: number) =>
  guarded<ClassPeriods[]>('set_person_periods', { class: cls, reviewYears, coolingMonths })

/** The forms the officer may print (the core refuses, and audits, any other role). */
export const printForms = () => guarded<FormInfo[]>('print_forms')
/** Typesets, logs and audits one print job; the printout stays in the core's memory. */
export const print = (req: PrintRequest) => guarded<PrintJob>('print', { req })
/** Page `page` (from 0) of a printout as a `data:image/png` URL; `scale` pixels per pt. */
export const printPage = (serial: string, page: number, scale: number) =>
  guarded<string>('print_page', { serial, page, scale })
export const printSave = (serial: string, path: string) => guarded<null>('print_save', { serial, path })
export const printSent = (serial: string) => guarded<null>('print_sent', { serial })
export const printLog = (query: PrintLogQuery) => guarded<Page<PrintJob>>('print_log', { query })
/** Matches a paper copy to the vault: is the printed data still what the vault holds? */
export const printCheck = (serial: string) => guarded<PrintCheck>('print_check', { serial })

export const printTemplates = () => guarded<TemplateInfo[]>('print_templates')
export const printExportTemplate = (name: string, path: string) =>
  guarded<null>('print_export_template', { name, path })
export const printImportTemplate = (name: string, path: string) =>
  guarded<TemplateInfo>('print_import_template', { name, path })
export const printResetTemplate = (name: string) => guarded<TemplateInfo>('print_reset_template', { name })
export const printFonts = () => guarded<FontSettings>('print_fonts')
export const printAddFont = (path: string) => guarded<FontFile>('print_add_font', { path })
export const printRemoveFont = (name: string) => guarded<null>('print_remove_font', { name })
export const printSetFonts = (choice: FontChoice) => guarded<FontChoice>('print_set_fonts', { choice })

/** Writes a bundle of the records `req` selects to `out`, sealed to the known units in
 *  `req.to_units` or else to `passphrase` (the core checks it); audited with its SHA-256. */
export const bundleExport = (req: ExportRequest, passphrase: string | null, out: string) =>
  guarded<Exported>('bundle_export', { req, passphrase, out })

/** How to import a bundle or a receipt (`bundle_import`). */
export type BundleImport = {
  path: string
  passphrase: string | null
  /** Only the preview: nothing is written. */
  dryRun: boolean
  /** The officer checked the fingerprint of an unknown or changed sender. */
  acceptSender: boolean
  /** Each conflict's choice, by the record's key. */
  resolutions: Record<string, Resolution>
  /** Where the receipt goes (`null`: beside the bundle). */
  receipt: string | null
}
export const bundleImport = (req: BundleImport) => guarded<ImportReport>('bundle_import', req)
/** The bundles this unit sent, newest first, with their receipts. */
export const bundlesSent = () => guarded<SentBundle[]>('bundles_sent')
/** This unit's key card (the core makes the unit's keys the first time, audited). */
export const unitKey = () => guarded<KeyCard>('unit_key')
export const unitKeyExport = (path: string) => guarded<KeyCard>('unit_key_export', { path })
/** Imports another unit's key card; `replace` only after its new fingerprint was checked. */
export const unitKeyImport = (path: string, replace: boolean) =>
  guarded<KnownUnit>('unit_key_import', { path, replace })
export const knownUnits = () => guarded<KnownUnit[]>('known_units')

/** Imports (or, with `dry_run`, checks) an officer's sheet into `register`; `progress` hears
 *  `(rows done, rows)` while it runs. */
export function sheetImport(
  register: string,
  path: string,
  options: SheetOptions,
  progress: (done: number, total: number) => void,
): Promise<SheetReport> {
  const onProgress = new Channel<[number, number]>()
  onProgress.onmessage = ([done, total]) => progress(done, total)
  return guarded<SheetReport>('sheet_import', { register, path, options, onProgress })
}
/** Records an office inspection (`quarterly` 季检查, `annual` 领导小组年度检查) as done today. */
export const officeCheck = (kind: 'quarterly' | 'annual') => guarded<string>('office_check', { kind, on: null })
/** The year-end statistics (年度保密工作统计) of `year`. */
export const stats = (year: number) => guarded<YearStats>('stats', { year })
/** Typesets the year's statistics report (audited), kept for preview like a print. */
export const statsReport = (year: number) => guarded<PrintJob>('stats_report', { year })
export const statsReportSave = (serial: string, path: string) =>
  guarded<void>('stats_report_save', { serial, path })
/** Writes the year's statistics to `out` as a workbook, one sheet per table (audited). */
export const statsExport = (year: number, out: string) => guarded<SheetExport>('stats_export', { year, out })
/** Writes the records of `register` its list filters select to `out` (.xlsx). */
export const sheetExport = (register: string, query: unknown, out: string) =>
  guarded<SheetExport>('sheet_export', { register, query, out })
