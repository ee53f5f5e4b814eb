// Intake form helpers with no rules in them: the empty form for a matter,
// the draft's shape, and the debounce for saving it.
import type { IntakeForm, MatterDetail } from './bindings'

export interface DraftBody {
  v: 1
  matter_code: string
  form: IntakeForm
}

export function emptyForm(m: MatterDetail): IntakeForm {
  return {
    matter_code: m.code,
    matter_version: m.version,
    applicant: {
      kind: m.applicant_kinds[0] ?? 'person',
      name: '',
      id_no: '',
      phone: '',
      address: '',
      id_type: 'citizen_number',
      agent_name: '',
      agent_id_no: '',
      legal_representative: '',
    },
    materials: m.materials.map((x) => ({ material_id: x.id, received: false, original_seen: false, copies: x.copies })),
    // The first decision the matter allows (Rust's list): accept, or for an
    // instant matter complete on the spot.
    decision: { kind: m.decisions[0] ?? 'accept' } as IntakeForm['decision'],
  }
}

/** Parse a saved draft; anything unreadable is ignored (never thrown). */
export function parseDraft(body: string): DraftBody | null {
  try {
    const d = JSON.parse(body) as Partial<DraftBody>
    if (d && d.v === 1 && typeof d.matter_code === 'string' && d.form && typeof d.form === 'object') return d as DraftBody
  } catch {
    /* fall through */
  }
  return null
}

/** Call `fn` once `ms` after the last call; `flush` runs a pending call now. */
export function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined
  let pending: A | null = null
  const run = () => {
    timer = undefined
    if (pending) {
      const a = pending
      pending = null
      fn(...a)
    }
  }
  return {
    call(...a: A) {
      pending = a
      if (timer !== undefined) clearTimeout(timer)
      timer = setTimeout(run, ms)
    },
    flush() {
      if (timer !== undefined) clearTimeout(timer)
      run()
    },
  }
}
