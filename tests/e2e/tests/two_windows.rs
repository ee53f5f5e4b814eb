//! Two windows of one hall (two app instances, separate data dirs) against
//! one platform server on a real PostgreSQL: window A takes in a case while
//! the platform is down and sends it by itself when it is back; window B
//! sees it; a department approves it (platform admin CLI); both windows
//! show the result; an online application appears in B's hall list and is
//! accepted there.

use e2e::platform::{admin, hall_tab, login, pick_file, sync_now, wait_long, Hall};
use e2e::{citizen_id, k, pick_food_licence, App, Key};

/// The day these tests run on (no test depends on the real date).
const DAY: &str = "2026-03-02";

#[tokio::test]
async fn two_windows_of_one_hall_share_cases_and_results() {
    let mut hall = Hall::start().await;
    let sandbox = |w: &str| {
        hall.sandbox(w)
            .on_day(DAY)
            .with_env("WINDOW_CLERK_MULTI_INSTANCE", "1")
    };
    let (sa, sb) = (sandbox("07"), sandbox("08"));
    let a = App::start("two-windows-a", &sa).await;
    let b = App::start("two-windows-b", &sb).await;
    login(&a).await;
    login(&b).await;
    wait_long(&a, "[data-testid=sb-connection]", "在线", 30).await;

    // The platform goes away; window A keeps working.
    hall.stop();
    a.keys(&format!("{}1", k(Key::Alt))).await;
    pick_food_licence(&a).await;
    a.wait_focus("kind-person").await;
    a.keys(&k(Key::Enter)).await;
    a.keys(&citizen_id("53050219900101123")).await;
    a.keys(&k(Key::Enter)).await;
    a.keys("李四").await;
    a.keys(&k(Key::Enter)).await;
    a.keys("13808720000").await;
    for m in ["m1", "m2", "m3", "m4", "m5", "m6"] {
        a.click(&format!("[data-testid=recv-{m}]")).await;
    }
    a.keys(&format!("{}{}", k(Key::Control), k(Key::Enter)))
        .await;
    let receipt = a.text("[data-testid=receipt-no]").await;
    assert!(
        !receipt.split('-').nth(1).unwrap().starts_with('0'),
        "enrolled device code: {receipt}"
    );
    wait_long(&a, "[data-testid=sb-connection]", "离线", 30).await;
    a.wait_text("[data-testid=sb-unsent]", "未发送：1").await;
    a.screenshot("offline").await;

    // Offline, the clerk attaches the scan of the applicant's ID card to
    // the case; a Word file named .pdf is refused with the rule.
    a.keys(&format!("{}2", k(Key::Alt))).await;
    a.wait_text("[data-testid=case-list]", &receipt).await;
    a.keys(&k(Key::Down)).await;
    a.wait_focus(&format!("case-{receipt}")).await;
    a.keys(&k(Key::Enter)).await;
    a.wait_css("[data-testid=case-detail] [data-testid=att-file]")
        .await;
    pick_file(&a, "申请书.pdf", "PK\\x03\\x04 not a pdf").await;
    a.wait_text("[data-testid=att-message]", "PDF、JPEG 或 PNG")
        .await;
    pick_file(&a, "身份证扫描件.pdf", "%PDF-1.4\\n").await;
    a.wait_text("[data-testid=att-pending]", "身份证扫描件.pdf")
        .await;
    a.wait_text("[data-testid=sb-unsent]", "未发送：2").await;
    // The applicant's phone changed: corrected in the same drawer, offline;
    // a wrong number is refused on its field.
    a.click("[data-testid=c-phone]").await;
    a.keys(&format!("{}a", k(Key::Control))).await;
    a.keys("1390872").await;
    a.click("[data-testid=c-save]").await;
    a.wait_text("[data-testid=c-phone-error]", "11 位手机号")
        .await;
    a.click("[data-testid=c-phone]").await;
    a.keys(&k(Key::End)).await;
    a.keys("0001").await;
    a.click("[data-testid=c-save]").await;
    a.wait_text("[data-testid=contact-message]", "已保存").await;
    a.wait_text("[data-testid=sb-unsent]", "未发送：3").await;
    a.screenshot("attached-offline").await;
    a.keys(&k(Key::Escape)).await;

    // Back: the worker sends it by itself (no click, no new case).
    hall.restart();
    wait_long(&a, "[data-testid=sb-unsent]", "未发送：0", 90).await;
    wait_long(&a, "[data-testid=sb-connection]", "在线", 30).await;
    // The scan follows by the attachment lane.
    a.keys(&format!("{}2", k(Key::Alt))).await;
    a.wait_text("[data-testid=case-list]", &receipt).await;
    a.keys(&k(Key::Down)).await;
    a.wait_focus(&format!("case-{receipt}")).await;
    a.keys(&k(Key::Enter)).await;
    wait_long(&a, "[data-testid=att-stored]", "身份证扫描件.pdf", 60).await;
    a.screenshot("attachment-uploaded").await;
    a.keys(&k(Key::Escape)).await;

    // Window B sees A's case in the hall list.
    sync_now(&b).await;
    hall_tab(&b).await;
    wait_long(&b, "[data-testid=hall-list]", &receipt, 10).await;

    // A department approves it; both windows show the result.
    let case = admin(&hall.db, &["find-case", &receipt]);
    let id = case["case_id"].as_str().unwrap();
    admin(&hall.db, &["decide", id, "市场监管局", "approve"]);
    for w in [&a, &b] {
        sync_now(w).await;
        hall_tab(w).await;
        wait_long(
            w,
            &format!("[data-testid='hall-status-{receipt}']"),
            "已办结（准予）",
            10,
        )
        .await;
    }
    // A's sync panel: the case delivered, with its receipt number.
    a.keys(&format!("{}4", k(Key::Alt))).await;
    wait_long(&a, "[data-testid=outbox]", "已送达", 10).await;
    assert!(a.text("[data-testid=outbox]").await.contains(&receipt));
    a.screenshot("sync-panel").await;
    let row = b.text(&format!("[data-testid='hall-{receipt}']")).await;
    assert!(row.contains("市场监管局：同意"), "{row}");
    b.screenshot("approved").await;

    // An online application reaches B's hall list and is accepted there.
    let f = sb.dir.path().join("online.json");
    std::fs::write(
        &f,
        serde_json::json!({"office_id": "SAMPLE", "matter_code": "11530500MB1A27618NXK00001000000", "matter_version": 1,
            "matter_name": "食品经营许可", "applicant_name": "赵六", "applicant_id_no": "530502199001011233",
            "applicant_phone": "13808720001", "form": {}})
        .to_string(),
    )
    .unwrap();
    let online = admin(&hall.db, &["online-application", f.to_str().unwrap()]);
    let web = online["receipt_no"].as_str().unwrap().to_owned();
    sync_now(&b).await;
    hall_tab(&b).await;
    wait_long(&b, &format!("[data-testid='hall-{web}']"), "网上申报", 10).await;
    b.screenshot("online-application").await;
    b.click(&format!("[data-testid='accept-{web}']")).await;
    b.wait_text("[data-testid=hall-message]", "已受理").await;
    sync_now(&b).await;
    hall_tab(&b).await;
    wait_long(
        &b,
        &format!("[data-testid='hall-status-{web}']"),
        "已受理",
        10,
    )
    .await;
    assert_eq!(admin(&hall.db, &["find-case", &web])["status"], "accepted");
    b.screenshot("hall").await;
    a.close().await;
    b.close().await;
}
