//! The case after intake, at the same window (issue #14): supplements that
//! arrive after the one-time notice, 容缺 items supplied or not by their
//! date, withdrawal at the applicant's request, and the result handed over.
//!
//! One function, [`apply`], takes a case as stored, the status the platform
//! (or, before a sync, the window) holds for it and one [`Event`] on a day,
//! and returns the new status or the rule the event breaks. The window runs
//! it before it queues the event; the platform runs it again on its own copy
//! of the case when the event arrives (`case.progress`), so the two sides
//! cannot disagree about what an event does.

use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, StartDay, WorkCalendar};
use crate::case::{missing_of, CaseStatus, PlatformStatus};
use crate::catalogue::{CaseKind, Matter};
use crate::date::Date;
use crate::intake::{text_ok, DecisionForm, PreparedCase};

/// The procedures whose time does not count (行政许可法 art. 45: 听证,
/// 招标, 拍卖, 检验, 检测, 检疫, 鉴定, 专家评审 — only these kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

impl SpecialProcedure {
    pub const ALL: [SpecialProcedure; 8] = [
        Self::Hearing,
        Self::Tender,
        Self::Auction,
        Self::Inspection,
        Self::Testing,
        Self::Quarantine,
        Self::Appraisal,
        Self::ExpertReview,
    ];

    pub fn zh(self) -> &'static str {
        match self {
            Self::Hearing => "听证",
            Self::Tender => "招标",
            Self::Auction => "拍卖",
            Self::Inspection => "检验",
            Self::Testing => "检测",
            Self::Quarantine => "检疫",
            Self::Appraisal => "鉴定",
            Self::ExpertReview => "专家评审",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Self::Hearing => "Hearing",
            Self::Tender => "Tender",
            Self::Auction => "Auction",
            Self::Inspection => "Inspection",
            Self::Testing => "Testing",
            Self::Quarantine => "Quarantine",
            Self::Appraisal => "Appraisal",
            Self::ExpertReview => "Expert review",
        }
    }
}

/// How a result went out (出件/送达).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    /// Handed over at the window (窗口领取).
    Window,
    /// By post (邮寄送达), with the tracking number.
    Post,
    /// As an electronic licence (电子证照).
    ELicence,
}

impl DeliveryMethod {
    pub fn zh(self) -> &'static str {
        match self {
            Self::Window => "窗口领取",
            Self::Post => "邮寄送达",
            Self::ELicence => "电子证照",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Self::Window => "Collected at the window",
            Self::Post => "By post",
            Self::ELicence => "Electronic licence",
        }
    }
}

/// One thing that happens to a case after intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// Owed materials arrived (补正材料 after the one-time notice, or the
    /// 容缺 items), originals seen. When nothing is owed any more the case
    /// is accepted: after a supplement notice from this day (行政许可法
    /// art. 32(4): the acceptance date is the day the complete supplements
    /// arrive, domain.md §1.2 note 5); after 容缺 with its clock unchanged.
    Supplied { material_ids: Vec<String> },
    /// The 容缺 items did not come by the promised date: handling is
    /// terminated, the consequence the applicant signed in the 承诺书.
    Terminate,
    /// The applicant withdraws the application (撤回申请), in writing.
    Withdraw { reason: String },
    /// The decision period extended (行政许可法 art. 42 ¶1: once, by at
    /// most 10 working days, approved by the agency's head; 15 in the joint
    /// regime of art. 42 ¶2 — not told apart yet: `clock::Regime::Standard`).
    /// Requested by the clerk, approved at the window by a supervisor who
    /// signs in for this one act (`approved_by`).
    Extend {
        days: u32,
        reason: String,
        /// The approving supervisor's user id and name.
        approved_by: String,
        #[serde(default)]
        approver_name: String,
    },
    /// A special procedure starts (art. 45): its time does not count; the
    /// applicant is told in writing how long it is expected to take.
    Pause {
        procedure: SpecialProcedure,
        reason: String,
        /// The expected length, in working days (所需时间).
        expected_days: u32,
    },
    /// The special procedure ended: the clock runs again, its dates later
    /// by the working days it took.
    Resume,
    /// The result (a licence, a decision) handed over to the applicant.
    Deliver {
        method: DeliveryMethod,
        /// Who received it (the applicant or an agent).
        recipient: String,
        /// The postal tracking number (by post only).
        #[serde(default)]
        tracking_no: String,
        /// A grant (准予) rather than a refusal: set by [`apply`] from the
        /// case's status, whatever the sender said.
        #[serde(default)]
        granted: bool,
    },
}

impl Event {
    /// The event's name, for errors and the audit trail.
    pub fn code(&self) -> &'static str {
        match self {
            Event::Supplied { .. } => "supplied",
            Event::Terminate => "terminate",
            Event::Withdraw { .. } => "withdraw",
            Event::Extend { .. } => "extend",
            Event::Pause { .. } => "pause",
            Event::Resume => "resume",
            Event::Deliver { .. } => "deliver",
        }
    }

    pub fn zh(&self) -> &'static str {
        match self {
            Event::Supplied { .. } => "补交材料",
            Event::Terminate => "逾期未补齐，终止办理",
            Event::Withdraw { .. } => "撤回申请",
            Event::Extend { .. } => "延长办理期限",
            Event::Pause { .. } => "特别程序开始",
            Event::Resume => "特别程序结束",
            Event::Deliver { .. } => "出件送达",
        }
    }

    pub fn en(&self) -> &'static str {
        match self {
            Event::Supplied { .. } => "Materials supplied",
            Event::Terminate => "Terminated: gaps not filled in time",
            Event::Withdraw { .. } => "Application withdrawn",
            Event::Extend { .. } => "Period extended",
            Event::Pause { .. } => "Special procedure started",
            Event::Resume => "Special procedure ended",
            Event::Deliver { .. } => "Result delivered",
        }
    }
}

/// The clerk's queues after intake (issue #14): what waits for the
/// applicant, for the departments, for pickup, and what is due soon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    /// 待补正: a one-time notice was issued; the applicant owes materials.
    SupplementWaiting,
    /// 容缺待补: accepted with gaps; the items are owed by their date.
    GapsOwed,
    /// 审批中: at the departments (or returned by them for supplements).
    InReview,
    /// 待出件: decided; the result waits to be handed over.
    ForPickup,
    /// 即将到期: running cases whose light is yellow or red, or overdue.
    DueSoon,
}

impl Queue {
    pub const ALL: [Queue; 5] = [
        Queue::SupplementWaiting,
        Queue::GapsOwed,
        Queue::InReview,
        Queue::ForPickup,
        Queue::DueSoon,
    ];

    /// The statuses (the platform's codes) of the cases in this queue; for
    /// `DueSoon`, the running ones, whose light then decides.
    pub fn statuses(self) -> &'static [PlatformStatus] {
        use PlatformStatus as P;
        match self {
            Queue::SupplementWaiting => &[P::SupplementRequested],
            Queue::GapsOwed => &[P::AcceptedWithGaps],
            Queue::InReview => &[P::InReview, P::ReturnedForSupplement],
            Queue::ForPickup => &[P::Approved, P::Refused],
            Queue::DueSoon => &[
                P::Accepted,
                P::AcceptedWithGaps,
                P::InReview,
                P::ReturnedForSupplement,
            ],
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Queue::SupplementWaiting => "待补正",
            Queue::GapsOwed => "容缺待补",
            Queue::InReview => "审批中",
            Queue::ForPickup => "待出件",
            Queue::DueSoon => "即将到期",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Queue::SupplementWaiting => "Awaiting supplements",
            Queue::GapsOwed => "Gaps owed",
            Queue::InReview => "In review",
            Queue::ForPickup => "For pickup",
            Queue::DueSoon => "Due soon",
        }
    }
}

/// An event as the case keeps it: what happened, on which day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    pub on: Date,
    #[serde(flatten)]
    pub event: Event,
}

/// Why an event cannot be applied. Each names its rule in both languages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("{event} is not possible while the case is {from}")]
    InvalidState { event: &'static str, from: String },
    #[error("the event's day {on} is before {earliest}, the case's last recorded day")]
    Backdated { on: Date, earliest: Date },
    #[error("tick at least one material that arrived")]
    NothingSupplied,
    #[error("material {0} is not owed by this case")]
    NotOwed(String),
    #[error("the 容缺 items were due by {supply_by}: after that the case can only be terminated")]
    GapDatePassed { supply_by: Date },
    #[error("the 容缺 items are due by {supply_by}: the case cannot be terminated before that day has passed")]
    GapDateNotPassed { supply_by: Date },
    #[error("a withdrawal records the applicant's reason")]
    ReasonMissing,
    #[error("name who received the result")]
    RecipientMissing,
    #[error("a delivery by post records the tracking number")]
    TrackingMissing,
    #[error("contains control characters")]
    ControlCharacters(&'static str),
    #[error("the period was extended once already (art. 42: one extension)")]
    AlreadyExtended,
    #[error("an extension is 1 to {max} working days, not {asked}")]
    ExtensionDays { asked: u32, max: u32 },
    #[error("an extension states its reason")]
    ExtensionReasonMissing,
    #[error("an extension is approved by a supervisor")]
    ApproverMissing,
    #[error("the statutory period ended on {due}: it can no longer be extended")]
    ExtensionTooLate { due: Date },
    #[error("a special procedure is running since {0}")]
    AlreadyPaused(Date),
    #[error("a special procedure states its reason and expected length (1 to 365 working days)")]
    PauseIncomplete,
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

impl LifecycleError {
    /// The form field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            Self::NothingSupplied | Self::NotOwed(_) => "event.material_ids",
            Self::ReasonMissing | Self::ExtensionReasonMissing => "event.reason",
            Self::ExtensionDays { .. } => "event.days",
            Self::PauseIncomplete => "event.reason",
            Self::ApproverMissing => "event.approver",
            Self::RecipientMissing => "event.recipient",
            Self::TrackingMissing => "event.tracking_no",
            Self::ControlCharacters(f) => f,
            Self::Backdated { .. } => "event.on",
            _ => "event",
        }
    }

    /// The message in Chinese, with material ids told by `material`.
    pub fn zh_with(&self, material: &dyn Fn(&str) -> String) -> String {
        match self {
            Self::InvalidState { from, .. } => {
                format!("该办件当前为「{}」，不能办理此项", status_zh(from))
            }
            Self::Backdated { on, earliest } => {
                format!("办理日期 {on} 早于该办件上一次办理的日期 {earliest}")
            }
            Self::NothingSupplied => "请勾选申请人本次补交的材料".into(),
            Self::NotOwed(id) => format!("「{}」不在该办件待补的材料中", material(id)),
            Self::GapDatePassed { supply_by } => {
                format!("容缺材料应于 {supply_by} 前补齐，已逾期：只能按承诺书终止办理")
            }
            Self::GapDateNotPassed { supply_by } => {
                format!("容缺材料的补齐期限为 {supply_by}，期限届满前不能终止办理")
            }
            Self::ReasonMissing => "撤回申请须记录申请人的理由".into(),
            Self::RecipientMissing => "请填写领取（签收）人".into(),
            Self::TrackingMissing => "邮寄送达须填写邮件单号".into(),
            Self::AlreadyExtended => {
                "该件已延期一次，不能再次延期（《行政许可法》第四十二条）".into()
            }
            Self::ExtensionDays { asked, max } => {
                format!("延长期限为 1 至 {max} 个工作日，不能延长 {asked} 日")
            }
            Self::ExtensionReasonMissing => "延长期限须写明理由，并告知申请人".into(),
            Self::ApproverMissing => "延长期限须经负责人批准".into(),
            Self::ExtensionTooLate { due } => {
                format!("法定办结期限已于 {due} 届满，不能再延长")
            }
            Self::AlreadyPaused(d) => format!("自 {d} 起已在特别程序中"),
            Self::PauseIncomplete => {
                "特别程序须写明理由和所需时间（1 至 365 个工作日），并书面告知申请人".into()
            }
            Self::ControlCharacters(_) => {
                "含有不可见的控制字符，请删除后重新输入（可能是从其他系统复制带入的）".into()
            }
            Self::Calendar(c) => c.zh(),
        }
    }

    pub fn zh(&self) -> String {
        self.zh_with(&|id| id.to_owned())
    }
}

fn status_zh(code: &str) -> &str {
    crate::case::platform_status_zh(code)
}

/// What an event is applied with.
pub struct Context<'a> {
    /// The case's matter, at the catalogue version the case pinned.
    pub matter: &'a Matter,
    pub calendar: &'a WorkCalendar,
    pub start_day: StartDay,
}

/// The material ids a case still owes: the items of its one-time notice
/// (补正) or its 容缺 list, less what was supplied since. Empty for a case
/// that owes nothing.
pub fn owed_ids(case: &PreparedCase, matter: &Matter) -> Vec<String> {
    let listed: Vec<String> = match (&case.status, &case.decision) {
        (CaseStatus::SupplementRequested, DecisionForm::RequestSupplement { items }) => {
            items.iter().map(|i| i.material_id.clone()).collect()
        }
        (CaseStatus::AcceptedWithGaps, _) => missing_of(matter, &case.materials),
        _ => Vec::new(),
    };
    let supplied: Vec<&String> = case
        .events
        .iter()
        .filter_map(|r| match &r.event {
            Event::Supplied { material_ids } => Some(material_ids),
            _ => None,
        })
        .flatten()
        .collect();
    listed
        .into_iter()
        .filter(|id| !supplied.contains(&id))
        .collect()
}

/// The events a case may take now, in the order the window offers them.
/// `from` is the status the platform holds (or the window's own before a
/// sync); `today` decides whether a 容缺 date has passed.
pub fn allowed(case: &PreparedCase, from: &str, matter: &Matter, today: Date) -> Vec<&'static str> {
    let mut out = Vec::new();
    let p = PlatformStatus::parse(from);
    let gaps_open = case.status == CaseStatus::AcceptedWithGaps
        && matches!(
            p,
            Some(PlatformStatus::AcceptedWithGaps | PlatformStatus::InReview)
        )
        && !owed_ids(case, matter).is_empty();
    let gap_date = case.supply_by;
    match p {
        Some(PlatformStatus::SupplementRequested) => out.push("supplied"),
        _ if gaps_open && gap_date.is_some_and(|d| today <= d) => out.push("supplied"),
        _ => {}
    }
    if gaps_open && gap_date.is_some_and(|d| today > d) {
        out.push("terminate");
    }
    let paused = paused_since(case).is_some();
    if extendable(p)
        && !paused
        && !case.events.iter().any(|r| r.event.code() == "extend")
        && case.statutory_due.is_some_and(|d| today <= d)
    {
        out.push("extend");
    }
    if extendable(p) {
        if paused {
            out.push("resume");
        } else if case.accepted_on.is_some() && case.statutory_due.is_some() {
            out.push("pause");
        }
    }
    if withdrawable(p) {
        out.push("withdraw");
    }
    if deliverable(p) {
        out.push("deliver");
    }
    out
}

fn withdrawable(p: Option<PlatformStatus>) -> bool {
    use PlatformStatus as P;
    matches!(
        p,
        Some(
            P::SupplementRequested
                | P::AcceptedWithGaps
                | P::Accepted
                | P::InReview
                | P::ReturnedForSupplement
        )
    )
}

fn extendable(p: Option<PlatformStatus>) -> bool {
    use PlatformStatus as P;
    // A running decision period: accepted (with gaps too) or in review.
    matches!(p, Some(P::Accepted | P::AcceptedWithGaps | P::InReview))
}

fn deliverable(p: Option<PlatformStatus>) -> bool {
    use PlatformStatus as P;
    // 行政许可法 art. 44: a grant's licence is issued and delivered; a
    // refusal's decision is delivered the same way (art. 38).
    matches!(p, Some(P::Approved | P::Refused))
}

/// Apply an event on day `on` to a case whose status is `from`. On success
/// the case is updated (status, dates, what is still owed, its event list)
/// and the new status is returned as the platform's code.
pub fn apply(
    case: &mut PreparedCase,
    from: &str,
    rec: &Recorded,
    cx: &Context,
) -> Result<PlatformStatus, LifecycleError> {
    use PlatformStatus as P;
    let p = PlatformStatus::parse(from);
    let invalid = || LifecycleError::InvalidState {
        event: rec.event.code(),
        from: from.to_owned(),
    };
    let earliest = case
        .events
        .iter()
        .map(|r| r.on)
        .chain([case.received_on])
        .max()
        .expect("received_on");
    if rec.on < earliest {
        return Err(LifecycleError::Backdated {
            on: rec.on,
            earliest,
        });
    }
    let on = rec.on;
    let next = match &rec.event {
        Event::Supplied { material_ids } => {
            let gaps = case.status == CaseStatus::AcceptedWithGaps
                && matches!(p, Some(P::AcceptedWithGaps | P::InReview));
            let notice =
                p == Some(P::SupplementRequested) && case.status == CaseStatus::SupplementRequested;
            if !gaps && !notice {
                return Err(invalid());
            }
            if material_ids.is_empty() {
                return Err(LifecycleError::NothingSupplied);
            }
            let owed = owed_ids(case, cx.matter);
            if let Some(id) = material_ids.iter().find(|id| !owed.contains(id)) {
                return Err(LifecycleError::NotOwed(id.clone()));
            }
            if let Some(by) = case.supply_by.filter(|by| gaps && on > *by) {
                return Err(LifecycleError::GapDatePassed { supply_by: by });
            }
            for m in case.materials.iter_mut() {
                if material_ids.contains(&m.material_id) {
                    m.received = true;
                    m.original_seen = true;
                    m.copies = m.copies.max(1);
                }
            }
            case.events.push(rec.clone());
            let still: Vec<String> = owed_ids(case, cx.matter);
            case.owed = still
                .iter()
                .map(|id| cx.matter.material_name(id).unwrap_or(id).to_owned())
                .collect();
            if !still.is_empty() {
                return Ok(p.expect("checked above"));
            }
            if gaps {
                // 容缺 filled: the case goes on; its clock started at the
                // 容缺 acceptance and does not move.
                case.status = CaseStatus::Accepted;
                return Ok(if p == Some(P::InReview) {
                    P::InReview
                } else {
                    P::Accepted
                });
            }
            accept_from(case, on, cx)?
        }
        Event::Terminate => {
            let gaps = case.status == CaseStatus::AcceptedWithGaps
                && matches!(p, Some(P::AcceptedWithGaps | P::InReview));
            if !gaps || owed_ids(case, cx.matter).is_empty() {
                return Err(invalid());
            }
            let by = case.supply_by.ok_or_else(invalid)?;
            if on <= by {
                return Err(LifecycleError::GapDateNotPassed { supply_by: by });
            }
            case.status = CaseStatus::Terminated;
            P::Terminated
        }
        Event::Withdraw { reason } => {
            if !withdrawable(p) {
                return Err(invalid());
            }
            if !text_ok(reason, true) {
                return Err(LifecycleError::ControlCharacters("event.reason"));
            }
            if reason.trim().is_empty() {
                return Err(LifecycleError::ReasonMissing);
            }
            case.status = CaseStatus::Withdrawn;
            P::Withdrawn
        }
        Event::Extend {
            days,
            reason,
            approved_by,
            approver_name,
        } => {
            if !extendable(p) {
                return Err(invalid());
            }
            let (Some(_), Some(statutory)) = (case.accepted_on, case.statutory_due) else {
                return Err(invalid());
            };
            if case.events.iter().any(|r| r.event.code() == "extend") {
                return Err(LifecycleError::AlreadyExtended);
            }
            if on > statutory {
                return Err(LifecycleError::ExtensionTooLate { due: statutory });
            }
            let max = crate::clock::Regime::Standard.max_extension();
            if *days == 0 || *days > max {
                return Err(LifecycleError::ExtensionDays { asked: *days, max });
            }
            for (field, v, multi) in [
                ("event.reason", reason, true),
                ("event.approver", approved_by, false),
                ("event.approver", approver_name, false),
            ] {
                if !text_ok(v, multi) {
                    return Err(LifecycleError::ControlCharacters(field));
                }
            }
            if reason.trim().is_empty() {
                return Err(LifecycleError::ExtensionReasonMissing);
            }
            if approved_by.trim().is_empty() {
                return Err(LifecycleError::ApproverMissing);
            }
            // Both periods run longer by the days granted, from the same
            // acceptance day (the statutory one is the law's; the promised
            // one is what the hall told the applicant).
            case.events.push(normalised(rec, p));
            recompute_clock(case, cx)?;
            return Ok(p.expect("extendable"));
        }
        Event::Pause {
            reason,
            expected_days,
            ..
        } => {
            if let Some(since) = paused_since(case).filter(|_| extendable(p)) {
                return Err(LifecycleError::AlreadyPaused(since));
            }
            if !extendable(p) || case.accepted_on.is_none() || case.statutory_due.is_none() {
                return Err(invalid());
            }
            if !text_ok(reason, true) {
                return Err(LifecycleError::ControlCharacters("event.reason"));
            }
            if reason.trim().is_empty() || !(1..=365).contains(expected_days) {
                return Err(LifecycleError::PauseIncomplete);
            }
            // The clock stands still: no due date while it runs.
            case.events.push(normalised(rec, p));
            recompute_clock(case, cx)?;
            return Ok(p.expect("extendable"));
        }
        Event::Resume => {
            if paused_since(case).is_none() || !extendable(p) {
                return Err(invalid());
            }
            case.events.push(normalised(rec, p));
            recompute_clock(case, cx)?;
            return Ok(p.expect("extendable"));
        }
        Event::Deliver {
            method,
            recipient,
            tracking_no,
            ..
        } => {
            if !deliverable(p) {
                return Err(invalid());
            }
            for (field, v) in [
                ("event.recipient", recipient),
                ("event.tracking_no", tracking_no),
            ] {
                if !text_ok(v, false) {
                    return Err(LifecycleError::ControlCharacters(field));
                }
            }
            if recipient.trim().is_empty() {
                return Err(LifecycleError::RecipientMissing);
            }
            if *method == DeliveryMethod::Post && tracking_no.trim().is_empty() {
                return Err(LifecycleError::TrackingMissing);
            }
            P::Delivered
        }
    };
    if !matches!(rec.event, Event::Supplied { .. }) {
        case.events.push(normalised(rec, p));
    }
    Ok(next)
}

/// The event as it is kept: free text trimmed, a delivery's result as the
/// status says.
fn normalised(rec: &Recorded, from: Option<PlatformStatus>) -> Recorded {
    let event = match &rec.event {
        Event::Withdraw { reason } => Event::Withdraw {
            reason: reason.trim().to_owned(),
        },
        Event::Pause {
            procedure,
            reason,
            expected_days,
        } => Event::Pause {
            procedure: *procedure,
            reason: reason.trim().to_owned(),
            expected_days: *expected_days,
        },
        Event::Extend {
            days,
            reason,
            approved_by,
            approver_name,
        } => Event::Extend {
            days: *days,
            reason: reason.trim().to_owned(),
            approved_by: approved_by.trim().to_owned(),
            approver_name: approver_name.trim().to_owned(),
        },
        Event::Deliver {
            method,
            recipient,
            tracking_no,
            ..
        } => Event::Deliver {
            method: *method,
            recipient: recipient.trim().to_owned(),
            tracking_no: if *method == DeliveryMethod::Post {
                tracking_no.trim().to_owned()
            } else {
                String::new()
            },
            granted: from == Some(PlatformStatus::Approved),
        },
        e => e.clone(),
    };
    Recorded { on: rec.on, event }
}

/// The day the running special procedure started, if one runs.
pub fn paused_since(case: &PreparedCase) -> Option<Date> {
    let mut since = None;
    for r in &case.events {
        match r.event {
            Event::Pause { .. } => since = Some(r.on),
            Event::Resume => since = None,
            _ => {}
        }
    }
    since
}

/// The promised and statutory dates of an accepted case from its events:
/// the limits from the acceptance day, an extension's days added (art. 42),
/// the working days of special procedures not counted (art. 45: a pause
/// runs from its first to its last day, both included); while one runs,
/// there is no due date (the clock stands still).
fn recompute_clock(case: &mut PreparedCase, cx: &Context) -> Result<(), LifecycleError> {
    let Some(accepted) = case.accepted_on else {
        return Ok(());
    };
    let extension = case.events.iter().find_map(|r| match r.event {
        Event::Extend { days, .. } => Some(days),
        _ => None,
    });
    let mut pauses: Vec<crate::clock::Pause> = Vec::new();
    for r in &case.events {
        match &r.event {
            Event::Pause { reason, .. } => pauses.push(crate::clock::Pause {
                from: r.on,
                until: None,
                reason: reason.clone(),
            }),
            // The procedure's last day is the day before it is recorded
            // as ended: the day the clock runs again counts.
            Event::Resume => {
                if let Some(p) = pauses.iter_mut().find(|p| p.until.is_none()) {
                    p.until = Some(r.on.add_days(-1).max(p.from));
                }
            }
            _ => {}
        }
    }
    let due = |limit| -> Result<Option<Date>, CalendarError> {
        let clock = crate::clock::Clock {
            start: accepted,
            limit,
            rule: cx.start_day,
            extension,
            pauses: pauses.clone(),
        };
        clock.due(cx.calendar)
    };
    case.statutory_due = due(cx.matter.statutory_limit)?;
    case.promised_due = due(cx.matter.promised_limit)?;
    let last = [
        Some(case.notice_deadline),
        case.statutory_due,
        case.promised_due,
    ]
    .into_iter()
    .flatten()
    .max()
    .expect("the notice deadline");
    case.provisional_years = cx.calendar.provisional_years(case.received_on, last);
    Ok(())
}

/// The complete supplements arrived on `on`: the case is accepted from that
/// day (an instant matter is completed on the spot), with its clocks.
fn accept_from(
    case: &mut PreparedCase,
    on: Date,
    cx: &Context,
) -> Result<PlatformStatus, LifecycleError> {
    let m = cx.matter;
    case.accepted_on = Some(on);
    if m.case_kind == CaseKind::Instant {
        case.status = CaseStatus::CompletedOnTheSpot;
        return Ok(PlatformStatus::CompletedOnTheSpot);
    }
    let p = cx.calendar.due_date(on, m.promised_limit, cx.start_day)?;
    let s = cx.calendar.due_date(on, m.statutory_limit, cx.start_day)?;
    case.status = CaseStatus::Accepted;
    case.promised_due = Some(p);
    case.statutory_due = Some(s);
    let last = [case.notice_deadline, p, s]
        .into_iter()
        .max()
        .expect("three dates");
    case.provisional_years = cx.calendar.provisional_years(case.received_on, last);
    Ok(PlatformStatus::Accepted)
}

/// 行政许可法 art. 32 ¶1 (4): an application not told within five working
/// days what is missing counts as accepted from the day the materials were
/// received. Some(that day) once the five working days after `received_on`
/// have passed by `today`; None while the agency may still tell.
pub fn deemed_accepted(
    received_on: Date,
    today: Date,
    calendar: &WorkCalendar,
    start_day: StartDay,
) -> Result<Option<Date>, CalendarError> {
    let last_day = calendar.add_working_days(
        received_on,
        crate::calendar::SUPPLEMENT_NOTICE_WORKING_DAYS,
        start_day,
    )?;
    Ok((today > last_day).then_some(received_on))
}

/// The day a case's event of this kind happened, if it did (the newest).
pub fn day_of(case: &PreparedCase, code: &str) -> Option<Date> {
    case.events
        .iter()
        .rev()
        .find(|r| r.event.code() == code)
        .map(|r| r.on)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::SupplementItem;
    use crate::catalogue::Catalogue;
    use crate::intake::{prepare, ApplicantForm, DecisionForm, IntakeContext, IntakeForm};

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    struct World {
        cat: Catalogue,
        cal: WorkCalendar,
    }

    const FOOD: &str = "食品经营许可"; // m4 may be missing (容缺), 10 working days promised

    impl World {
        fn new() -> Self {
            Self {
                cat: Catalogue::parse(crate::SAMPLE_CATALOGUE_JSON).unwrap(),
                cal: WorkCalendar::bundled(),
            }
        }
        fn matter(&self, name: &str) -> &Matter {
            self.cat.matters.iter().find(|m| m.name == name).unwrap()
        }
        fn cx(&self, name: &str) -> Context<'_> {
            Context {
                matter: self.matter(name),
                calendar: &self.cal,
                start_day: StartDay::DayZero,
            }
        }
        /// A case taken in on `day` with `missing` not received.
        fn case(
            &self,
            name: &str,
            missing: &[&str],
            decision: DecisionForm,
            day: &str,
        ) -> PreparedCase {
            let m = self.matter(name);
            let form = IntakeForm {
                matter_code: m.code.clone(),
                matter_version: self.cat.version,
                applicant: ApplicantForm {
                    name: "李四".into(),
                    id_no: "530502200503071231".into(),
                    phone: "13808720000".into(),
                    ..Default::default()
                },
                materials: m
                    .materials
                    .iter()
                    .map(|x| crate::case::MaterialCheck {
                        material_id: x.id.clone(),
                        received: x.required && !missing.contains(&x.id.as_str()),
                        original_seen: true,
                        copies: 1,
                    })
                    .collect(),
                decision,
            };
            prepare(
                &form,
                &IntakeContext {
                    catalogue: &self.cat,
                    calendar: &self.cal,
                    today: d(day),
                    start_day: StartDay::DayZero,
                },
            )
            .unwrap()
        }
        fn supplement_case(&self) -> PreparedCase {
            let items = ["m2", "m3"]
                .iter()
                .map(|id| SupplementItem {
                    material_id: (*id).into(),
                    requirement: "请提交原件".into(),
                })
                .collect();
            self.case(
                FOOD,
                &["m2", "m3"],
                DecisionForm::RequestSupplement { items },
                "2026-11-23",
            )
        }
        fn gap_case(&self) -> PreparedCase {
            self.case(
                FOOD,
                &["m4"],
                DecisionForm::AcceptWithGaps {
                    supply_by: "2026-11-27".into(),
                    commitment_signed: true,
                },
                "2026-11-23",
            )
        }
    }

    fn supplied(ids: &[&str], on: &str) -> Recorded {
        Recorded {
            on: d(on),
            event: Event::Supplied {
                material_ids: ids.iter().map(|s| s.to_string()).collect(),
            },
        }
    }

    fn at(on: &str, event: Event) -> Recorded {
        Recorded { on: d(on), event }
    }

    #[test]
    fn supplements_arriving_accept_the_case_from_that_day() {
        let w = World::new();
        let cx = w.cx(FOOD);
        let mut c = w.supplement_case();
        assert_eq!(owed_ids(&c, cx.matter), ["m2", "m3"]);
        assert_eq!(
            allowed(&c, "supplement_requested", cx.matter, d("2026-11-25")),
            ["supplied", "withdraw"]
        );
        // One of two: still waiting, the notice's other item still owed.
        let st = apply(
            &mut c,
            "supplement_requested",
            &supplied(&["m2"], "2026-11-24"),
            &cx,
        )
        .unwrap();
        assert_eq!(st, PlatformStatus::SupplementRequested);
        assert_eq!(c.status, CaseStatus::SupplementRequested);
        assert_eq!(owed_ids(&c, cx.matter), ["m3"]);
        assert_eq!(c.owed.len(), 1);
        assert_eq!(c.accepted_on, None);
        // The rest two days later: accepted from that day, clocks from it
        // (10 working days promised, 20 statutory, day 0 = 2026-11-25).
        let st = apply(
            &mut c,
            "supplement_requested",
            &supplied(&["m3"], "2026-11-25"),
            &cx,
        )
        .unwrap();
        assert_eq!(st, PlatformStatus::Accepted);
        assert_eq!(c.status, CaseStatus::Accepted);
        assert_eq!(c.accepted_on, Some(d("2026-11-25")));
        assert_eq!(c.promised_due, Some(d("2026-12-09")));
        assert_eq!(c.statutory_due, Some(d("2026-12-23")));
        assert!(c.owed.is_empty());
        assert!(c
            .materials
            .iter()
            .filter(|m| m.material_id == "m3")
            .all(|m| m.received));
        assert_eq!(c.events.len(), 2);
        assert_eq!(day_of(&c, "supplied"), Some(d("2026-11-25")));
    }

    #[test]
    fn acceptance_after_supplements_counts_working_days_across_a_holiday() {
        // Supplements complete on 2026-09-30; the bundled 2026 schedule has
        // 国庆 1–7 Oct off and Saturday 10 Oct a make-up working day.
        let w = World::new();
        let cx = w.cx(FOOD);
        let mut c = w.case(
            FOOD,
            &["m2"],
            DecisionForm::RequestSupplement {
                items: vec![SupplementItem {
                    material_id: "m2".into(),
                    requirement: "请提交".into(),
                }],
            },
            "2026-09-28",
        );
        apply(
            &mut c,
            "supplement_requested",
            &supplied(&["m2"], "2026-09-30"),
            &cx,
        )
        .unwrap();
        assert_eq!(c.accepted_on, Some(d("2026-09-30")));
        // 10 working days: 8, 9, 10 (make-up), 12–16, 19, 20 October.
        assert_eq!(c.promised_due, Some(d("2026-10-20")));
    }

    #[test]
    fn gaps_supplied_by_their_date_let_the_case_go_on_with_its_clock() {
        let w = World::new();
        let cx = w.cx(FOOD);
        let mut c = w.gap_case();
        let due = c.promised_due;
        assert_eq!(owed_ids(&c, cx.matter), ["m4"]);
        assert_eq!(
            allowed(&c, "accepted_with_gaps", cx.matter, d("2026-11-27")),
            ["supplied", "extend", "pause", "withdraw"]
        );
        let st = apply(
            &mut c,
            "accepted_with_gaps",
            &supplied(&["m4"], "2026-11-27"),
            &cx,
        )
        .unwrap();
        assert_eq!(st, PlatformStatus::Accepted);
        assert_eq!(c.status, CaseStatus::Accepted);
        assert_eq!(c.accepted_on, Some(d("2026-11-23")));
        assert_eq!(c.promised_due, due);
        // In review at the departments: it stays there.
        let mut c = w.gap_case();
        let st = apply(&mut c, "in_review", &supplied(&["m4"], "2026-11-24"), &cx).unwrap();
        assert_eq!(st, PlatformStatus::InReview);
    }

    #[test]
    fn gaps_not_supplied_terminate_the_case_only_after_their_date() {
        let w = World::new();
        let cx = w.cx(FOOD);
        let mut c = w.gap_case();
        assert_eq!(
            apply(
                &mut c,
                "accepted_with_gaps",
                &at("2026-11-27", Event::Terminate),
                &cx
            ),
            Err(LifecycleError::GapDateNotPassed {
                supply_by: d("2026-11-27")
            })
        );
        assert_eq!(
            allowed(&c, "accepted_with_gaps", cx.matter, d("2026-11-30")),
            ["terminate", "extend", "pause", "withdraw"]
        );
        assert_eq!(
            apply(
                &mut c,
                "accepted_with_gaps",
                &supplied(&["m4"], "2026-11-30"),
                &cx
            ),
            Err(LifecycleError::GapDatePassed {
                supply_by: d("2026-11-27")
            })
        );
        let st = apply(
            &mut c,
            "accepted_with_gaps",
            &at("2026-11-30", Event::Terminate),
            &cx,
        )
        .unwrap();
        assert_eq!(st, PlatformStatus::Terminated);
        assert_eq!(c.status, CaseStatus::Terminated);
        assert_eq!(day_of(&c, "terminate"), Some(d("2026-11-30")));
        // Nothing more is possible.
        assert!(allowed(&c, "terminated", cx.matter, d("2026-12-01")).is_empty());
    }

    #[test]
    fn refused_transitions_name_their_rule() {
        let w = World::new();
        let cx = w.cx(FOOD);
        let notice = w.supplement_case();
        let gap = w.gap_case();
        let accepted = w.case(FOOD, &[], DecisionForm::Accept, "2026-11-23");
        let withdraw = |r: &str| Event::Withdraw { reason: r.into() };
        let deliver = |m, r: &str, t: &str| Event::Deliver {
            method: m,
            recipient: r.into(),
            tracking_no: t.into(),
            granted: false,
        };
        type Row = (
            PreparedCase,
            &'static str,
            Recorded,
            Result<PlatformStatus, LifecycleError>,
        );
        let invalid = |event, from: &str| {
            Err(LifecycleError::InvalidState {
                event,
                from: from.into(),
            })
        };
        let rows: Vec<Row> = vec![
            (
                notice.clone(),
                "supplement_requested",
                supplied(&[], "2026-11-24"),
                Err(LifecycleError::NothingSupplied),
            ),
            (
                notice.clone(),
                "supplement_requested",
                supplied(&["m4"], "2026-11-24"),
                Err(LifecycleError::NotOwed("m4".into())),
            ),
            (
                notice.clone(),
                "supplement_requested",
                supplied(&["m2"], "2026-11-20"),
                Err(LifecycleError::Backdated {
                    on: d("2026-11-20"),
                    earliest: d("2026-11-23"),
                }),
            ),
            (
                notice.clone(),
                "accepted",
                supplied(&["m2"], "2026-11-24"),
                invalid("supplied", "accepted"),
            ),
            (
                notice.clone(),
                "supplement_requested",
                at("2026-12-01", Event::Terminate),
                invalid("terminate", "supplement_requested"),
            ),
            (
                accepted.clone(),
                "accepted",
                supplied(&["m2"], "2026-11-24"),
                invalid("supplied", "accepted"),
            ),
            (
                accepted.clone(),
                "accepted",
                at("2026-11-24", withdraw("申请人书面申请撤回")),
                Ok(PlatformStatus::Withdrawn),
            ),
            (
                accepted.clone(),
                "accepted",
                at("2026-11-24", withdraw("  ")),
                Err(LifecycleError::ReasonMissing),
            ),
            (
                accepted.clone(),
                "accepted",
                at("2026-11-24", withdraw("a\u{0}b")),
                Err(LifecycleError::ControlCharacters("event.reason")),
            ),
            (
                accepted.clone(),
                "approved",
                at("2026-11-24", withdraw("迟了")),
                invalid("withdraw", "approved"),
            ),
            (
                accepted.clone(),
                "not_accepted",
                at("2026-11-24", withdraw("x")),
                invalid("withdraw", "not_accepted"),
            ),
            (
                gap.clone(),
                "in_review",
                at("2026-11-24", withdraw("不再经营")),
                Ok(PlatformStatus::Withdrawn),
            ),
            (
                accepted.clone(),
                "accepted",
                at("2026-11-24", deliver(DeliveryMethod::Window, "李四", "")),
                invalid("deliver", "accepted"),
            ),
            (
                accepted.clone(),
                "approved",
                at("2026-12-04", deliver(DeliveryMethod::Window, "李四", "")),
                Ok(PlatformStatus::Delivered),
            ),
            (
                accepted.clone(),
                "refused",
                at("2026-12-04", deliver(DeliveryMethod::Window, "李四", "")),
                Ok(PlatformStatus::Delivered),
            ),
            (
                accepted.clone(),
                "approved",
                at("2026-12-04", deliver(DeliveryMethod::Post, "李四", " ")),
                Err(LifecycleError::TrackingMissing),
            ),
            (
                accepted.clone(),
                "approved",
                at(
                    "2026-12-04",
                    deliver(DeliveryMethod::Post, "李四", "SF1234567890"),
                ),
                Ok(PlatformStatus::Delivered),
            ),
            (
                accepted.clone(),
                "approved",
                at("2026-12-04", deliver(DeliveryMethod::ELicence, " ", "")),
                Err(LifecycleError::RecipientMissing),
            ),
            (
                accepted.clone(),
                "delivered",
                at("2026-12-05", deliver(DeliveryMethod::Window, "李四", "")),
                invalid("deliver", "delivered"),
            ),
            (
                accepted.clone(),
                "something_new",
                at("2026-12-05", withdraw("x")),
                invalid("withdraw", "something_new"),
            ),
        ];
        for (i, (mut case, from, rec, want)) in rows.into_iter().enumerate() {
            assert_eq!(
                apply(&mut case, from, &rec, &cx),
                want,
                "row {i}: {from} {rec:?}"
            );
        }
    }

    #[test]
    fn a_delivery_records_the_result_the_status_says_and_its_day() {
        let w = World::new();
        let cx = w.cx(FOOD);
        for (from, granted) in [("approved", true), ("refused", false)] {
            let mut c = w.case(FOOD, &[], DecisionForm::Accept, "2026-11-23");
            let rec = at(
                "2026-12-04",
                Event::Deliver {
                    method: DeliveryMethod::Window,
                    recipient: " 李四 ".into(),
                    tracking_no: "ignored".into(),
                    granted: !granted,
                },
            );
            assert_eq!(
                apply(&mut c, from, &rec, &cx),
                Ok(PlatformStatus::Delivered)
            );
            assert_eq!(
                c.events.last().unwrap().event,
                Event::Deliver {
                    method: DeliveryMethod::Window,
                    recipient: "李四".into(),
                    tracking_no: String::new(),
                    granted,
                }
            );
            assert_eq!(day_of(&c, "deliver"), Some(d("2026-12-04")));
            assert_eq!(
                c.status,
                CaseStatus::Accepted,
                "the intake record keeps its decision"
            );
        }
    }

    #[test]
    fn an_extension_moves_both_dates_once_within_the_limit() {
        let w = World::new();
        let cx = w.cx(FOOD);
        let ext = |days, reason: &str, by: &str| Event::Extend {
            days,
            reason: reason.into(),
            approved_by: by.into(),
            approver_name: "王主任".into(),
        };
        // Accepted 2026-11-23: 10 promised (12-07), 20 statutory (12-21).
        let mut c = w.case(FOOD, &[], DecisionForm::Accept, "2026-11-23");
        assert_eq!(c.statutory_due, Some(d("2026-12-21")));
        assert_eq!(
            allowed(&c, "accepted", cx.matter, d("2026-12-01")),
            ["extend", "pause", "withdraw"]
        );
        for (e, want) in [
            (
                ext(11, "需要现场核查", "lead01"),
                LifecycleError::ExtensionDays { asked: 11, max: 10 },
            ),
            (
                ext(0, "需要现场核查", "lead01"),
                LifecycleError::ExtensionDays { asked: 0, max: 10 },
            ),
            (
                ext(10, " ", "lead01"),
                LifecycleError::ExtensionReasonMissing,
            ),
            (ext(10, "需要现场核查", ""), LifecycleError::ApproverMissing),
        ] {
            assert_eq!(
                apply(&mut c.clone(), "accepted", &at("2026-12-01", e), &cx),
                Err(want)
            );
        }
        assert_eq!(
            apply(
                &mut c.clone(),
                "accepted",
                &at("2026-12-22", ext(10, "x", "lead01")),
                &cx
            ),
            Err(LifecycleError::ExtensionTooLate {
                due: d("2026-12-21")
            })
        );
        let st = apply(
            &mut c,
            "in_review",
            &at("2026-12-01", ext(10, " 需要现场核查 ", "lead01")),
            &cx,
        );
        assert_eq!(st, Ok(PlatformStatus::InReview));
        // +10 working days each, from the same acceptance day.
        assert_eq!(c.statutory_due, Some(d("2027-01-05")));
        assert_eq!(c.promised_due, Some(d("2026-12-21")));
        assert_eq!(
            apply(
                &mut c.clone(),
                "in_review",
                &at("2026-12-02", ext(5, "again", "lead01")),
                &cx
            ),
            Err(LifecycleError::AlreadyExtended)
        );
        assert_eq!(
            allowed(&c, "in_review", cx.matter, d("2026-12-02")),
            ["pause", "withdraw"]
        );
        // Not before acceptance, nor after the decision.
        let mut notice = w.supplement_case();
        assert!(apply(
            &mut notice,
            "supplement_requested",
            &at("2026-11-24", ext(5, "x", "lead01")),
            &cx
        )
        .is_err());
    }

    #[test]
    fn an_application_not_answered_in_five_working_days_is_deemed_accepted_across_a_holiday() {
        let cal = WorkCalendar::bundled();
        let deemed = |received: &str, today: &str| {
            deemed_accepted(d(received), d(today), &cal, StartDay::DayZero).unwrap()
        };
        // Submitted Tue 2026-09-29: 30 Sep (1); 国庆 1–7 Oct; 8 (2), 9 (3),
        // Sat 10 Oct a make-up working day (4), Mon 12 (5).
        assert_eq!(deemed("2026-09-29", "2026-10-09"), None);
        assert_eq!(
            deemed("2026-09-29", "2026-10-12"),
            None,
            "the fifth day is still in time"
        );
        assert_eq!(deemed("2026-09-29", "2026-10-13"), Some(d("2026-09-29")));
        // An ordinary week: Fri 2026-03-06 → Fri 13 is the fifth day.
        assert_eq!(deemed("2026-03-06", "2026-03-13"), None);
        assert_eq!(deemed("2026-03-06", "2026-03-14"), Some(d("2026-03-06")));
    }

    #[test]
    fn a_special_procedure_stops_the_clock_and_its_days_do_not_count() {
        let w = World::new();
        let cx = w.cx(FOOD);
        // Accepted Mon 2026-11-23: promised 2026-12-07, statutory 2026-12-21.
        let mut c = w.case(FOOD, &[], DecisionForm::Accept, "2026-11-23");
        assert_eq!(
            allowed(&c, "accepted", cx.matter, d("2026-11-25")),
            ["extend", "pause", "withdraw"]
        );
        let pause = |reason: &str, n| Event::Pause {
            procedure: SpecialProcedure::ExpertReview,
            reason: reason.into(),
            expected_days: n,
        };
        assert_eq!(
            apply(
                &mut c.clone(),
                "accepted",
                &at("2026-11-25", pause(" ", 5)),
                &cx
            ),
            Err(LifecycleError::PauseIncomplete)
        );
        assert_eq!(
            apply(
                &mut c.clone(),
                "accepted",
                &at("2026-11-25", pause("x", 0)),
                &cx
            ),
            Err(LifecycleError::PauseIncomplete)
        );
        // Expert review from Wed 11-25; the clock stands still.
        apply(
            &mut c,
            "in_review",
            &at("2026-11-25", pause("组织专家评审", 5)),
            &cx,
        )
        .unwrap();
        assert_eq!(paused_since(&c), Some(d("2026-11-25")));
        assert_eq!((c.promised_due, c.statutory_due), (None, None));
        assert_eq!(
            allowed(&c, "in_review", cx.matter, d("2026-11-26")),
            ["resume", "withdraw"]
        );
        assert_eq!(
            apply(
                &mut c.clone(),
                "in_review",
                &at("2026-11-26", pause("again", 1)),
                &cx
            ),
            Err(LifecycleError::AlreadyPaused(d("2026-11-25")))
        );
        // It ends when recorded on Wed 12-02: 25, 26, 27 Nov, 30 Nov and
        // 1 Dec did not count (5 working days), so both dates move 5 on.
        apply(&mut c, "in_review", &at("2026-12-02", Event::Resume), &cx).unwrap();
        assert_eq!(paused_since(&c), None);
        assert_eq!(c.promised_due, Some(d("2026-12-14")));
        assert_eq!(c.statutory_due, Some(d("2026-12-28")));
        assert_eq!(
            apply(
                &mut c.clone(),
                "in_review",
                &at("2026-12-03", Event::Resume),
                &cx
            ),
            Err(LifecycleError::InvalidState {
                event: "resume",
                from: "in_review".into()
            })
        );
        assert!(allowed(&c, "in_review", cx.matter, d("2026-12-03")).contains(&"pause"));
    }

    #[test]
    fn every_error_has_chinese_words_naming_the_rule() {
        let errs = [
            LifecycleError::InvalidState {
                event: "withdraw",
                from: "approved".into(),
            },
            LifecycleError::NothingSupplied,
            LifecycleError::NotOwed("m4".into()),
            LifecycleError::GapDatePassed {
                supply_by: d("2026-11-27"),
            },
            LifecycleError::GapDateNotPassed {
                supply_by: d("2026-11-27"),
            },
            LifecycleError::ReasonMissing,
            LifecycleError::RecipientMissing,
            LifecycleError::TrackingMissing,
        ];
        for e in errs {
            assert!(!e.zh().is_empty() && !e.to_string().is_empty());
            assert!(e.field().starts_with("event"));
        }
        assert_eq!(
            LifecycleError::InvalidState {
                event: "withdraw",
                from: "approved".into()
            }
            .zh(),
            "该办件当前为「已办结（准予）」，不能办理此项"
        );
    }

    #[test]
    fn every_status_a_clerk_acts_on_is_in_a_queue() {
        use PlatformStatus as P;
        for s in [
            P::SupplementRequested,
            P::AcceptedWithGaps,
            P::InReview,
            P::ReturnedForSupplement,
            P::Approved,
            P::Refused,
        ] {
            assert!(
                Queue::ALL[..4].iter().any(|q| q.statuses().contains(&s)),
                "{s:?}"
            );
        }
        // Ended cases are in none.
        for s in [P::Withdrawn, P::Terminated, P::Delivered, P::NotAccepted] {
            assert!(
                Queue::ALL.iter().all(|q| !q.statuses().contains(&s)),
                "{s:?}"
            );
        }
    }

    #[test]
    fn the_event_travels_as_tagged_json() {
        let r = at(
            "2026-12-04",
            Event::Deliver {
                method: DeliveryMethod::Post,
                recipient: "李四".into(),
                tracking_no: "SF1".into(),
                granted: true,
            },
        );
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["kind"], "deliver");
        assert_eq!(v["method"], "post");
        assert_eq!(v["on"], "2026-12-04");
        assert_eq!(serde_json::from_value::<Recorded>(v).unwrap(), r);
    }
}
