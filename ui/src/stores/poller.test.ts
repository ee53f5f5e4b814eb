import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { usePoller } from './poller'

describe('the one poller', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    setActivePinia(createPinia())
  })
  afterEach(() => {
    usePoller().stop()
    vi.useRealTimers()
  })

  it('runs every task at its own interval on one timer', async () => {
    const spy = vi.spyOn(globalThis, 'setInterval')
    const p = usePoller()
    const a = vi.fn()
    const b = vi.fn()
    p.every('a', 2000, a)
    p.every('b', 5000, b)
    expect(spy).toHaveBeenCalledTimes(1)
    expect([a.mock.calls.length, b.mock.calls.length]).toEqual([1, 1])
    await vi.advanceTimersByTimeAsync(10_000)
    expect([a.mock.calls.length, b.mock.calls.length]).toEqual([6, 3])
    spy.mockRestore()
  })

  it('stops a task when it is unregistered, and can run one now', async () => {
    const p = usePoller()
    const a = vi.fn()
    const stop = p.every('a', 2000, a, true)
    expect(a).not.toHaveBeenCalled()
    p.now('a')
    expect(a).toHaveBeenCalledTimes(1)
    stop()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(a).toHaveBeenCalledTimes(1)
    expect(p.count()).toBe(0)
  })

  it('never runs a slow task twice at once and survives a failure', async () => {
    const p = usePoller()
    let running = 0
    let most = 0
    let calls = 0
    p.every('slow', 500, async () => {
      calls++
      running++
      most = Math.max(most, running)
      await new Promise((r) => setTimeout(r, 1800))
      running--
      throw new Error('offline')
    })
    await vi.advanceTimersByTimeAsync(6000)
    expect(most).toBe(1)
    expect(calls).toBeGreaterThan(1)
  })
})
