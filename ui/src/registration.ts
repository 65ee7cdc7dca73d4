// One register's 登记 dialog as every register has it: a draft reset when the dialog closes,
// the form's own "required" rules first, then the core — which either registers the record
// (a success message, the register's lists reloaded, the dialog closed) or names the field at
// fault, shown under it. Used by 登记载体, 登记设备 and 登记人员; each says only what is its own:
// its draft, the input it sends, its message.
//
// Contract: the dialog's form is `ref="form"`; one submit at a time (`busy` also disables the
// form); Enter submits and Esc cancels through `keys` (see `forms.ts`), bound on the form in
// the capture phase.

import { reactive, ref, useTemplateRef } from 'vue'
import type { Ref } from 'vue'
import { ElMessage } from 'element-plus'
import type { FormInstance } from 'element-plus'
import { focusError, useFieldErrors } from './errors'
import { dialogKeys } from './forms'

export type RegistrationOptions<D extends object, V> = {
  /** A fresh draft (also what closing the dialog restores); its keys are the fields the
   *  core's errors may name. */
  blank: () => D
  /** The dialog's `v-model`. */
  visible: Ref<boolean>
  /** Sends the draft to the core. */
  add: () => Promise<V>
  /** The success message of the registered record. */
  message: (v: V) => string
  /** Reloads what shows the register (its revision counter). */
  changed: () => void
  /** After the dialog closed on success (the dialog's own `done`). */
  done: (v: V) => void
}

export function useRegistration<D extends object, V>(o: RegistrationOptions<D, V>) {
  const model = reactive(o.blank())
  // The dialog's `el-form ref="form"`.
  const form = useTemplateRef<FormInstance>('form')
  const busy = ref(false)
  const { errors, clear, report } = useFieldErrors()
  const fields = Object.keys(o.blank())

  /** The dialog's `closed`: an empty draft, no errors. */
  function reset(): void {
    Object.assign(model, o.blank())
    clear()
    form.value?.clearValidate()
  }

  async function submit(): Promise<void> {
    if (busy.value) return
    const ok = await form.value?.validate().catch(() => false)
    if (!ok) {
      void focusError(form.value ?? undefined)
      return
    }
    clear()
    busy.value = true
    try {
      const v = await o.add()
      ElMessage({ type: 'success', message: o.message(v) })
      o.changed()
      o.visible.value = false
      o.done(v)
    } catch (e) {
      report(e, fields, form.value ?? undefined)
    } finally {
      busy.value = false
    }
  }

  const keys = dialogKeys(
    () => void submit(),
    () => (o.visible.value = false),
  )

  return { model, busy, errors, reset, submit, keys }
}
