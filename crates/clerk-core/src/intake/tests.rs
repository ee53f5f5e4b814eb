use super::*;
use crate::ids::citizen_id_check_char;
use crate::SAMPLE_CATALOGUE_JSON;

const FOOD: &str = "11530500MB1A27618NXK00001000000"; // 食品经营许可, m4 容缺, 10 working days
const SOLE: &str = "11530500MB1A27618NXK00002000000"; // 个体工商户设立登记, 即办件, persons only
const LLC: &str = "11530500MB1A27618NXK00003000000"; // 企业设立登记, organisations only

fn id(body: &str) -> String {
    format!("{body}{}", citizen_id_check_char(body).unwrap())
}

fn d(s: &str) -> Date {
    Date::parse_iso(s).unwrap()
}

struct World {
    cat: Catalogue,
    cal: WorkCalendar,
}

impl World {
    fn new() -> Self {
        World {
            cat: Catalogue::parse(SAMPLE_CATALOGUE_JSON).unwrap(),
            cal: WorkCalendar::bundled(),
        }
    }
    fn cx(&self, today: &str) -> IntakeContext<'_> {
        IntakeContext {
            catalogue: &self.cat,
            calendar: &self.cal,
            today: d(today),
            start_day: StartDay::DayZero,
        }
    }
    fn form(&self, matter: &str, missing: &[&str], decision: DecisionForm) -> IntakeForm {
        let m = self.cat.matter(matter).unwrap();
        IntakeForm {
            matter_code: matter.into(),
            matter_version: self.cat.version,
            applicant: person(),
            materials: m
                .materials
                .iter()
                .map(|x| MaterialCheck {
                    material_id: x.id.clone(),
                    received: !missing.contains(&x.id.as_str()),
                    original_seen: true,
                    copies: x.copies,
                })
                .collect(),
            decision,
        }
    }
}

fn person() -> ApplicantForm {
    ApplicantForm {
        kind: ApplicantKind::Person,
        name: " 李四 ".into(),
        id_no: id("53050219900101123").to_lowercase(),
        phone: "138 0872 0000".into(),
        address: "保山市隆阳区正阳南路".into(),
        ..Default::default()
    }
}

fn fields(r: Result<PreparedCase, Vec<FieldError>>) -> Vec<String> {
    r.expect_err("expected errors")
        .into_iter()
        .map(|e| e.field)
        .collect()
}

#[test]
fn food_licence_with_one_gap_is_accepted_with_dates() {
    let w = World::new();
    let f = w.form(
        FOOD,
        &["m4"],
        DecisionForm::AcceptWithGaps {
            supply_by: "2026-03-09".into(),
            commitment_signed: true,
        },
    );
    let c = prepare(&f, &w.cx("2026-03-02")).unwrap();
    assert_eq!(c.status, CaseStatus::AcceptedWithGaps);
    assert_eq!(c.applicant.name, "李四", "trimmed");
    assert!(
        c.applicant
            .id_no
            .ends_with(|ch: char| ch.is_ascii_digit() || ch == 'X'),
        "upper case"
    );
    assert_eq!(c.applicant.phone, "13808720000");
    assert_eq!(c.accepted_on, Some(d("2026-03-02")));
    assert_eq!(c.promised_due, Some(d("2026-03-16")), "10 working days");
    assert_eq!(c.supply_by, Some(d("2026-03-09")));
    assert_eq!(c.owed.len(), 1);
    assert_eq!(c.notice_deadline, d("2026-03-09"));
    assert!(c.statutory_due.unwrap() >= c.promised_due.unwrap());
}

#[test]
fn every_problem_is_reported_on_its_field() {
    let w = World::new();
    let mut f = w.form(
        FOOD,
        &["m4"],
        DecisionForm::AcceptWithGaps {
            supply_by: "2026-04-30".into(),
            commitment_signed: false,
        },
    );
    f.applicant.name = "  ".into();
    f.applicant.id_no = "530502199001011230".into(); // wrong check digit (unless it happens to be 0)
    f.applicant.phone = "12345".into();
    let errs = prepare(&f, &w.cx("2026-03-02")).unwrap_err();
    let got: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert!(got.contains(&"applicant.name"), "{got:?}");
    assert!(got.contains(&"applicant.phone"), "{got:?}");
    assert!(got.contains(&"decision.supply_by"), "{got:?}");
    if id("53050219900101123") != "530502199001011230" {
        let e = errs.iter().find(|e| e.field == "applicant.id_no").unwrap();
        assert!(e.zh.contains("校验位"), "{}", e.zh);
        assert!(e.en.contains("check"), "{}", e.en);
    }
    for e in &errs {
        assert!(!e.zh.is_empty() && !e.en.is_empty());
    }
}

#[test]
fn decisions_table() {
    let w = World::new();
    let gaps = |date: &str, signed| DecisionForm::AcceptWithGaps {
        supply_by: date.into(),
        commitment_signed: signed,
    };
    let refuse = |reason, refer: &str, basis: &str| DecisionForm::NotAccept {
        reason,
        refer_to: refer.into(),
        detail: String::new(),
        legal_basis: basis.into(),
    };
    type Case = (
        &'static str,
        &'static [&'static str],
        DecisionForm,
        Result<CaseStatus, &'static str>,
    );
    let table: Vec<Case> = vec![
        (FOOD, &[], DecisionForm::Accept, Ok(CaseStatus::Accepted)),
        (
            FOOD,
            &["m6"],
            DecisionForm::Accept,
            Ok(CaseStatus::Accepted),
        ), // optional material
        (FOOD, &["m4"], DecisionForm::Accept, Err("materials")),
        (FOOD, &["m1"], gaps("2026-03-09", true), Err("materials")), // m1 is not 容缺
        (
            FOOD,
            &["m4"],
            gaps("2026-03-09", false),
            Err("decision.commitment_signed"),
        ),
        (
            FOOD,
            &["m4"],
            gaps("2026-03-17", true),
            Err("decision.supply_by"),
        ), // after the promised limit
        (
            FOOD,
            &["m4"],
            gaps("2026-03-01", true),
            Err("decision.supply_by"),
        ), // in the past
        (
            FOOD,
            &["m4"],
            gaps("3月9日", true),
            Err("decision.supply_by"),
        ),
        (FOOD, &[], gaps("2026-03-09", true), Err("materials")), // nothing missing
        (
            FOOD,
            &["m1", "m4"],
            DecisionForm::RequestSupplement {
                items: vec![SupplementItem {
                    material_id: "m1".into(),
                    requirement: String::new(),
                }],
            },
            Err("decision.items"), // m4 not listed: not one-time
        ),
        (
            FOOD,
            &["m1", "m4"],
            DecisionForm::RequestSupplement {
                items: vec![
                    SupplementItem {
                        material_id: "m1".into(),
                        requirement: String::new(),
                    },
                    SupplementItem {
                        material_id: "m4".into(),
                        requirement: "须加盖公章".into(),
                    },
                ],
            },
            Ok(CaseStatus::SupplementRequested),
        ),
        (
            FOOD,
            &[],
            refuse(NotAcceptKind::NotOurCompetence, "", "行政许可法第三十二条"),
            Err("decision.refer_to"),
        ),
        (
            FOOD,
            &[],
            refuse(NotAcceptKind::NotOurCompetence, "腾冲市市场监督管理局", " "),
            Err("decision.legal_basis"),
        ),
        (
            FOOD,
            &[],
            refuse(
                NotAcceptKind::NotOurCompetence,
                "腾冲市市场监督管理局",
                "行政许可法第三十二条第一款第二项",
            ),
            Ok(CaseStatus::NotAccepted),
        ),
        (FOOD, &[], DecisionForm::CompleteOnTheSpot, Err("decision")),
        (
            SOLE,
            &[],
            DecisionForm::CompleteOnTheSpot,
            Ok(CaseStatus::CompletedOnTheSpot),
        ),
        (
            SOLE,
            &["m1"],
            DecisionForm::CompleteOnTheSpot,
            Err("materials"),
        ),
        (LLC, &[], DecisionForm::Accept, Err("applicant.kind")), // a person cannot found an LLC here
    ];
    for (i, (matter, missing, decision, want)) in table.into_iter().enumerate() {
        let r = prepare(&w.form(matter, missing, decision), &w.cx("2026-03-02"));
        match want {
            Ok(status) => assert_eq!(r.map(|c| c.status), Ok(status), "row {i}"),
            Err(field) => assert!(
                fields(r.clone()).contains(&field.to_owned()),
                "row {i}: {:?}",
                r.err()
            ),
        }
    }
}

#[test]
fn material_errors_name_the_material_not_its_id() {
    let w = World::new();
    let errs = prepare(
        &w.form(FOOD, &["m4"], DecisionForm::Accept),
        &w.cx("2026-03-02"),
    )
    .unwrap_err();
    let e = errs.iter().find(|e| e.field == "materials").unwrap();
    assert!(
        e.zh.contains("「食品安全管理制度目录」") && !e.zh.contains("m4"),
        "{}",
        e.zh
    );
}

#[test]
fn supplement_notice_lists_names_and_default_requirements() {
    let w = World::new();
    let f = w.form(
        FOOD,
        &["m2"],
        DecisionForm::RequestSupplement {
            items: vec![SupplementItem {
                material_id: "m2".into(),
                requirement: " ".into(),
            }],
        },
    );
    let c = prepare(&f, &w.cx("2026-03-02")).unwrap();
    let DecisionForm::RequestSupplement { items } = &c.decision else {
        panic!()
    };
    assert!(
        items[0].requirement.starts_with("请提交："),
        "{}",
        items[0].requirement
    );
    assert_eq!(c.owed.len(), 1);
    assert_eq!(c.promised_due, None);
    assert_eq!(c.accepted_on, None);
}

#[test]
fn organisations_need_a_valid_uscc_and_an_agent() {
    let w = World::new();
    let mut f = w.form(LLC, &[], DecisionForm::Accept);
    f.applicant = ApplicantForm {
        kind: ApplicantKind::Organisation,
        name: "保山市某某有限公司".into(),
        id_no: "91530500MA6K0000X0".into(),
        phone: "0875-2123456".into(),
        ..Default::default()
    };
    let got = fields(prepare(&f, &w.cx("2026-03-02")));
    assert!(got.contains(&"applicant.id_no".to_owned()), "{got:?}");
    assert!(got.contains(&"applicant.agent_name".to_owned()), "{got:?}");
    assert!(got.contains(&"applicant.agent_id_no".to_owned()), "{got:?}");
    assert!(
        !got.contains(&"applicant.phone".to_owned()),
        "a landline with area code is fine"
    );
}

#[test]
fn unknown_matter_and_stale_version() {
    let w = World::new();
    let mut f = w.form(FOOD, &[], DecisionForm::Accept);
    f.matter_version = 0;
    assert_eq!(fields(prepare(&f, &w.cx("2026-03-02"))), vec!["matter"]);
    f.matter_code = "NOPE".into();
    assert_eq!(fields(prepare(&f, &w.cx("2026-03-02"))), vec!["matter"]);
}

#[test]
fn a_year_without_its_schedule_gives_provisional_dates_not_a_refusal() {
    let w = World::new();
    let f = w.form(FOOD, &[], DecisionForm::Accept);
    // issue #11: from 2026-12-04 a 20-working-day matter was refused.
    let c = prepare(&f, &w.cx("2026-12-20")).unwrap();
    assert_eq!(c.provisional_years, [2027]);
    assert_eq!(c.notice_deadline, d("2026-12-25"));
    assert!(!c.is_provisional(c.notice_deadline), "within 2026: final");
    let promised = c.promised_due.unwrap();
    assert!(promised.year() == 2027 && c.is_provisional(promised));
    // The same intake in a year fully covered is final and keeps the old body.
    let c = prepare(&f, &w.cx("2026-03-02")).unwrap();
    assert!(c.provisional_years.is_empty());
    assert!(!serde_json::to_string(&c).unwrap().contains("provisional"));
    // A year the law cannot answer still blocks, naming the year.
    let errs = prepare(&f, &w.cx("2050-12-30")).unwrap_err();
    assert!(errs.iter().any(|e| e.zh.contains("2051")), "{errs:?}");
}

#[test]
fn recomputing_when_the_schedule_arrives_says_what_moved() {
    let mut w = World::new();
    let f = w.form(FOOD, &[], DecisionForm::Accept);
    let mut c = prepare(&f, &w.cx("2026-12-20")).unwrap();
    let before = (c.notice_deadline, c.promised_due, c.statutory_due);
    // A made-up 2027 schedule (test data, not the official one): 4 Jan off.
    let mut holidays: Vec<String> = crate::calendar::law_holidays(2027)
        .unwrap()
        .iter()
        .map(|(d, _)| format!("[\"{d}\", \"{d}\", \"\"]"))
        .collect();
    holidays.push("[\"2027-01-04\", \"2027-01-04\", \"\"]".into());
    let y = crate::calendar::YearSchedule::parse(&format!(
        "{{\"format\": 1, \"year\": 2027, \"source\": \"测试\", \"holidays\": [{}], \"make_up_workdays\": []}}",
        holidays.join(",")
    ))
    .unwrap();
    w.cal.add_year(y);
    let m = w.cat.matter(FOOD).unwrap().clone();
    let moved = c.recompute_dates(&m, &w.cal, StartDay::DayZero).unwrap();
    assert!(c.provisional_years.is_empty());
    assert_eq!(
        c.notice_deadline, before.0,
        "the notice deadline was in 2026"
    );
    let p = before.1.unwrap();
    let new = c.promised_due.unwrap();
    assert!(
        new > p,
        "one more day off in 2027 moves the promised date later"
    );
    assert!(moved.contains(&("promised_due", p, new)), "{moved:?}");
    assert!(moved.iter().all(|(_, old, new)| old != new));
    // Nothing moves a second time.
    assert!(c
        .recompute_dates(&m, &w.cal, StartDay::DayZero)
        .unwrap()
        .is_empty());
}

#[test]
fn phones() {
    for ok in [
        "13808720000",
        "138-0872-0000",
        "0875-2123456",
        "08752123456",
        "010-12345678",
    ] {
        assert!(phone_ok(ok), "{ok}");
    }
    for bad in [
        "",
        "1380872000",
        "23808720000",
        "0875",
        "1380872000a",
        "+8613808720000",
    ] {
        assert!(!phone_ok(bad), "{bad}");
    }
}

#[test]
fn form_json_shape_is_stable() {
    let w = World::new();
    let f = w.form(SOLE, &[], DecisionForm::CompleteOnTheSpot);
    let v = serde_json::to_value(&f).unwrap();
    assert_eq!(
        v["decision"],
        serde_json::json!({"kind": "complete_on_the_spot"})
    );
    let back: IntakeForm = serde_json::from_value(v).unwrap();
    assert_eq!(back, f);
}

#[test]
fn documents_follow_the_decision_and_the_catalogue() {
    use crate::catalogue::DocumentKind as D;
    let w = World::new();
    let food = w.cat.matter(FOOD).unwrap();
    assert_eq!(
        documents_for(CaseStatus::AcceptedWithGaps, food),
        vec![D::Receipt, D::GapAcceptanceNotice]
    );
    assert_eq!(
        documents_for(CaseStatus::NotAccepted, food),
        vec![D::Receipt, D::NonAcceptanceNotice]
    );
    assert_eq!(
        documents_for(CaseStatus::SupplementRequested, food),
        vec![D::Receipt, D::SupplementNotice]
    );
    assert_eq!(
        documents_for(CaseStatus::Accepted, food),
        vec![D::Receipt, D::AcceptanceNotice]
    );
    // A matter that charges a fee issues the fee notice once accepted, and
    // never before a decision to accept.
    let paid = w.cat.matters.iter().find(|m| m.fee.charged()).unwrap();
    assert_eq!(
        documents_for(CaseStatus::Accepted, paid),
        vec![D::Receipt, D::AcceptanceNotice, D::FeeNotice]
    );
    assert_eq!(
        documents_for(CaseStatus::SupplementRequested, paid),
        vec![D::Receipt, D::SupplementNotice]
    );
    // 即办件 completed at the counter: the result notice.
    let instant = w
        .cat
        .matters
        .iter()
        .find(|m| m.case_kind == crate::catalogue::CaseKind::Instant)
        .unwrap();
    assert_eq!(
        documents_for(CaseStatus::CompletedOnTheSpot, instant),
        vec![D::Receipt, D::ResultNotice]
    );
}

/// The form offers what the matter allows, core refuses the rest: an
/// instant matter is never "accepted" with no dates (only the UI refused
/// that before), 容缺 is offered only where a material may be missing, and
/// the missing list follows the ticks in the matter's order.
#[test]
fn allowed_decisions_and_the_missing_list_come_from_the_matter() {
    use DecisionKind as K;
    let w = World::new();
    let instant = w
        .cat
        .matters
        .iter()
        .find(|m| m.case_kind == CaseKind::Instant)
        .unwrap();
    assert_eq!(
        allowed_decisions(instant),
        vec![K::CompleteOnTheSpot, K::RequestSupplement, K::NotAccept]
    );
    let food = w.cat.matter(FOOD).unwrap();
    assert_eq!(
        allowed_decisions(food),
        vec![
            K::Accept,
            K::AcceptWithGaps,
            K::RequestSupplement,
            K::NotAccept
        ]
    );
    let mut no_gaps = food.clone();
    no_gaps
        .materials
        .iter_mut()
        .for_each(|m| m.may_be_missing = false);
    assert!(!allowed_decisions(&no_gaps).contains(&K::AcceptWithGaps));

    // An instant matter "accepted" or "accepted with gaps": refused.
    for decision in [
        DecisionForm::Accept,
        DecisionForm::AcceptWithGaps {
            supply_by: "2026-03-03".into(),
            commitment_signed: true,
        },
    ] {
        let f = w.form(&instant.code, &[], decision);
        let errs = prepare(&f, &w.cx("2026-03-02")).unwrap_err();
        let e = errs
            .iter()
            .find(|e| e.field == "decision")
            .expect("a decision error");
        assert_eq!(e.zh, "即办件须当场办结，不能按承诺件受理");
    }
    assert!(prepare(
        &w.form(&instant.code, &[], DecisionForm::CompleteOnTheSpot),
        &w.cx("2026-03-02")
    )
    .is_ok());

    // The missing list: required materials not ticked, optional ones never.
    let f = w.form(FOOD, &["m6", "m4", "m2"], DecisionForm::Accept);
    let missing: Vec<&str> = missing_materials(food, &f.materials)
        .iter()
        .map(|m| m.id.as_str())
        .collect();
    assert_eq!(missing, ["m2", "m4"]);
    // The 容缺 date: the promised limit from today; none for an instant matter.
    let latest = crate::case::latest_supply_by(food, &w.cal, d("2026-03-02"), StartDay::DayZero)
        .unwrap()
        .unwrap();
    assert_eq!(
        latest,
        w.cal
            .due_date(d("2026-03-02"), food.promised_limit, StartDay::DayZero)
            .unwrap()
    );
    assert!(
        crate::case::latest_supply_by(instant, &w.cal, d("2026-03-02"), StartDay::DayZero)
            .is_none()
    );
}

/// Text that cannot be kept (NUL and other control characters) is refused
/// on its field, before anything else is said of it: in the applicant, in
/// the decision's texts and in a later edit. Line breaks are fine where a
/// text runs over lines.
#[test]
fn control_characters_are_refused_on_their_field() {
    let w = World::new();
    let cx = w.cx("2026-03-02");
    for (field, bad) in [
        ("applicant.name", "李\0四"),
        ("applicant.address", "隆阳区\u{1b}[31m"),
        ("applicant.phone", "138\u{7}08720000"),
    ] {
        let mut f = w.form(FOOD, &[], DecisionForm::Accept);
        match field {
            "applicant.name" => f.applicant.name = bad.into(),
            "applicant.address" => f.applicant.address = bad.into(),
            _ => f.applicant.phone = bad.into(),
        }
        let errs = prepare(&f, &cx).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].field, field);
        assert!(errs[0].zh.contains("控制字符"), "{}", errs[0].zh);
    }
    let refuse = |detail: &str| DecisionForm::NotAccept {
        reason: NotAcceptKind::Other,
        refer_to: String::new(),
        detail: detail.into(),
        legal_basis: "《中华人民共和国行政许可法》第三十二条".into(),
    };
    let errs = prepare(&w.form(FOOD, &[], refuse("理由\0")), &cx).unwrap_err();
    assert_eq!(errs[0].field, "decision.detail");
    assert!(prepare(&w.form(FOOD, &[], refuse("第一行\n第二行")), &cx).is_ok());
    assert!(text_ok("第一行\n第二行", true) && !text_ok("第一行\n第二行", false));
    assert!(!text_ok("\u{0}", true) && !text_ok("\u{85}", true));
    let e = crate::edit::normalise("applicant.address", "保山\0").unwrap_err();
    assert_eq!(e.field, "applicant.address");
}

#[test]
fn the_platform_recheck_takes_a_true_case_and_names_what_was_forged() {
    let w = World::new();
    let f = w.form(
        FOOD,
        &["m4"],
        DecisionForm::AcceptWithGaps {
            supply_by: "2026-03-09".into(),
            commitment_signed: true,
        },
    );
    let cx = w.cx("2026-12-02"); // the platform's today: recheck uses the case's day
    let c = prepare(&f, &w.cx("2026-03-02")).unwrap();
    assert_eq!(recheck(&c, &cx), Ok(()));
    assert_eq!(recheck_without_catalogue(&c), Ok(()));
    let names = |r: Result<(), Vec<FieldError>>| -> Vec<String> {
        r.unwrap_err().into_iter().map(|e| e.field).collect()
    };
    // Issue #13's findings, one row each.
    type Forge = Box<dyn Fn(&mut PreparedCase)>;
    let forged: Vec<(&str, Forge, &str)> = vec![
        (
            "check digit",
            Box::new(|c| {
                let last = if c.applicant.id_no.ends_with('0') {
                    "1"
                } else {
                    "0"
                };
                c.applicant.id_no = format!("{}{last}", &c.applicant.id_no[..17]);
            }),
            "applicant.id_no",
        ),
        (
            "approved at once",
            Box::new(|c| c.status = CaseStatus::CompletedOnTheSpot),
            "status",
        ),
        (
            "a later deadline",
            Box::new(|c| c.promised_due = Some(d("2026-06-01"))),
            "promised_due",
        ),
        (
            "a material ticked that the decision says is owed",
            Box::new(|c| c.owed.clear()),
            "decision",
        ),
        (
            "NUL in the name",
            Box::new(|c| c.applicant.name = "李\u{0}四".into()),
            "applicant.name",
        ),
        (
            "a stray material",
            Box::new(|c| {
                c.materials.push(MaterialCheck {
                    material_id: "m99".into(),
                    received: true,
                    original_seen: true,
                    copies: 1,
                })
            }),
            "materials",
        ),
    ];
    for (what, forge, field) in forged {
        let mut bad = c.clone();
        forge(&mut bad);
        let got = names(recheck(&bad, &cx));
        assert!(got.iter().any(|f| f == field), "{what}: {got:?}");
    }
    // Without the catalogue: the applicant and the status still count.
    let mut bad = c.clone();
    bad.status = CaseStatus::Withdrawn;
    bad.applicant.phone = "12".into();
    let got = names(recheck_without_catalogue(&bad));
    assert!(
        got.contains(&"status".to_string()) && got.contains(&"applicant.phone".to_string()),
        "{got:?}"
    );
}

#[test]
fn the_recheck_lets_law_only_dates_move() {
    let mut w = World::new();
    let f = w.form(FOOD, &[], DecisionForm::Accept);
    // The window had no 2027 schedule; the platform has one since.
    let c = prepare(&f, &w.cx("2026-12-20")).unwrap();
    assert_eq!(c.provisional_years, [2027]);
    let mut holidays: Vec<String> = crate::calendar::law_holidays(2027)
        .unwrap()
        .iter()
        .map(|(d, _)| format!("[\"{d}\", \"{d}\", \"\"]"))
        .collect();
    holidays.push("[\"2027-01-04\", \"2027-01-04\", \"\"]".into());
    w.cal.add_year(
        crate::calendar::YearSchedule::parse(&format!(
            "{{\"format\": 1, \"year\": 2027, \"source\": \"测试\", \"holidays\": [{}], \"make_up_workdays\": []}}",
            holidays.join(",")
        ))
        .unwrap(),
    );
    assert_eq!(recheck(&c, &w.cx("2027-01-10")), Ok(()));
    // A final case whose dates differ is refused.
    let mut c = prepare(&f, &w.cx("2026-03-02")).unwrap();
    c.statutory_due = c.statutory_due.map(|d| d.add_days(30));
    assert_eq!(
        recheck(&c, &w.cx("2026-03-02")).unwrap_err()[0].field,
        "promised_due"
    );
}

/// 不动产登记暂行条例 art. 17: a real-estate registration is told on the
/// spot what is missing; a supplement notice the next day comes too late
/// (the application counts as accepted), and says so with the article.
#[test]
fn real_estate_registration_is_decided_on_the_spot() {
    use crate::case::{
        decide, CaseStatus, Decision, DecisionError, Facts, MaterialCheck, SupplementItem,
    };
    let cat = Catalogue::parse(crate::SAMPLE_CATALOGUE_JSON).unwrap();
    let m = cat
        .matters
        .iter()
        .find(|m| m.name == "国有建设用地使用权及房屋所有权转移登记")
        .unwrap();
    assert_eq!(m.notice_working_days(), 0);
    let cal = WorkCalendar::bundled();
    let mats: Vec<MaterialCheck> = m
        .materials
        .iter()
        .map(|x| MaterialCheck {
            material_id: x.id.clone(),
            received: x.id != m.materials[0].id,
            original_seen: true,
            copies: 1,
        })
        .collect();
    let d = |s: &str| Date::parse_iso(s).unwrap();
    let notice = Decision::RequestSupplement {
        items: vec![SupplementItem {
            material_id: m.materials[0].id.clone(),
            requirement: "请提交".into(),
        }],
    };
    let facts = |today: &str| Facts {
        matter: m,
        materials: &mats,
        received_on: d("2026-03-02"),
        today: d(today),
        calendar: &cal,
        start_day: StartDay::DayZero,
    };
    assert_eq!(
        decide(CaseStatus::Received, &notice, &facts("2026-03-02")),
        Ok(CaseStatus::SupplementRequested)
    );
    let late = decide(CaseStatus::Received, &notice, &facts("2026-03-03")).unwrap_err();
    assert_eq!(
        late,
        DecisionError::NoticePeriodOver {
            deadline: d("2026-03-02"),
            received_on: d("2026-03-02")
        }
    );
    assert!(late.zh().contains("第十七条"), "{}", late.zh());
}

/// Issue #14: a person may show a passport or a travel permit instead of
/// the 18-character number; each is checked by its own form, and the
/// error names the document.
#[test]
fn a_person_may_apply_with_a_passport_or_a_travel_permit() {
    use crate::ids::IdDocType;
    let today = Date::parse_iso("2026-03-02").unwrap();
    let person = |t: IdDocType, no: &str| ApplicantForm {
        name: "AUNG KYAW".into(),
        id_type: t,
        id_no: no.into(),
        phone: "13808720000".into(),
        ..Default::default()
    };
    let (n, errs) = check_applicant(&person(IdDocType::Passport, "ma 1234567"), None, today);
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(n.id_no, "MA1234567");
    let (_, errs) = check_applicant(&person(IdDocType::Passport, "1234"), None, today);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].field, "applicant.id_no");
    assert!(errs[0].zh.starts_with("护照号码有误"), "{}", errs[0].zh);
    let (_, errs) = check_applicant(&person(IdDocType::TaiwanPermit, "12345678"), None, today);
    assert!(errs.is_empty(), "{errs:?}");
    // The default stays the 18-character number with its check.
    let (_, errs) = check_applicant(&person(IdDocType::CitizenNumber, "E12345678"), None, today);
    assert_eq!(errs[0].field, "applicant.id_no");
}
