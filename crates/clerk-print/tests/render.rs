//! Every document type, rendered and read back with poppler-utils.

use std::process::Command;

use clerk_print::{load_template, render, sample_values, Font, Marking, PrintError, KINDS};

fn font() -> Font {
    Font::default_font().expect("fonts-noto-cjk is installed by `cargo xtask setup`")
}

fn poppler(tool: &str, pdf: &std::path::Path) -> String {
    let out = Command::new(tool).arg(pdf).output();
    let out = out.unwrap_or_else(|e| panic!("{tool} (poppler-utils) is needed: {e}"));
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn pdftotext(pdf: &std::path::Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_document_type_renders_with_extractable_text_and_a_subset_font() {
    let dir = tempfile::tempdir().unwrap();
    let f = font();
    for (kind, title) in KINDS {
        let t = load_template(kind, None).unwrap();
        let v = sample_values(kind);
        let pdf = render(&t, &v, &f, Marking::Original).unwrap();
        assert!(
            pdf.len() <= 200 * 1024,
            "{kind}: {} bytes (≤ 200 KB per page)",
            pdf.len()
        );
        let path = dir.path().join(format!("{kind}.pdf"));
        std::fs::write(&path, &pdf).unwrap();
        let text: String = pdftotext(&path)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let short_title: String = title.chars().take_while(|c| *c != '（').collect();
        for want in [
            short_title.as_str(),
            "李四",
            "3205-K7QM-000123-H",
            "2026年3月",
            "保山市隆阳区政务服务中心",
        ] {
            assert!(
                text.contains(want),
                "{kind}: {want:?} not in the text layer: {text}"
            );
        }
        let fonts = poppler("pdffonts", &path);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{kind}: no fonts");
        for r in rows {
            let cols: Vec<&str> = r.split_whitespace().collect();
            // name type… encoding emb sub uni
            let n = cols.len();
            assert_eq!(
                (cols[n - 5], cols[n - 4]),
                ("yes", "yes"),
                "{kind}: font not embedded and subset: {r}"
            );
            assert!(cols[0].contains('+'), "{kind}: subset prefix: {r}");
        }
    }
}

#[test]
fn legal_content_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let f = font();
    let text = |kind: &str| {
        let pdf = render(
            &load_template(kind, None).unwrap(),
            &sample_values(kind),
            &f,
            Marking::Original,
        )
        .unwrap();
        let p = dir.path().join(format!("{kind}.pdf"));
        std::fs::write(&p, pdf).unwrap();
        pdftotext(&p)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
    };
    let refusal = text("non_acceptance_notice");
    for want in [
        "六十日内向保山市人民政府申请行政复议",
        "自收到本通知书之日起六个月内向保山市隆阳区人民法院提起行政诉讼",
        "腾冲市市场监督管理局",
        "第三十二条",
    ] {
        assert!(refusal.contains(want), "{want}: {refusal}");
    }
    let notice = text("supplement_notice");
    assert!(
        notice.contains("一次性告知")
            && notice.contains("1.食品安全管理制度目录")
            && notice.contains("2.主要设备"),
        "{notice}"
    );
    let gaps = text("gap_acceptance_notice");
    assert!(
        gaps.contains("容缺受理承诺书") && gaps.contains("2026年3月9日前补齐"),
        "{gaps}"
    );
    let acc = text("acceptance_notice");
    assert!(
        acc.contains("2026年3月16日") && acc.contains("2026年3月30日"),
        "{acc}"
    );
    assert!(
        acc.contains("5305**********1233") && !acc.contains("530502199001011233"),
        "ID masked"
    );
}

/// Every template that tells the applicant of their remedies says where
/// the periods come from (data, not printed), and prints the lawsuit
/// period from receipt of the notice (行政诉讼法 art. 46).
#[test]
fn notices_stating_remedies_cite_the_law_of_their_periods() {
    let mut stating = 0;
    for (kind, _) in clerk_print::KINDS {
        let t = clerk_print::load_template(kind, None).unwrap();
        let text = clerk_print::bundled_template(kind).unwrap();
        if !text.contains("行政诉讼") {
            continue;
        }
        stating += 1;
        assert!(
            text.contains("自收到本通知书之日起六个月内"),
            "{kind}: the lawsuit period from receipt"
        );
        assert!(
            t.sources
                .iter()
                .any(|s| s.contains("行政诉讼法》第四十六条"))
                && t.sources.iter().any(|s| s.contains("行政复议法")),
            "{kind}: {:?}",
            t.sources
        );
    }
    assert!(stating >= 2, "the refusal and the result notice");
}

#[test]
fn preview_and_copy_are_marked() {
    let dir = tempfile::tempdir().unwrap();
    let f = font();
    let t = load_template("acceptance_notice", None).unwrap();
    for (m, want) in [(Marking::Preview, "预览无效"), (Marking::Copy, "副本")] {
        let p = dir.path().join("m.pdf");
        std::fs::write(
            &p,
            render(&t, &sample_values("acceptance_notice"), &f, m).unwrap(),
        )
        .unwrap();
        let s: String = pdftotext(&p)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert!(s.contains(want), "{m:?}: {s}");
    }
}

#[test]
fn a_rare_character_the_font_lacks_fails_loudly() {
    let f = font();
    let mut v = sample_values("receipt");
    // U+2EBF0 (Extension I, 2023: the public-security register characters):
    // not in the 2022 Noto CJK fonts.
    v.set("applicant_name", "李\u{2EBF0}");
    match render(
        &load_template("receipt", None).unwrap(),
        &v,
        &f,
        Marking::Original,
    ) {
        Err(PrintError::MissingGlyph { ch, field, .. }) => {
            assert_eq!(ch, '\u{2EBF0}');
            assert_eq!(field, "applicant_name");
        }
        other => panic!(
            "expected a missing-glyph error, got {:?}",
            other.map(|b| b.len())
        ),
    }
    // 䶮 (U+4DAE, Extension A, in names) is covered.
    v.set("applicant_name", "刘䶮");
    assert!(render(
        &load_template("receipt", None).unwrap(),
        &v,
        &f,
        Marking::Original
    )
    .is_ok());
}

#[test]
fn a_hall_template_overrides_the_bundled_one_and_bad_ones_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut t: serde_json::Value =
        serde_json::from_str(clerk_print::bundled_template("receipt").unwrap()).unwrap();
    t["title"] = "材料接收凭证".into();
    std::fs::write(dir.path().join("receipt.json"), t.to_string()).unwrap();
    assert_eq!(
        load_template("receipt", Some(dir.path())).unwrap().title,
        "材料接收凭证"
    );
    std::fs::write(dir.path().join("receipt.json"), "{\"format\": 2}").unwrap();
    assert!(load_template("receipt", Some(dir.path())).is_err());
    let mut t = load_template("receipt", None).unwrap();
    t.blocks.push(clerk_print::Block::Text {
        text: "{no_such_value}".into(),
        align: Default::default(),
        size: None,
        indent: 0,
        bold: false,
        when: None,
    });
    assert!(
        matches!(render(&t, &sample_values("receipt"), &font(), Marking::Original), Err(PrintError::MissingValue(k)) if k == "no_such_value")
    );
}

/// A notice made days after the receipt is dated the day it is made; the
/// receipt date it cites stays the day of receipt (issue #14).
#[test]
fn a_notice_is_dated_the_day_it_is_issued() {
    let cat = clerk_core::catalogue::Catalogue::parse(clerk_core::SAMPLE_CATALOGUE_JSON).unwrap();
    let issuer = clerk_print::Issuer::new(font());
    let dir = tempfile::tempdir().unwrap();
    let m = &cat.matters[0];
    let case = case_for(&cat, m, 0, 7);
    let later = clerk_print::CaseDocInput {
        issued_on: clerk_core::date::Date::parse_iso("2026-03-05").unwrap(),
        ..input("3205-K7QM-000100-H")
    };
    let made = issuer.make(&case, m, &later, &[]).unwrap();
    let notice = made
        .iter()
        .find(|d| d.kind != "receipt" && !d.kind.starts_with("receipt"))
        .unwrap_or(&made[0]);
    assert_eq!(
        notice.values.text.get("issued_on_zh").map(String::as_str),
        Some("2026年3月5日"),
        "{}",
        notice.kind
    );
    let path = dir.path().join("n.pdf");
    std::fs::write(&path, &notice.pdf).unwrap();
    let text: String = pdftotext(&path)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(text.contains("2026年3月5日"), "{}: {text}", notice.kind);
    assert!(text.contains("2026年3月2日"), "the receipt date: {text}");
}

/// A case for `matter`, with a decision chosen by `turn` among those the
/// matter allows, prepared by clerk-core exactly as at the window.
fn case_for(
    cat: &clerk_core::catalogue::Catalogue,
    m: &clerk_core::catalogue::Matter,
    turn: usize,
    i: u64,
) -> clerk_core::intake::PreparedCase {
    case_on("2026-03-02", cat, m, turn, i)
}

/// The same, received on `day`.
fn case_on(
    day: &str,
    cat: &clerk_core::catalogue::Catalogue,
    m: &clerk_core::catalogue::Matter,
    turn: usize,
    i: u64,
) -> clerk_core::intake::PreparedCase {
    use clerk_core::case::{MaterialCheck, SupplementItem};
    use clerk_core::catalogue::{CaseKind, ServiceObject};
    use clerk_core::intake::{ApplicantForm, ApplicantKind, DecisionForm, NotAcceptKind};
    let today = clerk_core::date::Date::parse_iso(day).unwrap();
    let applicant = if m.service_objects.contains(&ServiceObject::NaturalPerson) {
        clerk_store::testing::person(i)
    } else {
        ApplicantForm {
            kind: ApplicantKind::Organisation,
            name: "保山市永昌食品有限公司".into(),
            id_no: "91530502MA6K2R8L31".into(),
            phone: "08752121234".into(),
            address: "保山市隆阳区".into(),
            agent_name: "段玉兰".into(),
            agent_id_no: clerk_store::testing::citizen_id(i),
            legal_representative: "段玉兰".into(),
            id_type: Default::default(),
        }
    };
    let gap = m.materials.iter().find(|x| x.may_be_missing);
    let decisions = [
        if m.case_kind == CaseKind::Instant {
            DecisionForm::CompleteOnTheSpot
        } else {
            DecisionForm::Accept
        },
        DecisionForm::RequestSupplement {
            items: vec![SupplementItem {
                material_id: m.materials[0].id.clone(),
                requirement: "请提交加盖公章的原件".into(),
            }],
        },
        DecisionForm::NotAccept {
            reason: NotAcceptKind::NotOurCompetence,
            refer_to: "腾冲市市场监督管理局".into(),
            detail: String::new(),
            legal_basis: "《中华人民共和国行政许可法》第三十二条第一款第（二）项".into(),
        },
        // An instant matter is completed on the spot, never accepted.
        match (m.case_kind, gap) {
            (clerk_core::catalogue::CaseKind::Instant, _) => DecisionForm::CompleteOnTheSpot,
            (_, Some(_)) => DecisionForm::AcceptWithGaps {
                supply_by: day.into(),
                commitment_signed: true,
            },
            (_, None) => DecisionForm::Accept,
        },
    ];
    let decision = decisions[turn % decisions.len()].clone();
    let missing = |id: &str| match &decision {
        DecisionForm::RequestSupplement { items } => items.iter().any(|x| x.material_id == id),
        DecisionForm::AcceptWithGaps { .. } => gap.is_some_and(|g| g.id == id),
        _ => false,
    };
    let form = clerk_core::intake::IntakeForm {
        matter_code: m.code.clone(),
        matter_version: cat.version,
        applicant,
        materials: m
            .materials
            .iter()
            .map(|x| MaterialCheck {
                material_id: x.id.clone(),
                received: !missing(&x.id),
                original_seen: true,
                copies: x.copies,
            })
            .collect(),
        decision,
    };
    let cal = clerk_core::calendar::WorkCalendar::bundled();
    clerk_core::intake::prepare(
        &form,
        &clerk_core::intake::IntakeContext {
            catalogue: cat,
            calendar: &cal,
            today,
            start_day: clerk_core::calendar::StartDay::DayZero,
        },
    )
    .unwrap_or_else(|e| panic!("{} turn {turn}: {e:?}", m.name))
}

fn input(receipt_no: &str) -> clerk_print::CaseDocInput {
    clerk_print::CaseDocInput {
        receipt_no: receipt_no.into(),
        doc_no: String::new(),
        hall_name: "保山市隆阳区政务服务中心".into(),
        agency: "保山市市场监督管理局".into(),
        window: "综合受理7号窗口".into(),
        clerk: "王芳".into(),
        received_at: "2026-03-02 09:14".into(),
        reconsideration_body: "保山市人民政府".into(),
        court: "保山市隆阳区人民法院".into(),
        supervision_phone: "0875-2121234".into(),
        query_url: "https://zwfw.example.gov.cn/q".into(),
        verify_code: "7KQ2M9".into(),
        issued_on: clerk_core::date::Date::parse_iso("2026-03-02").unwrap(),
    }
}

/// Every matter of the sample catalogue, every decision in turn: the
/// documents clerk-core says the case needs are made, and each gives back
/// the applicant, the case number and the dates; a paid matter's fee notice
/// names each fee, its amount and its legal basis; a 即办件 gets its 办结通知.
#[test]
fn cases_from_the_sample_catalogue_get_their_documents() {
    let cat = clerk_core::catalogue::Catalogue::parse(clerk_core::SAMPLE_CATALOGUE_JSON).unwrap();
    let issuer = clerk_print::Issuer::new(font());
    let dir = tempfile::tempdir().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for (i, m) in cat.matters.iter().enumerate() {
        for turn in [i, i + 1] {
            let case = case_for(&cat, m, turn, i as u64 + 7);
            let no = format!("3205-K7QM-{:06}-H", 100 + i);
            let made = issuer.make(&case, m, &input(&no), &[]).unwrap();
            assert_eq!(
                made.iter().map(|d| d.kind.as_str()).collect::<Vec<_>>(),
                issuer.kinds_for(&case, m),
                "{}",
                m.name
            );
            assert_eq!(made[0].kind, "receipt", "the receipt comes first");
            for d in made {
                seen.insert(d.kind.clone());
                let path = dir.path().join(format!("{i}-{}.pdf", d.kind));
                std::fs::write(&path, &d.pdf).unwrap();
                let text: String = pdftotext(&path)
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                let version = format!("（第{}版）", case.matter_version);
                for want in [
                    case.applicant.name.as_str(),
                    no.as_str(),
                    "2026年3月2日",
                    version.as_str(),
                ] {
                    assert!(
                        text.contains(want),
                        "{} {}: {want:?} missing: {text}",
                        m.name,
                        d.kind
                    );
                }
                if d.kind == "fee_notice" {
                    for f in &m.fee.items {
                        let amount = clerk_print::yuan(f.amount_fen).replace(' ', "");
                        assert!(text.contains(&f.name) && text.contains(&amount), "{text}");
                    }
                    assert!(text.contains("发改价格规〔2016〕2559号"), "basis: {text}");
                }
                if d.kind == "result_notice" {
                    assert!(text.contains("准予办理（当场办结）"), "{text}");
                }
                // issue #14: an organisation's legal representative.
                if d.kind == "receipt" {
                    assert_eq!(
                        text.contains("法定代表人（负责人）：段玉兰"),
                        case.applicant.kind == clerk_core::intake::ApplicantKind::Organisation,
                        "{}: {text}",
                        m.name
                    );
                }
                assert!(
                    d.pdf.len() <= 200 * 1024,
                    "{}: {} bytes",
                    d.kind,
                    d.pdf.len()
                );
            }
        }
    }
    for k in [
        "receipt",
        "acceptance_notice",
        "non_acceptance_notice",
        "supplement_notice",
        "gap_acceptance_notice",
        "fee_notice",
        "result_notice",
    ] {
        assert!(seen.contains(k), "no case made a {k}: {seen:?}");
    }
}

/// issue #11: taken in on 2026-12-20 with no 2027 schedule loaded, the
/// dates into 2027 are marked 暂定 and every document carries the note
/// (template data); a date within 2026 is not marked; a case of a year
/// fully covered has neither.
#[test]
fn provisional_dates_are_marked_on_paper_with_the_note() {
    let cat = clerk_core::catalogue::Catalogue::parse(clerk_core::SAMPLE_CATALOGUE_JSON).unwrap();
    let m = cat.matter(clerk_store::testing::FOOD).unwrap();
    let issuer = clerk_print::Issuer::new(font());
    let dir = tempfile::tempdir().unwrap();
    let text_of = |case: &clerk_core::intake::PreparedCase, tag: &str| -> Vec<(String, String)> {
        issuer
            .make(case, m, &input("3205-K7QM-000009-H"), &[])
            .unwrap()
            .into_iter()
            .map(|d| {
                let path = dir.path().join(format!("{tag}-{}.pdf", d.kind));
                std::fs::write(&path, &d.pdf).unwrap();
                let t: String = pdftotext(&path)
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                (d.kind, t)
            })
            .collect()
    };
    let case = case_on("2026-12-20", &cat, m, 0, 4);
    assert_eq!(case.provisional_years, [2027]);
    let due = case.promised_due.unwrap();
    assert_eq!(due.year(), 2027);
    let docs = text_of(&case, "dec");
    assert!(docs.iter().any(|(k, _)| k == "acceptance_notice"));
    for (kind, text) in &docs {
        assert!(
            text.contains("2027年节假日安排尚未公布")
                && text.contains("暂定，以国务院公布的节假日安排为准"),
            "{kind}: {text}"
        );
    }
    let (_, notice) = docs.iter().find(|(k, _)| k == "acceptance_notice").unwrap();
    let marked = format!("{}年{}月{}日（暂定）", due.year(), due.month(), due.day());
    assert!(notice.contains(&marked), "{marked}: {notice}");
    let (_, receipt) = docs.iter().find(|(k, _)| k == "receipt").unwrap();
    assert!(
        receipt.contains("2026年12月25日前") && !receipt.contains("2026年12月25日（暂定）"),
        "{receipt}"
    );
    for (kind, text) in text_of(&case_on("2026-03-02", &cat, m, 0, 4), "mar") {
        assert!(!text.contains("暂定"), "{kind}: {text}");
    }
}

/// With a thermal receipt printer the receipt is made 80 mm wide; a
/// document already issued is not made again.
#[test]
fn the_receipt_follows_the_receipt_printer_and_is_made_once() {
    let cat = clerk_core::catalogue::Catalogue::parse(clerk_core::SAMPLE_CATALOGUE_JSON).unwrap();
    let m = cat.matter(clerk_store::testing::FOOD).unwrap();
    let case = case_for(&cat, m, 0, 3);
    let mut issuer = clerk_print::Issuer::new(font());
    issuer.receipt_80mm = true;
    let made = issuer
        .make(&case, m, &input("3205-K7QM-000001-H"), &[])
        .unwrap();
    assert_eq!(made[0].kind, "receipt_80mm");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, &made[0].pdf).unwrap();
    let info = poppler("pdfinfo", &path);
    let size = info.lines().find(|l| l.starts_with("Page size:")).unwrap();
    // 80 mm = 226.77 pt.
    assert!(size.contains("226.77"), "{size}");
    let again = issuer
        .make(
            &case,
            m,
            &input("3205-K7QM-000001-H"),
            &["receipt".into(), "acceptance_notice".into()],
        )
        .unwrap();
    assert!(
        again.is_empty(),
        "{:?}",
        again.iter().map(|d| &d.kind).collect::<Vec<_>>()
    );
}

/// The hall's seal-area image is drawn on the original only; the 副本 and
/// the preview keep the empty box. A file that is not a PNG is refused with
/// its path named.
#[test]
fn the_seal_image_is_on_the_original_only() {
    let dir = tempfile::tempdir().unwrap();
    let png_path = dir.path().join("seal.png");
    {
        // A red ring, 120×120.
        let file = std::fs::File::create(&png_path).unwrap();
        let mut enc = png::Encoder::new(std::io::BufWriter::new(file), 120, 120);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().unwrap();
        let mut data = Vec::new();
        for y in 0..120i32 {
            for x in 0..120i32 {
                let r2 = (x - 60).pow(2) + (y - 60).pow(2);
                let ring = (2500..3600).contains(&r2);
                data.extend_from_slice(if ring {
                    &[200, 20, 20]
                } else {
                    &[255, 255, 255]
                });
            }
        }
        w.write_image_data(&data).unwrap();
    }
    let seal = clerk_print::SealImage::load(&png_path).unwrap();
    let mut issuer = clerk_print::Issuer::new(font());
    issuer.seal = Some(seal);
    let t = load_template("acceptance_notice", None).unwrap();
    let v = sample_values("acceptance_notice");
    let images = |m: Marking| {
        let path = dir.path().join(format!("{m:?}.pdf"));
        std::fs::write(&path, issuer.render(&t, &v, m).unwrap()).unwrap();
        let out = Command::new("pdfimages")
            .arg("-list")
            .arg(&path)
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .skip(2)
            .count()
    };
    assert_eq!(images(Marking::Original), 1);
    assert_eq!(images(Marking::Copy), 0);
    assert_eq!(images(Marking::Preview), 0);

    let not_png = dir.path().join("seal.jpg");
    std::fs::write(&not_png, b"\xff\xd8\xff\xe0 not a png").unwrap();
    let e = clerk_print::SealImage::load(&not_png).unwrap_err();
    // The clerk's words name the problem; the log line has the file.
    assert!(e.zh().contains("印章区图片"), "{}", e.zh());
    assert!(e.to_string().contains("seal.jpg"), "{e}");
}

/// issue #14, the case after intake, catalogue-wide: for every matter a
/// supplement case whose materials come back two working days later gets
/// its 受理通知书 dated from that day; a 容缺 case not supplied by its date
/// its 终止办理通知书; an accepted case withdrawn its 终止审查通知书; an
/// approved case delivered by post its 送达回证 with the tracking number.
/// Each is made once (the intake's documents are already issued), prints
/// the applicant, the case number and its own day, and stays ≤ 200 KB.
#[test]
fn the_documents_after_intake_are_made_for_every_matter() {
    use clerk_core::date::Date;
    use clerk_core::lifecycle::{apply, Context, DeliveryMethod, Event, Recorded};
    let cat = clerk_core::catalogue::Catalogue::parse(clerk_core::SAMPLE_CATALOGUE_JSON).unwrap();
    let cal = clerk_core::calendar::WorkCalendar::bundled();
    let issuer = clerk_print::Issuer::new(font());
    let dir = tempfile::tempdir().unwrap();
    let d = |s: &str| Date::parse_iso(s).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for (i, m) in cat.matters.iter().enumerate() {
        let cx = Context {
            matter: m,
            calendar: &cal,
            start_day: clerk_core::calendar::StartDay::DayZero,
        };
        let at = |on: &str, event| Recorded { on: d(on), event };
        // (intake turn, status the platform holds, the event, what it prints)
        let mut runs: Vec<(usize, &str, Recorded, &str, Vec<&str>)> = vec![
            (
                1,
                "supplement_requested",
                at(
                    "2026-03-04",
                    Event::Supplied {
                        material_ids: vec![m.materials[0].id.clone()],
                    },
                ),
                if m.case_kind == clerk_core::catalogue::CaseKind::Instant {
                    "result_notice"
                } else {
                    "acceptance_notice"
                },
                vec!["2026年3月4日"],
            ),
            (
                0,
                "approved",
                at(
                    "2026-03-20",
                    Event::Deliver {
                        method: DeliveryMethod::Post,
                        recipient: "李四".into(),
                        tracking_no: "SF1234567890".into(),
                        granted: true,
                    },
                ),
                "delivery_receipt",
                vec![
                    "送达回证",
                    "邮寄送达",
                    "SF1234567890",
                    "2026年3月20日",
                    "准予行政许可决定书",
                ],
            ),
        ];
        if m.case_kind == clerk_core::catalogue::CaseKind::Promised {
            runs.push((
                0,
                "accepted",
                at(
                    "2026-03-05",
                    Event::Withdraw {
                        reason: "申请人决定暂不经营".into(),
                    },
                ),
                "withdrawal_notice",
                vec!["终止审查通知书", "2026年3月5日", "申请人决定暂不经营"],
            ));
            runs.push((
                0,
                "in_review",
                at(
                    "2026-03-02",
                    Event::Extend {
                        days: 10,
                        reason: "需对经营场所进行现场核查".into(),
                        approved_by: "lead01".into(),
                        approver_name: "王主任".into(),
                    },
                ),
                "extension_notice",
                vec![
                    "延长期限告知书",
                    "第四十二条第一款",
                    "延长10个工作日",
                    "需对经营场所进行现场核查",
                    "王主任（2026年3月2日）",
                ],
            ));
            runs.push((
                0,
                "accepted",
                at(
                    "2026-03-02",
                    Event::Pause {
                        procedure: clerk_core::lifecycle::SpecialProcedure::ExpertReview,
                        reason: "需组织专家对经营条件进行评审".into(),
                        expected_days: 15,
                    },
                ),
                "special_procedure_notice",
                vec![
                    "特别程序告知书",
                    "第四十五条",
                    "专家评审",
                    "预计为15个工作日",
                    "不计算在办理期限内",
                ],
            ));
            if m.materials.iter().any(|x| x.may_be_missing) {
                runs.push((
                    3,
                    "accepted_with_gaps",
                    at("2026-03-03", Event::Terminate),
                    "termination_notice",
                    vec![
                        "终止办理通知书",
                        "2026年3月3日",
                        "2026年3月2日前补齐",
                        "行政复议",
                    ],
                ));
            }
        }
        for (turn, from, rec, kind, wants) in runs {
            let mut case = case_for(&cat, m, turn, i as u64 + 7);
            let no = format!("3205-K7QM-{:06}-H", 300 + i);
            let have: Vec<String> = issuer
                .make(&case, m, &input(&no), &[])
                .unwrap()
                .into_iter()
                .map(|d| d.kind)
                .collect();
            apply(&mut case, from, &rec, &cx).unwrap_or_else(|e| panic!("{} {kind}: {e}", m.name));
            let made = issuer.make(&case, m, &input(&no), &have).unwrap();
            let kinds: Vec<&str> = made.iter().map(|d| d.kind.as_str()).collect();
            assert!(kinds.contains(&kind), "{} {from}: {kinds:?}", m.name);
            assert!(
                !kinds.iter().any(|k| have.iter().any(|h| h == k)),
                "{}: made again: {kinds:?}",
                m.name
            );
            for doc in made.iter().filter(|x| x.kind == kind) {
                seen.insert(doc.kind.clone());
                let path = dir.path().join(format!("{i}-{kind}.pdf"));
                std::fs::write(&path, &doc.pdf).unwrap();
                let text: String = pdftotext(&path)
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                for want in [case.applicant.name.as_str(), no.as_str()]
                    .into_iter()
                    .chain(wants.iter().copied())
                {
                    assert!(text.contains(want), "{} {kind}: {want:?}: {text}", m.name);
                }
                assert!(
                    doc.pdf.len() <= 200 * 1024,
                    "{kind}: {} bytes",
                    doc.pdf.len()
                );
            }
        }
    }
    for k in [
        "acceptance_notice",
        "termination_notice",
        "withdrawal_notice",
        "extension_notice",
        "special_procedure_notice",
        "delivery_receipt",
    ] {
        assert!(seen.contains(k), "no case made a {k}: {seen:?}");
    }
}

/// issue #14: document numbers are unique per hall, not per PC — the same
/// counter on two PCs of one hall gives two numbers; a number names its
/// kind and year.
#[test]
fn document_numbers_are_unique_per_hall() {
    let a = clerk_print::doc_no("acceptance_notice", 2026, "3205-K7QM-000123-H");
    let b = clerk_print::doc_no("acceptance_notice", 2026, "3205-P2RX-000123-C");
    assert_eq!(a, "受字〔2026〕第K7QM-000123号");
    assert_ne!(a, b);
    assert_eq!(
        clerk_print::doc_no("delivery_receipt", 2027, "3205-K7QM-000001-H"),
        "送达字〔2027〕第K7QM-000001号"
    );
}

/// issue #14: every notice names the deciding agency (the matter's
/// department), and the reconsideration body is the department's, from the
/// catalogue: 保山市人民政府 for a 保山市 bureau; the department one level up
/// for a vertically managed body (a tax bureau here, a fixture department).
/// Without one, the notices that state the remedies are withheld: not made,
/// previewed only, marked 预览 无效.
#[test]
fn notices_name_the_deciding_agency_and_its_reconsideration_body() {
    let mut json: serde_json::Value =
        serde_json::from_str(clerk_core::SAMPLE_CATALOGUE_JSON).unwrap();
    json["departments"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "code": "11530500MB0000001U",
            "name": "国家税务总局保山市税务局",
            "short_name": "税务",
            "review_body": "国家税务总局云南省税务局"
        }));
    json["departments"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "code": "1153050001512345X2",
            "name": "保山市某局（示例，未配置复议机关）",
            "short_name": "某局"
        }));
    let base = clerk_core::catalogue::Catalogue::parse(&json.to_string()).unwrap();
    let issuer = clerk_print::Issuer::new(font());
    let dir = tempfile::tempdir().unwrap();
    let food = "11530500MB1A27618NXK00001000000";
    let text_of = |pdf: &[u8], name: &str| {
        let path = dir.path().join(format!("{name}.pdf"));
        std::fs::write(&path, pdf).unwrap();
        pdftotext(&path)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
    };
    for (dept, agency, body) in [
        (
            "11530500MB1A27618N",
            "保山市市场监督管理局",
            "保山市人民政府",
        ),
        (
            "11530500MB0000001U",
            "国家税务总局保山市税务局",
            "国家税务总局云南省税务局",
        ),
    ] {
        let mut m = base.matter(food).unwrap().clone();
        m.department = dept.into();
        // turn 2: not accepted (outside competence), with the remedies.
        let case = case_for(&base, &m, 2, 11);
        let d = base.department(dept).unwrap();
        let mut inp = input("3205-K7QM-000011-H");
        inp.agency = d.name.clone();
        inp.reconsideration_body = d.review_body.clone().unwrap();
        let made = issuer.make(&case, &m, &inp, &[]).unwrap();
        let refusal = made
            .iter()
            .find(|x| x.kind == "non_acceptance_notice")
            .unwrap();
        let text = text_of(&refusal.pdf, agency);
        for want in [
            format!("{agency}决定不予受理"),
            format!("六十日内向{body}申请行政复议"),
            format!("办理机关：{agency}"),
        ] {
            assert!(text.contains(&want), "{want}: {text}");
        }
        // The receipt is the hall's: it received the materials.
        let receipt = made.iter().find(|x| x.kind == "receipt").unwrap();
        let rt = text_of(&receipt.pdf, &format!("{agency}-receipt"));
        assert!(rt.contains("保山市隆阳区政务服务中心"), "{rt}");
    }
    // No reconsideration body in the catalogue: the refusal is withheld.
    let mut m = base.matter(food).unwrap().clone();
    m.department = "1153050001512345X2".into();
    let case = case_for(&base, &m, 2, 12);
    let mut inp = input("3205-K7QM-000012-H");
    inp.agency = "保山市某局（示例，未配置复议机关）".into();
    inp.reconsideration_body = String::new();
    assert_eq!(
        issuer.withheld(&case, &m, &inp, &[]).unwrap(),
        ["non_acceptance_notice"]
    );
    let made = issuer.make(&case, &m, &inp, &[]).unwrap();
    assert_eq!(
        made.iter().map(|x| x.kind.as_str()).collect::<Vec<_>>(),
        ["receipt"],
        "only the receipt is issued"
    );
    let preview = issuer
        .preview_withheld("non_acceptance_notice", &case, &m, &inp)
        .unwrap();
    let text = text_of(&preview, "withheld");
    assert!(
        text.contains("预览无效") && text.contains("未配置行政复议机关"),
        "{text}"
    );
}

/// issue #14: a single-owner transfer costs 80 元, not 90 — the 证书工本费
/// from the second certificate is listed with its condition, not added; a
/// registration fee (行政确认) does not cite 行政许可法 art. 59, which binds
/// licensing fees; the payee is named.
#[test]
fn the_fee_notice_totals_what_every_case_pays() {
    let cat = clerk_core::catalogue::Catalogue::parse(clerk_core::SAMPLE_CATALOGUE_JSON).unwrap();
    let m = cat
        .matters
        .iter()
        .find(|m| m.name == "国有建设用地使用权及房屋所有权转移登记")
        .unwrap();
    assert_eq!(m.fee.total_fen(), 8000);
    let case = case_for(&cat, m, 0, 21);
    let mut inp = input("3205-K7QM-000021-H");
    inp.agency = "保山市自然资源和规划局".into();
    let made = clerk_print::Issuer::new(font())
        .make(&case, m, &inp, &[])
        .unwrap();
    let fee = made.iter().find(|d| d.kind == "fee_notice").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fee.pdf");
    std::fs::write(&path, &fee.pdf).unwrap();
    let text: String = pdftotext(&path)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for want in [
        "应缴合计：80.00元",
        "证书工本费（第二本起）：申请人需要第二本及以上不动产权属证书的",
        "未计入合计",
        "收款单位：保山市自然资源和规划局",
        "发改价格规〔2016〕2559号",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    assert!(!text.contains("90.00"), "{text}");
    assert!(!text.contains("第五十九条"), "not a licensing fee: {text}");
}

/// issue #14: 不动产登记 is decided on the spot (不动产登记暂行条例 art. 17):
/// its receipt promises no five-day window, and a supplement notice is due
/// the same day; an art. 32 matter's receipt keeps the five working days.
#[test]
fn a_real_estate_receipt_promises_no_five_day_window() {
    let cat = clerk_core::catalogue::Catalogue::parse(clerk_core::SAMPLE_CATALOGUE_JSON).unwrap();
    let issuer = clerk_print::Issuer::new(font());
    let dir = tempfile::tempdir().unwrap();
    let receipt_text = |name: &str, i: u64| {
        let m = cat.matters.iter().find(|m| m.name == name).unwrap();
        let case = case_for(&cat, m, 0, i);
        let made = issuer
            .make(&case, m, &input("3205-K7QM-000031-H"), &[])
            .unwrap();
        let path = dir.path().join(format!("{i}.pdf"));
        std::fs::write(&path, &made[0].pdf).unwrap();
        (
            case,
            pdftotext(&path)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>(),
        )
    };
    let (case, text) = receipt_text("国有建设用地使用权及房屋所有权转移登记", 31);
    assert_eq!(case.notice_deadline, case.received_on, "on the spot");
    assert!(text.contains("《不动产登记暂行条例》第十七条"), "{text}");
    assert!(!text.contains("五个工作日"), "{text}");
    let (_, text) = receipt_text("食品经营许可", 32);
    assert!(text.contains("五个工作日内（2026年3月9日前）"), "{text}");
}
