import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { makeRouter, visibleSections } from './router'
import { useSession } from './stores/session'
import type { SessionState } from './bindings'

function signedIn(allowed: string[]): SessionState {
  return {
    phase: 'active',
    user: { user_id: 'u', display_name: 'U', roles: ['admin'], online: false },
    allowed,
    first_start: false,
    needs_enrolment: false,
    idle_lock_secs: 300,
  }
}

describe('routes and their guard', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('sends a user to the first section Rust allows them', async () => {
    // An administrator: no take_in, no list_cases.
    useSession().state = signedIn(['session_touch', 'app_info'])
    expect(visibleSections()).toEqual(['settings'])
    const router = makeRouter()
    await router.push('/intake')
    expect(router.currentRoute.value.name).toBe('settings')
    await router.push('/queue')
    expect(router.currentRoute.value.name).toBe('settings')
  })

  it('lets a clerk open intake and the queues', async () => {
    useSession().state = signedIn(['take_in', 'list_cases', 'session_touch'])
    expect(visibleSections()).toEqual(['intake', 'queue', 'stats', 'settings'])
    const router = makeRouter()
    await router.push('/queue')
    expect(router.currentRoute.value.name).toBe('queue')
  })
})
