// The app's one store: which screen is up, who is signed in, which page (and which carrier) is
// open, the highest level held (for the banner), and the idle timer that locks the session
// and keeps the core's idle timer in step (heartbeat).
//
// Contract: the core decides everything (what exists, who may do what, when a session has
// expired); this store only mirrors it. The screen follows `app_status` at start, then the
// outcome of setup, login and lock. Any session-bound command that fails with
// `session_locked` sends the user back to the login screen with the core's message, and so
// does the core's own idle timer (the `session-locked` event): the session is locked in Rust
// whether or not this window's timer ever fires.

import { reactive } from 'vue'
import { listen } from '@tauri-apps/api/event'
import * as api from './api'
import type { ApiError } from './api'
import type { Level } from './bindings/Level'
import type { SessionInfo } from './bindings/SessionInfo'
import type { Op } from './bindings/Op'

export type Screen = 'loading' | 'setup' | 'login' | 'main'

/** A line shown above the login form (why the user is there). */
export type Notice = { type: 'info' | 'warning' | 'success'; text: string }

export const store = reactive({
  screen: 'loading' as Screen,
  vaultDir: '',
  session: null as SessionInfo | null,
  /** Key of the open page, one of `session.nav`. */
  view: '',
  /** The carrier whose detail page covers the open page, if any (`doc-back` returns). */
  docId: null as number | null,
  /** The device whose detail page covers the open page, if any (`device-back` returns). */
  deviceId: null as number | null,
  /** The person whose detail page covers the open page, if any (`person-back` returns). */
  personId: null as number | null,
  /** The print log (打印记录) covers the register list (`print-log-back` returns). */
  printLog: false,
  /** The highest level of any carrier held (`doc_highest_level`), for the banner. */
  level: null as Level | null,
  /** Bumped after every change to the carrier register, so open lists reload. */
  docRevision: 0,
  /** Bumped after every change to the device ledger, so open lists and cards reload. */
  deviceRevision: 0,
  /** Bumped after every change to the personnel register, so open lists and cards reload. */
  personRevision: 0,
  notice: null as Notice | null,
  /** Account name to prefill on the login screen: the last one signed in, or the first officer. */
  loginUser: '',
  /** Set when the core cannot even report its status. */
  fatal: '',
  /** Today by the core's clock (YYYY-MM-DD), refreshed at sign-in and by every heartbeat:
   *  the core owns the time, so date defaults never come from the webview's clock. */
  today: '',
})

api.onSessionLost((e: ApiError) => signOut({ type: 'warning', text: e.message }))

// The shell locked an idle session by itself; the window only follows.
void listen('session-locked', () => {
  if (store.session) signOut({ type: 'info', text: '因闲置超时，系统已自动锁定' })
}).catch(() => undefined)

/** Asks the core which screen to show first. */
export async function boot(): Promise<void> {
  try {
    const status = await api.appStatus()
    store.vaultDir = status.vault_dir
    if (!status.vault_exists) store.screen = 'setup'
    else if (status.session) signedIn(status.session)
    else store.screen = 'login'
  } catch (e) {
    store.fatal = (e as ApiError).message
  }
}

/** After the vault was created: the login screen with the officer (or admin) prefilled. */
export function vaultCreated(user: string): void {
  store.loginUser = user
  store.notice = { type: 'success', text: '保密库已创建，请登录' }
  store.screen = 'login'
}

export function signedIn(session: SessionInfo): void {
  // After a lock, the same person comes back to the page they left; anyone else starts at
  // the first page of their navigation.
  const returning = session.user === store.loginUser && session.nav.some((n) => n.key === store.view)
  if (!returning) {
    store.view = session.nav[0]?.key ?? ''
    store.docId = null
    store.deviceId = null
    store.personId = null
    store.printLog = false
  }
  store.loginUser = session.user
  store.notice = null
  store.session = session
  store.today = session.today
  store.level = null
  store.screen = 'main'
  idle.start(session.idle_lock_seconds)
  void refreshLevel()
}

/** Replaces the session after a change (password changed, unit renamed). */
export function updateSession(session: SessionInfo): void {
  store.session = session
  store.today = session.today
  idle.start(session.idle_lock_seconds)
  // A forced password change may have kept the core from answering at sign-in.
  void refreshLevel()
}

export function signOut(notice: Notice | null): void {
  idle.stop()
  store.session = null
  store.notice = notice
  store.screen = 'login'
}

/** The lock button (idle = false) or the idle timer (idle = true). */
export async function lockSession(idle: boolean): Promise<void> {
  const notice: Notice | null = idle
    ? { type: 'info', text: '因闲置超时，系统已自动锁定' }
    : { type: 'info', text: '会话已锁定，请重新登录' }
  try {
    await api.lock(idle)
  } finally {
    // Even if the core could not record the lock, the window must not stay open.
    signOut(notice)
  }
}

export function can(op: Op): boolean {
  return store.session?.ops.includes(op) ?? false
}

export function open(view: string): void {
  if (store.session?.nav.some((n) => n.key === view)) {
    store.view = view
    store.docId = null
    store.deviceId = null
    store.personId = null
    store.printLog = false
  }
}

/** Opens a carrier's detail page over the current page (the home cards, the list). */
export function openDoc(id: number): void {
  store.deviceId = null
  store.personId = null
  store.docId = id
}

/** Back from the detail page to the page it was opened from. */
export function closeDoc(): void {
  store.docId = null
}

/** Opens a device's detail page over the current page (the home cards, the ledger). */
export function openDevice(id: number): void {
  store.docId = null
  store.personId = null
  store.deviceId = id
}

/** Back from the device's detail page to the page it was opened from. */
export function closeDevice(): void {
  store.deviceId = null
}

/** Opens a person's detail page over the current page (the home cards, the register). */
export function openPerson(id: number): void {
  store.docId = null
  store.deviceId = null
  store.personId = id
}

/** Back from the person's detail page to the page it was opened from. */
export function closePerson(): void {
  store.personId = null
}

/** Opens the print log over the register list, or goes back to the list. */
export function showPrintLog(on: boolean): void {
  store.printLog = on
}

/** Asks the core for the highest level held; only roles that read the registers may. */
export async function refreshLevel(): Promise<void> {
  if (!can('read_registers')) return
  try {
    store.level = await api.docHighestLevel()
  } catch {
    // The banner keeps its last value; a lost session is handled by the api layer.
  }
}

/** After any change to the carrier register: open lists reload, the banner follows. */
export function docsChanged(): void {
  store.docRevision += 1
  void refreshLevel()
}

/** After any change to the device ledger: open lists and home cards reload, the banner follows. */
export function devicesChanged(): void {
  store.deviceRevision += 1
  void refreshLevel()
}

/** After any change to the personnel register: open lists and home cards reload. */
export function personsChanged(): void {
  store.personRevision += 1
}

/** At most one heartbeat (`touch`) per this many milliseconds. */
const HEARTBEAT_MS = 30_000

/**
 * Locks the session after `seconds` without keyboard or mouse activity, and while the person
 * is active tells the core so, so that its idle timer agrees with the window's. Activity
 * since the last heartbeat is reported once 30 s have passed since that heartbeat (or half
 * the idle limit, when the policy sets one under a minute): the core's last activity then
 * never lags the window's by more than that, and the window always locks first.
 */
const idle = (() => {
  const events = ['keydown', 'mousedown', 'mousemove', 'wheel', 'touchstart'] as const
  let last = Date.now()
  let lastBeat = Date.now()
  let limitMs = 0
  let timer: number | undefined

  const touch = () => {
    last = Date.now()
  }
  const beat = () => {
    lastBeat = Date.now()
    // `session_locked` reaches the session handler in the api layer; anything else (a
    // transient failure) must not disturb the person.
    api
      .touch()
      .then((today) => {
        store.today = today
      })
      .catch(() => undefined)
  }
  const check = () => {
    const now = Date.now()
    if (limitMs > 0 && now - last >= limitMs) {
      stop()
      void lockSession(true)
      return
    }
    if (limitMs > 0 && last > lastBeat && now - lastBeat >= Math.min(HEARTBEAT_MS, limitMs / 2)) beat()
  }
  function start(seconds: number): void {
    stop()
    limitMs = seconds * 1000
    last = Date.now()
    lastBeat = last
    for (const ev of events) window.addEventListener(ev, touch, { capture: true, passive: true })
    timer = window.setInterval(check, 1000)
  }
  function stop(): void {
    limitMs = 0
    if (timer !== undefined) window.clearInterval(timer)
    timer = undefined
    for (const ev of events) window.removeEventListener(ev, touch, { capture: true })
  }
  return { start, stop }
})()
