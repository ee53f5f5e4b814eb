//! Printing from the window through CUPS to the cups-pdf test printer
//! (`cargo xtask test` sets up the WC-PDF queue): Ctrl+P after a decision
//! sends the documents without a dialog; the printed PDF is turned into a
//! PNG next to the screenshots, for people to look at.

use e2e::{
    accept_food_licence, citizen_id, have_printers, k, pdf_png, pdf_text, printed_pdf, App, Key,
    Sandbox,
};

const CONFIG: &str = r#"
[hall]
code = "3205"
name = "保山市隆阳区政务服务中心"

[window]
code = "07"
name = "综合受理7号窗口"

[printer]
a4 = "WC-PDF"

[notices]
reconsideration_body = "保山市隆阳区人民政府"
court = "保山市隆阳区人民法院"
supervision_phone = "0875-2121234"
query_url = "https://zwfw.example.gov.cn/q"
"#;

#[tokio::test]
async fn ctrl_p_prints_the_documents_of_the_case() {
    if !have_printers(&["WC-PDF"]) {
        return;
    }
    let sb = Sandbox::new().with_config(CONFIG).on_day("2026-03-02");
    let app = App::start("printing", &sb).await;
    app.wait_focus("matter-search").await;
    app.keys("gtgsh").await;
    app.wait_text("[data-testid=matter-list]", "个体工商户设立登记")
        .await;
    app.keys(&k(Key::Down)).await;
    app.keys(&k(Key::Enter)).await;
    app.wait_focus("kind-person").await;
    app.keys(&k(Key::Enter)).await;
    app.keys(&citizen_id("53050219880808301")).await;
    app.keys(&k(Key::Enter)).await;
    app.keys("段玉兰").await;
    app.keys(&k(Key::Enter)).await;
    app.keys("13987500001").await;
    for m in ["m1", "m2", "m3"] {
        app.click(&format!("[data-testid=recv-{m}]")).await;
    }
    app.keys(&format!("{}{}", k(Key::Control), k(Key::Enter)))
        .await;
    let receipt = app.text("[data-testid=receipt-no]").await;
    assert!(receipt.starts_with("3205-0"), "{receipt}");
    app.wait_text("[data-testid=documents]", "收件凭证").await;
    // The status bar counts the new case at once.
    app.wait_text("[data-testid=sb-unsent]", "未发送：1").await;

    app.keys(&format!("{}p", k(Key::Control))).await;
    // Ctrl+P sends the receipt, then the 办结通知书: wait for the last one.
    let msg = app
        .wait_text(
            "[data-testid=print-message]",
            "「办结通知书」已发送到打印机 WC-PDF",
        )
        .await;
    let job = msg.split("任务号").nth(1).unwrap().trim().to_owned();
    app.wait_text("[data-testid=documents]", "已打印 1 次")
        .await;
    app.screenshot("").await;

    // The case, opened from the queue: its documents and print journal; a
    // reprint is the saved 副本 and is journalled too.
    app.keys(&format!("{}2", k(Key::Alt))).await;
    app.wait_text("[data-testid=case-list]", &receipt).await;
    app.keys(&k(Key::Down)).await;
    app.wait_focus(&format!("case-{receipt}")).await;
    app.keys(&k(Key::Enter)).await;
    let history = app
        .wait_text(
            "[data-testid=case-detail] [data-testid=history-receipt]",
            "原件",
        )
        .await;
    assert!(
        history.contains("WC-PDF") && history.contains("已送打印"),
        "{history}"
    );
    app.wait_css("[data-testid=case-detail] [data-testid=print-receipt]")
        .await
        .click()
        .await
        .unwrap();
    app.wait_text(
        "[data-testid=case-detail] [data-testid=print-message]",
        "（副本）",
    )
    .await;
    let history = app
        .wait_text(
            "[data-testid=case-detail] [data-testid=history-receipt]",
            "副本",
        )
        .await;
    assert_eq!(history.matches("已送打印").count(), 2, "{history}");
    app.screenshot("case-detail").await;
    app.close().await;
    let printed = printed_pdf(&job).await;
    let text = pdf_text(&printed);
    // 个体工商户设立登记 is a 即办件 completed at the counter: Ctrl+P sent
    // the receipt, then the 办结通知书, which was printed last.
    assert!(
        text.contains("办结通知书")
            && text.contains("准予办理（当场办结）")
            && text.contains("段玉兰")
            && text.contains(&receipt),
        "{text}"
    );
    pdf_png(&printed, "printing-printed-result-notice");
}

/// issue #11 in the real window: on 20 December 2026, with no 2027 holiday
/// schedule loaded, 食品经营许可 (20 working days statutory) is taken in,
/// not refused; the confirmation marks the 2027 dates 暂定 with the note;
/// the status bar says the 2027 schedule is missing; the printed receipt
/// carries the template's note and the acceptance notice marks the date.
#[tokio::test]
async fn a_case_running_into_a_year_without_its_schedule_gets_provisional_dates() {
    if !have_printers(&["WC-PDF"]) {
        return;
    }
    let sb = Sandbox::new().with_config(CONFIG).on_day("2026-12-20");
    let app = App::start("provisional", &sb).await;
    app.wait_text("[data-testid=sb-calendar]", "2027 年节假日安排未载入")
        .await;
    let receipt = accept_food_licence(&app, "53050219900909001", "孙八").await;
    assert!(receipt.starts_with("3205-0"), "{receipt}");
    let due = app.text("[data-testid=promised-due]").await;
    assert!(due.starts_with("2027-"), "{due}");
    app.wait_text("[data-testid=provisional-promised_due]", "暂定")
        .await;
    app.wait_text(
        "[data-testid=provisional-note]",
        "暂定，以国务院公布的节假日安排为准",
    )
    .await;
    app.screenshot("confirmation").await;

    // The receipt, printed on its own: the note is on it.
    app.click("[data-testid=print-receipt]").await;
    let msg = app
        .wait_text(
            "[data-testid=print-message]",
            "「收件凭证」已发送到打印机 WC-PDF",
        )
        .await;
    let job = msg.split("任务号").nth(1).unwrap().trim().to_owned();
    app.click("[data-testid=print-acceptance_notice]").await;
    let msg = app
        .wait_text(
            "[data-testid=print-message]",
            "「受理通知书」已发送到打印机 WC-PDF",
        )
        .await;
    let notice_job = msg.split("任务号").nth(1).unwrap().trim().to_owned();
    // The queue marks the date too.
    app.keys(&format!("{}2", k(Key::Alt))).await;
    app.wait_text(&format!("[data-testid=provisional-{receipt}]"), "暂定")
        .await;
    app.screenshot("queue").await;

    // 设置 → 节假日安排: 2027 is answered by the law alone; IT (the demo
    // administrator) imports a schedule file (test data, not the official
    // schedule: the law's days plus the promised date itself); the case's
    // dates move and are listed for the clerk.
    app.keys(&format!("{}4", k(Key::Alt))).await;
    app.wait_text("[data-testid=calendar-2027]", "暂定").await;
    assert!(
        !app.exists("[data-testid=calendar-import]").await,
        "importing is the administrator's"
    );
    app.sign_out().await;
    app.sign_in("admin", "demo-admin-1").await;
    app.keys(&format!("{}4", k(Key::Alt))).await;
    app.wait_text(
        "[data-testid=calendar-missing]",
        "2027 年的节假日安排尚未载入",
    )
    .await;
    app.wait_text("[data-testid=calendar-2027]", "暂定").await;
    let pick = |json: String| {
        format!(
            r#"const input = document.querySelector('[data-testid=calendar-file]');
            const dt = new DataTransfer();
            dt.items.add(new File([{json:?}], '2027.json', {{ type: 'application/json' }}));
            input.files = dt.files;
            input.dispatchEvent(new Event('change'));
            return true;"#
        )
    };
    let law = [
        "2027-01-01",
        "2027-02-05",
        "2027-02-06",
        "2027-02-07",
        "2027-02-08",
        "2027-04-05",
        "2027-05-01",
        "2027-05-02",
        "2027-06-09",
        "2027-09-15",
        "2027-10-01",
        "2027-10-02",
        "2027-10-03",
    ];
    let file = |days: &[&str]| {
        let h: Vec<String> = days
            .iter()
            .map(|d| format!("[\"{d}\", \"{d}\", \"\"]"))
            .collect();
        format!(
            "{{\"format\": 1, \"year\": 2027, \"source\": \"测试用：非官方安排\", \"holidays\": [{}], \"make_up_workdays\": []}}",
            h.join(", ")
        )
    };
    // A file without 中秋 is refused, naming the day; nothing changes.
    let without: Vec<&str> = law.iter().copied().filter(|d| *d != "2027-09-15").collect();
    app.js(&pick(file(&without))).await;
    app.wait_text("[data-testid=calendar-msg]", "2027-09-15 中秋节")
        .await;
    let mut days = law.to_vec();
    days.push(&due);
    app.js(&pick(file(&days))).await;
    app.wait_text("[data-testid=calendar-msg]", "已导入 2027 年安排")
        .await;
    let counted = app.wait_text("[data-testid=calendar-moves]", "→").await;
    assert!(
        !counted.contains(&receipt),
        "the administrator sees no case: {counted}"
    );
    app.sign_out().await;
    app.sign_in(e2e::DEMO_CLERK.0, e2e::DEMO_CLERK.1).await;
    app.keys(&format!("{}4", k(Key::Alt))).await;
    let moves = app
        .wait_text("[data-testid=calendar-moves]", &receipt)
        .await;
    assert!(
        moves.contains(&format!("{due} → ")) && moves.contains("承诺办结"),
        "{moves}"
    );
    app.wait_text("[data-testid=sb-moves]", "个期限已调整")
        .await;
    assert!(
        !app.exists("[data-testid=sb-calendar]").await,
        "2027 is loaded now"
    );
    app.js("document.querySelector('[data-testid=calendar-moves]').scrollIntoView({block: 'center'}); return 1").await;
    app.screenshot("settings-imported").await;
    app.close().await;
    for (job, name) in [(job, "receipt"), (notice_job, "acceptance-notice")] {
        let printed = printed_pdf(&job).await;
        let text = pdf_text(&printed);
        assert!(
            text.contains("2027年节假日安排尚未公布")
                && text.contains("暂定，以国务院公布的节假日安排为准")
                && text.contains(&receipt),
            "{name}: {text}"
        );
        // Every action is somebody's (issue #12): the notice names the
        // clerk who took the case in, with the window.
        assert!(
            text.contains("综合受理7号窗口经办人：张三"),
            "{name} names the clerk: {text}"
        );
        if name == "acceptance-notice" {
            let d: Vec<u32> = due.split('-').map(|x| x.parse().unwrap()).collect();
            let marked = format!("{}年{}月{}日（暂定）", d[0], d[1], d[2]);
            assert!(text.contains(&marked), "{marked}: {text}");
        }
        pdf_png(&printed, &format!("provisional-printed-{name}"));
    }
}
