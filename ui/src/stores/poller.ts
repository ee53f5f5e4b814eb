// One poller for the whole window (issue #12): a single timer runs every
// registered task when it is due, instead of a timer per component. Tasks
// are registered by the stores (session, sync status) and by views that
// show live lists (the hall's cases, the outbox, a case's uploads) while
// they are mounted. A task never runs twice at once, and a failure only
// waits for its next turn.
import { defineStore } from 'pinia'

interface Task {
  every: number
  due: number
  running: boolean
  run: () => Promise<unknown> | unknown
}

export const TICK_MS = 500

export const usePoller = defineStore('poller', () => {
  const tasks = new Map<string, Task>()
  let timer: ReturnType<typeof setInterval> | undefined

  async function runTask(t: Task) {
    if (t.running) return
    t.running = true
    try {
      await t.run()
    } catch {
      /* the next turn retries */
    } finally {
      t.running = false
    }
  }

  function tick(now = Date.now()) {
    for (const t of tasks.values()) {
      if (now >= t.due) {
        t.due = now + t.every
        void runTask(t)
      }
    }
  }

  /** Run `run` every `ms` from now on (and once at once unless `later`). Returns the unregister. */
  function every(key: string, ms: number, run: Task['run'], later = false): () => void {
    const t: Task = { every: ms, due: later ? Date.now() + ms : 0, running: false, run }
    tasks.set(key, t)
    if (!timer) timer = setInterval(() => tick(), TICK_MS)
    if (!later) tick()
    return () => {
      if (tasks.get(key) === t) tasks.delete(key)
    }
  }

  /** Run a task now (after an action changed what it shows). */
  function now(key: string) {
    const t = tasks.get(key)
    if (t) {
      t.due = Date.now() + t.every
      void runTask(t)
    }
  }

  function stop() {
    if (timer) clearInterval(timer)
    timer = undefined
    tasks.clear()
  }

  return { every, now, tick, stop, count: () => tasks.size }
})
