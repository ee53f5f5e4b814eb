import { describe, expect, it } from 'vitest'
import { enterAction, isImeComposing, materialKey, sectionShortcut } from './keyboard'

const key = (init: KeyboardEventInit & { keyCode?: number }) => {
  const e = new KeyboardEvent('keydown', init)
  if (init.keyCode !== undefined) Object.defineProperty(e, 'keyCode', { value: init.keyCode })
  return e
}

describe('enterAction', () => {
  it('moves on with Enter and submits with Ctrl+Enter', () => {
    expect(enterAction(key({ key: 'Enter' }))).toBe('next')
    expect(enterAction(key({ key: 'Enter', ctrlKey: true }))).toBe('submit')
    expect(enterAction(key({ key: 'a' }))).toBe('none')
  })
  it('never acts while an IME is composing', () => {
    expect(enterAction(key({ key: 'Enter', isComposing: true }))).toBe('none')
    expect(enterAction(key({ key: 'Enter', ctrlKey: true, keyCode: 229 }))).toBe('none')
    expect(enterAction(key({ key: 'Enter' }), true)).toBe('none')
    expect(isImeComposing(key({ key: 'Process', keyCode: 229 }))).toBe(true)
  })
})

describe('sectionShortcut', () => {
  it('maps Alt+1..4 to the sections', () => {
    expect(sectionShortcut(key({ key: '1', altKey: true }))).toBe('intake')
    expect(sectionShortcut(key({ key: '4', altKey: true }))).toBe('settings')
    expect(sectionShortcut(key({ key: '¡', code: 'Digit2', altKey: true }))).toBe('queue')
    expect(sectionShortcut(key({ key: '5', altKey: true }))).toBeNull()
    expect(sectionShortcut(key({ key: '1' }))).toBeNull()
    expect(sectionShortcut(key({ key: '1', altKey: true, ctrlKey: true }))).toBeNull()
  })
})

describe('materialKey', () => {
  it('Space or 1 ticks received, 2 ticks original seen', () => {
    expect(materialKey(key({ key: ' ' }))).toBe('received')
    expect(materialKey(key({ key: '1' }))).toBe('received')
    expect(materialKey(key({ key: '2' }))).toBe('original')
    expect(materialKey(key({ key: 'Enter' }))).toBe('none')
    expect(materialKey(key({ key: '3' }))).toBe('none')
  })
  it('does nothing with a modifier or while an IME is composing', () => {
    expect(materialKey(key({ key: ' ', ctrlKey: true }))).toBe('none')
    expect(materialKey(key({ key: '1', altKey: true }))).toBe('none')
    expect(materialKey(key({ key: ' ', keyCode: 229 }))).toBe('none')
  })
})
