// The personnel register (涉密人员) as the window shows it: classes, statuses, the kinds of
// letter and of leaving — all from the core's vocabulary — and the field table of each
// action's form (保密审查, 保密培训, 签订承诺书, 准入例外, 离岗…). Which actions a person offers
// comes from the core with each record (`PersonView.actions`); every rule (the three
// conditions of 上岗, the approval of an exception, nothing held when leaving, the bounds of
// the 脱密期) is the core's, which names the field at fault.

import type { ActionSpec, Option } from './actions'
import type { PersonEventKind } from './api'
import type { PersonStatus } from './bindings/PersonStatus'
import type { PersonView } from './bindings/PersonView'
import { VOCABULARY, statusesOf } from './vocabulary'

const options = (choices: { value: string; label: string }[]): Option[] =>
  choices.map((c) => ({ value: c.label, label: c.label }))

/** 核心/重要/一般 (the core reads the label or the code). */
export const PERSON_CLASSES: readonly Option[] = options(VOCABULARY.person_classes)

export const PERSON_STATUSES = statusesOf<PersonStatus>('person')

/** Letters signed through 签订承诺书: every kind but 离岗, which is signed with the leaving. */
const PLEDGE_KINDS = options(VOCABULARY.pledge_kinds.filter((k) => k.value !== 'leave'))
const LEAVE_KINDS = options(VOCABULARY.leave_kinds)
const REVIEW_KINDS = options(VOCABULARY.review_kinds)

const labelOf = (choices: { value: string; label: string }[]) => (code: string) =>
  choices.find((c) => c.value === code)?.label ?? code

/** The label of a letter's kind (`onboard` → 上岗), of a leaving, of a review. */
export const pledgeLabel = labelOf(VOCABULARY.pledge_kinds)
export const leaveLabel = labelOf(VOCABULARY.leave_kinds)
export const reviewLabel = labelOf(VOCABULARY.review_kinds)

/** Element tag type of a status: waiting, on post, bound, ended. */
export function personTone(s: PersonStatus): 'primary' | 'success' | 'info' | 'warning' | 'danger' {
  switch (s) {
    case 'candidate':
      return 'warning'
    case 'on_post':
      return 'primary'
    case 'cooling':
      return 'danger'
    default:
      return 'info'
  }
}

/** A training's hours as typed (the core keeps tenths). */
export const hours = (tenths: number) => `${tenths / 10}`

/** What 更正 may change (the name is the person's key in the other registers). */
const CORRECTABLE: { value: string; label: string; current: (p: PersonView) => string }[] = [
  { value: 'department', label: '部门', current: (p) => p.department },
  { value: 'post', label: '岗位', current: (p) => p.post },
  { value: 'class', label: '涉密人员类别', current: (p) => p.class_label },
  { value: 'account', label: '登录账户', current: (p) => p.account },
  { value: 'remarks', label: '备注', current: (p) => p.remarks },
]

/** The form of action `kind` on person `p`; 离岗 opens with the unit's 脱密期 for the class
 *  (`coolingMonths`, when known). */
export function personAction(kind: PersonEventKind, p: PersonView, coolingMonths?: number): ActionSpec {
  const candidate = p.status === 'candidate'
  switch (kind) {
    case 'review':
      return {
        title: '保密审查',
        note: candidate
          ? '涉密人员上岗前须经人事部门会同保密工作机构进行保密审查（涉密人员管理第三条）。'
          : '在岗涉密人员由人事、纪检、保密部门定期联合检查（第五条）。',
        fields: [
          {
            key: 'review',
            label: '审查类型',
            kind: 'radio',
            options: REVIEW_KINDS,
            initial: REVIEW_KINDS[candidate ? 0 : 1]?.value ?? '',
          },
          { key: 'by', label: '审查人', kind: 'text', required: true, half: true, placeholder: '审查人或审查部门' },
          { key: 'on', label: '审查日期', kind: 'date', required: true, half: true },
          { key: 'passed', label: '审查结论', kind: 'bool', text: '通过', initial: true },
          { key: 'result', label: '审查意见', kind: 'textarea', required: true, placeholder: '如：政治可靠，同意上岗' },
        ],
      }
    case 'train':
      return {
        title: '保密培训',
        fields: [
          { key: 'content', label: '培训内容', kind: 'text', required: true, placeholder: '如：上岗前保密教育' },
          { key: 'on', label: '培训日期', kind: 'date', required: true, half: true },
          { key: 'hours', label: '学时', kind: 'number', required: true, min: 1, max: 200, initial: 4, half: true },
          { key: 'score', label: '考试成绩', kind: 'number', min: 0, max: 100, initial: null, half: true },
          { key: 'passed', label: '考核结果', kind: 'bool', text: '通过', initial: true, half: true },
        ],
      }
    case 'pledge':
      return {
        title: '签订保密承诺书',
        note: '先打印承诺书由本人签字，再登记。上岗承诺书在上岗前签订，年度承诺书由在岗人员每年签订。',
        fields: [
          {
            key: 'kind',
            label: '承诺书类型',
            kind: 'radio',
            required: true,
            options: PLEDGE_KINDS,
            initial: PLEDGE_KINDS[candidate ? 0 : 1]?.value ?? '',
          },
          { key: 'witness', label: '见证人', kind: 'text', half: true, placeholder: '单位签字人' },
          { key: 'on', label: '签订日期', kind: 'date', required: true, half: true },
          { key: 'filed', label: '纸质件', kind: 'bool', text: '已签字归档' },
        ],
      }
    case 'exception':
      return {
        title: '准入例外',
        note: '尚未完成上岗手续的人员确需保管或借用涉密载体、设备的，须经批准并登记审批单号；例外在结束或本人上岗时终止。',
        approvalRequired: true,
        approvalHint: '批准文件或审批单号',
        fields: [{ key: 'reason', label: '例外事由', kind: 'textarea', required: true }],
      }
    case 'close_exception':
      return { title: '结束准入例外', fields: [{ key: 'reason', label: '结束原因', kind: 'text' }] }
    case 'offboard':
      return {
        title: '离岗（调动、退休）',
        note: '离岗时签订离岗保密承诺书，进入脱密期（一般 6 个月至 3 年）；脱密期内仍须履行保密义务。',
        submitLabel: '办理离岗',
        danger: true,
        fields: [
          { key: 'kind', label: '离岗类型', kind: 'radio', required: true, options: LEAVE_KINDS, initial: LEAVE_KINDS[0]?.value ?? '' },
          {
            key: 'months',
            label: '脱密期（月）',
            kind: 'number',
            min: 6,
            max: 36,
            initial: coolingMonths ?? null,
            half: true,
            hint:
              coolingMonths === undefined
                ? '不填则按单位对该类别人员的设置'
                : `${p.class_label}涉密人员按单位设置为 ${coolingMonths} 个月；可在 6 至 36 个月之间调整`,
          },
          { key: 'on', label: '离岗日期', kind: 'date', required: true, half: true },
          { key: 'witness', label: '见证人', kind: 'text', half: true, placeholder: '离岗承诺书的单位签字人' },
          { key: 'filed', label: '纸质件', kind: 'bool', text: '离岗承诺书已签字归档', half: true },
        ],
      }
    case 'clear':
      return {
        title: '脱密期满',
        note: p.leaving ? `脱密期至 ${p.leaving.ends_on}，期满后登记。` : undefined,
        fields: [],
      }
    case 'correct':
      return {
        title: '更正登记内容',
        note: '更正不删除原值，原值保留在办理记录中。姓名不能更正：其他台账以姓名指向此人。',
        fields: [
          {
            key: 'field',
            label: '更正项目',
            kind: 'select',
            required: true,
            options: CORRECTABLE.map(({ value, label }) => ({ value, label })),
            fills: (v) => ({ value: CORRECTABLE.find((c) => c.value === v)?.current(p) ?? '' }),
          },
          { key: 'value', label: '更正为', kind: 'text' },
          { key: 'reason', label: '更正原因', kind: 'text', required: true },
        ],
      }
  }
}
