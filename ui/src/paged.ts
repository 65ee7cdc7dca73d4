// One register list as a page of rows: filters, sort and paging, all done by the core (a
// register may hold a million rows, so a list only ever holds one page). Used by every
// register's list page (涉密载体, 设备台账, 涉密人员), each inside the one page shell
// `components/RegisterList.vue`, so searching, debouncing, sorting, the count ("共 10000+ 条"
// when the core stopped counting) and stale answers are handled once.
//
// Contract: `fetch` gets the query of the current filters, order and page; only the answer to
// the latest request is shown. Typed filters (`typed`) search after a pause, picked ones at
// once, a reset once. `filters()` is the query without paging (what a listing prints).

import { computed, onBeforeUnmount, reactive, ref, watch } from 'vue'
import type { Ref, UnwrapRef } from 'vue'
import type { Page } from './bindings/Page'
import { showError } from './errors'

/** Rows per page of every register list. */
export const PAGE_SIZE = 50
/** Typing in a search box searches after this pause. */
const DEBOUNCE_MS = 300
/** The loading mask shows only when a page takes longer than this (no flicker). */
const SLOW_MS = 400

/** The sort part of every register query. */
export type SortQuery = { sort?: string; desc?: boolean; offset?: number; limit?: number }

export type ListOptions<F extends object, Q extends SortQuery, Row> = {
  /** A fresh, empty filter (also what 重置 restores). */
  blank: () => F
  /** Filter keys that are typed (search after a pause); every other key searches at once. */
  typed: readonly (keyof F)[]
  /** The query fields of the filter (without sort and paging). */
  toQuery: (f: UnwrapRef<F>) => Omit<Q, keyof SortQuery>
  /** Table column prop → the core's sort key; anything else falls back to the default. */
  sortable: Record<string, string>
  fetch: (q: Q) => Promise<Page<Row>>
  /** Reloads the page when this changes (a register's revision counter). */
  revision?: () => number
  /** Called with each new page (e.g. to clear a table's selection). */
  loaded?: () => void
}

/** What a list page's shell (`components/RegisterList.vue`) uses of a paged list. */
export type ListShell<Row> = {
  filter: object
  page: Ref<number>
  rows: Ref<Row[]>
  total: Ref<number>
  loading: Ref<boolean>
  countText: Readonly<Ref<string>>
  load: () => Promise<void>
  search: () => void
  reset: () => void
  onSort: (s: { prop: string | null; order: 'ascending' | 'descending' | null }) => void
}

export function usePagedList<F extends object, Q extends SortQuery, Row>(o: ListOptions<F, Q, Row>) {
  const filter = reactive(o.blank())
  const sort = reactive({ by: 'id', desc: true })
  const page = ref(1)
  const rows = ref([]) as Ref<Row[]>
  const total = ref(0)
  const exact = ref(true)
  const loading = ref(false)

  // Past an inexact count the pager stops at the count: say how to see the rest.
  const countText = computed(() =>
    exact.value ? `共 ${total.value} 条` : `共 ${total.value}+ 条，仅列出前 ${total.value} 条，请增加条件缩小范围`,
  )

  /** The current filters and order, without paging. */
  function filters(): Q {
    return { ...o.toQuery(filter as UnwrapRef<F>), sort: sort.by, desc: sort.desc } as Q
  }

  function query(): Q {
    return { ...filters(), offset: (page.value - 1) * PAGE_SIZE, limit: PAGE_SIZE }
  }

  let latest = 0
  let slow: number | undefined
  async function load(): Promise<void> {
    const ticket = ++latest
    window.clearTimeout(slow)
    slow = window.setTimeout(() => {
      if (ticket === latest) loading.value = true
    }, SLOW_MS)
    try {
      const p = await o.fetch(query())
      if (ticket !== latest) return
      rows.value = p.rows
      total.value = p.total
      exact.value = p.total_exact
      o.loaded?.()
    } catch (e) {
      if (ticket === latest) showError(e)
    } finally {
      if (ticket === latest) {
        window.clearTimeout(slow)
        loading.value = false
      }
    }
  }

  let pending: number | undefined
  function cancelPending(): void {
    if (pending !== undefined) window.clearTimeout(pending)
    pending = undefined
  }

  function search(): void {
    cancelPending()
    page.value = 1
    void load()
  }

  function searchSoon(): void {
    cancelPending()
    pending = window.setTimeout(search, DEBOUNCE_MS)
  }

  const typed = new Set<PropertyKey>(o.typed)
  const keys = Object.keys(o.blank()) as (keyof F)[]
  let resetting = false
  watch(
    () => keys.filter((k) => typed.has(k)).map((k) => (filter as F)[k]),
    () => resetting || searchSoon(),
  )
  watch(
    () => keys.filter((k) => !typed.has(k)).map((k) => (filter as F)[k]),
    () => resetting || search(),
    { deep: true },
  )

  /** 重置: empty filters and the default order (the caller clears the table's sort marker). */
  function reset(): void {
    resetting = true
    Object.assign(filter, o.blank())
    sort.by = 'id'
    sort.desc = true
    // The watchers run before the next render; let them see `resetting` first.
    window.setTimeout(() => {
      resetting = false
      search()
    }, 0)
  }

  /** The table's `sort-change`: the core sorts; no order (or an unknown column) → newest first. */
  function onSort({ prop, order }: { prop: string | null; order: 'ascending' | 'descending' | null }): void {
    const by = prop ? o.sortable[prop] : undefined
    if (!by || !order) {
      sort.by = 'id'
      sort.desc = true
    } else {
      sort.by = by
      sort.desc = order === 'descending'
    }
    search()
  }

  if (o.revision) watch(o.revision, () => void load())

  onBeforeUnmount(() => {
    cancelPending()
    window.clearTimeout(slow)
  })

  return { filter, sort, page, rows, total, exact, loading, countText, filters, load, search, reset, onSort }
}
