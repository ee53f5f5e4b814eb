//! The IPC contract between the webview and the Rust core.
//!
//! API Boundary: every type here is a *wire* type for the UI. Domain types in
//! `clerk-core` are not serialised to the UI directly; the app crate maps them
//! to these DTOs. TypeScript declarations are generated from this file into
//! `ui/src/bindings.ts` (see [`typescript_bindings`]) and a test fails when the
//! committed file is stale.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

mod error;
pub use error::{CmdError, ErrorKind};

/// How the app runs: alone on this PC, or enrolled to a platform server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RunMode {
    /// 单机模式: no platform server configured; everything stays on this PC.
    Standalone,
    /// A platform server is configured.
    Platform,
}

/// Where the machine configuration came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConfigSource {
    /// No machine config file: the embedded default is in use.
    EmbeddedDefault,
    /// Read from the machine config file.
    File,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CodeName {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CatalogueInfo {
    pub version: u32,
    pub published_at: String,
    pub matter_count: u32,
    pub department_count: u32,
    /// True for the bundled sample catalogue (示例数据).
    pub sample: bool,
}

/// What the shell needs once at start: identity of this PC and the build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub hall: CodeName,
    pub window: CodeName,
    pub mode: RunMode,
    pub server_url: Option<String>,
    pub config_source: ConfigSource,
    /// Set when the machine config file exists but could not be used; the
    /// app then runs on the embedded default and the shell shows this.
    pub config_problem: Option<CmdError>,
    /// Set when the encrypted local database cannot be opened (e.g. its key
    /// is missing from the system keyring). Intake is then impossible and
    /// the shell says why; the file is left untouched.
    pub store_problem: Option<CmdError>,
    pub catalogue: CatalogueInfo,
}

/// The status bar's live part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncStatus {
    pub online: bool,
    pub mode: RunMode,
    /// Outbox items not yet acknowledged by the platform.
    pub unsent: u32,
    /// Age in seconds of the oldest unsent item, if any.
    pub oldest_unsent_secs: Option<u32>,
    /// Items the platform refused (set aside, shown in the sync panel).
    pub rejected: u32,
    /// This PC is enrolled with the platform.
    pub enrolled: bool,
    /// Sync is paused until a clerk logs in (or the PC is enrolled).
    pub needs_login: bool,
    /// Why the last sync failed.
    pub problem: Option<Text>,
    /// While a long queue is being sent: items sent so far, of how many.
    pub progress_done: Option<u32>,
    pub progress_total: Option<u32>,
    /// A year whose official holiday schedule is not loaded although it is
    /// needed soon (from 1 November: next year; all year: this year):
    /// deadlines into it are provisional (暂定).
    pub calendar_missing_year: Option<i32>,
    /// Case dates that moved when a year's schedule arrived, not yet seen.
    pub deadline_moves_unseen: u32,
}

/// One year of the working-day calendar, as 设置 shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CalendarYear {
    pub year: i32,
    /// "official" | "law_only" (provisional dates).
    pub basis: String,
    /// The State Council notice, for an official year.
    pub source: Option<String>,
}

/// A case date that moved when its year's schedule arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeadlineMoveItem {
    pub case_id: String,
    pub receipt_no: String,
    pub applicant_name: String,
    /// "promised_due" | "statutory_due" | "notice_deadline".
    pub field: String,
    pub old: String,
    pub new: String,
    pub year: i32,
    pub seen: bool,
}

/// The holiday calendar in 设置: which years are official, what is missing,
/// the moved dates and files IT left that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CalendarStatus {
    pub today: String,
    pub years: Vec<CalendarYear>,
    pub missing_year: Option<i32>,
    pub moves: Vec<DeadlineMoveItem>,
    pub problems: Vec<String>,
}

/// What importing a year's schedule did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CalendarImported {
    pub year: i32,
    /// Cases whose dates moved, and how many dates moved.
    pub cases_recomputed: u32,
    pub dates_moved: u32,
}

/// A case of the hall as the platform knows it (this window's, the other
/// windows', online applications), with the departments' progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HallCase {
    pub case_id: String,
    pub receipt_no: String,
    pub status: CaseStatus,
    /// The status in words, as the platform's vocabulary says it.
    pub status_text: Text,
    pub version: i64,
    pub matter_name: String,
    pub applicant_name: String,
    /// An online application (网上申报) waiting for pre-review at a window.
    pub online: bool,
    /// Department → `pending` | `approved` | `returned` | `refused`.
    pub nodes: Vec<NodeStatus>,
    /// 视为受理: accepted by the platform from this day because no window
    /// pre-reviewed it within five working days (行政许可法 art. 32).
    pub deemed_accepted_from: Option<String>,
}

/// One item of the outbox, for the sync panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OutboxItem {
    pub seq: i64,
    pub kind: MutationKind,
    pub kind_text: Text,
    pub receipt_no: Option<String>,
    pub state: OutboxState,
    pub attempts: i64,
    /// Why the last attempt failed (pending) or why the platform refused it.
    pub reason: Option<Text>,
    /// Local time it was queued, `2026-03-02 09:14`.
    pub queued_at: String,
}

/// A vocabulary's value for its wire code, if the code is one of its own.
fn known_code<'de, T: Deserialize<'de>>(code: &'de str) -> Option<T> {
    use serde::de::value::{Error, StrDeserializer};
    T::deserialize(StrDeserializer::<Error>::new(code)).ok()
}

/// A case's status, the window's and the platform's (clerk-core's
/// `CaseStatus` and `PlatformStatus`). `other`: a status this version does
/// not know yet (a newer platform); its `status_text` says it as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Draft,
    Received,
    SupplementRequested,
    AcceptedWithGaps,
    Accepted,
    CompletedOnTheSpot,
    NotAccepted,
    Withdrawn,
    OnlineSubmitted,
    InReview,
    Approved,
    Refused,
    ReturnedForSupplement,
    Terminated,
    Delivered,
    Other,
}

impl CaseStatus {
    /// From a status code; unknown codes are `Other`.
    pub fn from_code(code: &str) -> Self {
        known_code(code)
            .filter(|k| *k != Self::Other)
            .unwrap_or(Self::Other)
    }
}

/// The kind of an outbox item (clerk-core's `MutationKind`); `other`: one
/// this version does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum MutationKind {
    #[serde(rename = "case.create")]
    CaseCreate,
    #[serde(rename = "case.accept_online")]
    CaseAcceptOnline,
    #[serde(rename = "case.attach")]
    CaseAttach,
    #[serde(rename = "case.update_fields")]
    CaseUpdateFields,
    #[serde(rename = "case.progress")]
    CaseProgress,
    #[serde(rename = "other")]
    Other,
}

impl MutationKind {
    pub fn from_code(code: &str) -> Self {
        known_code(code)
            .filter(|k| *k != Self::Other)
            .unwrap_or(Self::Other)
    }
}

/// Where an outbox item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    Pending,
    Acked,
    Rejected,
    Conflict,
    /// A refused item sent again under a new number.
    Requeued,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NodeStatus {
    pub department: String,
    pub status: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// 即办件: decided and completed at the counter.
    Instant,
    /// 承诺件: goes to the back office with a promised completion date.
    Promised,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DayUnit {
    Working,
    Calendar,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TimeLimit {
    pub value: u32,
    pub unit: DayUnit,
}

/// One line of the matter list at intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MatterSummary {
    pub code: String,
    pub name: String,
    pub department: String,
    pub case_kind: CaseKind,
    pub statutory_limit: TimeLimit,
    pub promised_limit: TimeLimit,
    pub fee_charged: bool,
    pub material_count: u32,
    /// One of the matters this user took cases in for last (listed first
    /// when the search is empty).
    pub recent: bool,
}

/// Who applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    /// 自然人
    #[default]
    Person,
    /// 法人或其他组织
    Organisation,
}

/// One material of a matter, as the checklist shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MaterialItem {
    pub id: String,
    pub name: String,
    pub required: bool,
    /// 容缺: may be missing at acceptance (容缺受理).
    pub may_be_missing: bool,
    /// 原件 / 复印件 / 原件及复印件 / 电子件.
    pub form: Text,
    pub copies: u8,
    pub note: Option<String>,
}

/// Everything the intake form needs to know about one matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MatterDetail {
    pub code: String,
    pub name: String,
    /// Catalogue version the case will pin.
    pub version: u32,
    pub department: String,
    pub case_kind: CaseKind,
    pub statutory_limit: TimeLimit,
    pub promised_limit: TimeLimit,
    pub applicant_kinds: Vec<ApplicantKind>,
    pub materials: Vec<MaterialItem>,
    pub legal_basis: String,
    pub fee_charged: bool,
    /// The latest date a 容缺 supplement may be promised for (the promised
    /// limit counted from today); None for instant matters.
    pub latest_supply_by: Option<String>,
    /// The decisions this matter allows, in the form's order (clerk-core
    /// decides: an instant matter is never accepted with dates; 容缺 only
    /// where a material may be missing).
    pub decisions: Vec<DecisionKind>,
}

/// A decision at intake (行政许可法 art. 32).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Accept,
    AcceptWithGaps,
    RequestSupplement,
    NotAccept,
    CompleteOnTheSpot,
}

/// A required material the form does not tick as received: what the
/// supplement notice must list and a 容缺 decision names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MissingMaterial {
    pub material_id: String,
    pub name: String,
    /// Marked 容缺 in the catalogue: may be supplied after acceptance.
    pub may_be_missing: bool,
}

/// A person's identity document (clerk-core `ids::IdDocType`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum IdDocType {
    /// 居民身份证, 港澳台居民居住证, 外国人永久居留身份证 (2023): 18 characters.
    #[default]
    CitizenNumber,
    Passport,
    HkMacaoPermit,
    TaiwanPermit,
    ForeignPermanentResident2017,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ApplicantForm {
    pub kind: ApplicantKind,
    pub name: String,
    pub id_type: IdDocType,
    pub id_no: String,
    pub phone: String,
    pub address: String,
    pub agent_name: String,
    pub agent_id_no: String,
    /// An organisation's legal representative (法定代表人/负责人).
    pub legal_representative: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MaterialCheck {
    pub material_id: String,
    pub received: bool,
    pub original_seen: bool,
    pub copies: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SupplementItem {
    pub material_id: String,
    /// What is wrong and what is required; empty = "请提交：<material>".
    pub requirement: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NotAcceptKind {
    NoLicenceRequired,
    NotOurCompetence,
    ApplicantDeclinedSupplement,
    Other,
}

/// The art. 32 decision the clerk takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecisionForm {
    Accept,
    AcceptWithGaps {
        supply_by: String,
        commitment_signed: bool,
    },
    RequestSupplement {
        items: Vec<SupplementItem>,
    },
    NotAccept {
        reason: NotAcceptKind,
        refer_to: String,
        detail: String,
        legal_basis: String,
    },
    CompleteOnTheSpot,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IntakeForm {
    pub matter_code: String,
    pub matter_version: u32,
    pub applicant: ApplicantForm,
    pub materials: Vec<MaterialCheck>,
    pub decision: DecisionForm,
}

/// A problem with one field of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FieldProblem {
    /// `applicant.id_no`, `decision.supply_by`, `materials`, `matter`, …
    pub field: String,
    pub message: String,
    pub message_en: String,
}

/// What the clerk sees after a case is taken in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseConfirmation {
    pub case_id: String,
    /// Printed, permanent: `3205-K7QM-000123-H`.
    pub receipt_no: String,
    pub status: CaseStatus,
    pub status_text: Text,
    pub matter_name: String,
    pub applicant_name: String,
    pub applicant_id_masked: String,
    pub received_on: String,
    pub accepted_on: Option<String>,
    pub promised_due: Option<String>,
    pub statutory_due: Option<String>,
    pub supply_by: Option<String>,
    /// Materials still owed (容缺 or 补正), by name.
    pub owed: Vec<String>,
    pub notice_deadline: String,
    /// The dates above that are provisional (暂定: their year's official
    /// holiday schedule was not loaded): "notice_deadline", "promised_due",
    /// "statutory_due".
    pub provisional_fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum TakeInOutcome {
    Committed {
        confirmation: Box<CaseConfirmation>,
    },
    /// Nothing was saved except the draft; every problem names its field.
    Invalid {
        problems: Vec<FieldProblem>,
    },
}

/// One line of the case list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseListItem {
    pub case_id: String,
    pub receipt_no: String,
    pub matter_name: String,
    pub status: CaseStatus,
    pub status_text: Text,
    pub applicant_name: String,
    pub applicant_id_masked: String,
    pub phone_masked: String,
    pub received_on: String,
    pub promised_due: Option<String>,
    /// The promised date is provisional (暂定).
    pub due_provisional: bool,
    /// Against the promised date: "green" | "yellow" | "red" | "overdue";
    /// None when no clock runs (not accepted, completed, no calendar).
    pub light: Option<String>,
    /// Working days left to the promised date (negative: overdue).
    pub days_left: Option<i64>,
    /// Local time of intake, HH:MM.
    pub time: String,
    pub window_code: String,
}

/// The saved intake draft (the form as typed, JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Draft {
    pub body: String,
    pub updated_at: String,
}

/// A document issued for a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DocumentInfo {
    pub id: String,
    /// Template kind: `receipt`, `acceptance_notice`, …
    pub kind: String,
    /// 收件凭证, 受理通知书, …
    pub title: String,
    pub doc_no: String,
    pub issued_at: String,
    /// Successful prints so far (the first is the original, later ones 副本).
    pub prints: u32,
    /// How the last print ended (None: never printed).
    pub last_outcome: Option<PrintOutcome>,
    /// Every print and failed print, oldest first (the print journal).
    pub history: Vec<PrintEntry>,
    /// Not issued yet, and why (issue #14: a notice stating the remedies
    /// while the catalogue names no reconsideration body): previewed with
    /// `withheld_preview`, never printed. `id` is empty then.
    pub withheld: Option<Text>,
}

/// One line of the print journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PrintEntry {
    /// Local time in the hall, `2026-03-02 09:14`.
    pub at: String,
    /// Who printed it (the window's user).
    pub by: String,
    /// A 副本 (the original was printed before).
    pub copy: bool,
    pub printer: Option<String>,
    pub job_id: Option<String>,
    pub outcome: PrintOutcome,
    /// Why it was held or did not print.
    pub reason: Option<Text>,
}

/// How a print ended (clerk-core's `PrintOutcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PrintOutcome {
    /// The printing system accepted the job and the printer is ready.
    Sent,
    /// Accepted, but the printer cannot print now: it comes out once that
    /// is fixed.
    Held,
    /// Not printed; the document is kept.
    Failed,
    /// No printer configured (Windows): opened in the default viewer.
    InViewer,
}

/// A print job handed to the printing system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PrintResult {
    pub printer: String,
    pub job_id: String,
    /// True when this print was a 副本 (the original was printed before).
    pub copy: bool,
    /// `sent`, or `held`: the job is queued but will not come out now.
    pub outcome: PrintOutcome,
    /// Why it is held (paper out, jam, queue stopped…) and what happens.
    pub held: Option<Text>,
}

/// One field a clerk changes after intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FieldEdit {
    /// `applicant.phone`, `applicant.address`, `applicant.agent_name`.
    pub field: String,
    pub value: String,
}

/// A field two windows changed differently: the platform kept one value,
/// the other is shown here until someone settles it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConflictItem {
    pub field: String,
    /// 联系电话, 联系地址, …
    pub field_text: Text,
    pub platform_value: Option<String>,
    pub window_value: String,
    /// The window whose value was not applied.
    pub window: String,
}

/// A case's contact fields as this window sees them, whether they may
/// still be changed, and any conflicts the platform reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseContact {
    pub phone: String,
    pub address: String,
    pub agent_name: String,
    pub editable: bool,
    /// Why not, when not editable.
    pub reason: Option<Text>,
    pub conflicts: Vec<ConflictItem>,
}

/// What may happen to a case after intake (clerk-core `lifecycle`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProgressAction {
    /// 补交材料: owed materials arrived (补正 or 容缺).
    Supplied,
    /// 终止办理: 容缺 items not supplied by their date.
    Terminate,
    /// 撤回申请.
    Withdraw,
    /// 延长办理期限 (art. 42), approved by a supervisor at the window.
    Extend,
    /// 特别程序开始 (art. 45): the clock stands still.
    Pause,
    /// 特别程序结束: the clock runs again.
    Resume,
    /// 出件送达: the result handed over.
    Deliver,
}

/// The clerk's queues after intake (clerk-core `lifecycle::Queue`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CaseQueue {
    SupplementWaiting,
    GapsOwed,
    InReview,
    ForPickup,
    DueSoon,
}

/// How many cases a queue holds now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QueueCount {
    pub queue: CaseQueue,
    pub text: Text,
    pub count: u32,
}

/// The special procedures of art. 45 (clerk-core `SpecialProcedure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SpecialProcedure {
    Hearing,
    Tender,
    Auction,
    Inspection,
    Testing,
    Quarantine,
    Appraisal,
    ExpertReview,
}

/// How a result went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    Window,
    Post,
    ELicence,
}

/// A material the case still owes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OwedMaterial {
    pub material_id: String,
    pub name: String,
}

/// One thing that happened to the case after intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProgressEntry {
    /// `2026-03-04`
    pub on: String,
    pub text: Text,
}

/// A case of this PC after intake: where it stands and what the clerk may
/// do with it now (Rust decides; the UI offers exactly these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseProgress {
    pub case_id: String,
    pub receipt_no: String,
    /// The applicant, who usually receives the result.
    pub applicant_name: String,
    pub status: CaseStatus,
    pub status_text: Text,
    pub actions: Vec<ProgressAction>,
    pub owed: Vec<OwedMaterial>,
    /// 容缺: the date the items are due (`2026-03-09`).
    pub supply_by: Option<String>,
    pub accepted_on: Option<String>,
    pub promised_due: Option<String>,
    /// The day an action now is recorded on (the app's today).
    pub today: String,
    pub history: Vec<ProgressEntry>,
}

/// An action the clerk takes on a case after intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ProgressInput {
    pub action: ProgressAction,
    /// `supplied`: the owed materials that arrived.
    pub material_ids: Vec<String>,
    /// `withdraw`: the applicant's reason.
    pub reason: String,
    /// `deliver`
    pub method: DeliveryMethod,
    pub recipient: String,
    pub tracking_no: String,
    /// `extend`: working days, and the approving supervisor, who signs in
    /// for this one act (user id and password; the password is checked
    /// and forgotten). `pause`: the expected length in working days.
    pub days: u32,
    /// `pause`: which special procedure.
    pub procedure: SpecialProcedure,
    pub approver_id: String,
    pub approver_password: String,
}

impl Default for ProgressInput {
    fn default() -> Self {
        ProgressInput {
            action: ProgressAction::Supplied,
            material_ids: Vec::new(),
            reason: String::new(),
            method: DeliveryMethod::Window,
            recipient: String::new(),
            tracking_no: String::new(),
            days: 0,
            procedure: SpecialProcedure::ExpertReview,
            approver_id: String::new(),
            approver_password: String::new(),
        }
    }
}

/// A newer catalogue version is in effect than the one a draft pinned:
/// what changed for its matter (sync-protocol §5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CatalogueDrift {
    pub from: u32,
    pub to: u32,
    /// False when the new version no longer offers the matter.
    pub matter_still_offered: bool,
    pub changes: Vec<Text>,
}

/// A scan attached to a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AttachmentItem {
    pub sha256: String,
    /// The material it proves (the catalogue's material id) or `other`.
    pub role: String,
    /// The material's name, when the catalogue knows it.
    pub role_name: Option<String>,
    /// The file name as picked (the path is never kept).
    pub name: String,
    pub mime: String,
    pub size: i64,
    /// `pending` (still to upload; the case is safe locally) or `stored`.
    pub state: String,
    pub added_at: String,
    /// Why the last upload attempt failed (retried by itself).
    pub last_error: Option<String>,
}

/// A case's scans, and the materials a new scan can be filed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseAttachments {
    pub items: Vec<AttachmentItem>,
    /// The matter's materials (code = material id); empty when the
    /// catalogue does not know the case's matter.
    pub materials: Vec<CodeName>,
}

/// Level of a message the webview asks the core to log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UiLogLevel {
    Error,
    Warn,
    Info,
}

// ---- sign-in, roles, users (issue #12) ------------------------------------

/// A role, as clerk-core names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    Clerk,
    Supervisor,
    Admin,
    Auditor,
}

/// One text in both languages. Every text the UI shows comes like this,
/// except the two error shapes (`CmdError`, `FieldProblem`), whose
/// `message`/`message_en` shape the error contract pins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SessionPhase {
    SignedOut,
    Active,
    Locked,
}

/// The signed-in (or locked) user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SessionUser {
    pub user_id: String,
    pub display_name: String,
    pub roles: Vec<RoleName>,
    pub online: bool,
}

/// What the sign-in screen and the shell need to know, asked of Rust.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SessionState {
    pub phase: SessionPhase,
    pub user: Option<SessionUser>,
    /// The commands the current session may call (the UI shows only what
    /// Rust allows; Rust refuses the rest anyway).
    pub allowed: Vec<String>,
    /// No user on this PC yet: the sign-in screen asks to create the local
    /// administrator.
    pub first_start: bool,
    /// This PC is in platform mode but not enrolled yet.
    pub needs_enrolment: bool,
    /// Seconds without activity before the screen locks.
    pub idle_lock_secs: u32,
}

/// A user of this PC, for 设置 → 用户 (admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UserInfo {
    pub user_id: String,
    pub display_name: String,
    pub roles: Vec<RoleName>,
    /// `local` or `platform`.
    pub origin: String,
    pub disabled: bool,
    /// Local time of the lockout's end, when locked out now.
    pub locked_until: Option<String>,
    /// Local time of the last online sign-in here (platform users).
    pub online_at: Option<String>,
}

/// One row of the audit trail (auditor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditItem {
    pub id: i64,
    /// Local time.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub receipt_no: Option<String>,
    pub detail: String,
}

/// All TypeScript declarations of the IPC contract, as one module.
pub fn typescript_bindings() -> String {
    let cfg = ts_rs::Config::new().with_large_int("number");
    let decls = [
        ErrorKind::decl(&cfg),
        CmdError::decl(&cfg),
        RunMode::decl(&cfg),
        ConfigSource::decl(&cfg),
        CodeName::decl(&cfg),
        CatalogueInfo::decl(&cfg),
        AppInfo::decl(&cfg),
        SyncStatus::decl(&cfg),
        CaseKind::decl(&cfg),
        DayUnit::decl(&cfg),
        TimeLimit::decl(&cfg),
        MatterSummary::decl(&cfg),
        UiLogLevel::decl(&cfg),
        ApplicantKind::decl(&cfg),
        IdDocType::decl(&cfg),
        MaterialItem::decl(&cfg),
        MatterDetail::decl(&cfg),
        DecisionKind::decl(&cfg),
        MissingMaterial::decl(&cfg),
        ApplicantForm::decl(&cfg),
        MaterialCheck::decl(&cfg),
        SupplementItem::decl(&cfg),
        NotAcceptKind::decl(&cfg),
        DecisionForm::decl(&cfg),
        IntakeForm::decl(&cfg),
        FieldProblem::decl(&cfg),
        CaseConfirmation::decl(&cfg),
        TakeInOutcome::decl(&cfg),
        CaseListItem::decl(&cfg),
        Draft::decl(&cfg),
        DocumentInfo::decl(&cfg),
        PrintResult::decl(&cfg),
        PrintEntry::decl(&cfg),
        PrintOutcome::decl(&cfg),
        HallCase::decl(&cfg),
        NodeStatus::decl(&cfg),
        OutboxState::decl(&cfg),
        CaseStatus::decl(&cfg),
        MutationKind::decl(&cfg),
        OutboxItem::decl(&cfg),
        AttachmentItem::decl(&cfg),
        CaseAttachments::decl(&cfg),
        CatalogueDrift::decl(&cfg),
        FieldEdit::decl(&cfg),
        ConflictItem::decl(&cfg),
        CaseContact::decl(&cfg),
        ProgressAction::decl(&cfg),
        SpecialProcedure::decl(&cfg),
        CaseQueue::decl(&cfg),
        QueueCount::decl(&cfg),
        DeliveryMethod::decl(&cfg),
        OwedMaterial::decl(&cfg),
        ProgressEntry::decl(&cfg),
        CaseProgress::decl(&cfg),
        ProgressInput::decl(&cfg),
        CalendarYear::decl(&cfg),
        DeadlineMoveItem::decl(&cfg),
        CalendarStatus::decl(&cfg),
        CalendarImported::decl(&cfg),
        RoleName::decl(&cfg),
        Text::decl(&cfg),
        SessionPhase::decl(&cfg),
        SessionUser::decl(&cfg),
        SessionState::decl(&cfg),
        UserInfo::decl(&cfg),
        AuditItem::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/clerk-ipc by `cargo xtask bindings`. Do not edit.\n",
    );
    for d in decls {
        out.push_str("\nexport ");
        out.push_str(&d);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    /// The committed `ui/src/bindings.ts` must match the Rust types.
    /// `UPDATE_BINDINGS=1 cargo test -p clerk-ipc` (or `cargo xtask bindings`)
    /// rewrites it.
    #[test]
    fn typescript_bindings_are_fresh() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings.ts");
        let want = super::typescript_bindings();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &want).unwrap();
            return;
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "ui/src/bindings.ts is stale: run `cargo xtask bindings` and commit the result"
        );
    }
}

#[cfg(test)]
mod vocabularies {
    use super::*;

    /// Every status and mutation kind of clerk-core has its wire name here,
    /// and a code this version does not know is `other`, not an error.
    #[test]
    fn statuses_and_mutation_kinds_follow_clerk_core() {
        use clerk_core::case::{CaseStatus as Local, PlatformStatus};
        for p in PlatformStatus::ALL {
            let s = CaseStatus::from_code(p.as_str());
            assert_ne!(s, CaseStatus::Other, "{}", p.as_str());
            assert_eq!(serde_json::to_value(s).unwrap(), p.as_str());
        }
        for code in ["draft", "received", "supplement_requested", "withdrawn"] {
            assert_eq!(Local::parse(code).unwrap().as_str(), code);
            assert_eq!(
                serde_json::to_value(CaseStatus::from_code(code)).unwrap(),
                code
            );
        }
        assert_eq!(CaseStatus::from_code("archived"), CaseStatus::Other);
        assert_eq!(CaseStatus::from_code("other"), CaseStatus::Other);
        for k in clerk_core::mutation::MutationKind::ALL {
            let w = MutationKind::from_code(k.as_str());
            assert_ne!(w, MutationKind::Other);
            assert_eq!(serde_json::to_value(w).unwrap(), k.as_str());
        }
        assert_eq!(MutationKind::from_code("case.delete"), MutationKind::Other);
    }

    /// The identity documents are clerk-core's by name.
    #[test]
    fn id_document_types_are_clerk_cores() {
        use clerk_core::ids::IdDocType as C;
        for (w, c) in [
            (IdDocType::CitizenNumber, C::CitizenNumber),
            (IdDocType::Passport, C::Passport),
            (IdDocType::HkMacaoPermit, C::HkMacaoPermit),
            (IdDocType::TaiwanPermit, C::TaiwanPermit),
            (
                IdDocType::ForeignPermanentResident2017,
                C::ForeignPermanentResident2017,
            ),
        ] {
            assert_eq!(
                serde_json::to_value(w).unwrap(),
                serde_json::to_value(c).unwrap()
            );
        }
    }

    /// The queues are clerk-core's by name.
    #[test]
    fn queues_are_clerk_cores() {
        for q in clerk_core::lifecycle::Queue::ALL {
            let w: CaseQueue = serde_json::from_value(serde_json::to_value(q).unwrap()).unwrap();
            assert_eq!(
                serde_json::to_value(w).unwrap(),
                serde_json::to_value(q).unwrap()
            );
        }
    }

    /// The actions after intake are clerk-core's lifecycle events by name.
    #[test]
    fn progress_actions_are_the_lifecycle_events() {
        use clerk_core::lifecycle::{DeliveryMethod as M, Event};
        let events = [
            (
                ProgressAction::Supplied,
                Event::Supplied {
                    material_ids: vec![],
                },
            ),
            (ProgressAction::Terminate, Event::Terminate),
            (
                ProgressAction::Withdraw,
                Event::Withdraw {
                    reason: String::new(),
                },
            ),
            (
                ProgressAction::Extend,
                Event::Extend {
                    days: 0,
                    reason: String::new(),
                    approved_by: String::new(),
                    approver_name: String::new(),
                },
            ),
            (
                ProgressAction::Pause,
                Event::Pause {
                    procedure: clerk_core::lifecycle::SpecialProcedure::Hearing,
                    reason: String::new(),
                    expected_days: 1,
                },
            ),
            (ProgressAction::Resume, Event::Resume),
            (
                ProgressAction::Deliver,
                Event::Deliver {
                    method: M::Window,
                    recipient: String::new(),
                    tracking_no: String::new(),
                    granted: false,
                },
            ),
        ];
        for (a, e) in events {
            assert_eq!(serde_json::to_value(a).unwrap(), e.code());
        }
        for p in clerk_core::lifecycle::SpecialProcedure::ALL {
            let w: SpecialProcedure =
                serde_json::from_value(serde_json::to_value(p).unwrap()).unwrap();
            assert_eq!(
                serde_json::to_value(w).unwrap(),
                serde_json::to_value(p).unwrap()
            );
        }
        for (w, m) in [
            (DeliveryMethod::Window, M::Window),
            (DeliveryMethod::Post, M::Post),
            (DeliveryMethod::ELicence, M::ELicence),
        ] {
            assert_eq!(
                serde_json::to_value(w).unwrap(),
                serde_json::to_value(m).unwrap()
            );
        }
    }
}
