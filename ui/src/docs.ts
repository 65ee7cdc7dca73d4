// The carrier register's vocabulary as the window shows it: levels, statuses, carrier types.
// Which actions a carrier offers comes from the core with each record (DocView.actions), so
// the window shows "the actions its status allows, and only those" (DESIGN §9) without
// keeping a second copy of the lifecycle.

import type { DocEventKind } from './api'
import type { DocView } from './bindings/DocView'
import type { Level } from './bindings/Level'
import type { Status } from './bindings/Status'

export const LEVELS: readonly Level[] = ['绝密', '机密', '秘密', '工作秘密', '内部']

/** 绝密/机密/秘密 are state secrets: they need a knowledge scope and count down when missing. */
export const isStateSecret = (l: Level) => l === '绝密' || l === '机密' || l === '秘密'

/** What an empty 保密期限 becomes (the law's maximum; not a state secret: 长期). */
export const DEFAULT_PERIOD: Record<Level, string> = {
  绝密: '30年',
  机密: '20年',
  秘密: '10年',
  工作秘密: '长期',
  内部: '长期',
}

export const STATUSES: readonly { value: Status; label: string }[] = [
  { value: 'in_custody', label: '在管' },
  { value: 'borrowed', label: '借出' },
  { value: 'archived', label: '已归档' },
  { value: 'missing', label: '下落不明' },
  { value: 'declassified', label: '已解密' },
  { value: 'handed_back', label: '已清退' },
  { value: 'destroyed', label: '已销毁' },
]

export const CARRIER_TYPES: readonly string[] = ['纸质文件', '电子文件', 'U盘', '移动硬盘', '光盘', '磁带', '其他']

/** Every action on one carrier: the lifecycle events plus copy and hand-back. */
export type ActionKind = DocEventKind | 'copy' | 'handback'

/** The actions the core allows on this carrier now, in the register's order, with the core's
 * labels (the lifecycle table lives in the core: `registers::documents::rules::allowed`). */
export function actionsFor(d: DocView): { kind: ActionKind; label: string }[] {
  return d.actions.map((a) => ({ kind: a.kind as ActionKind, label: a.label }))
}

/** Whether a carrier can be in a bulk 清退 selection. */
export const canHandBack = (d: DocView) => d.actions.some((a) => a.kind === 'handback')

/** The core's label of action `kind` on `d` (empty if the carrier does not offer it). */
export const actionLabel = (d: DocView, kind: ActionKind) => d.actions.find((a) => a.kind === kind)?.label ?? ''

/** Element tag type of a status: calm for the usual, warning/danger for what needs attention. */
export function statusTone(s: Status): 'primary' | 'success' | 'info' | 'warning' | 'danger' {
  switch (s) {
    case 'in_custody':
      return 'primary'
    case 'borrowed':
      return 'warning'
    case 'missing':
      return 'danger'
    default:
      return 'info'
  }
}

/** 下落不明 countdown: `3天后构成泄密事件`, `今日构成泄密事件`, `已构成泄密事件（超过 2 天）`. */
export function incidentText(days: number): string {
  if (days > 0) return `${days}天后构成泄密事件`
  if (days === 0) return '今日构成泄密事件'
  return `已构成泄密事件（超过 ${-days} 天）`
}

/** `2026-11-22` → `2026年11月22日` (as on paper). */
export function paperDate(iso: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '')
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : (iso ?? '')
}

