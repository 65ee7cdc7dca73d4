// Keyboard of the register's dialog forms: Enter submits from any field, Esc cancels — without
// stealing the keys that Element's own widgets need (picking a suggestion, creating a tag,
// committing a typed date).
//
// Bind the handler on the `el-form` in the capture phase (`@keydown.capture="keys"`), so it
// runs before the widget's own handler, which may stop the event.

import type { FormItemRule } from 'element-plus'
import { store } from './session'

/** Rules for a new password typed twice (`password`, `password2` of `model`). The core
 *  decides the password policy; this only checks both are there and the same. */
export function passwordPairRules(model: { password: string }, what: string): Record<string, FormItemRule[]> {
  return {
    password: [{ required: true, message: `请输入${what}`, trigger: 'blur' }],
    password2: [
      { required: true, message: `请再次输入${what}`, trigger: 'blur' },
      {
        validator: (_r, v: string, cb) => (v === model.password ? cb() : cb(new Error('两次输入的口令不一致'))),
        trigger: 'blur',
      },
    ],
  }
}

/** True while an Element popper (select menu, autocomplete list) is open from `input`. */
function menuOpen(input: HTMLElement): boolean {
  return input.getAttribute('aria-expanded') === 'true'
}

/**
 * Returns a keydown handler for a dialog form.
 *
 * - Enter in a textarea inserts a line; Ctrl+Enter there submits.
 * - Enter in a select with typed text lets Element pick or create the option (a tag of a
 *   `multiple allow-create` select), as does Enter in a plain select with its menu open;
 *   otherwise it submits (Element would toggle the highlighted tag instead).
 * - Enter in an autocomplete with a highlighted suggestion picks it; otherwise it submits.
 * - Enter in a date picker first lets the picker commit what was typed (`2026-11-22`), then
 *   submits on the next task.
 * - Esc in a select with its menu closed and no text cancels (Element's select swallows Esc,
 *   so the dialog would never see it); elsewhere Esc is left to the widget and the dialog.
 */
export function dialogKeys(submit: () => void, cancel: () => void): (e: KeyboardEvent) => void {
  return (e: KeyboardEvent) => {
    if (e.isComposing) return
    const t = e.target
    if (!(t instanceof HTMLElement)) return
    const inSelect = t.closest('.el-select') !== null
    const typed = t instanceof HTMLInputElement ? t.value : ''

    if (e.key === 'Escape') {
      if (inSelect && !menuOpen(t) && typed === '') {
        e.preventDefault()
        e.stopPropagation()
        cancel()
      }
      return
    }
    if (e.key !== 'Enter') return
    if (t.tagName === 'BUTTON') return
    if (t.tagName === 'TEXTAREA') {
      if (!e.ctrlKey) return
      e.preventDefault()
      submit()
      return
    }
    if (inSelect) {
      if (typed.trim() !== '') return
      // A plain (not filterable) select with its menu open: Enter picks the option.
      if (t instanceof HTMLInputElement && t.readOnly && menuOpen(t)) return
      e.preventDefault()
      e.stopPropagation()
      submit()
      return
    }
    const suggest = t.closest('.el-autocomplete')
    if (suggest && suggest.getAttribute('aria-expanded') === 'true') {
      const list = document.getElementById(suggest.getAttribute('aria-owns') ?? '')
      if (list?.querySelector('li.highlighted')) return
    }
    // No native implicit submission (it would race the deferred one); widgets still see the key.
    e.preventDefault()
    window.setTimeout(submit, 0)
  }
}

/** Today by the core's clock (`YYYY-MM-DD`); the webview's clock only before sign-in. */
export function today(): string {
  if (store.today) return store.today
  const d = new Date()
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** A trimmed text field for the core: `undefined` (absent) when empty. */
export function opt(v: string | null | undefined): string | undefined {
  const t = (v ?? '').trim()
  return t === '' ? undefined : t
}

/**
 * Puts the cursor in the first typing field under `root` (a CSS selector), or in the field
 * `field` names under it, once a dialog opens (bind to the dialog's `open-auto-focus`: Element
 * first focuses the dialog itself, so this waits one task). It never takes the cursor from a
 * field the person (or a test) has already clicked into: what they type while the dialog
 * fades in stays where they typed it.
 */
export function focusFirstField(root: string, field?: string): void {
  window.setTimeout(() => {
    const box = document.querySelector(root)
    if (!box) return
    const active = document.activeElement
    if (active && box.contains(active) && (active.tagName === 'INPUT' || active.tagName === 'TEXTAREA')) return
    const target = box.querySelector<HTMLElement>(
      field ?? '.el-form-item input:not([type=radio]):not([type=checkbox]), .el-form-item textarea',
    )
    target?.focus()
  }, 0)
}
