// A route per section (issue #12). The guard sends a user to the first
// section their session allows: a convenience only — Rust refuses every
// command the session may not run, whatever the screen shows.
import { createRouter, createWebHashHistory, type RouteLocationRaw } from 'vue-router'
import { SECTIONS, type Section } from './keyboard'
import { useSession } from './stores/session'
import IntakeView from './views/IntakeView.vue'
import QueueView from './views/QueueView.vue'
import StatsView from './views/StatsView.vue'
import SettingsView from './views/SettingsView.vue'

/** The command a section's screen is built on: Rust says whether it is allowed. */
export const SECTION_NEEDS: Record<Section, string> = {
  intake: 'take_in',
  queue: 'list_cases',
  stats: 'list_cases',
  settings: 'session_touch',
}

const VIEWS = { intake: IntakeView, queue: QueueView, stats: StatsView, settings: SettingsView }

declare module 'vue-router' {
  interface RouteMeta {
    needs: string
  }
}

/** The sections this session may open, in order. */
export function visibleSections(): Section[] {
  const session = useSession()
  return SECTIONS.filter((s) => session.allowed(SECTION_NEEDS[s]))
}

export function makeRouter() {
  const router = createRouter({
    // The app is served from Tauri's own scheme: the hash keeps every
    // route on the one document.
    history: createWebHashHistory(),
    routes: [
      { path: '/', redirect: '/intake' },
      ...SECTIONS.map((s) => ({ path: `/${s}`, name: s, component: VIEWS[s], meta: { needs: SECTION_NEEDS[s] } })),
      { path: '/:rest(.*)*', redirect: '/intake' },
    ],
  })
  router.beforeEach((to): boolean | RouteLocationRaw => {
    const session = useSession()
    // Before sign-in the shell is not shown; the route waits.
    if (session.state?.phase !== 'active') return true
    if (session.allowed(to.meta.needs)) return true
    const first = visibleSections()[0]
    return first && first !== to.name ? { name: first } : true
  })
  return router
}
