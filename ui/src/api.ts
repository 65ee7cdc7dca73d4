// Typed wrappers over the core's IPC commands: one function per command.
//
// Contract: every function resolves with the core's result or rejects with an `ApiError`
// (`{ code, message, field? }`). The UI switches on `code` only; `message` is shown as is.
// Commands that need a signed-in session report a `locked` rejection to the handler set with
// `onSessionLost` (the session expired or was locked), so screens need not check for it.
// `app_status`, `setup_vault` and `login` are not session-bound: for `login`, `locked` means
// the account is locked out and is the login screen's business.

import { invoke } from '@tauri-apps/api/core'
import type { Account } from './bindings/Account'
import type { AppStatus } from './bindings/AppStatus'
import type { Code } from './bindings/Code'
import type { Error as CoreError } from './bindings/Error'
import type { Filter } from './bindings/Filter'
import type { InitRequest } from './bindings/InitRequest'
import type { NewAccount } from './bindings/NewAccount'
import type { Page } from './bindings/Page'
import type { Policy } from './bindings/Policy'
import type { Report } from './bindings/Report'
import type { SessionInfo } from './bindings/SessionInfo'

export type ApiError = CoreError

/** Business roles the security administrator may assign. */
export type BusinessRole = 'officer' | 'reader'

const CODES: readonly Code[] = [
  'validation', 'rule', 'permission', 'not_found', 'conflict', 'auth_failed', 'locked',
  'integrity', 'unsupported', 'io', 'internal',
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

/** Sets who hears that a session-bound command failed with `locked`. */
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
    if (err.code === 'locked' && sessionLost) sessionLost(err)
    throw err
  }
}

export const appStatus = () => call<AppStatus>('app_status')
export const setupVault = (req: InitRequest) => call<null>('setup_vault', { req })
export const login = (user: string, password: string) =>
  call<SessionInfo>('login', { user, password })

export const lock = (idle: boolean) => call<null>('lock', { idle })
export const changePassword = (old: string, password: string) =>
  guarded<SessionInfo>('change_password', { old, new: password })

export const listAccounts = () => guarded<Account[]>('list_accounts')
export const addAccount = (req: NewAccount) => guarded<null>('add_account', { req })
export const setAccountDisabled = (name: string, disabled: boolean) =>
  guarded<null>('set_account_disabled', { name, disabled })
export const resetPassword = (name: string, password: string) =>
  guarded<null>('reset_password', { name, password })
export const assignRole = (name: string, role: BusinessRole) =>
  guarded<null>('assign_role', { name, role })

export const getPolicy = () => guarded<Policy>('get_policy')
export const setPolicy = (policy: Policy) => guarded<Policy>('set_policy', { policy })
export const setUnitName = (unit: string) => guarded<SessionInfo>('set_unit_name', { unit })
export const backupVault = (dest: string) => guarded<null>('backup_vault', { dest })

export const auditList = (filter: Filter) => guarded<Page>('audit_list', { filter })
export const auditVerify = () => guarded<Report>('audit_verify')
