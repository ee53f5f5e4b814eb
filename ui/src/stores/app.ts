// What this app is and how sync goes: the app info (asked once) and the
// sync status (polled by the one poller; an action that changed it asks
// for it at once with `refreshStatus`).
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '../api'
import type { AppInfo, SyncStatus } from '../bindings'
import { usePoller } from './poller'
import { useSession } from './session'

export const useAppInfo = defineStore('appInfo', () => {
  const info = ref<AppInfo | null>(null)
  async function load() {
    info.value = await api.appInfo()
    return info.value
  }
  return { info, load }
})

export const useSyncStatus = defineStore('syncStatus', () => {
  const status = ref<SyncStatus | null>(null)
  async function refresh() {
    if (useSession().state?.phase !== 'active') return
    try {
      status.value = await api.syncStatus()
    } catch {
      /* the status bar keeps its last value; the next turn retries */
    }
  }
  function watchStatus() {
    return usePoller().every('sync_status', 5000, refresh)
  }
  /** After an action that changed the queue: ask now, not in 5 s. */
  function refreshNow() {
    usePoller().now('sync_status')
  }
  return { status, refresh, watchStatus, refreshNow }
})
