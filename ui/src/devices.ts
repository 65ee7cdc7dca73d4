// The device ledger (涉密信息设备台账) as the window shows it: kinds, levels, statuses, and the
// field table of each action's form, laid out like the paper forms it replaces (涉密信息设备
// 外出审核表, 维护淘汰管理档案 附表2…). Which actions a device offers comes from the core with
// each record (`DeviceView.actions`); every rule (approval for a transfer, storage removed
// before an external repair, two levels fitting) is the core's, which names the field at fault.

import type { ActionSpec, Option } from './actions'
import type { DeviceEventKind } from './api'
import type { DeviceKind } from './bindings/DeviceKind'
import type { DeviceStatus } from './bindings/DeviceStatus'
import type { DeviceView } from './bindings/DeviceView'
import { STATE_SECRET_LEVELS, VOCABULARY, statusesOf } from './vocabulary'

export const DEVICE_KINDS: readonly DeviceKind[] = VOCABULARY.device_kinds.map((k) => k.value as DeviceKind)

/** A classified device's level: a state secret. */
export const DEVICE_LEVELS = STATE_SECRET_LEVELS

/** The 密级 filter: the three levels, or 非密 (non-classified devices). */
export const LEVEL_FILTER: readonly string[] = [...DEVICE_LEVELS, '非密']

export const DEVICE_STATUSES = statusesOf<DeviceStatus>('device')

/** Element tag type of a status: calm for in use, warning while away, grey when ended. */
export function deviceTone(s: DeviceStatus): 'primary' | 'success' | 'info' | 'warning' | 'danger' {
  switch (s) {
    case 'in_use':
      return 'primary'
    case 'out':
    case 'lent':
    case 'in_repair':
      return 'warning'
    default:
      return 'info'
  }
}

/** Information levels a check-out or loan may carry (非密: none). */
const INFO_LEVELS: Option[] = ['非密', ...[...STATE_SECRET_LEVELS].reverse()].map((l) => ({ value: l, label: l }))

const MAINTENANCE: Option[] = ['维修', '保养', '淘汰', '改作非涉密'].map((k) => ({ value: k, label: k }))
const disposal = (v: Record<string, unknown>) => v.kind === '淘汰' || v.kind === '改作非涉密'

/** What 更正 may change (责任人/部门 change by 变更责任人, the level only by 改作非涉密). */
const CORRECTABLE: { value: string; label: string; current: (d: DeviceView) => string }[] = [
  { value: 'name', label: '设备名称', current: (d) => d.name },
  { value: 'model', label: '品牌型号', current: (d) => d.model },
  { value: 'serial', label: '设备序列号', current: (d) => d.device_serial },
  { value: 'label_no', label: '保密编号', current: (d) => d.label_no },
  { value: 'location', label: '放置地点', current: (d) => d.location },
  { value: 'remarks', label: '备注', current: (d) => d.remarks },
  { value: 'three_in_one', label: '三合一', current: (d) => (d.three_in_one ? '是' : '否') },
  { value: 'wireless_removed', label: '无线模块已拆除', current: (d) => (d.wireless_removed ? '是' : '否') },
  { value: 'label_affixed', label: '涉密标签已粘贴', current: (d) => (d.label_affixed ? '是' : '否') },
]

/** The form of action `kind` on device `d`. */
export function deviceAction(kind: DeviceEventKind, d: DeviceView): ActionSpec {
  const secret = d.classified
  switch (kind) {
    case 'checkout':
      return {
        title: '涉密信息设备外出审核表',
        note: secret
          ? `携带信息的最高密级不得高于设备本身的密级（${d.level_label}）；须经安全保密负责人和领导签字批准。`
          : '非涉密设备不得携带涉密信息外出。',
        fields: [
          { key: 'user', label: '使用人', kind: 'person', required: true, section: '外出事项' },
          { key: 'reason', label: '外出事由', kind: 'text', required: true },
          { key: 'on', label: '外出日期', kind: 'date', required: true, half: true },
          { key: 'due_on', label: '预计归还日期', kind: 'date', required: true, half: true },
          { key: 'destination', label: '前往地点', kind: 'text', required: true, half: true },
          { key: 'max_level', label: '携带信息最高密级', kind: 'select', options: INFO_LEVELS, half: true, initial: '非密' },
          { key: 'ports_opened', label: '开通端口/软件', kind: 'text', placeholder: '外出期间开通的端口或安装的软件，没有可不填' },
          { key: 'security_officer', label: '安全保密负责人', kind: 'text', required: secret, half: true, section: '审批' },
          { key: 'security_officer_on', label: '签字日期', kind: 'date', half: true },
          { key: 'leader', label: '领导签字', kind: 'text', required: secret, half: true },
          { key: 'leader_on', label: '签字日期', kind: 'date', half: true },
        ],
      }
    case 'checkin':
      return {
        title: '外出归还检查',
        note: d.holding ? `${d.holding.user} ${d.holding.since} 携往${d.holding.place}，预计 ${d.holding.due_on} 归还。` : undefined,
        fields: [
          { key: 'on', label: '归还日期', kind: 'date', required: true, half: true, section: '归还检查' },
          { key: 'checked_by', label: '检查人', kind: 'text', required: true, half: true },
          { key: 'seals_intact', label: '封条', kind: 'bool', text: '封条完好', half: true },
          { key: 'no_unauthorized_connection', label: '违规连接', kind: 'bool', text: '未发现违规连接', half: true },
          { key: 'ports_closed', label: '端口', kind: 'bool', text: '外出开通的端口已关闭', half: true, initial: true },
          { key: 'wiped', label: '信息消除', kind: 'bool', text: '已做信息消除', half: true },
        ],
      }
    case 'issue':
      return {
        title: '配备移动存储介质',
        fields: [
          { key: 'to', label: '配备给', kind: 'person', required: true },
          { key: 'department', label: '部门', kind: 'text' },
        ],
      }
    case 'lend':
      return {
        title: '借用移动存储介质',
        note: '介质只能在密级不低于其密级的涉密计算机上使用；存储内容的最高密级不得高于介质本身的密级。',
        fields: [
          { key: 'borrower', label: '借用人', kind: 'person', required: true },
          { key: 'computer', label: '使用的计算机', kind: 'text', required: true, placeholder: '计算机的台账编号或保密编号' },
          { key: 'max_level', label: '存储内容最高密级', kind: 'select', options: INFO_LEVELS, initial: '非密' },
          { key: 'due_on', label: '应还日期', kind: 'date', required: true },
        ],
      }
    case 'give_back':
      return {
        title: '借用归还',
        fields: [{ key: 'wiped', label: '信息消除', kind: 'bool', text: '已做信息消除' }],
      }
    case 'transfer':
      return {
        title: '变更责任人（使用部门、密级）',
        note: secret ? '涉密设备变更使用部门、责任人或密级须经保密工作领导小组批准，并填写审批单号；密级只在绝密、机密、秘密之间变更。' : undefined,
        approvalRequired: secret,
        approvalHint: secret ? '保密工作领导小组审批单号' : undefined,
        fields: [
          { key: 'custodian', label: '新责任人', kind: 'person', placeholder: `不变：${d.custodian}` },
          { key: 'department', label: '新使用部门', kind: 'text', placeholder: `不变：${d.department}` },
          { key: 'location', label: '新放置地点', kind: 'text', placeholder: d.location ? `不变：${d.location}` : '' },
          ...(secret
            ? [
                {
                  key: 'level',
                  label: '新密级',
                  kind: 'select' as const,
                  options: DEVICE_LEVELS.map((l) => ({ value: l, label: l })),
                  placeholder: `不变：${d.level_label}`,
                },
              ]
            : []),
          { key: 'wiped', label: '信息消除', kind: 'bool', text: '变更前已做信息消除' },
        ],
      }
    case 'maintain':
      return {
        title: '维护淘汰登记（附表2）',
        note: secret
          ? '涉密设备维护淘汰须有监督人员全程在场；送外维修须先拆除涉密信息存储部件；淘汰或改作非涉密须拆除存储部件并交指定承销单位销毁。'
          : undefined,
        fields: [
          { key: 'kind', label: '类型', kind: 'radio', required: true, options: MAINTENANCE, initial: '维修', section: '维护事项' },
          { key: 'external', label: '维修方式', kind: 'bool', text: '外送维修', half: true },
          { key: 'vendor_agreement', label: '保密协议编号', kind: 'text', half: true, placeholder: '外送维修时填写' },
          { key: 'content', label: '维护内容', kind: 'textarea', placeholder: '故障现象、维护或淘汰的内容' },
          { key: 'performer', label: '承担人员', kind: 'text', required: true, half: true, placeholder: '负责人或维修单位' },
          { key: 'supervisors', label: '监督人员', kind: 'list', required: secret, half: true, placeholder: '姓名，按 Enter 添加' },
          { key: 'storage_removed', label: '存储部件', kind: 'bool', text: '已拆除涉密信息存储部件', half: true, section: '存储部件' },
          { key: 'storage_serial', label: '拆除部件序列号', kind: 'text', half: true, placeholder: d.storage_serials.join('、') },
          { key: 'storage_kept_at', label: '部件存放处', kind: 'text', half: true, placeholder: '如：保密办保密柜' },
          { key: 'new_storage_serials', label: '新硬盘序列号', kind: 'list', half: true, placeholder: '更换硬盘时填写' },
          { key: 'destruction.unit', label: '承销单位', kind: 'text', required: secret, section: '存储部件销毁', when: disposal },
          { key: 'destruction.certificate_no', label: '销毁证明编号', kind: 'text', required: secret, half: true, when: disposal },
          { key: 'destruction.on', label: '销毁日期', kind: 'date', required: secret, half: true, when: disposal },
        ],
      }
    case 'repaired':
      return {
        title: '维修完成',
        fields: [
          { key: 'checked_by', label: '验收人', kind: 'text', required: true },
          { key: 'new_storage_serials', label: '新硬盘序列号', kind: 'list', placeholder: '更换了硬盘时填写' },
        ],
      }
    case 'inspect':
      return {
        title: '保密检查',
        fields: [
          { key: 'inspector', label: '检查人', kind: 'text', required: true },
          { key: 'passed', label: '检查结论', kind: 'bool', text: '合格', initial: true },
          { key: 'result', label: '检查情况', kind: 'textarea' },
        ],
      }
    case 'suspend':
      return { title: '停用', fields: [{ key: 'reason', label: '停用原因', kind: 'text' }] }
    case 'resume':
      return { title: '启用', fields: [] }
    case 'destroy':
      return {
        title: '销毁',
        danger: true,
        submitLabel: '确认销毁',
        note: '整机（含存储介质）交指定承销单位销毁，经批准并登记销毁证明。',
        fields: [
          { key: 'approver', label: '批准人', kind: 'text', required: true },
          { key: 'destruction.unit', label: '承销单位', kind: 'text', required: true },
          { key: 'destruction.certificate_no', label: '销毁证明编号', kind: 'text', required: true },
          { key: 'destruction.on', label: '销毁日期', kind: 'date', required: true },
          { key: 'supervisors', label: '监督人员', kind: 'list' },
        ],
      }
    case 'correct':
      return {
        title: '更正登记内容',
        note: '更正不删除原值，原值保留在办理记录中。责任人和部门通过“变更责任人”办理。',
        fields: [
          {
            key: 'field',
            label: '更正项目',
            kind: 'select',
            required: true,
            options: CORRECTABLE.map(({ value, label }) => ({ value, label })),
            fills: (v) => ({ value: CORRECTABLE.find((c) => c.value === v)?.current(d) ?? '' }),
          },
          { key: 'value', label: '更正为', kind: 'text' },
          { key: 'reason', label: '更正原因', kind: 'text', required: true },
        ],
      }
  }
}
