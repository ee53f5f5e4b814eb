// Keyboard rules shared by every form (see ARCHITECTURE.md, "Keyboard").
// An Enter that commits an IME candidate (pinyin) must never submit or move
// focus: WebKitGTK and WebView2 report composition differently, so check all
// three signals.

export function isImeComposing(e: KeyboardEvent, composing = false): boolean {
  return composing || e.isComposing || e.keyCode === 229
}

export type KeyAction = 'submit' | 'next' | 'none'

/** Enter moves to the next field, Ctrl+Enter submits; never while composing. */
export function enterAction(e: KeyboardEvent, composing = false): KeyAction {
  if (e.key !== 'Enter' || isImeComposing(e, composing)) return 'none'
  if (e.ctrlKey || e.metaKey) return 'submit'
  if (e.shiftKey || e.altKey) return 'none'
  return 'next'
}

export type MaterialKey = 'received' | 'original' | 'none'

/**
 * A row of the materials checklist (issue #14, keyboard first): Space or 1
 * ticks "received", 2 ticks "original seen"; Enter moves to the next row
 * (enterAction). Never while an IME is composing or with a modifier.
 */
export function materialKey(e: KeyboardEvent, composing = false): MaterialKey {
  if (isImeComposing(e, composing) || e.ctrlKey || e.metaKey || e.altKey) return 'none'
  if (e.key === ' ' || e.key === 'Spacebar' || e.key === '1') return 'received'
  if (e.key === '2') return 'original'
  return 'none'
}

export const SECTIONS = ['intake', 'queue', 'stats', 'settings'] as const
export type Section = (typeof SECTIONS)[number]

/** Alt+1…Alt+4 jump to a section. */
export function sectionShortcut(e: KeyboardEvent): Section | null {
  if (!e.altKey || e.ctrlKey || e.metaKey || isImeComposing(e)) return null
  const n = Number.parseInt(e.key, 10)
  if (Number.isInteger(n) && n >= 1 && n <= SECTIONS.length) return SECTIONS[n - 1]
  // Some layouts report Alt+digit with e.key unchanged only in e.code.
  const m = /^Digit([1-9])$/.exec(e.code)
  if (m) {
    const i = Number(m[1])
    if (i <= SECTIONS.length) return SECTIONS[i - 1]
  }
  return null
}
