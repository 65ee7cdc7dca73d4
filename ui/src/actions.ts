// The declarative description of an action's form (a 手续 on a record of any register): which
// fields, in which order, with which labels and widgets, which are marked required, and how the
// paper form groups them. `ActionDialog` renders it and turns the answers into the JSON of the
// action's `*Input`; the core checks every rule and names the field at fault.
//
// A field's `key` is the core's field name; a dotted key (`destruction.unit`) is a field of a
// nested object, and is also the name the core's errors use for it.

export type FieldKind =
  /** One line of text. */
  | 'text'
  /** Several lines (Ctrl+Enter submits). */
  | 'textarea'
  /** `YYYY-MM-DD`, typed or picked. */
  | 'date'
  /** One of `options` from a drop-down. */
  | 'select'
  /** One of `options` as buttons (few, short options). */
  | 'radio'
  /** A yes/no checkbox (`text` beside it). */
  | 'bool'
  /** Several values (names, serial numbers): type one, Enter, the next. */
  | 'list'
  /** A whole number between `min` and `max`. */
  | 'number'
  /** A fixed number of values side by side (`parts`), e.g. the two people of 两人监销. */
  | 'parts'
  /** A person's name: the registered persons as suggestions, any name may be typed. */
  | 'person'

export type Option = { value: string; label: string }

/** A value of the form as typed: text, a checkbox, or a list. */
export type Value = string | number | boolean | string[] | null

export type Values = Record<string, Value>

export type FieldSpec = {
  key: string
  label: string
  kind: FieldKind
  /** Marked required (and checked not empty before sending; the core checks it too). */
  required?: boolean
  placeholder?: string
  options?: Option[]
  /** The checkbox's caption (`bool`). */
  text?: string
  /** Bounds of a `number`. */
  min?: number
  max?: number
  /** The inputs of a `parts` field: each its own test id suffix and placeholder. */
  parts?: { name: string; placeholder: string }[]
  /** A line of help under the field. */
  hint?: string
  /** The heading of a block of the paper form, shown above this field. */
  section?: string
  /** Half the form's width: two half fields share a row, as on the paper form. */
  half?: boolean
  /** Shown only while this holds (e.g. the destruction record of a retirement). */
  when?: (v: Values) => boolean
  /** The value the form opens with (`null`: empty, even for a `number`). */
  initial?: Value
  /** When this field changes, other fields take these values (更正: the current value). */
  fills?: (v: Value) => Values
}

export type ActionSpec = {
  /** The dialog's title. */
  title: string
  /** What the officer should know before filling it (the rule the core will apply). */
  note?: string
  fields: FieldSpec[]
  /** A hint on 审批单号 (when it is needed). */
  approvalHint?: string
  /** The approval is marked required (the core checks whether it really is). */
  approvalRequired?: boolean
  /** The submit button's label (default 确定). */
  submitLabel?: string
  danger?: boolean
}

/** 办理日期, 审批单号 and 备注: every action takes them, after its own fields — unless its
 *  table places one itself (the 外出审核表 has 外出日期 among its own fields). */
export function commonFields(spec: ActionSpec): FieldSpec[] {
  const own = new Set(spec.fields.map((f) => f.key))
  const common: FieldSpec[] = [
    { key: 'on', label: '办理日期', kind: 'date', half: true },
    {
      key: 'approval',
      label: '审批单号',
      kind: 'text',
      half: true,
      required: spec.approvalRequired,
      placeholder: spec.approvalHint,
    },
    { key: 'remarks', label: '备注', kind: 'text' },
  ]
  const rest = common.filter((f) => !own.has(f.key))
  // A form in blocks gets a block for these too; a short form stays one list.
  const blocks = spec.fields.some((f) => f.section)
  return rest.map((f, i) => (i === 0 && blocks ? { ...f, section: '办理信息' } : f))
}

/** The JSON of the action's input: shown fields only, empty ones left out, dotted keys nested. */
export function toInput(fields: FieldSpec[], v: Values): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    if (f.when && !f.when(v)) continue
    const raw = v[f.key]
    let value: unknown
    if (f.kind === 'bool') value = raw === true
    else if (f.kind === 'number') value = typeof raw === 'number' ? raw : undefined
    else if (f.kind === 'parts') value = (Array.isArray(raw) ? raw : []).map((s) => s.trim())
    else if (f.kind === 'list') {
      const items = (Array.isArray(raw) ? raw : []).map((s) => s.trim()).filter((s) => s !== '')
      value = items.length ? items : undefined
    } else {
      const t = typeof raw === 'string' ? raw.trim() : ''
      value = t === '' ? undefined : t
    }
    if (value === undefined) continue
    const path = f.key.split('.')
    let box = out
    for (const p of path.slice(0, -1)) {
      box[p] ??= {}
      box = box[p] as Record<string, unknown>
    }
    box[path[path.length - 1]!] = value
  }
  return out
}

/** The field an error of the core belongs under: its own, or the first of the object it names
 *  (`destruction` → `destruction.unit`). */
export function errorField(fields: FieldSpec[], v: Values, field: string | undefined): string | undefined {
  if (!field) return undefined
  const shown = fields.filter((f) => !f.when || f.when(v))
  return (shown.find((f) => f.key === field) ?? shown.find((f) => f.key.startsWith(`${field}.`)))?.key
}
