//! Intake in the real window, offline (standalone: no platform server):
//! 食品经营许可 with 容缺 for one material, an invalid ID shown on its field,
//! the case list, a known applicant filled in, and the draft restored after
//! the app is closed mid-form.

use e2e::{accept_food_licence, citizen_id, k, pick_food_licence, App, Key, Sandbox};

const DAY: &str = "2026-03-02"; // a Monday

async fn click(app: &App, testid: &str) {
    app.click(&format!("[data-testid='{testid}']")).await;
}

#[tokio::test]
async fn food_licence_with_one_gap_offline() {
    let sb = Sandbox::new().on_day(DAY);
    let app = App::start("intake-food-gap", &sb).await;
    pick_food_licence(&app).await;

    // Keyboard: the first field is the applicant kind; Enter moves on.
    app.wait_focus("kind-person").await;
    app.keys(&k(Key::Enter)).await;
    assert_eq!(app.focused_testid().await, "f-id_no");

    // An impossible birth date (month 13) with a correct check digit: the
    // field names the rule, in Chinese.
    app.keys(&citizen_id("53050219901301123")).await;
    app.keys(&k(Key::Enter)).await;
    assert_eq!(app.focused_testid().await, "f-name");
    let err = app.text("[data-testid='err-applicant.id_no']").await;
    assert!(
        err.contains("身份证件号码有误") && err.contains("出生日期"),
        "{err}"
    );
    app.screenshot("invalid-id").await;

    // Correct it, fill the rest by keyboard.
    let id = citizen_id("53050219900101123");
    click(&app, "f-id_no").await;
    app.js("const i = document.querySelector('[data-testid=f-id_no]'); i.select(); return 1")
        .await;
    app.keys(&id).await;
    app.keys(&k(Key::Enter)).await;
    app.keys("李四").await;
    app.keys(&k(Key::Enter)).await;
    app.keys("13808720000").await;
    app.keys(&k(Key::Enter)).await;
    app.keys("保山市隆阳区正阳南路 8 号").await;
    app.keys(&k(Key::Enter)).await;
    assert!(
        !app.exists("[data-testid='err-applicant.id_no']").await,
        "the ID error went away"
    );

    // Materials, keyboard first (issue #14): a row is one stop, Space
    // ticks "received", 2 "original seen", Enter goes to the next row.
    // Everything received except m4 (容缺-eligible).
    for m in ["m1", "m2", "m3", "m4", "m5", "m6"] {
        assert_eq!(app.focused_testid().await, format!("mat-{m}"));
        if m != "m4" {
            app.keys(" ").await;
        }
        app.keys(&k(Key::Enter)).await;
    }
    let ticked = app
        .js("return ['m1','m2','m3','m4','m5','m6'].map(m => document.querySelector(`[data-testid=recv-${m}]`).checked)")
        .await;
    assert_eq!(
        ticked,
        serde_json::json!([true, true, true, false, true, true])
    );
    // 2 on a row ticks its "original seen", and again un-ticks it. (A row
    // takes the keyboard's focus; WebDriver cannot click a table row.)
    app.js("document.querySelector('[data-testid=mat-m2]').focus(); return 1")
        .await;
    let orig = "return document.querySelector('[data-testid=orig-m2]').checked";
    let before = app.js(orig).await;
    app.keys("2").await;
    assert_ne!(app.js(orig).await, before);
    app.keys("2").await;
    assert_eq!(app.js(orig).await, before);
    let m4 = app.text("[data-testid=mat-m4]").await;
    assert!(m4.contains("可容缺"), "{m4}");

    // Plain accept is refused on the materials field, nothing is saved.
    app.keys(&format!("{}{}", k(Key::Control), k(Key::Enter)))
        .await;
    let err = app.text("[data-testid=err-materials]").await;
    assert!(err.contains("缺少必要材料"), "{err}");
    // The error goes as soon as the field is right: m4 ticked…
    app.js("document.querySelector('[data-testid=mat-m4]').focus(); return 1")
        .await;
    app.keys(" ").await;
    for _ in 0..50 {
        if !app.exists("[data-testid=err-materials]").await {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        !app.exists("[data-testid=err-materials]").await,
        "the materials error stayed"
    );
    // …but m4 did not come after all.
    app.keys(" ").await;

    // 容缺受理: the supply date comes prefilled with the latest allowed.
    click(&app, "dec-accept_with_gaps").await;
    let supply_by: String = app
        .js("return document.querySelector('[data-testid=f-supply_by]').value")
        .await
        .as_str()
        .unwrap()
        .into();
    assert_eq!(supply_by, "2026-03-16", "10 working days from {DAY}");
    click(&app, "f-commitment").await;
    app.screenshot("form").await;
    app.keys(&format!("{}{}", k(Key::Control), k(Key::Enter)))
        .await;

    let receipt = app.text("[data-testid=receipt-no]").await;
    let parts: Vec<&str> = receipt.split('-').collect();
    assert_eq!(parts.len(), 4, "{receipt}");
    assert_eq!((parts[0], parts[2]), ("SAMPLE", "000001"), "{receipt}");
    assert!(
        parts[1].starts_with('0') && parts[1].len() == 4,
        "provisional device code: {receipt}"
    );
    assert_eq!(app.text("[data-testid=promised-due]").await, "2026-03-16");
    assert_eq!(app.text("[data-testid=supply-by]").await, "2026-03-16");
    assert!(app
        .text("[data-testid=confirmation]")
        .await
        .contains("容缺受理"));
    assert!(!app.text("[data-testid=owed]").await.is_empty());
    app.wait_focus("next-case").await;
    app.wait_text("[data-testid=sb-unsent]", "未发送：1").await;
    // The documents the law requires are made at once, offline.
    app.wait_text("[data-testid=documents]", "容缺受理通知书")
        .await;
    assert!(app
        .text("[data-testid=documents]")
        .await
        .contains("收件凭证"));
    // Ctrl+P prints without a dialog; no printer is configured here, so
    // the clerk is told so and the documents stay for later.
    app.keys(&format!("{}p", k(Key::Control))).await;
    let msg = app.text("[data-testid=print-message]").await;
    assert!(
        msg.contains("未配置打印机") && msg.contains("稍后打印"),
        "{msg}"
    );
    app.screenshot("confirmation").await;
    // The on-screen preview (pdf.js) is marked 预览 无效.
    click(&app, "preview-gap_acceptance_notice").await;
    app.wait_css("[data-testid=preview][data-ready='1']").await;
    let inked = app
        .js("const c = document.querySelector('[data-testid=preview] canvas'); c.scrollIntoView({block: 'start'}); \
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0; \
             for (let i = 0; i < d.length; i += 4) if (d[i] < 128) n++; return n")
        .await;
    assert!(
        inked.as_u64().unwrap() > 2000,
        "the preview is drawn, not blank: {inked}"
    );
    app.screenshot("preview").await;
    click(&app, "next-case").await;
    app.wait_focus("matter-search").await;
    // Back to the form flow below: Enter on the focused search is harmless.

    // Next case. The same ID fills the applicant from the first case.
    pick_food_licence(&app).await;
    app.wait_focus("kind-person").await;
    app.keys(&k(Key::Enter)).await;
    app.keys(&id.to_lowercase()).await;
    app.keys(&k(Key::Enter)).await;
    app.wait_css("[data-testid=known-applicant]").await;
    let name: String = app
        .js("return document.querySelector('[data-testid=f-name]').value")
        .await
        .as_str()
        .unwrap()
        .into();
    assert_eq!(name, "李四");

    // Today's list (Alt+2) shows the case; search finds it by name.
    app.keys(&format!("{}2", k(Key::Alt))).await;
    app.wait_text("[data-testid=case-list]", &receipt).await;
    let row = app.text("[data-testid=case-list]").await;
    assert!(
        row.contains("李四") && row.contains("5305**********") && row.contains("138****0000"),
        "{row}"
    );
    app.keys("李四").await;
    app.wait_text("[data-testid=case-count]", "搜索结果：1")
        .await;
    app.screenshot("case-list").await;
    app.close().await;
}

#[tokio::test]
async fn a_draft_survives_closing_the_app_mid_form() {
    let sb = Sandbox::new().on_day(DAY);
    let app = App::start("intake-draft", &sb).await;
    pick_food_licence(&app).await;
    app.wait_focus("kind-person").await;
    app.keys(&k(Key::Enter)).await;
    app.keys(&citizen_id("53050219850505002")).await;
    app.keys(&k(Key::Enter)).await;
    app.keys("王五").await;
    click(&app, "recv-m2").await;
    // The draft is saved 400 ms after the last change.
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    app.close().await; // tauri-driver ends the app

    let app = App::start("intake-draft-restored", &sb).await;
    app.wait_css("[data-testid=draft-restored]").await;
    app.wait_text("[data-testid=matter-detail]", "食品经营许可")
        .await;
    let (name, m2): (String, bool) = {
        let v = app
            .js("return [document.querySelector('[data-testid=f-name]').value, document.querySelector('[data-testid=recv-m2]').checked]")
            .await;
        (v[0].as_str().unwrap().into(), v[1].as_bool().unwrap())
    };
    assert_eq!(name, "王五");
    assert!(m2, "the ticked material is restored");
    app.screenshot("").await;
    app.close().await;
}

#[tokio::test]
async fn a_database_without_its_key_is_neither_opened_nor_replaced() {
    // Nobody can sign in to a store that is not open: the banner shows.
    let sb = Sandbox::new().on_day(DAY).signed_out();
    // A database file is there, but this keyring has never held its key
    // (a copied disk, a new Windows profile, a wiped keyring).
    std::fs::create_dir_all(sb.data_dir()).unwrap();
    let db = sb.data_dir().join("clerk.db");
    let before = b"not readable without the key".repeat(100);
    std::fs::write(&db, &before).unwrap();

    let app = App::start("intake-key-missing", &sb).await;
    let banner = app.text("[data-testid=store-problem]").await;
    assert!(
        banner.contains("未打开也未新建") && banner.contains("信息科"),
        "{banner}"
    );
    app.screenshot("").await;
    app.close().await;
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file is untouched");
}

/// Receipt numbers are reserved ahead (one fsync per several intakes, not
/// one per intake). When the PC is shut down or the clerk logs off, the app
/// gets SIGTERM and closes cleanly, giving the reserve back: the next day's
/// first receipt follows the last one, with no gap.
#[tokio::test]
async fn receipt_numbers_follow_on_after_a_shutdown() {
    let sb = Sandbox::new().on_day(DAY);
    let app = App::start("intake-shutdown", &sb).await;
    let first = accept_food_licence(&app, "53050219880808001", "赵六").await;
    assert_eq!(first.split('-').nth(2), Some("000001"), "{first}");
    let hwm = || {
        e2e::read(&sb.data_dir().join("receipt.hwm"))
            .trim()
            .parse::<i64>()
            .unwrap()
    };
    assert!(hwm() > 1, "numbers reserved ahead while running: {}", hwm());
    assert!(
        app.stop_with_sigterm().await,
        "the app ends by itself on SIGTERM"
    );
    assert_eq!(hwm(), 1, "a clean close gives the reserve back");
    let logs: Vec<_> = std::fs::read_dir(sb.data_dir().join("logs"))
        .unwrap()
        .flatten()
        .map(|e| e2e::read(&e.path()))
        .collect();
    assert!(
        logs.iter()
            .any(|l| l.contains("SIGTERM") && l.contains("store closed cleanly")),
        "the log says why and how it stopped"
    );

    let app = App::start("intake-after-shutdown", &sb).await;
    let second = accept_food_licence(&app, "53050219880808002", "钱七").await;
    assert_eq!(second.split('-').nth(2), Some("000002"), "{second}");
    app.screenshot("").await;
    app.close().await;
}
