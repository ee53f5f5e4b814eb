// Who is at the window (issue #12). One copy of what Rust says about the
// session; the UI shows only what `allowed` lists (Rust refuses the rest
// anyway). Signing out or switching user reloads the webview, so nothing
// of the previous user stays in memory or on screen.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '../api'
import type { SessionState } from '../bindings'
import { usePoller } from './poller'

export const useSession = defineStore('session', () => {
  const state = ref<SessionState | null>(null)

  async function refresh(): Promise<SessionState | null> {
    try {
      state.value = await api.sessionState()
    } catch {
      /* the shell shows store problems; the next poll retries */
    }
    return state.value
  }

  function allowed(command: string): boolean {
    return state.value?.allowed.includes(command) ?? false
  }

  /** The idle lock is Rust's: asking is how the screen learns of it. */
  function watchSession() {
    return usePoller().every('session', 2000, refresh)
  }

  let lastTouch = 0
  /** Activity holds the idle lock off: at most one touch per 15 s. */
  function noteActivity() {
    const now = Date.now()
    if (now - lastTouch < 15_000 || state.value?.phase !== 'active') return
    lastTouch = now
    void api.sessionTouch().catch(() => {})
  }

  async function signOut() {
    try {
      await api.signOut()
    } finally {
      dropUiState()
    }
  }

  return { state, refresh, allowed, watchSession, noteActivity, signOut }
})

/** Drop every bit of UI state: a fresh webview for the next user. */
export function dropUiState() {
  window.location.reload()
}
