// The only place the UI talks to Rust. One typed function per command; the
// types come from ui/src/bindings.ts, generated from crates/clerk-ipc.
import { invoke } from '@tauri-apps/api/core'
import type {
  AppInfo,
  CalendarImported,
  CalendarStatus,
  ApplicantForm,
  CaseListItem,
  CmdError,
  Draft,
  DocumentInfo,
  PrintResult,
  FieldProblem,
  IntakeForm,
  MatterDetail,
  MissingMaterial,
  MatterSummary,
  SyncStatus,
  TakeInOutcome,
  UiLogLevel,
  HallCase,
  OutboxItem,
  CaseAttachments,
  CatalogueDrift,
  CaseContact,
  CaseProgress,
  CaseQueue,
  QueueCount,
  ProgressInput,
  FieldEdit,
  SessionState,
  UserInfo,
  RoleName,
  AuditItem,
} from './bindings'

export class CommandError extends Error {
  constructor(public readonly detail: CmdError) {
    super(detail.message_en)
  }
}

function isCmdError(e: unknown): e is CmdError {
  return typeof e === 'object' && e !== null && 'kind' in e && 'message' in e && 'message_en' in e
}

async function call<T>(
  cmd: string,
  args?: Record<string, unknown> | Uint8Array,
  headers?: Record<string, string>,
): Promise<T> {
  try {
    return await invoke<T>(cmd, args, headers ? { headers } : undefined)
  } catch (e) {
    if (isCmdError(e)) {
      // The gate refused: signed out or locked meanwhile (the idle lock).
      if (e.kind === 'locked' || e.kind === 'unauthenticated') window.dispatchEvent(new Event('wc:session'))
      throw new CommandError(e)
    }
    // Anything else (IPC refused, serialisation) is masked like an internal error.
    throw new CommandError({
      kind: 'internal',
      message: '系统内部错误，请稍后重试；如仍失败请联系信息科。',
      message_en: 'Internal error. Please try again; if it keeps failing, contact IT.',
      field: null,
    })
  }
}

export const api = {
  // Who is at the window (issue #12). Rust decides what a session may do.
  sessionState: () => call<SessionState>('session_state'),
  signIn: (userId: string, password: string) => call<SessionState>('sign_in', { userId, password }),
  unlock: (password: string) => call<SessionState>('unlock', { password }),
  signOut: () => call<SessionState>('sign_out'),
  sessionTouch: () => call<null>('session_touch'),
  createFirstAdmin: (userId: string, displayName: string, password: string) =>
    call<SessionState>('create_first_admin', { userId, displayName, password }),
  listUsers: () => call<UserInfo[]>('list_users'),
  addUser: (userId: string, displayName: string, roles: RoleName[], password: string) =>
    call<UserInfo[]>('add_user', { userId, displayName, roles, password }),
  setUserDisabled: (userId: string, disabled: boolean) => call<UserInfo[]>('set_user_disabled', { userId, disabled }),
  auditTrail: () => call<AuditItem[]>('audit_trail'),
  appInfo: () => call<AppInfo>('app_info'),
  syncStatus: () => call<SyncStatus>('sync_status'),
  listMatters: (query: string) => call<MatterSummary[]>('list_matters', { query }),
  uiReady: () => call<null>('ui_ready'),
  logUi: (level: UiLogLevel, message: string) => call<null>('log_ui', { level, message }),
  /** As the catalogue in effect has it, or as `version` had it (a draft's pinned version). */
  matterDetail: (code: string, version?: number) => call<MatterDetail>('matter_detail', { code, version: version ?? null }),
  catalogueDrift: (code: string, version: number) => call<CatalogueDrift | null>('catalogue_drift', { code, version }),
  /** The required materials the form does not tick as received (Rust decides; in the matter's order). */
  missingMaterials: (form: IntakeForm) => call<MissingMaterial[]>('missing_materials', { form }),
  /** The holiday calendar: official / law-only (暂定) years, moved dates, unusable files. */
  calendarStatus: () => call<CalendarStatus>('calendar_status'),
  /** A year's State Council schedule file (its text); Rust checks it. */
  importCalendar: (body: string) => call<CalendarImported>('import_calendar', { body }),
  markDeadlineMovesSeen: () => call<number>('mark_deadline_moves_seen'),
  checkApplicant: (applicant: ApplicantForm) => call<FieldProblem[]>('check_applicant', { applicant }),
  knownApplicant: (idNo: string) => call<ApplicantForm | null>('known_applicant', { idNo }),
  saveDraft: (body: string) => call<null>('save_draft', { body }),
  loadDraft: () => call<Draft | null>('load_draft'),
  discardDraft: () => call<null>('discard_draft'),
  takeIn: (form: IntakeForm) => call<TakeInOutcome>('take_in', { form }),
  listCases: (query: string) => call<CaseListItem[]>('list_cases', { query }),
  caseDocuments: (caseId: string) => call<DocumentInfo[]>('case_documents', { caseId }),
  printDocument: (id: string) => call<PrintResult>('print_document', { id }),
  printers: () => call<string[]>('printers'),
  enrollDevice: (code: string) => call<string>('enroll_device', { code }),
  syncNow: () => call<SyncStatus>('sync_now'),
  hallCases: () => call<HallCase[]>('hall_cases'),
  acceptOnline: (caseId: string) => call<null>('accept_online', { caseId }),
  outboxItems: () => call<OutboxItem[]>('outbox_items'),
  retryOutboxItem: (seq: number) => call<null>('retry_outbox_item', { seq }),
  caseContact: (caseId: string) => call<CaseContact>('case_contact', { caseId }),
  editCaseFields: (caseId: string, edits: FieldEdit[]) => call<CaseContact>('edit_case_fields', { caseId, edits }),
  queueCases: (queue: CaseQueue) => call<CaseListItem[]>('queue_cases', { queue }),
  queueCounts: () => call<QueueCount[]>('queue_counts'),
  caseProgress: (caseId: string) => call<CaseProgress>('case_progress', { caseId }),
  progressCase: (caseId: string, input: ProgressInput) => call<CaseProgress>('progress_case', { caseId, input }),
  caseAttachments: (caseId: string) => call<CaseAttachments>('case_attachments', { caseId }),
  /** The file's bytes go as the raw request body (no base64 copy). */
  attachScan: (caseId: string, role: string, fileName: string, bytes: Uint8Array) =>
    call<CaseAttachments>('attach_scan', bytes, {
      'x-case-id': caseId,
      'x-role': role,
      'x-file-name': encodeURIComponent(fileName),
    }),
  /** Raw PDF bytes, marked 预览 无效. */
  documentPreview: (id: string) => call<ArrayBuffer>('document_preview', { id }),
  /** Raw PDF bytes of a withheld document, marked 预览 无效. */
  withheldPreview: (caseId: string, kind: string) => call<ArrayBuffer>('withheld_preview', { caseId, kind }),
}

/** The message for the current UI language. */
export function errorText(e: unknown, locale: string): string {
  if (e instanceof CommandError) return locale.startsWith('zh') ? e.detail.message : e.detail.message_en
  return locale.startsWith('zh') ? '系统内部错误' : 'Internal error'
}
