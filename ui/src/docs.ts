// The carrier register's vocabulary as the window shows it: levels, statuses, carrier types,
// and the field table of each action's form (`docAction`).
// Which actions a carrier offers comes from the core with each record (DocView.actions), so
// the window shows "the actions its status allows, and only those" (DESIGN §9) without
// keeping a second copy of the lifecycle.

import type { ActionSpec } from './actions'
import type { DocEventKind } from './api'
import type { DocView } from './bindings/DocView'
import type { Level } from './bindings/Level'
import type { Status } from './bindings/Status'
import { today } from './forms'
import { LEVELS, STATE_SECRET_LEVELS, VOCABULARY, statusesOf } from './vocabulary'

export { LEVELS } from './vocabulary'

/** 绝密/机密/秘密 are state secrets: they need a knowledge scope and count down when missing. */
export const isStateSecret = (l: Level) => STATE_SECRET_LEVELS.includes(l)

/** What an empty 保密期限 becomes (the law's maximum; not a state secret: 长期), from the core. */
export const DEFAULT_PERIOD = Object.fromEntries(
  VOCABULARY.levels.map((l) => [l.level, l.default_period]),
) as Record<Level, string>

export const STATUSES = statusesOf<Status>('doc')

export const CARRIER_TYPES: readonly string[] = VOCABULARY.carrier_types

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


const CORRECTABLE: { value: Correctable; label: string }[] = [
  { value: 'title', label: '标题' },
  { value: 'doc_no', label: '文号' },
  { value: 'origin_unit', label: '制文机关' },
  { value: 'carrier_type', label: '载体类型' },
  { value: 'copy_numbers', label: '份号' },
  { value: 'custodian', label: '责任人' },
  { value: 'location', label: '存放位置' },
  { value: 'remarks', label: '备注' },
]
type Correctable = 'title' | 'doc_no' | 'origin_unit' | 'carrier_type' | 'copy_numbers' | 'custodian' | 'location' | 'remarks'

/** The form of action `kind` on carrier `d` (the first of a bulk 清退 selection). */
export function docAction(kind: ActionKind, d: DocView): ActionSpec {
  const scope = `知悉范围：${d.scope.length ? d.scope.join('、') : '未限定'}。知悉范围以外的人员须经审批，并填写审批单号。`
  switch (kind) {
    case 'distribute':
      return {
        title: '分发',
        fields: [
          { key: 'to', label: '接收人', kind: 'person', required: true, placeholder: '新的责任人（人员或部门）' },
          { key: 'location', label: '存放位置', kind: 'text', placeholder: d.location ? `不变：${d.location}` : '如：2号保密柜' },
        ],
      }
    case 'circulate':
      return {
        title: '传阅登记',
        note: scope,
        approvalHint: '知悉范围以外的人员须填写',
        fields: [
          { key: 'reader', label: '阅读人', kind: 'text', required: true },
          { key: 'department', label: '部门', kind: 'text' },
        ],
      }
    case 'borrow':
      return {
        title: '借阅登记',
        note: scope,
        approvalHint: '知悉范围以外的人员须填写',
        fields: [
          { key: 'borrower', label: '借阅人', kind: 'person', required: true },
          { key: 'department', label: '部门', kind: 'text' },
          { key: 'due_on', label: '应还日期', kind: 'date', required: true },
        ],
      }
    case 'return':
      return { title: '归还登记', fields: [] }
    case 'found':
      return { title: '登记找回', fields: [] }
    case 'copy':
      return {
        title: '复印/摘抄登记',
        note:
          d.level === '绝密' || d.no_copy
            ? `${d.level === '绝密' ? '绝密级载体' : '该载体标注“不准复印”'}，须经制文机关批准方可复印或摘抄。复制件按原件同等密级登记。`
            : '复印或摘抄须经分管保密工作领导批准（绝密级或标注“不准复印”的须经制文机关批准）。复制件按原件同等密级登记。',
        approvalHint: '不填则记为批准人',
        fields: [
          { key: 'copy_kind', label: '方式', kind: 'radio', initial: '复印', options: [{ value: '复印', label: '复印' }, { value: '摘抄', label: '摘抄' }] },
          { key: 'count', label: '份数', kind: 'number', required: true, min: 1, max: 100 },
          {
            key: 'approver_role',
            label: '批准人身份',
            kind: 'radio',
            required: true,
            options: [
              { value: '制文机关', label: '制文机关' },
              { value: '分管保密领导', label: '分管保密领导' },
            ],
          },
          { key: 'approver', label: '批准人', kind: 'text', required: true, placeholder: '姓名或单位' },
          { key: 'custodian', label: '复制件责任人', kind: 'person', placeholder: `默认同原件：${d.custodian}` },
        ],
      }
    case 'handback':
      return {
        title: '清退',
        note: '清退后载体交还制文机关或上级机关，不能再办理任何手续。',
        submitLabel: '确认清退',
        fields: [{ key: 'to', label: '清退接收单位', kind: 'text', required: true, placeholder: d.origin_unit || '制文机关或上级机关' }],
      }
    case 'archive':
      return {
        title: '归档',
        fields: [{ key: 'location', label: '存放位置', kind: 'text', placeholder: d.location ? `不变：${d.location}` : '如：档案室' }],
      }
    case 'declassify':
      return {
        title: '解密/降密',
        note: '解密后载体仍保留在登记簿中；降密将改为所选的较低密级。',
        fields: [
          {
            key: 'new_level',
            label: '处理结果',
            kind: 'radio',
            required: true,
            initial: '解密',
            options: [
              { value: '解密', label: '解密' },
              ...LEVELS.slice(LEVELS.indexOf(d.level) + 1).map((l) => ({ value: l, label: `降为${l}` })),
            ],
          },
          { key: 'approver', label: '批准人', kind: 'text', required: true },
        ],
      }
    case 'missing':
      return {
        title: '标记下落不明',
        note: isStateSecret(d.level)
          ? `${d.level}级载体下落不明超过 ${d.level === '绝密' ? 10 : 60} 天，即构成泄密事件。`
          : undefined,
        fields: [
          { key: 'since', label: '下落不明日期', kind: 'date', required: true, initial: today(), hint: '自该日起计算构成泄密事件的期限' },
        ],
      }
    case 'destroy':
      return {
        title: '销毁登记',
        note: '销毁须登记造册，经分管保密工作领导批准，在指定场所销毁，并由两名不同人员监销。',
        submitLabel: '确认销毁',
        danger: true,
        fields: [
          { key: 'list_no', label: '销毁清单编号', kind: 'text', required: true },
          { key: 'approver', label: '批准人', kind: 'text', required: true, placeholder: '分管保密工作领导' },
          {
            key: 'supervisors',
            label: '监销人',
            kind: 'parts',
            required: true,
            parts: [
              { name: 'supervisor-1', placeholder: '监销人一' },
              { name: 'supervisor-2', placeholder: '监销人二（不同人员）' },
            ],
          },
          { key: 'place', label: '销毁地点', kind: 'text', required: true, placeholder: '如：市保密局销毁中心' },
          { key: 'method', label: '销毁方式', kind: 'text', required: true, placeholder: '如：粉碎、焚毁、消磁、物理破坏' },
        ],
      }
    case 'correct':
      return {
        title: '更正登记内容',
        note: '更正不删除原值，原值保留在办理记录中。密级和状态只能通过解密、销毁等手续改变。',
        fields: [
          {
            key: 'field',
            label: '更正项目',
            kind: 'select',
            required: true,
            options: CORRECTABLE,
            fills: (v) => ({ value: typeof v === 'string' && v in d ? d[v as Correctable] : '' }),
          },
          { key: 'value', label: '更正为', kind: 'textarea' },
          { key: 'reason', label: '更正原因', kind: 'text', required: true },
        ],
      }
  }
}
