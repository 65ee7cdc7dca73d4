// One record of a register as its detail page holds it: read from the core by id, with the
// loading flag and the core's `not_found` message kept apart from other errors (which go to
// the shared error display). Used by every register's detail page (涉密载体, 设备, 涉密人员).
//
// Contract: `load` replaces the record with the core's answer; a record that no longer exists
// leaves `missing` set (the page says so instead of showing stale fields).

import { ref } from 'vue'
import type { Ref } from 'vue'
import type { ApiError } from './api'
import { showError } from './errors'

export function useRecord<V>(show: () => Promise<V>) {
  const record = ref(null) as Ref<V | null>
  const loading = ref(false)
  const missing = ref('')

  async function load(): Promise<void> {
    loading.value = true
    try {
      record.value = await show()
      missing.value = ''
    } catch (e) {
      if ((e as ApiError).code === 'not_found') missing.value = (e as ApiError).message
      else showError(e)
    } finally {
      loading.value = false
    }
  }

  return { record, loading, missing, load }
}
