// How a rejected command reaches the person: next to the field at fault when the core names
// one that the form shows, otherwise as a message. Switches on `code`, never on text.

import { nextTick, reactive } from 'vue'
import { ElMessage } from 'element-plus'
import { isApiError } from './api'
import type { ApiError } from './api'
import { store } from './session'

function asApiError(e: unknown): ApiError {
  return isApiError(e) ? e : { code: 'internal', message: `程序内部错误：${String(e)}` }
}

/** Per-field error texts for one form, bound to `el-form-item :error`. */
export function useFieldErrors() {
  const errors = reactive<Record<string, string>>({})

  function clear(): void {
    for (const k of Object.keys(errors)) delete errors[k]
  }

  /**
   * Shows `e` under its field when the form has it (`fields`), and returns the error
   * otherwise, so the caller can show it elsewhere.
   */
  function place(e: unknown, fields: readonly string[]): ApiError | null {
    const err = asApiError(e)
    if (err.field && fields.includes(err.field)) {
      errors[err.field] = err.message
      return null
    }
    return err
  }

  /**
   * The whole answer of a form to a failed request: the message under its field (and the
   * cursor there) when the form has that field, else a message box.
   */
  function report(e: unknown, fields: readonly string[], form: { $el?: unknown } | undefined): void {
    const rest = place(e, fields)
    if (rest) showError(rest)
    else void focusError(form)
  }

  return { errors, clear, place, report }
}

/**
 * Puts the cursor in the first field of `form` showing an error, once the form has re-rendered
 * (and been re-enabled after its request).
 */
export async function focusError(form: { $el?: unknown } | undefined): Promise<void> {
  await nextTick()
  const root = form?.$el
  if (root instanceof Element) root.querySelector<HTMLInputElement>('.el-form-item.is-error input')?.focus()
}

/** Shows a failure as a message, unless the session was lost (the login screen says why). */
export function showError(e: unknown): void {
  const err = asApiError(e)
  if (err.code === 'session_locked' && store.screen !== 'main') return
  ElMessage({ type: 'error', message: err.message, showClose: true, duration: 6000 })
}
