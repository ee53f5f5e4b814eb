//! Taking in a case: the clerk's form is checked field by field and turned
//! into the case as it will be stored. Every problem names its field and
//! the rule, in Chinese and English, so the window can show it on the field.

use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, StartDay, WorkCalendar};
use crate::case::{
    self, CaseStatus, Decision, DecisionError, Facts, MaterialCheck, NotAcceptReason,
    SupplementItem,
};
use crate::catalogue::{CaseKind, Catalogue, Matter, ServiceObject};
use crate::date::Date;
use crate::ids::{self, CitizenIdKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    /// 自然人
    #[default]
    Person,
    /// 法人或其他组织
    Organisation,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicantForm {
    pub kind: ApplicantKind,
    /// Person's name, or the organisation's registered name.
    pub name: String,
    /// A person's identity document (the 18-character number by default).
    pub id_type: ids::IdDocType,
    /// Citizen ID / residence permit (person) or USCC (organisation).
    pub id_no: String,
    pub phone: String,
    pub address: String,
    /// For an organisation: the person at the counter (经办人).
    pub agent_name: String,
    pub agent_id_no: String,
    /// For an organisation: its legal representative (法定代表人/负责人),
    /// printed on the notices (issue #14). Empty for a person.
    pub legal_representative: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotAcceptKind {
    NoLicenceRequired,
    NotOurCompetence,
    ApplicantDeclinedSupplement,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
        #[serde(default)]
        refer_to: String,
        #[serde(default)]
        detail: String,
        legal_basis: String,
    },
    CompleteOnTheSpot,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeForm {
    pub matter_code: String,
    pub matter_version: u32,
    pub applicant: ApplicantForm,
    pub materials: Vec<MaterialCheck>,
    pub decision: DecisionForm,
}

/// One problem with the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// `applicant.id_no`, `decision.supply_by`, `materials`, …
    pub field: String,
    pub zh: String,
    pub en: String,
}

fn fe(field: &str, zh: impl Into<String>, en: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        zh: zh.into(),
        en: en.into(),
    }
}

/// The case as it is stored and printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreparedCase {
    pub matter_code: String,
    pub matter_version: u32,
    pub matter_name: String,
    pub department: String,
    pub status: CaseStatus,
    pub applicant: ApplicantForm,
    pub materials: Vec<MaterialCheck>,
    pub decision: DecisionForm,
    pub received_on: Date,
    /// Acceptance date: the clock's day 0 (None when not accepted).
    pub accepted_on: Option<Date>,
    /// Promised limit (承诺时限) due date.
    pub promised_due: Option<Date>,
    /// Statutory limit (法定时限) due date.
    pub statutory_due: Option<Date>,
    /// 容缺: the date the missing items are due.
    pub supply_by: Option<Date>,
    /// Names of the materials still owed (容缺 or 补正).
    pub owed: Vec<String>,
    /// End of the art. 32 five-working-day notice period.
    pub notice_deadline: Date,
    /// The years these dates were worked out for from the holiday law alone
    /// (no official schedule loaded then): the dates running into them are
    /// provisional (暂定) and are recomputed when the schedule arrives.
    /// Empty (and absent from the body) when every date is final.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provisional_years: Vec<i32>,
    /// What happened after intake, in order (lifecycle.rs): supplements,
    /// termination, withdrawal, delivery. Absent from the body while empty,
    /// so an intake record reads as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<crate::lifecycle::Recorded>,
}

impl PreparedCase {
    /// Whether `date`, worked out in working days from the day this case
    /// was received, ran through a year answered by the law alone.
    pub fn is_provisional(&self, date: Date) -> bool {
        let span = self.received_on.year()..=date.year();
        self.provisional_years.iter().any(|y| span.contains(y))
    }

    /// Work the calendar-dependent dates out again (the official schedule of
    /// a year arrived): the art. 32 notice deadline and, for an accepted
    /// promised case, the promised and statutory dates, from the same start
    /// and limits as at intake. Returns what moved, as (field, old, new).
    pub fn recompute_dates(
        &mut self,
        matter: &Matter,
        calendar: &WorkCalendar,
        start_day: StartDay,
    ) -> Result<Vec<(&'static str, Date, Date)>, CalendarError> {
        let mut moved = Vec::new();
        let start = self.received_on;
        let notice = calendar.add_working_days(start, matter.notice_working_days(), start_day)?;
        if notice != self.notice_deadline {
            moved.push(("notice_deadline", self.notice_deadline, notice));
            self.notice_deadline = notice;
        }
        let mut last = notice;
        if let (Some(accepted), Some(p), Some(s)) =
            (self.accepted_on, self.promised_due, self.statutory_due)
        {
            let p2 = calendar.due_date(accepted, matter.promised_limit, start_day)?;
            let s2 = calendar.due_date(accepted, matter.statutory_limit, start_day)?;
            if p2 != p {
                moved.push(("promised_due", p, p2));
                self.promised_due = Some(p2);
            }
            if s2 != s {
                moved.push(("statutory_due", s, s2));
                self.statutory_due = Some(s2);
            }
            last = last.max(p2).max(s2);
        }
        self.provisional_years = calendar.provisional_years(start, last);
        Ok(moved)
    }
}

pub struct IntakeContext<'a> {
    pub catalogue: &'a Catalogue,
    pub calendar: &'a WorkCalendar,
    pub today: Date,
    pub start_day: StartDay,
}

const NAME_MAX: usize = 60;

/// Mainland mobile (11 digits from 1) or a landline with area code.
/// Free text a record may hold: no control characters (NUL and the like
/// cannot be stored, printed or sent safely); a multi-line field may hold
/// line breaks and tabs. Checked at the window and on the platform.
pub fn text_ok(value: &str, multiline: bool) -> bool {
    value
        .chars()
        .all(|c| !c.is_control() || (multiline && matches!(c, '\n' | '\r' | '\t')))
}

/// The error for a field whose text [`text_ok`] refuses.
pub fn control_char_error(field: &str) -> FieldError {
    fe(
        field,
        "含有不可见的控制字符，请删除后重新输入（可能是从其他系统复制带入的）",
        "Contains invisible control characters: delete them and type the text again (often copied in from another system)",
    )
}

pub fn phone_ok(p: &str) -> bool {
    let digits: String = p.chars().filter(|c| *c != '-' && *c != ' ').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    (digits.len() == 11 && digits.starts_with('1'))
        || (digits.starts_with('0') && (10..=12).contains(&digits.len()))
}

/// Check the applicant; returns the applicant normalised (trimmed, ID in
/// upper case, phone without spaces).
pub fn check_applicant(
    a: &ApplicantForm,
    matter: Option<&Matter>,
    today: Date,
) -> (ApplicantForm, Vec<FieldError>) {
    let mut errs = Vec::new();
    for (field, v) in [
        ("applicant.name", &a.name),
        ("applicant.id_no", &a.id_no),
        ("applicant.phone", &a.phone),
        ("applicant.address", &a.address),
        ("applicant.agent_name", &a.agent_name),
        ("applicant.legal_representative", &a.legal_representative),
        ("applicant.agent_id_no", &a.agent_id_no),
    ] {
        if !text_ok(v, false) {
            errs.push(control_char_error(field));
        }
    }
    if !errs.is_empty() {
        // Nothing else is said of text that cannot be kept.
        return (a.clone(), errs);
    }
    let mut n = a.clone();
    n.name = a.name.trim().to_owned();
    n.id_no = a.id_no.trim().to_uppercase();
    n.phone = a.phone.trim().replace(' ', "");
    n.address = a.address.trim().to_owned();
    n.agent_name = a.agent_name.trim().to_owned();
    n.legal_representative = match a.kind {
        ApplicantKind::Organisation => a.legal_representative.trim().to_owned(),
        ApplicantKind::Person => String::new(),
    };
    if n.legal_representative.chars().count() > NAME_MAX {
        errs.push(fe(
            "applicant.legal_representative",
            format!("法定代表人姓名不能超过 {NAME_MAX} 个字"),
            format!("At most {NAME_MAX} characters"),
        ));
    }
    n.agent_id_no = a.agent_id_no.trim().to_uppercase();

    if n.name.is_empty() {
        errs.push(fe(
            "applicant.name",
            "请填写申请人名称",
            "Enter the applicant's name",
        ));
    } else if n.name.chars().count() > NAME_MAX {
        errs.push(fe(
            "applicant.name",
            format!("名称不能超过 {NAME_MAX} 个字"),
            format!("At most {NAME_MAX} characters"),
        ));
    }
    let check_person_id = |field: &str, v: &str, errs: &mut Vec<FieldError>| {
        if v.is_empty() {
            errs.push(fe(field, "请填写身份证件号码", "Enter the ID number"));
        } else if let Err(e) = ids::check_citizen_id(v, today) {
            errs.push(fe(
                field,
                format!("身份证件号码有误：{}", e.zh()),
                format!("ID number is invalid: {e}"),
            ));
        }
    };
    if n.kind == ApplicantKind::Organisation {
        n.id_type = ids::IdDocType::CitizenNumber;
    }
    match n.kind {
        ApplicantKind::Person if n.id_type != ids::IdDocType::CitizenNumber => {
            match ids::check_id_doc(n.id_type, &n.id_no, today) {
                _ if n.id_no.is_empty() => errs.push(fe(
                    "applicant.id_no",
                    "请填写证件号码",
                    "Enter the document number",
                )),
                Ok(v) => n.id_no = v,
                Err(e) => errs.push(fe(
                    "applicant.id_no",
                    format!("{}有误：{}", n.id_type.zh(), e.zh()),
                    format!("Document number is invalid: {e}"),
                )),
            }
        }
        ApplicantKind::Person => check_person_id("applicant.id_no", &n.id_no, &mut errs),
        ApplicantKind::Organisation => {
            if n.id_no.is_empty() {
                errs.push(fe(
                    "applicant.id_no",
                    "请填写统一社会信用代码",
                    "Enter the unified social credit code",
                ));
            } else if let Err(e) = ids::check_uscc(&n.id_no) {
                errs.push(fe(
                    "applicant.id_no",
                    format!("统一社会信用代码有误：{}", e.zh()),
                    format!("Unified social credit code is invalid: {e}"),
                ));
            }
            if n.agent_name.is_empty() {
                errs.push(fe(
                    "applicant.agent_name",
                    "请填写经办人姓名",
                    "Enter the agent's name",
                ));
            }
            check_person_id("applicant.agent_id_no", &n.agent_id_no, &mut errs);
        }
    }
    if let Some(m) = matter {
        let wanted = match n.kind {
            ApplicantKind::Person => ServiceObject::NaturalPerson,
            ApplicantKind::Organisation => ServiceObject::LegalPerson,
        };
        if !m.service_objects.contains(&wanted) {
            let (zh, en) = match n.kind {
                ApplicantKind::Person => (
                    "该事项只受理法人或其他组织的申请",
                    "This matter is for organisations only",
                ),
                ApplicantKind::Organisation => (
                    "该事项只受理自然人的申请",
                    "This matter is for natural persons only",
                ),
            };
            errs.push(fe("applicant.kind", zh, en));
        }
    }
    if n.phone.is_empty() {
        errs.push(fe(
            "applicant.phone",
            "请填写联系电话",
            "Enter a phone number",
        ));
    } else if !phone_ok(&n.phone) {
        errs.push(fe(
            "applicant.phone",
            "联系电话应为 11 位手机号或带区号的固定电话",
            "Phone must be an 11-digit mobile number or a landline with area code",
        ));
    }
    (n, errs)
}

/// The kind of an ID number, for display (居民身份证 / 居住证 / 永居证).
pub fn id_kind_zh(kind: CitizenIdKind) -> &'static str {
    match kind {
        CitizenIdKind::ResidentId => "居民身份证",
        CitizenIdKind::HkMacaoTaiwanPermit => "港澳台居民居住证",
        CitizenIdKind::ForeignPermanentResident => "外国人永久居留身份证",
    }
}

fn decision_field(e: &DecisionError) -> &'static str {
    use DecisionError as E;
    match e {
        E::MissingMaterials(_)
        | E::UnknownMaterial(_)
        | E::NotGapEligible(_)
        | E::GapListMismatch(_) => "materials",
        E::GapDateTooLate { .. } => "decision.supply_by",
        E::CommitmentMissing => "decision.commitment_signed",
        E::NoticeIncomplete(_) | E::NoticeEmpty => "decision.items",
        E::LegalBasisMissing => "decision.legal_basis",
        E::ReferralMissing => "decision.refer_to",
        E::ReasonMissing => "decision.detail",
        _ => "decision",
    }
}

/// Check a whole intake form and build the case, or list every problem.
/// A decision the clerk can take at intake (行政许可法 art. 32).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Accept,
    AcceptWithGaps,
    RequestSupplement,
    NotAccept,
    CompleteOnTheSpot,
}

/// The decisions a matter allows, in the order the form offers them. An
/// instant matter (即办件) is completed on the spot — it is never accepted
/// with deadlines; a promised one (承诺件) is accepted, and accepted with
/// gaps (容缺) only when some of its materials may be missing. Every
/// matter allows a one-time supplement notice (art. 32(4)) and a refusal
/// (art. 32(1)–(2)).
pub fn allowed_decisions(matter: &Matter) -> Vec<DecisionKind> {
    use DecisionKind as K;
    match matter.case_kind {
        CaseKind::Instant => vec![K::CompleteOnTheSpot, K::RequestSupplement, K::NotAccept],
        CaseKind::Promised => {
            let mut v = vec![K::Accept];
            if matter.materials.iter().any(|m| m.may_be_missing) {
                v.push(K::AcceptWithGaps);
            }
            v.extend([K::RequestSupplement, K::NotAccept]);
            v
        }
    }
}

/// The matter's required materials the form does not tick as received, in
/// the matter's order: what a supplement notice must list and a 容缺
/// decision names.
pub fn missing_materials<'a>(
    matter: &'a Matter,
    materials: &[MaterialCheck],
) -> Vec<&'a crate::catalogue::MaterialRequirement> {
    let ids = case::missing_of(matter, materials);
    matter
        .materials
        .iter()
        .filter(|m| ids.contains(&m.id))
        .collect()
}

pub fn prepare(form: &IntakeForm, cx: &IntakeContext) -> Result<PreparedCase, Vec<FieldError>> {
    let Some(matter) = cx.catalogue.matter(&form.matter_code) else {
        return Err(vec![fe(
            "matter",
            "请选择事项（目录中没有该事项）",
            "Choose a matter (not in the catalogue)",
        )]);
    };
    let mut errs = Vec::new();
    if form.matter_version != cx.catalogue.version {
        errs.push(fe(
            "matter",
            format!(
                "事项版本 {} 已不是现行目录版本 {}，请重新选择事项",
                form.matter_version, cx.catalogue.version
            ),
            format!(
                "Matter version {} is not the catalogue in effect ({}); pick the matter again",
                form.matter_version, cx.catalogue.version
            ),
        ));
    }
    let (applicant, mut aerrs) = check_applicant(&form.applicant, Some(matter), cx.today);
    errs.append(&mut aerrs);

    // Materials: only the matter's own, each once; copies within reason.
    let mut materials = Vec::new();
    for m in &matter.materials {
        let c = form.materials.iter().find(|c| c.material_id == m.id);
        materials.push(c.cloned().unwrap_or(MaterialCheck {
            material_id: m.id.clone(),
            received: false,
            original_seen: false,
            copies: 0,
        }));
    }
    if let Some(stray) = form
        .materials
        .iter()
        .find(|c| matter.materials.iter().all(|m| m.id != c.material_id))
    {
        errs.push(fe(
            "materials",
            format!("材料 {} 不在该事项的材料清单中", stray.material_id),
            format!("Material {} is not in the matter's list", stray.material_id),
        ));
    }

    // The decision's free text: one line each, the requirements and a
    // refusal's reason may run over lines. Text that cannot be kept is
    // said once; the decision is not judged on it.
    let before = errs.len();
    match &form.decision {
        DecisionForm::NotAccept {
            refer_to,
            detail,
            legal_basis,
            ..
        } => {
            for (field, v, multi) in [
                ("decision.refer_to", refer_to, false),
                ("decision.detail", detail, true),
                ("decision.legal_basis", legal_basis, false),
            ] {
                if !text_ok(v, multi) {
                    errs.push(control_char_error(field));
                }
            }
        }
        DecisionForm::RequestSupplement { items }
            if items
                .iter()
                .any(|i| !text_ok(&i.requirement, true) || !text_ok(&i.material_id, false)) =>
        {
            errs.push(control_char_error("decision.items"));
        }
        DecisionForm::AcceptWithGaps { supply_by, .. } if !text_ok(supply_by, false) => {
            errs.push(control_char_error("decision.supply_by"));
        }
        _ => {}
    }
    let text_kept = errs.len() == before;
    let decision = match &form.decision {
        _ if !text_kept => None,
        DecisionForm::Accept => Some(Decision::Accept),
        DecisionForm::CompleteOnTheSpot => Some(Decision::CompleteOnTheSpot),
        DecisionForm::AcceptWithGaps {
            supply_by,
            commitment_signed,
        } => match Date::parse_iso(supply_by.trim()) {
            Some(date) => Some(Decision::AcceptWithGaps {
                missing: case::missing_required(&facts(matter, &materials, cx)),
                supply_by: date,
                commitment_signed: *commitment_signed,
            }),
            None => {
                errs.push(fe(
                    "decision.supply_by",
                    "请填写补齐日期（年-月-日）",
                    "Enter the date to supply by (YYYY-MM-DD)",
                ));
                None
            }
        },
        DecisionForm::RequestSupplement { items } => Some(Decision::RequestSupplement {
            items: items
                .iter()
                .map(|i| SupplementItem {
                    material_id: i.material_id.clone(),
                    requirement: if i.requirement.trim().is_empty() {
                        matter
                            .material_name(&i.material_id)
                            .map(|n| format!("请提交：{n}"))
                            .unwrap_or_default()
                    } else {
                        i.requirement.trim().to_owned()
                    },
                })
                .collect(),
        }),
        DecisionForm::NotAccept {
            reason,
            refer_to,
            detail,
            legal_basis,
        } => Some(Decision::NotAccept {
            reason: match reason {
                NotAcceptKind::NoLicenceRequired => NotAcceptReason::NoLicenceRequired,
                NotAcceptKind::NotOurCompetence => NotAcceptReason::NotOurCompetence {
                    refer_to: refer_to.clone(),
                },
                NotAcceptKind::ApplicantDeclinedSupplement => {
                    NotAcceptReason::ApplicantDeclinedSupplement
                }
                NotAcceptKind::Other => NotAcceptReason::Other {
                    reason: detail.clone(),
                },
            },
            legal_basis: legal_basis.clone(),
        }),
    };

    let f = facts(matter, &materials, cx);
    let status = match decision
        .as_ref()
        .map(|d| case::decide(CaseStatus::Received, d, &f))
    {
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => {
            let name = |id: &str| {
                matter
                    .material_name(id)
                    .map(|n| format!("「{n}」"))
                    .unwrap_or_else(|| id.to_owned())
            };
            errs.push(FieldError {
                field: decision_field(&e).to_owned(),
                zh: e.zh_with(&name),
                en: e.to_string(),
            });
            None
        }
        None => None,
    };
    let notice_deadline =
        match cx
            .calendar
            .add_working_days(cx.today, matter.notice_working_days(), cx.start_day)
        {
            Ok(d) => d,
            Err(e) => {
                errs.push(fe("decision", e.zh(), e.to_string()));
                cx.today
            }
        };
    if !errs.is_empty() {
        return Err(errs);
    }
    let status = status.expect("no errors means a status");

    let accepted = matches!(status, CaseStatus::Accepted | CaseStatus::AcceptedWithGaps);
    let due = |limit| cx.calendar.due_date(cx.today, limit, cx.start_day);
    let (promised_due, statutory_due) = if accepted && matter.case_kind == CaseKind::Promised {
        match (due(matter.promised_limit), due(matter.statutory_limit)) {
            (Ok(p), Ok(s)) => (Some(p), Some(s)),
            (Err(e), _) | (_, Err(e)) => return Err(vec![fe("decision", e.zh(), e.to_string())]),
        }
    } else {
        (None, None)
    };
    // Which years the dates ran through on the law alone (暂定).
    let last = [Some(notice_deadline), promised_due, statutory_due]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(cx.today);
    let provisional_years = cx.calendar.provisional_years(cx.today, last);
    let name_of = |id: &str| matter.material_name(id).unwrap_or(id).to_owned();
    let (supply_by, owed, decision) = match (&form.decision, decision.expect("checked")) {
        (
            _,
            Decision::AcceptWithGaps {
                missing, supply_by, ..
            },
        ) => (
            Some(supply_by),
            missing.iter().map(|id| name_of(id)).collect(),
            form.decision.clone(),
        ),
        (_, Decision::RequestSupplement { items }) => {
            let owed = items.iter().map(|i| name_of(&i.material_id)).collect();
            (None, owed, DecisionForm::RequestSupplement { items })
        }
        (d, _) => (None, Vec::new(), d.clone()),
    };
    Ok(PreparedCase {
        matter_code: matter.code.clone(),
        matter_version: cx.catalogue.version,
        matter_name: matter.name.clone(),
        department: matter.department.clone(),
        status,
        applicant,
        materials,
        decision,
        received_on: cx.today,
        accepted_on: accepted
            .then_some(cx.today)
            .or((status == CaseStatus::CompletedOnTheSpot).then_some(cx.today)),
        promised_due,
        statutory_due,
        supply_by,
        owed,
        notice_deadline,
        provisional_years,
        events: Vec::new(),
    })
}

/// The documents the law requires for a case in this state, among those the
/// matter issues (catalogue): the materials receipt always, then the notice
/// of the decision; the fee notice (缴费通知) when an accepted or completed
/// case's matter charges a fee (行政许可法 art. 58); the result notice
/// (办结通知) when the case is completed (即办件 at the counter).
pub fn documents_for(status: CaseStatus, matter: &Matter) -> Vec<crate::catalogue::DocumentKind> {
    use crate::catalogue::DocumentKind as D;
    let decision = match status {
        CaseStatus::Accepted => Some(D::AcceptanceNotice),
        CaseStatus::AcceptedWithGaps => Some(D::GapAcceptanceNotice),
        CaseStatus::SupplementRequested => Some(D::SupplementNotice),
        CaseStatus::NotAccepted => Some(D::NonAcceptanceNotice),
        CaseStatus::CompletedOnTheSpot => Some(D::ResultNotice),
        _ => None,
    };
    let fee = matches!(
        status,
        CaseStatus::Accepted | CaseStatus::AcceptedWithGaps | CaseStatus::CompletedOnTheSpot
    ) && matter.fee.charged();
    [Some(D::Receipt), decision, fee.then_some(D::FeeNotice)]
        .into_iter()
        .flatten()
        .filter(|d| matter.documents.contains(d))
        .collect()
}

/// The documents a case needs now, intake and after (lifecycle.rs): those
/// of its status, except that a 容缺 case whose gaps were filled keeps its
/// 容缺受理通知书 as its acceptance (no second one); then the notice of a
/// termination or a withdrawal and the 送达回证 of a delivered result. The
/// after-intake documents belong to every matter (the catalogue lists the
/// intake ones): any case can be withdrawn or have its result delivered.
pub fn documents_for_case(
    case: &PreparedCase,
    matter: &Matter,
) -> Vec<crate::catalogue::DocumentKind> {
    use crate::catalogue::DocumentKind as D;
    let gaps_filled = case.status == CaseStatus::Accepted
        && matches!(case.decision, DecisionForm::AcceptWithGaps { .. });
    let status = if gaps_filled {
        CaseStatus::AcceptedWithGaps
    } else {
        case.status
    };
    let mut docs = documents_for(status, matter);
    match case.status {
        CaseStatus::Terminated => docs.push(D::TerminationNotice),
        CaseStatus::Withdrawn => docs.push(D::WithdrawalNotice),
        _ => {}
    }
    if crate::lifecycle::day_of(case, "extend").is_some() {
        docs.push(D::ExtensionNotice);
    }
    if crate::lifecycle::day_of(case, "pause").is_some() {
        docs.push(D::SpecialProcedureNotice);
    }
    if crate::lifecycle::day_of(case, "deliver").is_some() {
        docs.push(D::DeliveryReceipt);
    }
    docs
}

/// The platform's re-check of a case a window took in (issue #13): the
/// same [`prepare`] on the case's own form, on the day it was received and
/// against the catalogue version it names. The status and every date must
/// be what the rules give; a date worked out on the law alone (暂定, on
/// either side) may differ, because the official schedule may have come
/// out since. Each difference names its field.
pub fn recheck(case: &PreparedCase, cx: &IntakeContext) -> Result<(), Vec<FieldError>> {
    let form = IntakeForm {
        matter_code: case.matter_code.clone(),
        matter_version: case.matter_version,
        applicant: case.applicant.clone(),
        materials: case.materials.clone(),
        decision: case.decision.clone(),
    };
    let again = prepare(
        &form,
        &IntakeContext {
            today: case.received_on,
            ..*cx
        },
    )?;
    let mut errs = Vec::new();
    let mut differs = |field: &str, zh: &str, en: &str| {
        errs.push(fe(
            field,
            format!("{zh}与受理规则得出的不一致"),
            format!("{en} is not what the intake rules give"),
        ))
    };
    if again.status != case.status {
        differs("status", "办件状态", "The status");
    }
    if again.applicant != case.applicant {
        differs("applicant", "申请人信息", "The applicant");
    }
    if again.materials != case.materials {
        differs("materials", "材料清单", "The materials");
    }
    if again.decision != case.decision || again.owed != case.owed {
        differs("decision", "受理决定", "The decision");
    }
    if (again.matter_name.as_str(), again.department.as_str())
        != (case.matter_name.as_str(), case.department.as_str())
    {
        differs(
            "matter",
            "事项名称或实施部门",
            "The matter's name or department",
        );
    }
    if again.accepted_on != case.accepted_on || again.supply_by != case.supply_by {
        differs(
            "accepted_on",
            "受理日期或补齐日期",
            "The acceptance or supply-by date",
        );
    }
    let provisional = !case.provisional_years.is_empty() || !again.provisional_years.is_empty();
    let dates = |c: &PreparedCase| (c.notice_deadline, c.promised_due, c.statutory_due);
    if !provisional && dates(&again) != dates(case) {
        differs("promised_due", "办理期限", "The deadlines");
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

/// What can still be checked of a case whose catalogue version the
/// platform does not have (it is then kept for review, never refused for
/// its version): the applicant, the free text, and that its status is one
/// an art. 32 decision gives at the counter.
pub fn recheck_without_catalogue(case: &PreparedCase) -> Result<(), Vec<FieldError>> {
    let (_, mut errs) = check_applicant(&case.applicant, None, case.received_on);
    if !matches!(
        case.status,
        CaseStatus::Accepted
            | CaseStatus::AcceptedWithGaps
            | CaseStatus::SupplementRequested
            | CaseStatus::NotAccepted
            | CaseStatus::CompletedOnTheSpot
    ) {
        errs.push(fe(
            "status",
            format!("窗口受理不能产生“{}”状态", case.status.zh()),
            format!(
                "A decision at the counter cannot give the status {}",
                case.status.as_str()
            ),
        ));
    }
    let texts: Vec<(&str, &str, bool)> = match &case.decision {
        DecisionForm::NotAccept {
            refer_to,
            detail,
            legal_basis,
            ..
        } => vec![
            ("decision.refer_to", refer_to, false),
            ("decision.detail", detail, true),
            ("decision.legal_basis", legal_basis, false),
        ],
        DecisionForm::RequestSupplement { items } => items
            .iter()
            .map(|i| ("decision.items", i.requirement.as_str(), true))
            .collect(),
        DecisionForm::AcceptWithGaps { supply_by, .. } => {
            vec![("decision.supply_by", supply_by, false)]
        }
        _ => Vec::new(),
    };
    for (field, v, multi) in texts {
        if !text_ok(v, multi) && errs.iter().all(|e| e.field != field) {
            errs.push(control_char_error(field));
        }
    }
    for (field, v) in [
        ("matter_name", &case.matter_name),
        ("department", &case.department),
    ] {
        if !text_ok(v, false) {
            errs.push(control_char_error(field));
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

fn facts<'a>(
    matter: &'a Matter,
    materials: &'a [MaterialCheck],
    cx: &'a IntakeContext,
) -> Facts<'a> {
    Facts {
        matter,
        materials,
        received_on: cx.today,
        today: cx.today,
        calendar: cx.calendar,
        start_day: cx.start_day,
    }
}

#[cfg(test)]
mod tests;
