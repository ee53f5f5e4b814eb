//! Issue #14, the case after intake in the real window: a 补正 case comes
//! back two days later with its material and is accepted without a new
//! intake; a 容缺 case misses its date and is terminated with its notice;
//! an approved case (decided by a department through the platform admin
//! CLI) is picked up and its 送达回证 prints.

use e2e::platform::{admin, login, sync_now, wait_long, Hall};
use e2e::{
    citizen_id, have_printers, k, pdf_png, pdf_text, personal, pick_food_licence, printed_pdf, App,
    Key, Sandbox,
};

async fn click(app: &App, testid: &str) {
    app.click(&format!("[data-testid='{testid}']")).await;
}

/// 食品经营许可 for `name`, every material but m4 ticked, with `decision`
/// (a decision radio's test id) and what it needs; the receipt number.
async fn take_in_without_m4(app: &App, id_body: &str, name: &str, decision: &str) -> String {
    personal(name);
    pick_food_licence(app).await;
    app.wait_focus("kind-person").await;
    app.keys(&k(Key::Enter)).await;
    app.keys(&citizen_id(id_body)).await;
    app.keys(&k(Key::Enter)).await;
    app.keys(name).await;
    app.keys(&k(Key::Enter)).await;
    app.keys("13808720002").await;
    app.keys(&k(Key::Enter)).await;
    app.keys(&k(Key::Enter)).await;
    // The checklist by keyboard: Space ticks, Enter moves on; m4 not brought.
    for m in ["m1", "m2", "m3", "m4", "m5", "m6"] {
        assert_eq!(app.focused_testid().await, format!("mat-{m}"));
        if m != "m4" {
            app.keys(" ").await;
        }
        app.keys(&k(Key::Enter)).await;
    }
    click(app, decision).await;
    if decision == "dec-accept_with_gaps" {
        click(app, "f-commitment").await;
    }
    app.keys(&format!("{}{}", k(Key::Control), k(Key::Enter)))
        .await;
    app.wait_css("[data-testid=receipt-no]").await;
    app.text("[data-testid=receipt-no]").await
}

/// The case with this receipt number, opened from the queue's search.
async fn open_case(app: &App, receipt: &str) {
    app.keys(&format!("{}2", k(Key::Alt))).await;
    click(app, "case-search").await;
    app.wait_focus("case-search").await;
    app.keys(receipt).await;
    app.wait_text("[data-testid=case-list]", receipt).await;
    app.keys(&k(Key::Down)).await;
    app.wait_focus(&format!("case-{receipt}")).await;
    app.keys(&k(Key::Enter)).await;
    app.wait_css("[data-testid=case-detail] [data-testid=progress]")
        .await;
}

#[tokio::test]
async fn a_supplement_case_comes_back_two_days_later_and_is_accepted() {
    let mut sb = Sandbox::new().on_day("2026-03-02");
    let app = App::start("after-supplement-notice", &sb).await;
    let receipt =
        take_in_without_m4(&app, "53050219850505201", "孙七", "dec-request_supplement").await;
    app.wait_text("[data-testid=documents]", "补正材料通知书")
        .await;
    app.close().await;

    // Two days later the applicant brings the missing material.
    sb.move_to_day("2026-03-04");
    let app = App::start("after-supplement-back", &sb).await;
    // The queue shows what waits for the applicant.
    app.keys(&format!("{}2", k(Key::Alt))).await;
    app.wait_text("[data-testid=queue-supplement_waiting]", "待补正 1")
        .await;
    click(&app, "queue-supplement_waiting").await;
    app.wait_text("[data-testid=case-list]", &receipt).await;
    app.screenshot("queue").await;
    open_case(&app, &receipt).await;
    app.wait_text("[data-testid=progress-status]", "补正告知")
        .await;
    assert!(app
        .text("[data-testid=progress-owed]")
        .await
        .contains("食品安全管理制度目录"));
    app.screenshot("before").await;
    // Confirming with nothing ticked is refused on its field.
    click(&app, "progress-confirm").await;
    app.wait_text("[data-testid=progress-error]", "请勾选")
        .await;
    click(&app, "progress-tick-m4").await;
    app.keys(&format!("{}{}", k(Key::Control), k(Key::Enter)))
        .await;
    app.wait_text("[data-testid=progress-status]", "已受理")
        .await;
    // Accepted from the day the material came: 10 working days from it.
    assert_eq!(
        app.text("[data-testid=progress-accepted-on]").await,
        "2026-03-04"
    );
    assert_eq!(app.text("[data-testid=progress-due]").await, "2026-03-18");
    // Its 受理通知书 is made; the same case, no second receipt number.
    app.wait_text(
        "[data-testid=case-detail] [data-testid=documents]",
        "受理通知书",
    )
    .await;
    assert!(app
        .text("[data-testid=progress-history]")
        .await
        .contains("2026-03-04 补交材料：食品安全管理制度目录"));
    app.wait_text("[data-testid=sb-unsent]", "未发送：2").await;
    app.wait_text("[data-testid=queue-supplement_waiting]", "待补正 0")
        .await;
    app.screenshot("accepted").await;
    app.close().await;
}

#[tokio::test]
async fn a_gap_case_misses_its_date_and_is_terminated_with_its_notice() {
    let mut sb = Sandbox::new().on_day("2026-03-02");
    let app = App::start("after-gap", &sb).await;
    let receipt =
        take_in_without_m4(&app, "53050219850505202", "周八", "dec-accept_with_gaps").await;
    // The supply date came prefilled with the latest allowed.
    assert_eq!(app.text("[data-testid=supply-by]").await, "2026-03-16");
    app.close().await;

    sb.move_to_day("2026-03-17");
    let app = App::start("after-gap-missed", &sb).await;
    open_case(&app, &receipt).await;
    app.wait_text("[data-testid=progress-status]", "容缺受理")
        .await;
    assert!(
        !app.exists("[data-testid=progress-action-supplied]").await,
        "too late to supply"
    );
    click(&app, "progress-action-terminate").await;
    click(&app, "progress-confirm").await;
    app.wait_text("[data-testid=progress-status]", "终止办理")
        .await;
    app.wait_css("[data-testid=progress-none]").await;
    app.wait_text(
        "[data-testid=case-detail] [data-testid=documents]",
        "终止办理通知书",
    )
    .await;
    app.screenshot("terminated").await;
    app.close().await;
}

#[tokio::test]
async fn an_approved_case_is_picked_up_and_its_proof_of_delivery_prints() {
    let printing = have_printers(&["WC-PDF"]);
    let hall = Hall::start().await;
    let printer = if printing {
        "[printer]\na4 = \"WC-PDF\"\n"
    } else {
        ""
    };
    let sb = hall.sandbox_with("07", printer).on_day("2026-03-02");
    let app = App::start("after-pickup", &sb).await;
    login(&app).await;
    wait_long(&app, "[data-testid=sb-connection]", "在线", 30).await;
    let receipt = e2e::accept_food_licence(&app, "53050219850505203", "吴九").await;
    wait_long(&app, "[data-testid=sb-unsent]", "未发送：0", 60).await;

    // Not decided yet: nothing to hand over.
    open_case(&app, &receipt).await;
    assert!(!app.exists("[data-testid=progress-action-deliver]").await);
    app.keys(&k(Key::Escape)).await;

    // A department approves it on the platform; the window pulls it.
    let case = admin(&hall.db, &["find-case", &receipt]);
    admin(
        &hall.db,
        &[
            "decide",
            case["case_id"].as_str().unwrap(),
            "市场监管局",
            "approve",
        ],
    );
    sync_now(&app).await;
    open_case(&app, &receipt).await;
    app.wait_text("[data-testid=progress-status]", "已办结（准予）")
        .await;
    click(&app, "progress-action-deliver").await;
    let recipient = app
        .js("return document.querySelector('[data-testid=progress-recipient]').value")
        .await;
    assert_eq!(recipient, "吴九", "the applicant, prefilled");
    click(&app, "progress-confirm").await;
    app.wait_text("[data-testid=progress-status]", "已出件送达")
        .await;
    app.wait_text(
        "[data-testid=case-detail] [data-testid=documents]",
        "送达回证",
    )
    .await;
    app.screenshot("delivered").await;
    // The event reaches the platform, which re-checks it.
    wait_long(&app, "[data-testid=sb-unsent]", "未发送：0", 60).await;
    let case = admin(&hall.db, &["find-case", &receipt]);
    assert_eq!(case["status"], "delivered", "{case}");

    if printing {
        click(&app, "print-delivery_receipt").await;
        let msg = app
            .wait_text(
                "[data-testid=case-detail] [data-testid=print-message]",
                "已发送到打印机 WC-PDF",
            )
            .await;
        let job = msg.split("任务号").nth(1).unwrap().trim().to_owned();
        app.close().await;
        let printed = printed_pdf(&job).await;
        let text = pdf_text(&printed);
        for want in [
            "送达回证",
            "吴九",
            receipt.as_str(),
            "窗口领取",
            "2026年3月2日",
            "准予行政许可决定书",
        ] {
            assert!(text.contains(want), "{want}: {text}");
        }
        pdf_png(&printed, "after-pickup-printed-delivery-receipt");
    } else {
        app.close().await;
    }
}

#[tokio::test]
async fn an_extension_is_requested_by_the_clerk_and_approved_by_a_supervisor_on_the_same_pc() {
    let mut sb = Sandbox::new().on_day("2026-03-02");
    let app = App::start("after-extension", &sb).await;
    let receipt = e2e::accept_food_licence(&app, "53050219850505204", "郑十").await;
    app.close().await;

    // 2026-03-20: the decision cannot be made in time.
    sb.move_to_day("2026-03-20");
    let app = App::start("after-extension-later", &sb).await;
    open_case(&app, &receipt).await;
    click(&app, "progress-action-extend").await;
    click(&app, "progress-reason").await;
    app.keys("需对经营场所进行现场核查").await;
    // 王主任 (the supervisor) approves at 张三's PC with her own password;
    // a wrong one is refused on its field.
    click(&app, "progress-approver").await;
    app.keys("lead01").await;
    click(&app, "progress-approver-password").await;
    app.keys("not-her-password").await;
    click(&app, "progress-confirm").await;
    app.wait_text("[data-testid=progress-error]", "密码不正确")
        .await;
    click(&app, "progress-approver-password").await;
    app.keys("demo-lead-1").await;
    app.screenshot("approve").await;
    click(&app, "progress-confirm").await;
    app.wait_text("[data-testid=progress-history]", "王主任 批准")
        .await;
    // 10 more working days for the promise too.
    assert_eq!(app.text("[data-testid=progress-due]").await, "2026-03-30");
    app.wait_text(
        "[data-testid=case-detail] [data-testid=documents]",
        "延长期限告知书",
    )
    .await;
    // The clerk is still the one signed in.
    assert!(app.text("[data-testid=who]").await.contains("张三"));
    app.screenshot("extended").await;
    app.close().await;
}
