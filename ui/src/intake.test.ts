import { describe, expect, it, vi } from 'vitest'
import { debounce, emptyForm, parseDraft } from './intake'
import type { MatterDetail } from './bindings'

const matter: MatterDetail = {
  code: 'M1',
  name: '食品经营许可',
  version: 1,
  department: 'x',
  case_kind: 'promised',
  statutory_limit: { value: 20, unit: 'working' },
  promised_limit: { value: 10, unit: 'working' },
  applicant_kinds: ['person', 'organisation'],
  materials: [{ id: 'm1', name: 'a', required: true, may_be_missing: false, form: { zh: '原件', en: 'original' }, copies: 2, note: null }],
  legal_basis: '',
  fee_charged: false,
  latest_supply_by: '2026-03-16',
  decisions: ['accept', 'request_supplement', 'not_accept'],
}

describe('intake helpers', () => {
  it('starts every material unticked with the catalogue copies', () => {
    const f = emptyForm(matter)
    expect(f.materials).toEqual([{ material_id: 'm1', received: false, original_seen: false, copies: 2 }])
    expect(f.decision).toEqual({ kind: 'accept' })
    // The first decision Rust allows for the matter.
    expect(emptyForm({ ...matter, decisions: ['complete_on_the_spot', 'not_accept'] }).decision).toEqual({ kind: 'complete_on_the_spot' })
  })
  it('reads only drafts it wrote', () => {
    const body = JSON.stringify({ v: 1, matter_code: 'M1', form: emptyForm(matter) })
    expect(parseDraft(body)?.matter_code).toBe('M1')
    expect(parseDraft('{')).toBeNull()
    expect(parseDraft('{"v":2}')).toBeNull()
  })
  it('debounces and flushes', () => {
    vi.useFakeTimers()
    const fn = vi.fn()
    const d = debounce(fn, 400)
    d.call(1)
    d.call(2)
    vi.advanceTimersByTime(399)
    expect(fn).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(fn).toHaveBeenCalledWith(2)
    d.call(3)
    d.flush()
    expect(fn).toHaveBeenLastCalledWith(3)
    expect(fn).toHaveBeenCalledTimes(2)
    vi.useRealTimers()
  })
})
