// Printing as the window offers it: the forms the core prints (asked once), which form a
// timeline entry fills in, the one print preview of the main window, and the native save
// dialog for PDFs and templates.
//
// Contract: the core typesets, numbers, logs and audits every print; the window only asks for
// a job (`PrintRequest`), shows its pages and hands them to the system print dialog or to a
// file the person chose. Forms are asked only by a role that prints (`print`): the core
// refuses, and audits, anyone else.

import { reactive, ref } from 'vue'
import { getIdentifier } from '@tauri-apps/api/app'
import { save } from '@tauri-apps/plugin-dialog'
import type { SaveDialogOptions } from '@tauri-apps/plugin-dialog'
import * as api from './api'
import type { FormInfo } from './bindings/FormInfo'
import type { PrintJob } from './bindings/PrintJob'
import type { PrintRequest } from './bindings/PrintRequest'
import { can } from './session'

/** The printable forms, in the core's menu order; empty until asked, or for a role that
 *  cannot print. */
export const forms = ref<FormInfo[]>([])
let asking: Promise<void> | null = null

/** Asks the core for its forms once (again after a failure). */
export function loadForms(): Promise<void> {
  if (!can('print')) return Promise.resolve()
  asking ??= api
    .printForms()
    .then((list) => {
      forms.value = list
    })
    .catch(() => {
      // No menu this time (a lost session is handled by the api layer); ask again later.
      asking = null
    })
  return asking
}

/** A register's name in the core's form table (`FormInfo.register`). */
export type RegisterName = 'doc' | 'device' | 'person'

/** The form of `register` printed from a timeline entry of kind `kind` (`borrowed` → 借阅单). */
export function formForEvent(register: RegisterName, kind: string): FormInfo | undefined {
  return forms.value.find((f) => f.register === register && f.event === kind)
}

/** The forms of one record of `register`: the single-record forms, then the lists that can
 *  hold one. */
export function recordForms(register: RegisterName): FormInfo[] {
  const own = forms.value.filter((f) => f.register === register)
  return [...own.filter((f) => f.target === 'record'), ...own.filter((f) => f.target === 'records')]
}

/** The listing form of `register` (printed under the list's filters), if the core has one. */
export function listForm(register: RegisterName): FormInfo | undefined {
  return forms.value.find((f) => f.register === register && f.target === 'list')
}

/** Where a printout that is not a print job comes from and goes to: a form of the system
 *  side (the auditor's checkpoint slip) typesets and saves through its own commands. */
export type PrintSource = {
  typeset: () => Promise<PrintJob>
  save: (serial: string, path: string) => Promise<unknown>
  /** What the preview says was recorded (a print job: the print log and the audit log). */
  note: string
}

/** The main window's one print preview (`PrintPreview` in `MainView`). */
export const preview = reactive({ open: false, request: null as PrintRequest | null })

/** Opens the preview of a new print job. */
export function printPreview(request: PrintRequest): void {
  preview.request = request
  preview.open = true
}

const TEST_APP_ID = 'cn.baomi.ledger.test'
let testBuild: Promise<boolean> | null = null

/**
 * The native save dialog. Only the test build (its own identifier, never the product's) takes
 * the path from `window.__BAOMI_E2E_SAVE_PATH__` when a test has set it, since WebDriver cannot
 * drive a native dialog.
 */
export async function chooseSavePath(options: SaveDialogOptions): Promise<string | null> {
  testBuild ??= getIdentifier()
    .then((id) => id === TEST_APP_ID)
    .catch(() => false)
  if (await testBuild) {
    const injected = (window as unknown as { __BAOMI_E2E_SAVE_PATH__?: unknown }).__BAOMI_E2E_SAVE_PATH__
    if (typeof injected === 'string' && injected !== '') return injected
  }
  return save(options)
}
