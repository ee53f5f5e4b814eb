//! The case state machine at intake: the outcomes of 行政许可法 art. 32.
//!
//! `decide` takes the case's state, the clerk's decision and the facts it
//! rests on, and returns the new state or the rule the decision breaks.
//! Invalid transitions are errors, never silent.

use std::collections::BTreeSet;

use crate::calendar::{CalendarError, StartDay, WorkCalendar};
use crate::catalogue::{CaseKind, Matter};
use crate::date::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Draft,
    /// 收件: materials physically received; the art. 32 clock runs.
    Received,
    /// 补正: the one-time supplement notice was issued.
    SupplementRequested,
    /// 容缺受理
    AcceptedWithGaps,
    /// 受理
    Accepted,
    /// 即办件 completed at the counter.
    CompletedOnTheSpot,
    /// 不予受理
    NotAccepted,
    /// 撤回
    Withdrawn,
    /// 终止办理: 容缺 items not supplied by their date (lifecycle.rs).
    Terminated,
}

/// What the clerk checked for one material of the matter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MaterialCheck {
    pub material_id: String,
    pub received: bool,
    pub original_seen: bool,
    pub copies: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SupplementItem {
    pub material_id: String,
    /// What is wrong and what is required, as printed on the notice.
    pub requirement: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAcceptReason {
    /// art. 32(1): the activity needs no licence.
    NoLicenceRequired,
    /// art. 32(2): outside this agency's competence; say where to apply.
    NotOurCompetence {
        refer_to: String,
    },
    /// The applicant will not supplement the materials.
    ApplicantDeclinedSupplement,
    Other {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisorOverride {
    pub supervisor_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Materials in: a `Draft` becomes `Received`.
    Receive,
    Accept,
    AcceptWithGaps {
        missing: Vec<String>,
        supply_by: Date,
        commitment_signed: bool,
    },
    /// One notice listing everything missing or defective (一次性告知).
    RequestSupplement {
        items: Vec<SupplementItem>,
    },
    /// Items added after the notice: a violation of the one-time rule unless
    /// a supervisor overrides with a reason (art. 72).
    AddSupplementItems {
        items: Vec<SupplementItem>,
        by: Option<SupervisorOverride>,
    },
    /// The complete supplements arrived: back to `Received`, and the
    /// acceptance date will be today.
    SupplementsComplete,
    NotAccept {
        reason: NotAcceptReason,
        legal_basis: String,
    },
    CompleteOnTheSpot,
    Withdraw,
}

/// Facts a decision rests on.
pub struct Facts<'a> {
    pub matter: &'a Matter,
    pub materials: &'a [MaterialCheck],
    pub received_on: Date,
    pub today: Date,
    pub calendar: &'a WorkCalendar,
    pub start_day: StartDay,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    #[error("{decision} is not possible in state {from:?}")]
    InvalidTransition {
        from: CaseStatus,
        decision: &'static str,
    },
    #[error("required materials are missing: {0:?}")]
    MissingMaterials(Vec<String>),
    #[error("material {0} is not in the matter's list")]
    UnknownMaterial(String),
    #[error("material {0} may not be missing at acceptance (not marked 容缺)")]
    NotGapEligible(String),
    #[error("the missing items must be exactly the required materials not received: {0:?}")]
    GapListMismatch(Vec<String>),
    #[error("the supplement date {supply_by} is after the promised limit ({latest})")]
    GapDateTooLate { supply_by: Date, latest: Date },
    #[error("the applicant's signed commitment (容缺受理承诺书) is required")]
    CommitmentMissing,
    #[error("an instant matter (即办件) is completed on the spot, not accepted with deadlines")]
    NotPromised,
    #[error("the supplement notice must list every missing item (一次性告知); not listed: {0:?}")]
    NoticeIncomplete(Vec<String>),
    #[error("a supplement notice lists at least one item")]
    NoticeEmpty,
    #[error("the five-working-day notice period ended on {deadline}: the application counts as accepted from {received_on}")]
    NoticePeriodOver { deadline: Date, received_on: Date },
    #[error("adding items after the one-time notice needs a supervisor override with a reason")]
    OverrideRequired,
    #[error("a refusal names its legal basis")]
    LegalBasisMissing,
    #[error("a referral names the competent agency")]
    ReferralMissing,
    #[error("a reason is required")]
    ReasonMissing,
    #[error("only an instant matter (即办件) is completed on the spot")]
    NotInstant,
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

impl CaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Draft => "draft",
            CaseStatus::Received => "received",
            CaseStatus::SupplementRequested => "supplement_requested",
            CaseStatus::AcceptedWithGaps => "accepted_with_gaps",
            CaseStatus::Accepted => "accepted",
            CaseStatus::CompletedOnTheSpot => "completed_on_the_spot",
            CaseStatus::NotAccepted => "not_accepted",
            CaseStatus::Withdrawn => "withdrawn",
            CaseStatus::Terminated => "terminated",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            CaseStatus::Draft => "草稿",
            CaseStatus::Received => "已收件",
            CaseStatus::SupplementRequested => "补正告知",
            CaseStatus::AcceptedWithGaps => "容缺受理",
            CaseStatus::Accepted => "已受理",
            CaseStatus::CompletedOnTheSpot => "即办办结",
            CaseStatus::NotAccepted => "不予受理",
            CaseStatus::Withdrawn => "已撤回",
            CaseStatus::Terminated => "终止办理",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            CaseStatus::Draft => "Draft",
            CaseStatus::Received => "Received",
            CaseStatus::SupplementRequested => "Supplement requested",
            CaseStatus::AcceptedWithGaps => "Accepted with gaps",
            CaseStatus::Accepted => "Accepted",
            CaseStatus::CompletedOnTheSpot => "Completed on the spot",
            CaseStatus::NotAccepted => "Not accepted",
            CaseStatus::Withdrawn => "Withdrawn",
            CaseStatus::Terminated => "Terminated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        // The serde names are the codes (`as_str`); a test keeps them equal.
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }
}

impl DecisionError {
    /// The message in Chinese, for the clerk.
    pub fn zh(&self) -> String {
        self.zh_with(&|id| id.to_owned())
    }

    /// The message in Chinese with material ids replaced by their names.
    pub fn zh_with(&self, material: &dyn Fn(&str) -> String) -> String {
        use DecisionError as E;
        let names = |ids: &[String]| {
            ids.iter()
                .map(|i| material(i))
                .collect::<Vec<_>>()
                .join("、")
        };
        match self {
            E::InvalidTransition { from, .. } => format!("当前状态（{}）下不能作此决定", from.zh()),
            E::MissingMaterials(ids) => format!("缺少必要材料：{}", names(ids)),
            E::UnknownMaterial(id) => format!("材料 {id} 不在该事项的材料清单中"),
            E::NotGapEligible(id) => format!("「{}」不属于可容缺材料，不能容缺受理", material(id)),
            E::GapListMismatch(ids) => format!("容缺清单须正好是未收到的必要材料：{}", names(ids)),
            E::GapDateTooLate { supply_by, latest } => {
                format!("补齐日期 {supply_by} 须在今天至承诺时限 {latest} 之间")
            }
            E::CommitmentMissing => "容缺受理须由申请人签署《容缺受理承诺书》".into(),
            E::NotPromised => "即办件须当场办结，不能按承诺件受理".into(),
            E::NoticeIncomplete(ids) => {
                format!("一次性告知须列明全部缺少的材料，未列：{}", names(ids))
            }
            E::NoticeEmpty => "补正告知至少列出一项材料".into(),
            E::NoticePeriodOver {
                deadline,
                received_on,
            } if deadline == received_on => format!(
                "该事项须当场书面告知是否受理及需补正的全部内容（《不动产登记暂行条例》第十七条）；收件日 {received_on} 未当场告知的，视为受理"
            ),
            E::NoticePeriodOver {
                deadline,
                received_on,
            } => {
                format!(
                    "五个工作日的告知期已于 {deadline} 届满，自收件日 {received_on} 起即视为受理"
                )
            }
            E::OverrideRequired => "一次性告知后再增加补正事项，须经负责人批准并写明理由".into(),
            E::LegalBasisMissing => "不予受理须写明法律依据".into(),
            E::ReferralMissing => "不属于本机关职权的，须告知申请人向哪个机关申请".into(),
            E::ReasonMissing => "须写明理由".into(),
            E::NotInstant => "只有即办件可以当场办结".into(),
            E::Calendar(c) => c.zh(),
        }
    }
}

fn name(d: &Decision) -> &'static str {
    match d {
        Decision::Receive => "receive",
        Decision::Accept => "accept",
        Decision::AcceptWithGaps { .. } => "accept with gaps",
        Decision::RequestSupplement { .. } => "request supplement",
        Decision::AddSupplementItems { .. } => "add supplement items",
        Decision::SupplementsComplete => "supplements complete",
        Decision::NotAccept { .. } => "not accept",
        Decision::CompleteOnTheSpot => "complete on the spot",
        Decision::Withdraw => "withdraw",
    }
}

/// Required materials of the matter that were not received.
pub fn missing_required(f: &Facts) -> Vec<String> {
    missing_of(f.matter, f.materials)
}

/// The matter's required materials not ticked as received, in the
/// matter's order (what a supplement notice or a 容缺 list names).
pub fn missing_of(matter: &Matter, materials: &[MaterialCheck]) -> Vec<String> {
    matter
        .materials
        .iter()
        .filter(|m| m.required)
        .filter(|m| {
            !materials
                .iter()
                .any(|c| c.material_id == m.id && c.received)
        })
        .map(|m| m.id.clone())
        .collect()
}

/// The latest date a 容缺 case's missing materials may be supplied by:
/// the matter's promised limit from today (None for an instant matter,
/// which is never accepted with gaps).
pub fn latest_supply_by(
    matter: &Matter,
    calendar: &WorkCalendar,
    today: Date,
    start_day: StartDay,
) -> Option<Result<Date, CalendarError>> {
    (matter.case_kind == CaseKind::Promised)
        .then(|| calendar.due_date(today, matter.promised_limit, start_day))
}

fn known(f: &Facts, id: &str) -> Result<(), DecisionError> {
    if f.matter.materials.iter().any(|m| m.id == id) {
        Ok(())
    } else {
        Err(DecisionError::UnknownMaterial(id.to_owned()))
    }
}

/// Apply a decision. Returns the new status.
pub fn decide(
    from: CaseStatus,
    decision: &Decision,
    f: &Facts,
) -> Result<CaseStatus, DecisionError> {
    use CaseStatus as S;
    let invalid = || DecisionError::InvalidTransition {
        from,
        decision: name(decision),
    };
    match decision {
        Decision::Receive => match from {
            S::Draft => Ok(S::Received),
            _ => Err(invalid()),
        },
        Decision::Withdraw => match from {
            S::Draft | S::Received | S::SupplementRequested | S::AcceptedWithGaps | S::Accepted => {
                Ok(S::Withdrawn)
            }
            _ => Err(invalid()),
        },
        Decision::Accept => {
            if from != S::Received {
                return Err(invalid());
            }
            if f.matter.case_kind != CaseKind::Promised {
                return Err(DecisionError::NotPromised);
            }
            let missing = missing_required(f);
            if !missing.is_empty() {
                return Err(DecisionError::MissingMaterials(missing));
            }
            Ok(S::Accepted)
        }
        Decision::CompleteOnTheSpot => {
            if from != S::Received {
                return Err(invalid());
            }
            if f.matter.case_kind != CaseKind::Instant {
                return Err(DecisionError::NotInstant);
            }
            let missing = missing_required(f);
            if !missing.is_empty() {
                return Err(DecisionError::MissingMaterials(missing));
            }
            Ok(S::CompletedOnTheSpot)
        }
        Decision::AcceptWithGaps {
            missing,
            supply_by,
            commitment_signed,
        } => {
            if from != S::Received {
                return Err(invalid());
            }
            if f.matter.case_kind != CaseKind::Promised {
                return Err(DecisionError::NotPromised);
            }
            for id in missing {
                let m = f
                    .matter
                    .materials
                    .iter()
                    .find(|m| &m.id == id)
                    .ok_or_else(|| DecisionError::UnknownMaterial(id.clone()))?;
                if !m.may_be_missing {
                    return Err(DecisionError::NotGapEligible(id.clone()));
                }
            }
            let actual: BTreeSet<_> = missing_required(f).into_iter().collect();
            let listed: BTreeSet<_> = missing.iter().cloned().collect();
            if actual.is_empty() || actual != listed {
                return Err(DecisionError::GapListMismatch(actual.into_iter().collect()));
            }
            // The supplement date may not exceed the matter's promised limit.
            let latest = latest_supply_by(f.matter, f.calendar, f.today, f.start_day)
                .expect("a promised matter")?;
            if *supply_by > latest || *supply_by < f.today {
                return Err(DecisionError::GapDateTooLate {
                    supply_by: *supply_by,
                    latest,
                });
            }
            if !commitment_signed {
                return Err(DecisionError::CommitmentMissing);
            }
            Ok(S::AcceptedWithGaps)
        }
        Decision::RequestSupplement { items } => {
            if from != S::Received {
                return Err(invalid());
            }
            if items.is_empty() {
                return Err(DecisionError::NoticeEmpty);
            }
            for i in items {
                known(f, &i.material_id)?;
                if i.requirement.trim().is_empty() {
                    return Err(DecisionError::ReasonMissing);
                }
            }
            // 行政许可法 art. 32(4): one notice lists everything missing.
            let listed: BTreeSet<_> = items.iter().map(|i| i.material_id.as_str()).collect();
            let unlisted: Vec<String> = missing_required(f)
                .into_iter()
                .filter(|id| !listed.contains(id.as_str()))
                .collect();
            if !unlisted.is_empty() {
                return Err(DecisionError::NoticeIncomplete(unlisted));
            }
            let deadline = f.calendar.add_working_days(
                f.received_on,
                f.matter.notice_working_days(),
                f.start_day,
            )?;
            if f.today > deadline {
                return Err(DecisionError::NoticePeriodOver {
                    deadline,
                    received_on: f.received_on,
                });
            }
            Ok(S::SupplementRequested)
        }
        Decision::AddSupplementItems { items, by } => {
            if from != S::SupplementRequested {
                return Err(invalid());
            }
            match by {
                Some(o) if !o.supervisor_id.trim().is_empty() && !o.reason.trim().is_empty() => {}
                _ => return Err(DecisionError::OverrideRequired),
            }
            if items.is_empty() {
                return Err(DecisionError::NoticeEmpty);
            }
            for i in items {
                known(f, &i.material_id)?;
            }
            Ok(S::SupplementRequested)
        }
        Decision::SupplementsComplete => match from {
            S::SupplementRequested => Ok(S::Received),
            _ => Err(invalid()),
        },
        Decision::NotAccept {
            reason,
            legal_basis,
        } => {
            if !matches!(from, S::Received | S::SupplementRequested) {
                return Err(invalid());
            }
            if legal_basis.trim().is_empty() {
                return Err(DecisionError::LegalBasisMissing);
            }
            match reason {
                NotAcceptReason::NotOurCompetence { refer_to } if refer_to.trim().is_empty() => {
                    Err(DecisionError::ReferralMissing)
                }
                NotAcceptReason::Other { reason } if reason.trim().is_empty() => {
                    Err(DecisionError::ReasonMissing)
                }
                _ => Ok(S::NotAccepted),
            }
        }
    }
}

/// A case's status as the platform knows it: the window's statuses after
/// intake, the departments' (审批中, 办结, 退回补正) and an online
/// application's waiting for pre-review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlatformStatus {
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
    /// 终止办理 (容缺 items not supplied in time).
    Terminated,
    /// 已送达: the result was handed over (出件).
    Delivered,
}

impl PlatformStatus {
    pub const ALL: [PlatformStatus; 14] = [
        Self::Received,
        Self::SupplementRequested,
        Self::AcceptedWithGaps,
        Self::Accepted,
        Self::CompletedOnTheSpot,
        Self::NotAccepted,
        Self::Withdrawn,
        Self::OnlineSubmitted,
        Self::InReview,
        Self::Approved,
        Self::Refused,
        Self::ReturnedForSupplement,
        Self::Terminated,
        Self::Delivered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::SupplementRequested => "supplement_requested",
            Self::AcceptedWithGaps => "accepted_with_gaps",
            Self::Accepted => "accepted",
            Self::CompletedOnTheSpot => "completed_on_the_spot",
            Self::NotAccepted => "not_accepted",
            Self::Withdrawn => "withdrawn",
            Self::OnlineSubmitted => "online_submitted",
            Self::InReview => "in_review",
            Self::Approved => "approved",
            Self::Refused => "refused",
            Self::ReturnedForSupplement => "returned_for_supplement",
            Self::Terminated => "terminated",
            Self::Delivered => "delivered",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Received => "已收件",
            Self::SupplementRequested => "待补正",
            Self::AcceptedWithGaps => "容缺受理",
            Self::Accepted => "已受理",
            Self::CompletedOnTheSpot => "即办办结",
            Self::NotAccepted => "不予受理",
            Self::Withdrawn => "已撤回",
            Self::OnlineSubmitted => "网上申报待预审",
            Self::InReview => "部门审批中",
            Self::Approved => "已办结（准予）",
            Self::Refused => "已办结（不予许可）",
            Self::ReturnedForSupplement => "部门退回补正",
            Self::Terminated => "终止办理",
            Self::Delivered => "已出件送达",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Self::Received => "Received",
            Self::SupplementRequested => "Supplement requested",
            Self::AcceptedWithGaps => "Accepted with gaps",
            Self::Accepted => "Accepted",
            Self::CompletedOnTheSpot => "Completed on the spot",
            Self::NotAccepted => "Not accepted",
            Self::Withdrawn => "Withdrawn",
            Self::OnlineSubmitted => "Online, awaiting pre-review",
            Self::InReview => "In review at the department",
            Self::Approved => "Decided: approved",
            Self::Refused => "Decided: refused",
            Self::ReturnedForSupplement => "Returned for supplement",
            Self::Terminated => "Terminated",
            Self::Delivered => "Result delivered",
        }
    }
}

/// A platform status in Chinese, for lists and messages. A status this
/// version does not know is shown as it is.
pub fn platform_status_zh(s: &str) -> &str {
    match PlatformStatus::parse(s) {
        Some(p) => p.zh(),
        None => s,
    }
}

/// The same in English.
pub fn platform_status_en(s: &str) -> &str {
    match PlatformStatus::parse(s) {
        Some(p) => p.en(),
        None => s,
    }
}

/// The online-acceptance gate (网上申报预审受理): only an application still
/// waiting for pre-review may be accepted at a window. Asked by the window
/// before it queues the acceptance and by the platform when it applies it.
pub fn may_accept_online(platform_status: &str) -> Result<(), (String, String)> {
    if platform_status == "online_submitted" {
        Ok(())
    } else {
        Err((
            format!(
                "该办件当前为「{}」，不能再预审受理",
                platform_status_zh(platform_status)
            ),
            format!("The case is {platform_status}: it can no longer be accepted"),
        ))
    }
}

#[cfg(test)]
mod online_gate {
    #[test]
    fn only_an_application_waiting_for_pre_review_is_accepted_online() {
        assert!(super::may_accept_online("online_submitted").is_ok());
        let (zh, en) = super::may_accept_online("accepted").unwrap_err();
        assert_eq!(zh, "该办件当前为「已受理」，不能再预审受理");
        assert!(en.contains("accepted"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;

    #[test]
    fn status_codes_are_their_serde_names() {
        use CaseStatus::*;
        for st in [
            Draft,
            Received,
            SupplementRequested,
            AcceptedWithGaps,
            Accepted,
            CompletedOnTheSpot,
            NotAccepted,
            Withdrawn,
            Terminated,
        ] {
            assert_eq!(CaseStatus::parse(st.as_str()), Some(st));
        }
        assert_eq!(CaseStatus::parse("online_submitted"), None);
    }

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    fn checks(m: &Matter, missing: &[&str]) -> Vec<MaterialCheck> {
        m.materials
            .iter()
            .map(|x| MaterialCheck {
                material_id: x.id.clone(),
                received: !missing.contains(&x.id.as_str()) && x.required,
                original_seen: true,
                copies: x.copies,
            })
            .collect()
    }

    struct World {
        cat: Catalogue,
        cal: WorkCalendar,
    }

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
        fn run(
            &self,
            matter: &str,
            missing: &[&str],
            from: CaseStatus,
            dec: Decision,
            today: &str,
        ) -> Result<CaseStatus, DecisionError> {
            let m = self.matter(matter);
            let mats = checks(m, missing);
            let f = Facts {
                matter: m,
                materials: &mats,
                received_on: d("2026-11-23"),
                today: d(today),
                calendar: &self.cal,
                start_day: StartDay::DayZero,
            };
            decide(from, &dec, &f)
        }
    }

    fn item(id: &str) -> SupplementItem {
        SupplementItem {
            material_id: id.into(),
            requirement: "提交原件".into(),
        }
    }

    const FOOD: &str = "食品经营许可"; // m4 may be missing (容缺), 10 working days promised
    const GETI: &str = "个体工商户设立登记"; // instant

    #[test]
    fn outcomes_table() {
        use CaseStatus as S;
        let w = World::new();
        let not_accept = |reason, basis: &str| Decision::NotAccept {
            reason,
            legal_basis: basis.into(),
        };
        let gaps = |ids: &[&str], by: &str, signed| Decision::AcceptWithGaps {
            missing: ids.iter().map(|s| s.to_string()).collect(),
            supply_by: d(by),
            commitment_signed: signed,
        };
        type Row = (
            &'static str,
            &'static [&'static str],
            CaseStatus,
            Decision,
            &'static str,
            Result<CaseStatus, DecisionError>,
        );
        let rows: Vec<Row> = vec![
            (
                FOOD,
                &[],
                S::Draft,
                Decision::Receive,
                "2026-11-23",
                Ok(S::Received),
            ),
            (
                FOOD,
                &[],
                S::Received,
                Decision::Accept,
                "2026-11-23",
                Ok(S::Accepted),
            ),
            (
                FOOD,
                &["m2"],
                S::Received,
                Decision::Accept,
                "2026-11-23",
                Err(DecisionError::MissingMaterials(vec!["m2".into()])),
            ),
            (
                FOOD,
                &[],
                S::Accepted,
                Decision::Accept,
                "2026-11-23",
                Err(DecisionError::InvalidTransition {
                    from: S::Accepted,
                    decision: "accept",
                }),
            ),
            // 容缺: only the eligible item, by a date within the promised limit, signed.
            (
                FOOD,
                &["m4"],
                S::Received,
                gaps(&["m4"], "2026-12-01", true),
                "2026-11-23",
                Ok(S::AcceptedWithGaps),
            ),
            (
                FOOD,
                &["m4"],
                S::Received,
                gaps(&["m4"], "2026-12-01", false),
                "2026-11-23",
                Err(DecisionError::CommitmentMissing),
            ),
            (
                FOOD,
                &["m4"],
                S::Received,
                gaps(&["m4"], "2026-12-08", true),
                "2026-11-23",
                Err(DecisionError::GapDateTooLate {
                    supply_by: d("2026-12-08"),
                    latest: d("2026-12-07"),
                }),
            ),
            (
                FOOD,
                &["m2"],
                S::Received,
                gaps(&["m2"], "2026-12-01", true),
                "2026-11-23",
                Err(DecisionError::NotGapEligible("m2".into())),
            ),
            (
                FOOD,
                &["m4", "m2"],
                S::Received,
                gaps(&["m4"], "2026-12-01", true),
                "2026-11-23",
                Err(DecisionError::GapListMismatch(vec![
                    "m2".into(),
                    "m4".into(),
                ])),
            ),
            // One-time notice: everything missing, within five working days of receipt.
            (
                FOOD,
                &["m2", "m3"],
                S::Received,
                Decision::RequestSupplement {
                    items: vec![item("m2"), item("m3")],
                },
                "2026-11-30",
                Ok(S::SupplementRequested),
            ),
            (
                FOOD,
                &["m2", "m3"],
                S::Received,
                Decision::RequestSupplement {
                    items: vec![item("m2")],
                },
                "2026-11-23",
                Err(DecisionError::NoticeIncomplete(vec!["m3".into()])),
            ),
            (
                FOOD,
                &["m2"],
                S::Received,
                Decision::RequestSupplement {
                    items: vec![item("m2")],
                },
                "2026-12-01",
                Err(DecisionError::NoticePeriodOver {
                    deadline: d("2026-11-30"),
                    received_on: d("2026-11-23"),
                }),
            ),
            (
                FOOD,
                &[],
                S::Received,
                Decision::RequestSupplement { items: vec![] },
                "2026-11-23",
                Err(DecisionError::NoticeEmpty),
            ),
            (
                FOOD,
                &["m2"],
                S::SupplementRequested,
                Decision::AddSupplementItems {
                    items: vec![item("m5")],
                    by: None,
                },
                "2026-11-24",
                Err(DecisionError::OverrideRequired),
            ),
            (
                FOOD,
                &["m2"],
                S::SupplementRequested,
                Decision::AddSupplementItems {
                    items: vec![item("m5")],
                    by: Some(SupervisorOverride {
                        supervisor_id: "u-2".into(),
                        reason: "身份证明已过期".into(),
                    }),
                },
                "2026-11-24",
                Ok(S::SupplementRequested),
            ),
            (
                FOOD,
                &[],
                S::SupplementRequested,
                Decision::SupplementsComplete,
                "2026-11-25",
                Ok(S::Received),
            ),
            // Refusals: basis always, referral when outside competence.
            (
                FOOD,
                &[],
                S::Received,
                not_accept(
                    NotAcceptReason::NotOurCompetence {
                        refer_to: "保山市交通运输局".into(),
                    },
                    "《行政许可法》第三十二条第一款第（二）项",
                ),
                "2026-11-23",
                Ok(S::NotAccepted),
            ),
            (
                FOOD,
                &[],
                S::Received,
                not_accept(
                    NotAcceptReason::NotOurCompetence {
                        refer_to: " ".into(),
                    },
                    "《行政许可法》第三十二条",
                ),
                "2026-11-23",
                Err(DecisionError::ReferralMissing),
            ),
            (
                FOOD,
                &[],
                S::Received,
                not_accept(NotAcceptReason::NoLicenceRequired, ""),
                "2026-11-23",
                Err(DecisionError::LegalBasisMissing),
            ),
            (
                FOOD,
                &[],
                S::NotAccepted,
                Decision::Withdraw,
                "2026-11-23",
                Err(DecisionError::InvalidTransition {
                    from: S::NotAccepted,
                    decision: "withdraw",
                }),
            ),
            // 即办件 only.
            (
                GETI,
                &[],
                S::Received,
                Decision::CompleteOnTheSpot,
                "2026-11-23",
                Ok(S::CompletedOnTheSpot),
            ),
            (
                FOOD,
                &[],
                S::Received,
                Decision::CompleteOnTheSpot,
                "2026-11-23",
                Err(DecisionError::NotInstant),
            ),
            (
                FOOD,
                &["m1"],
                S::Received,
                Decision::RequestSupplement {
                    items: vec![item("zz")],
                },
                "2026-11-23",
                Err(DecisionError::UnknownMaterial("zz".into())),
            ),
        ];
        for (i, (matter, missing, from, dec, today, want)) in rows.into_iter().enumerate() {
            assert_eq!(
                w.run(matter, missing, from, dec.clone(), today),
                want,
                "row {i}: {dec:?}"
            );
        }
    }
}
