// Who is at the window (issue #12). One reactive copy of what Rust says
// about the session; the UI shows only what `allowed` lists (Rust refuses
// the rest anyway). Signing out or switching user reloads the webview, so
// nothing of the previous user stays in memory or on screen.
import { reactive } from 'vue'
import { api } from './api'
import type { SessionState } from './bindings'

export const session = reactive<{ state: SessionState | null }>({ state: null })

export async function refreshSession(): Promise<SessionState | null> {
  try {
    session.state = await api.sessionState()
  } catch {
    /* the shell shows store problems; the next poll retries */
  }
  return session.state
}

export function allowed(command: string): boolean {
  return session.state?.allowed.includes(command) ?? false
}

/** Drop every bit of UI state: a fresh webview for the next user. */
export function dropUiState() {
  window.location.reload()
}

export async function signOut() {
  try {
    await api.signOut()
  } finally {
    dropUiState()
  }
}

/** Activity holds the idle lock off: at most one touch per 15 s. */
let lastTouch = 0
export function noteActivity() {
  const now = Date.now()
  if (now - lastTouch < 15_000 || session.state?.phase !== 'active') return
  lastTouch = now
  void api.sessionTouch().catch(() => {})
}
