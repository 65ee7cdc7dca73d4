// Data exchange as the window shows it (数据交换): the labels of the codes the core sends for
// bundles (a sender's status, a conflict's resolution), the suites and selection modes to
// choose from, the native open dialog for bundles and key cards, and a file's size in words.
//
// Contract: the core selects the records, seals, verifies, merges and decides every refusal;
// this only names its codes for the person and carries the choices back. Registers and their
// nouns come from the core's vocabulary.

import { open } from '@tauri-apps/plugin-dialog'
import type { Resolution } from './bindings/Resolution'
import type { SenderStatus } from './bindings/SenderStatus'
import { docsChanged, devicesChanged, personsChanged } from './session'
import { VOCABULARY } from './vocabulary'

/** The registers a bundle can carry, with their nouns (`doc` → 载体). */
export const BUNDLE_REGISTERS = VOCABULARY.registers.map((r) => ({ value: r.name, label: r.noun }))

/** What an export sends: chosen records, the carriers handed back to one unit (清退), what
 *  changed since a date, or a whole register. */
export type ExportMode = 'ids' | 'handback' | 'since' | 'all'

export const EXPORT_MODES: readonly { value: ExportMode; label: string }[] = [
  { value: 'ids', label: '选定记录' },
  { value: 'handback', label: '清退给某单位' },
  { value: 'since', label: '某日以来的变动' },
  { value: 'all', label: '全部' },
]

/** The cipher suites (`ExportRequest.suite`). */
export const SUITES = [
  { value: 'aes', label: 'AES-256-GCM / SHA-256（默认）' },
  { value: 'sm4', label: '国密 SM4-GCM / SM3' },
] as const

export const SENDER_STATUS: Record<SenderStatus, string> = {
  known: '已知单位',
  unknown: '未导入密钥卡',
  changed: '密钥已变更',
}

export const RESOLUTIONS: readonly { value: Resolution; label: string }[] = [
  { value: 'mine', label: '保留本方' },
  { value: 'theirs', label: '采用对方' },
  { value: 'both', label: '都保留（对方的值记为更正）' },
]

/** Record numbers as typed or pasted: separated by commas (either width), 、 or spaces. */
export function splitIds(text: string): string[] {
  return text
    .split(/[,，、;；\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** `2026-11-22` → `20261122`, for default file names. */
export function compactDate(iso: string): string {
  return iso.replace(/-/g, '')
}

/** A size in bytes as the officer reads it. */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} 字节`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB（${bytes} 字节）`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB（${bytes} 字节）`
}

/** `path` ending in `.ext` (appended when the person left it off). */
export function withExtension(path: string, ext: string): string {
  return path.toLowerCase().endsWith(`.${ext}`) ? path : `${path}.${ext}`
}

/** The native open dialog for one file (`null`: the person cancelled). */
export async function chooseFile(title: string, name: string, extensions: string[]): Promise<string | null> {
  const path = await open({ title, multiple: false, directory: false, filters: [{ name, extensions }] })
  return typeof path === 'string' ? path : null
}

/** A folder picked in the native dialog, or null. */
export async function chooseFolder(title: string): Promise<string | null> {
  const path = await open({ title, multiple: false, directory: true })
  return typeof path === 'string' ? path : null
}

/** After an import wrote records: every open list and the banner reload. */
export function registersChanged(): void {
  docsChanged()
  devicesChanged()
  personsChanged()
}
