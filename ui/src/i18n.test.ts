import { describe, expect, it } from 'vitest'
import { messages } from './i18n'

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  )
}

describe('messages', () => {
  it('English has every key Chinese has, and no more', () => {
    expect(keys(messages.en).sort()).toEqual(keys(messages['zh-CN']).sort())
  })
  it('no message is empty', () => {
    for (const lang of Object.values(messages)) {
      for (const k of keys(lang)) {
        const v = k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], lang)
        expect(typeof v === 'string' && v.length > 0, k).toBe(true)
      }
    }
  })
})
