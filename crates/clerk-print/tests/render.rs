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
        "六个月内向保山市隆阳区人民法院提起行政诉讼",
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
    });
    assert!(
        matches!(render(&t, &sample_values("receipt"), &font(), Marking::Original), Err(PrintError::MissingValue(k)) if k == "no_such_value")
    );
}
