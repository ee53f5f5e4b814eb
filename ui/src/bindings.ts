// Generated from crates/clerk-ipc by `cargo xtask bindings`. Do not edit.

export type ErrorKind = "validation" | "not_found" | "config" | "storage" | "network" | "unauthenticated" | "locked" | "permission" | "conflict" | "internal";

export type CmdError = { kind: ErrorKind, 
/**
 * zh-CN message, shown by default.
 */
message: string, 
/**
 * English message, shown when the UI language is English.
 */
message_en: string, 
/**
 * The input field the error belongs to, when there is one.
 */
field: string | null, };

export type RunMode = "standalone" | "platform";

export type ConfigSource = "embedded_default" | "file";

export type CodeName = { code: string, name: string, };

export type CatalogueInfo = { version: number, published_at: string, matter_count: number, department_count: number, 
/**
 * True for the bundled sample catalogue (示例数据).
 */
sample: boolean, };

export type AppInfo = { version: string, hall: CodeName, window: CodeName, mode: RunMode, server_url: string | null, config_source: ConfigSource, 
/**
 * Set when the machine config file exists but could not be used; the
 * app then runs on the embedded default and the shell shows this.
 */
config_problem: CmdError | null, 
/**
 * Set when the encrypted local database cannot be opened (e.g. its key
 * is missing from the system keyring). Intake is then impossible and
 * the shell says why; the file is left untouched.
 */
store_problem: CmdError | null, catalogue: CatalogueInfo, };

export type SyncStatus = { online: boolean, mode: RunMode, 
/**
 * Outbox items not yet acknowledged by the platform.
 */
unsent: number, 
/**
 * Age in seconds of the oldest unsent item, if any.
 */
oldest_unsent_secs: number | null, 
/**
 * Items the platform refused (set aside, shown in the sync panel).
 */
rejected: number, 
/**
 * This PC is enrolled with the platform.
 */
enrolled: boolean, 
/**
 * Sync is paused until a clerk logs in (or the PC is enrolled).
 */
needs_login: boolean, 
/**
 * Why the last sync failed.
 */
problem: Text | null, 
/**
 * While a long queue is being sent: items sent so far, of how many.
 */
progress_done: number | null, progress_total: number | null, 
/**
 * A year whose official holiday schedule is not loaded although it is
 * needed soon (from 1 November: next year; all year: this year):
 * deadlines into it are provisional (暂定).
 */
calendar_missing_year: number | null, 
/**
 * Case dates that moved when a year's schedule arrived, not yet seen.
 */
deadline_moves_unseen: number, };

export type CaseKind = "instant" | "promised";

export type DayUnit = "working" | "calendar";

export type TimeLimit = { value: number, unit: DayUnit, };

export type MatterSummary = { code: string, name: string, department: string, case_kind: CaseKind, statutory_limit: TimeLimit, promised_limit: TimeLimit, fee_charged: boolean, material_count: number, 
/**
 * One of the matters this user took cases in for last (listed first
 * when the search is empty).
 */
recent: boolean, };

export type UiLogLevel = "error" | "warn" | "info";

export type ApplicantKind = "person" | "organisation";

export type IdDocType = "citizen_number" | "passport" | "hk_macao_permit" | "taiwan_permit" | "foreign_permanent_resident2017";

export type MaterialItem = { id: string, name: string, required: boolean, 
/**
 * 容缺: may be missing at acceptance (容缺受理).
 */
may_be_missing: boolean, 
/**
 * 原件 / 复印件 / 原件及复印件 / 电子件.
 */
form: Text, copies: number, note: string | null, };

export type MatterDetail = { code: string, name: string, 
/**
 * Catalogue version the case will pin.
 */
version: number, department: string, case_kind: CaseKind, statutory_limit: TimeLimit, promised_limit: TimeLimit, applicant_kinds: Array<ApplicantKind>, materials: Array<MaterialItem>, legal_basis: string, fee_charged: boolean, 
/**
 * The latest date a 容缺 supplement may be promised for (the promised
 * limit counted from today); None for instant matters.
 */
latest_supply_by: string | null, 
/**
 * The decisions this matter allows, in the form's order (clerk-core
 * decides: an instant matter is never accepted with dates; 容缺 only
 * where a material may be missing).
 */
decisions: Array<DecisionKind>, };

export type DecisionKind = "accept" | "accept_with_gaps" | "request_supplement" | "not_accept" | "complete_on_the_spot";

export type MissingMaterial = { material_id: string, name: string, 
/**
 * Marked 容缺 in the catalogue: may be supplied after acceptance.
 */
may_be_missing: boolean, };

export type ApplicantForm = { kind: ApplicantKind, name: string, id_type: IdDocType, id_no: string, phone: string, address: string, agent_name: string, agent_id_no: string, 
/**
 * An organisation's legal representative (法定代表人/负责人).
 */
legal_representative: string, };

export type MaterialCheck = { material_id: string, received: boolean, original_seen: boolean, copies: number, };

export type SupplementItem = { material_id: string, 
/**
 * What is wrong and what is required; empty = "请提交：<material>".
 */
requirement: string, };

export type NotAcceptKind = "no_licence_required" | "not_our_competence" | "applicant_declined_supplement" | "other";

export type DecisionForm = { "kind": "accept" } | { "kind": "accept_with_gaps", supply_by: string, commitment_signed: boolean, } | { "kind": "request_supplement", items: Array<SupplementItem>, } | { "kind": "not_accept", reason: NotAcceptKind, refer_to: string, detail: string, legal_basis: string, } | { "kind": "complete_on_the_spot" };

export type IntakeForm = { matter_code: string, matter_version: number, applicant: ApplicantForm, materials: Array<MaterialCheck>, decision: DecisionForm, };

export type FieldProblem = { 
/**
 * `applicant.id_no`, `decision.supply_by`, `materials`, `matter`, …
 */
field: string, message: string, message_en: string, };

export type CaseConfirmation = { case_id: string, 
/**
 * Printed, permanent: `3205-K7QM-000123-H`.
 */
receipt_no: string, status: CaseStatus, status_text: Text, matter_name: string, applicant_name: string, applicant_id_masked: string, received_on: string, accepted_on: string | null, promised_due: string | null, statutory_due: string | null, supply_by: string | null, 
/**
 * Materials still owed (容缺 or 补正), by name.
 */
owed: Array<string>, notice_deadline: string, 
/**
 * The dates above that are provisional (暂定: their year's official
 * holiday schedule was not loaded): "notice_deadline", "promised_due",
 * "statutory_due".
 */
provisional_fields: Array<string>, };

export type TakeInOutcome = { "outcome": "committed", confirmation: CaseConfirmation, } | { "outcome": "invalid", problems: Array<FieldProblem>, };

export type CaseListItem = { case_id: string, receipt_no: string, matter_name: string, status: CaseStatus, status_text: Text, applicant_name: string, applicant_id_masked: string, phone_masked: string, received_on: string, promised_due: string | null, 
/**
 * The promised date is provisional (暂定).
 */
due_provisional: boolean, 
/**
 * Against the promised date: "green" | "yellow" | "red" | "overdue";
 * None when no clock runs (not accepted, completed, no calendar).
 */
light: string | null, 
/**
 * Working days left to the promised date (negative: overdue).
 */
days_left: number | null, 
/**
 * Local time of intake, HH:MM.
 */
time: string, window_code: string, };

export type Draft = { body: string, updated_at: string, };

export type DocumentInfo = { id: string, 
/**
 * Template kind: `receipt`, `acceptance_notice`, …
 */
kind: string, 
/**
 * 收件凭证, 受理通知书, …
 */
title: string, doc_no: string, issued_at: string, 
/**
 * Successful prints so far (the first is the original, later ones 副本).
 */
prints: number, 
/**
 * How the last print ended (None: never printed).
 */
last_outcome: PrintOutcome | null, 
/**
 * Every print and failed print, oldest first (the print journal).
 */
history: Array<PrintEntry>, 
/**
 * Not issued yet, and why (issue #14: a notice stating the remedies
 * while the catalogue names no reconsideration body): previewed with
 * `withheld_preview`, never printed. `id` is empty then.
 */
withheld: Text | null, };

export type PrintResult = { printer: string, job_id: string, 
/**
 * True when this print was a 副本 (the original was printed before).
 */
copy: boolean, 
/**
 * `sent`, or `held`: the job is queued but will not come out now.
 */
outcome: PrintOutcome, 
/**
 * Why it is held (paper out, jam, queue stopped…) and what happens.
 */
held: Text | null, };

export type PrintEntry = { 
/**
 * Local time in the hall, `2026-03-02 09:14`.
 */
at: string, 
/**
 * Who printed it (the window's user).
 */
by: string, 
/**
 * A 副本 (the original was printed before).
 */
copy: boolean, printer: string | null, job_id: string | null, outcome: PrintOutcome, 
/**
 * Why it was held or did not print.
 */
reason: Text | null, };

export type PrintOutcome = "sent" | "held" | "failed" | "in_viewer";

export type HallCase = { case_id: string, receipt_no: string, status: CaseStatus, 
/**
 * The status in words, as the platform's vocabulary says it.
 */
status_text: Text, version: number, matter_name: string, applicant_name: string, 
/**
 * An online application (网上申报) waiting for pre-review at a window.
 */
online: boolean, 
/**
 * Department → `pending` | `approved` | `returned` | `refused`.
 */
nodes: Array<NodeStatus>, 
/**
 * 视为受理: accepted by the platform from this day because no window
 * pre-reviewed it within five working days (行政许可法 art. 32).
 */
deemed_accepted_from: string | null, };

export type NodeStatus = { department: string, status: string, };

export type OutboxState = "pending" | "acked" | "rejected" | "conflict" | "requeued";

export type CaseStatus = "draft" | "received" | "supplement_requested" | "accepted_with_gaps" | "accepted" | "completed_on_the_spot" | "not_accepted" | "withdrawn" | "online_submitted" | "in_review" | "approved" | "refused" | "returned_for_supplement" | "terminated" | "delivered" | "other";

export type MutationKind = "case.create" | "case.accept_online" | "case.attach" | "case.update_fields" | "case.progress" | "other";

export type OutboxItem = { seq: number, kind: MutationKind, kind_text: Text, receipt_no: string | null, state: OutboxState, attempts: number, 
/**
 * Why the last attempt failed (pending) or why the platform refused it.
 */
reason: Text | null, 
/**
 * Local time it was queued, `2026-03-02 09:14`.
 */
queued_at: string, };

export type AttachmentItem = { sha256: string, 
/**
 * The material it proves (the catalogue's material id) or `other`.
 */
role: string, 
/**
 * The material's name, when the catalogue knows it.
 */
role_name: string | null, 
/**
 * The file name as picked (the path is never kept).
 */
name: string, mime: string, size: number, 
/**
 * `pending` (still to upload; the case is safe locally) or `stored`.
 */
state: string, added_at: string, 
/**
 * Why the last upload attempt failed (retried by itself).
 */
last_error: string | null, };

export type CaseAttachments = { items: Array<AttachmentItem>, 
/**
 * The matter's materials (code = material id); empty when the
 * catalogue does not know the case's matter.
 */
materials: Array<CodeName>, };

export type CatalogueDrift = { from: number, to: number, 
/**
 * False when the new version no longer offers the matter.
 */
matter_still_offered: boolean, changes: Array<Text>, };

export type FieldEdit = { 
/**
 * `applicant.phone`, `applicant.address`, `applicant.agent_name`.
 */
field: string, value: string, };

export type ConflictItem = { field: string, 
/**
 * 联系电话, 联系地址, …
 */
field_text: Text, platform_value: string | null, window_value: string, 
/**
 * The window whose value was not applied.
 */
window: string, };

export type CaseContact = { phone: string, address: string, agent_name: string, editable: boolean, 
/**
 * Why not, when not editable.
 */
reason: Text | null, conflicts: Array<ConflictItem>, };

export type ProgressAction = "supplied" | "terminate" | "withdraw" | "extend" | "pause" | "resume" | "deliver";

export type SpecialProcedure = "hearing" | "tender" | "auction" | "inspection" | "testing" | "quarantine" | "appraisal" | "expert_review";

export type CaseQueue = "supplement_waiting" | "gaps_owed" | "in_review" | "for_pickup" | "due_soon";

export type QueueCount = { queue: CaseQueue, text: Text, count: number, };

export type DeliveryMethod = "window" | "post" | "e_licence";

export type OwedMaterial = { material_id: string, name: string, };

export type ProgressEntry = { 
/**
 * `2026-03-04`
 */
on: string, text: Text, };

export type CaseProgress = { case_id: string, receipt_no: string, 
/**
 * The applicant, who usually receives the result.
 */
applicant_name: string, status: CaseStatus, status_text: Text, actions: Array<ProgressAction>, owed: Array<OwedMaterial>, 
/**
 * 容缺: the date the items are due (`2026-03-09`).
 */
supply_by: string | null, accepted_on: string | null, promised_due: string | null, 
/**
 * The day an action now is recorded on (the app's today).
 */
today: string, history: Array<ProgressEntry>, };

export type ProgressInput = { action: ProgressAction, 
/**
 * `supplied`: the owed materials that arrived.
 */
material_ids: Array<string>, 
/**
 * `withdraw`: the applicant's reason.
 */
reason: string, 
/**
 * `deliver`
 */
method: DeliveryMethod, recipient: string, tracking_no: string, 
/**
 * `extend`: working days, and the approving supervisor, who signs in
 * for this one act (user id and password; the password is checked
 * and forgotten). `pause`: the expected length in working days.
 */
days: number, 
/**
 * `pause`: which special procedure.
 */
procedure: SpecialProcedure, approver_id: string, approver_password: string, };

export type CalendarYear = { year: number, 
/**
 * "official" | "law_only" (provisional dates).
 */
basis: string, 
/**
 * The State Council notice, for an official year.
 */
source: string | null, };

export type DeadlineMoveItem = { case_id: string, receipt_no: string, applicant_name: string, 
/**
 * "promised_due" | "statutory_due" | "notice_deadline".
 */
field: string, old: string, new: string, year: number, seen: boolean, };

export type CalendarStatus = { today: string, years: Array<CalendarYear>, missing_year: number | null, moves: Array<DeadlineMoveItem>, problems: Array<string>, };

export type CalendarImported = { year: number, 
/**
 * Cases whose dates moved, and how many dates moved.
 */
cases_recomputed: number, dates_moved: number, };

export type RoleName = "clerk" | "supervisor" | "admin" | "auditor";

export type Text = { zh: string, en: string, };

export type SessionPhase = "signed_out" | "active" | "locked";

export type SessionUser = { user_id: string, display_name: string, roles: Array<RoleName>, online: boolean, };

export type SessionState = { phase: SessionPhase, user: SessionUser | null, 
/**
 * The commands the current session may call (the UI shows only what
 * Rust allows; Rust refuses the rest anyway).
 */
allowed: Array<string>, 
/**
 * No user on this PC yet: the sign-in screen asks to create the local
 * administrator.
 */
first_start: boolean, 
/**
 * This PC is in platform mode but not enrolled yet.
 */
needs_enrolment: boolean, 
/**
 * Seconds without activity before the screen locks.
 */
idle_lock_secs: number, };

export type UserInfo = { user_id: string, display_name: string, roles: Array<RoleName>, 
/**
 * `local` or `platform`.
 */
origin: string, disabled: boolean, 
/**
 * Local time of the lockout's end, when locked out now.
 */
locked_until: string | null, 
/**
 * Local time of the last online sign-in here (platform users).
 */
online_at: string | null, };

export type AuditItem = { id: number, 
/**
 * Local time.
 */
at: string, actor: string, action: string, receipt_no: string | null, detail: string, };
