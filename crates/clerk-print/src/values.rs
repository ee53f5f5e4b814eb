//! The values a template is filled with, built from a case.

use std::collections::BTreeMap;

use clerk_core::case::CaseStatus;
use clerk_core::catalogue::Matter;
use clerk_core::date::Date;
use clerk_core::intake::{ApplicantKind, DecisionForm, NotAcceptKind, PreparedCase};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    pub text: BTreeMap<String, String>,
    pub lists: BTreeMap<String, Vec<String>>,
    /// What the QR code carries (no personal data).
    pub qr: String,
}

impl Values {
    /// The JSON the journal keeps (`to_json`), read back for a preview.
    pub fn to_json(&self) -> String {
        serde_json::json!({"text": self.text, "lists": self.lists, "qr": self.qr}).to_string()
    }

    pub fn from_json(s: &str) -> Option<Values> {
        let v: serde_json::Value = serde_json::from_str(s).ok()?;
        Some(Values {
            text: serde_json::from_value(v.get("text")?.clone()).ok()?,
            lists: serde_json::from_value(v.get("lists")?.clone()).ok()?,
            qr: v.get("qr")?.as_str()?.to_owned(),
        })
    }

    pub fn set(&mut self, k: &str, v: impl Into<String>) {
        self.text.insert(k.to_owned(), v.into());
    }
}

/// Everything besides the case that a document prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDocInput {
    pub receipt_no: String,
    pub doc_no: String,
    pub hall_name: String,
    /// The deciding agency: the matter's department, by its full name
    /// (issue #14: a notice names who decided, not only the hall).
    pub agency: String,
    pub window: String,
    pub clerk: String,
    /// Local date and time of receipt, `2026-03-02 09:14`.
    pub received_at: String,
    /// The department's 行政复议机关 from the catalogue; empty when the
    /// catalogue has none (a notice stating the remedies is then withheld).
    pub reconsideration_body: String,
    pub court: String,
    pub supervision_phone: String,
    pub query_url: String,
    /// Short verification code (a keyed hash of the receipt number).
    pub verify_code: String,
    /// The day the document is issued (made and journalled; a reprint
    /// prints the journalled values, so its date stays the issue day).
    pub issued_on: Date,
}

/// `2026年3月2日` (GB/T 9704: Arabic numerals).
pub fn date_zh(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// ID masked for notices: the applicant's own document may print it whole,
/// but the default is masked (domain.md §5.3).
fn id_label(a: &clerk_core::intake::ApplicantForm) -> &'static str {
    match a.kind {
        ApplicantKind::Person => a.id_type.zh(),
        ApplicantKind::Organisation => "统一社会信用代码",
    }
}

/// `80.00 元` from fen: money stays exact.
pub fn yuan(fen: u64) -> String {
    format!("{}.{:02} 元", fen / 100, fen % 100)
}

/// The fee lines a 缴费通知书 prints, and their total: the items every case
/// pays; a conditional item (证书工本费 from the second certificate) is
/// listed with its condition and never added (issue #14).
fn fee_values(v: &mut Values, matter: &Matter, agency: &str) {
    let lines = matter
        .fee
        .items
        .iter()
        .map(|f| match &f.condition {
            None => format!(
                "{}：{}/{}（依据：{}）",
                f.name,
                yuan(f.amount_fen),
                f.unit,
                f.basis
            ),
            Some(when) => format!(
                "{}：{}，{}/{}（依据：{}；未计入合计）",
                f.name,
                when,
                yuan(f.amount_fen),
                f.unit,
                f.basis
            ),
        })
        .collect();
    v.lists.insert("fees".into(), lines);
    let conditional = matter.fee.items.iter().any(|f| !f.always());
    v.set(
        "fee_total",
        match (matter.fee.charged(), conditional) {
            (false, _) => "不收费".into(),
            (true, false) => yuan(matter.fee.total_fen()),
            (true, true) => format!(
                "{}（另有按条件收取的项目，见上）",
                yuan(matter.fee.total_fen())
            ),
        },
    );
    v.set(
        "fee_payee",
        matter
            .fee
            .payee
            .clone()
            .unwrap_or_else(|| agency.to_owned()),
    );
    // 行政许可法 art. 59 binds the fees of licensing; other matters' fees
    // (a registration fee, a 行政确认) rest on their own basis, listed above.
    v.set(
        "fee_law",
        if matter.matter_type == clerk_core::catalogue::MatterType::Licensing {
            format!("根据《中华人民共和国行政许可法》第五十九条的规定，所收费用全部上缴国库，{agency}不得截留、挪用、私分或者变相私分。")
        } else {
            "收费项目、标准及依据如下。".to_owned()
        },
    );
}

pub fn values_for_case(case: &PreparedCase, matter: &Matter, input: &CaseDocInput) -> Values {
    let material_names = |id: &str| matter.material_name(id).unwrap_or(id).to_owned();
    let mut v = Values::default();
    fee_values(&mut v, matter, &input.agency);
    // The result (办结): today only a 即办件 completes at the counter; a
    // department's result arrives by sync and fills these in.
    let completed = case.status == CaseStatus::CompletedOnTheSpot;
    v.set(
        "completed_on_zh",
        if completed {
            // Completed on the spot on its acceptance day: the day of
            // receipt, or the day complete supplements arrived.
            date_zh(case.accepted_on.unwrap_or(case.received_on))
        } else {
            "—".into()
        },
    );
    v.set(
        "result",
        if completed {
            "准予办理（当场办结）"
        } else {
            "—"
        },
    );
    v.set(
        "result_detail",
        if completed {
            "相关证照或文书已当场交付申请人。"
        } else {
            "—"
        },
    );
    let a = &case.applicant;
    v.set("hall_name", &input.hall_name);
    v.set("agency", &input.agency);
    // Who signs (the seal area): the deciding agency; the 收件凭证, a
    // receipt of materials, is the hall's (set by the issuer).
    v.set("signer", &input.agency);
    v.set("doc_no", &input.doc_no);
    v.set("receipt_no", &input.receipt_no);
    v.set("applicant_name", &a.name);
    v.set("id_label", id_label(a));
    v.set("id_no", &a.id_no);
    v.set("id_masked", clerk_core::ids::mask_id(&a.id_no));
    v.set("phone", &a.phone);
    v.set(
        "address",
        if a.address.is_empty() {
            "—"
        } else {
            &a.address
        },
    );
    // Empty for a person: the template's line is then left out.
    v.set("legal_representative", &a.legal_representative);
    v.set(
        "agent",
        if a.agent_name.is_empty() {
            "—".to_owned()
        } else {
            format!(
                "{}（{}）",
                a.agent_name,
                clerk_core::ids::mask_id(&a.agent_id_no)
            )
        },
    );
    v.set("matter_name", &case.matter_name);
    v.set("matter_code", &case.matter_code);
    v.set("matter_version", case.matter_version.to_string());
    v.set("received_at", &input.received_at);
    v.set("received_on_zh", date_zh(case.received_on));
    v.set(
        "accepted_on_zh",
        case.accepted_on.map(date_zh).unwrap_or_else(|| "—".into()),
    );
    // A date worked out on the holiday law alone carries its mark; the
    // template's note (shown when `provisional_years` is set) explains it.
    let due = |d: Option<Date>| match d {
        Some(d) if case.is_provisional(d) => format!("{}（暂定）", date_zh(d)),
        Some(d) => date_zh(d),
        None => "—".into(),
    };
    v.set("promised_due_zh", due(case.promised_due));
    v.set("statutory_due_zh", due(case.statutory_due));
    v.set(
        "provisional_years",
        case.provisional_years
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join("、"),
    );
    v.set(
        "supply_by_zh",
        case.supply_by.map(date_zh).unwrap_or_else(|| "—".into()),
    );
    v.set("notice_deadline_zh", due(Some(case.notice_deadline)));
    // What the receipt promises: art. 32's five working days, or, for
    // 不动产登记, a decision on the spot (不动产登记暂行条例 art. 17).
    v.set(
        "notice_promise",
        match matter.intake_rule {
            clerk_core::catalogue::IntakeRule::Art32 => format!(
                "是否受理，将在五个工作日内（{}前）告知。",
                due(Some(case.notice_deadline))
            ),
            clerk_core::catalogue::IntakeRule::OnTheSpot => {
                "依照《不动产登记暂行条例》第十七条，是否受理当场书面告知；未当场书面告知不予受理的，视为受理。".to_owned()
            }
        },
    );
    v.set("issued_on_zh", date_zh(input.issued_on));
    v.set("window", &input.window);
    v.set("clerk", &input.clerk);
    v.set("reconsideration_body", &input.reconsideration_body);
    v.set("court", &input.court);
    v.set("supervision_phone", &input.supervision_phone);
    v.set("query_url", &input.query_url);
    v.set("verify_code", &input.verify_code);
    let (reason, basis, refer) = match &case.decision {
        DecisionForm::NotAccept {
            reason,
            refer_to,
            detail,
            legal_basis,
        } => (
            match reason {
                NotAcceptKind::NoLicenceRequired => "该事项依法不需要取得行政许可".to_owned(),
                NotAcceptKind::NotOurCompetence => {
                    format!("该申请事项不属于本机关职权范围，请向{refer_to}申请")
                }
                NotAcceptKind::ApplicantDeclinedSupplement => {
                    "申请人未按要求补正申请材料".to_owned()
                }
                NotAcceptKind::Other => detail.clone(),
            },
            legal_basis.clone(),
            refer_to.clone(),
        ),
        _ => ("—".into(), "—".into(), "—".into()),
    };
    v.set("reason", reason);
    v.set("legal_basis", basis);
    v.set("refer_to", refer);
    let received: Vec<String> = case
        .materials
        .iter()
        .filter(|m| m.received)
        .map(|m| {
            format!(
                "{}（{}{} 份）",
                material_names(&m.material_id),
                if m.original_seen {
                    "已验原件，"
                } else {
                    ""
                },
                m.copies
            )
        })
        .collect();
    v.lists.insert("materials".into(), received);
    let owed: Vec<String> = match &case.decision {
        DecisionForm::RequestSupplement { items } => items
            .iter()
            .map(|i| format!("{}：{}", material_names(&i.material_id), i.requirement))
            .collect(),
        _ => case.owed.clone(),
    };
    v.lists.insert("owed".into(), owed);
    lifecycle_values(&mut v, case);
    v.qr = format!(
        "{}?no={}&v={}",
        input.query_url, input.receipt_no, input.verify_code
    );
    v
}

/// What happened after intake (clerk-core `lifecycle`): the days of a
/// termination, a withdrawal and a delivery, and how the result went out.
fn lifecycle_values(v: &mut Values, case: &PreparedCase) {
    use clerk_core::lifecycle::{day_of, Event};
    let day = |code| {
        day_of(case, code)
            .map(date_zh)
            .unwrap_or_else(|| "—".into())
    };
    v.set("terminated_on_zh", day("terminate"));
    v.set("withdrawn_on_zh", day("withdraw"));
    v.set("delivered_on_zh", day("deliver"));
    let mut reason = "—".to_owned();
    let (mut ext_days, mut ext_reason, mut approver) =
        ("—".to_owned(), "—".to_owned(), "—".to_owned());
    let (mut procedure, mut procedure_reason, mut procedure_days) =
        ("—".to_owned(), "—".to_owned(), "—".to_owned());
    let (mut method, mut recipient, mut tracking, mut documents) = (
        "—".to_owned(),
        "—".to_owned(),
        String::new(),
        "—".to_owned(),
    );
    for r in &case.events {
        match &r.event {
            Event::Withdraw { reason: why } => reason = why.clone(),
            // The first special procedure: its notice is made once.
            Event::Pause {
                procedure: kind,
                reason: why,
                expected_days,
            } if procedure == "—" => {
                procedure = kind.zh().to_owned();
                procedure_reason = why.clone();
                procedure_days = expected_days.to_string();
            }
            Event::Extend {
                days,
                reason: why,
                approver_name,
                approved_by,
            } => {
                ext_days = days.to_string();
                ext_reason = why.clone();
                approver = if approver_name.is_empty() {
                    approved_by.clone()
                } else {
                    approver_name.clone()
                };
            }
            Event::Deliver {
                method: m,
                recipient: who,
                tracking_no,
                granted,
            } => {
                method = m.zh().to_owned();
                recipient = who.clone();
                tracking = tracking_no.clone();
                documents = if *granted {
                    "准予行政许可决定书及许可证件（或办理结果）".to_owned()
                } else {
                    "不予行政许可决定书".to_owned()
                };
            }
            _ => {}
        }
    }
    v.set("withdraw_reason", reason);
    v.set("extended_on_zh", day("extend"));
    v.set(
        "paused_on_zh",
        case.events
            .iter()
            .find(|r| r.event.code() == "pause")
            .map(|r| date_zh(r.on))
            .unwrap_or_else(|| "—".into()),
    );
    v.set("procedure", procedure);
    v.set("procedure_reason", procedure_reason);
    v.set("procedure_days", procedure_days);
    v.set("extension_days", ext_days);
    v.set("extension_reason", ext_reason);
    v.set("approver", approver);
    v.set("delivery_method", method);
    v.set("recipient", recipient);
    // Empty unless by post: the template prints the line only then.
    v.set("tracking_no", tracking);
    v.set("delivered_documents", documents);
}

/// Values for `clerkctl render --sample` and tests: a 食品经营许可 case.
pub fn sample_values(kind: &str) -> Values {
    let mut v = Values::default();
    for (k, val) in [
        ("hall_name", "保山市隆阳区政务服务中心"),
        ("agency", "保山市市场监督管理局"),
        ("signer", "保山市市场监督管理局"),
        ("doc_no", "保隆政服受字〔2026〕第K7QM-000123号"),
        ("receipt_no", "3205-K7QM-000123-H"),
        ("applicant_name", "李四"),
        ("id_label", "身份证件号码"),
        ("id_no", "530502199001011233"),
        ("id_masked", "5305**********1233"),
        ("phone", "13808720000"),
        ("address", "保山市隆阳区正阳南路8号"),
        ("agent", "—"),
        ("matter_name", "食品经营许可"),
        ("matter_code", "11530500MB1A27618NXK00001000000"),
        ("matter_version", "1"),
        ("received_at", "2026-03-02 09:14"),
        ("received_on_zh", "2026年3月2日"),
        ("accepted_on_zh", "2026年3月2日"),
        ("promised_due_zh", "2026年3月16日"),
        ("statutory_due_zh", "2026年3月30日"),
        ("supply_by_zh", "2026年3月9日"),
        ("notice_deadline_zh", "2026年3月9日"),
        (
            "notice_promise",
            "是否受理，将在五个工作日内（2026年3月9日前）告知。",
        ),
        ("issued_on_zh", "2026年3月2日"),
        ("window", "综合受理7号窗口"),
        ("clerk", "王芳"),
        ("reconsideration_body", "保山市人民政府"),
        ("court", "保山市隆阳区人民法院"),
        ("supervision_phone", "0875-2121234"),
        ("query_url", "https://zwfw.example.gov.cn/q"),
        ("verify_code", "7KQ2M9"),
        (
            "reason",
            "该申请事项不属于本机关职权范围，请向腾冲市市场监督管理局申请",
        ),
        (
            "legal_basis",
            "《中华人民共和国行政许可法》第三十二条第一款第（二）项",
        ),
        ("refer_to", "腾冲市市场监督管理局"),
        ("fee_total", "80.00 元（另有按条件收取的项目，见上）"),
        ("fee_payee", "保山市自然资源和规划局"),
        ("fee_law", "收费项目、标准及依据如下。"),
        ("completed_on_zh", "2026年3月2日"),
        ("result", "准予办理（当场办结）"),
        ("result_detail", "相关证照或文书已当场交付申请人。"),
        ("terminated_on_zh", "2026年3月10日"),
        ("withdrawn_on_zh", "2026年3月4日"),
        ("withdraw_reason", "申请人决定暂不经营"),
        ("extended_on_zh", "2026年3月25日"),
        ("paused_on_zh", "2026年3月10日"),
        ("procedure", "专家评审"),
        ("procedure_reason", "需组织专家对经营条件进行评审"),
        ("procedure_days", "15"),
        ("extension_days", "10"),
        ("extension_reason", "需对经营场所进行现场核查"),
        ("approver", "王主任"),
        ("delivered_on_zh", "2026年3月20日"),
        ("delivery_method", "邮寄送达"),
        ("recipient", "李四"),
        ("tracking_no", "SF1234567890"),
        (
            "delivered_documents",
            "准予行政许可决定书及许可证件（或办理结果）",
        ),
    ] {
        v.set(k, val);
    }
    v.lists.insert(
        "materials".into(),
        vec![
            "食品经营许可申请书（已验原件，1 份）".into(),
            "营业执照或其他主体资格证明文件（1 份）".into(),
            "法定代表人（负责人）身份证明（1 份）".into(),
        ],
    );
    let owed = if kind == "supplement_notice" {
        vec![
            "食品安全管理制度目录：请提交加盖公章的原件".into(),
            "主要设备设施布局、操作流程等文件：请提交".into(),
        ]
    } else {
        vec!["食品安全管理制度目录".into()]
    };
    v.lists.insert("owed".into(), owed);
    v.lists.insert(
        "fees".into(),
        vec![
            "不动产登记费（住宅）：80.00 元/每件（依据：发改价格规〔2016〕2559号）".into(),
            "证书工本费（第二本起）：申请人需要第二本及以上不动产权属证书的，每增加一本，10.00 元/每本（依据：发改价格规〔2016〕2559号；未计入合计）".into(),
        ],
    );
    v.qr = "https://zwfw.example.gov.cn/q?no=3205-K7QM-000123-H&v=7KQ2M9".into();
    v
}
