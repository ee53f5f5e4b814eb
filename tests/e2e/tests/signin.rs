//! Issue #12 in the real window: who is at the window. Online sign-in as a
//! clerk of a real platform; the idle lock covers the form and unlocking
//! restores it; a second clerk on the same PC sees nothing of the first;
//! with the platform stopped the first clerk signs in offline, a user who
//! never signed in here is refused with the reason; five wrong passwords
//! show the lock and its end. And a standalone PC's first start.

use e2e::platform::{admin, Hall, PASSWORD};
use e2e::{accept_food_licence, k, pick_food_licence, App, Key, Sandbox};

const DAY: &str = "2026-03-02";

async fn sign_in_expecting_error(app: &App, user: &str, password: &str) -> String {
    app.wait_css("[data-testid=signin-user]").await;
    app.js("const u = document.querySelector('[data-testid=signin-user]'); u.value = ''; u.dispatchEvent(new Event('input'))")
        .await;
    app.click("[data-testid=signin-user]").await;
    app.keys(user).await;
    app.keys(&k(Key::Tab)).await;
    app.keys(password).await;
    app.keys(&k(Key::Enter)).await;
    app.wait_css("[data-testid=signin-error]").await;
    app.text("[data-testid=signin-error]").await
}

async fn sign_out(app: &App) {
    app.sign_out().await;
}

#[tokio::test]
async fn clerks_sign_in_online_and_offline_lock_and_never_see_each_other() {
    let mut hall = Hall::start().await;
    admin(&hall.db, &["add-user", "clerk2", "李强", "SAMPLE"]);
    admin(&hall.db, &["add-user", "zhao", "赵敏", "SAMPLE"]);
    let sb = hall
        .sandbox_with("07", "[session]\nidle_lock_secs = 6\n")
        .on_day(DAY)
        .signed_out();
    let app = App::start("signin", &sb).await;
    app.wait_css("[data-testid=signin-user]").await;
    app.screenshot("sign-in").await;

    // 王芳 signs in online and takes in a case.
    app.sign_in("clerk", PASSWORD).await;
    let who = app.text("[data-testid=who]").await;
    assert!(
        who.contains("王芳") && who.contains("窗口人员") && !who.contains("离线"),
        "{who}"
    );
    let receipt = accept_food_licence(&app, "53050219900101123", "李四").await;

    // A new form, half filled; then no activity: the lock covers it.
    app.keys(&format!("{}1", k(Key::Alt))).await;
    app.click("[data-testid=next-case]").await;
    pick_food_licence(&app).await;
    app.wait_focus("kind-person").await;
    app.keys(&k(Key::Enter)).await;
    app.click("[data-testid=f-name]").await;
    app.keys("周未完").await;
    e2e::personal("周未完");
    app.wait_css("[data-testid=lock-title]").await;
    let lock = app.text("[data-testid=signin]").await;
    assert!(
        lock.contains("屏幕已锁定") && lock.contains("王芳"),
        "{lock}"
    );
    app.screenshot("idle-lock").await;
    app.click("[data-testid=signin-password]").await;
    app.keys(PASSWORD).await;
    app.keys(&k(Key::Enter)).await;
    app.wait_css("body[data-phase=active]").await;
    let name = app
        .js("return document.querySelector('[data-testid=f-name]').value")
        .await;
    assert_eq!(name, "周未完", "the form under the lock is kept");

    // A second clerk on this PC: no draft, no cases of 王芳.
    sign_out(&app).await;
    app.sign_in("clerk2", PASSWORD).await;
    assert!(app.text("[data-testid=who]").await.contains("李强"));
    app.keys(&format!("{}1", k(Key::Alt))).await;
    assert!(
        !app.exists("[data-testid=f-name]").await,
        "李强 sees no draft of 王芳's"
    );
    app.keys(&format!("{}2", k(Key::Alt))).await;
    app.wait_text("[data-testid=case-count]", "今日共 0 件")
        .await;
    let page = app.text("body").await;
    assert!(!page.contains(&receipt) && !page.contains("李四"), "{page}");
    app.screenshot("second-clerk").await;
    sign_out(&app).await;

    // The platform is stopped: 王芳 signs in offline; 赵敏 never signed in
    // here and is refused with the reason.
    hall.stop();
    app.sign_in("clerk", PASSWORD).await;
    assert!(app.text("[data-testid=who]").await.contains("离线登录"));
    app.keys(&format!("{}1", k(Key::Alt))).await;
    app.wait_css("[data-testid=f-name]").await;
    let name = app
        .js("return document.querySelector('[data-testid=f-name]').value")
        .await;
    assert_eq!(name, "周未完", "her draft is hers again");
    sign_out(&app).await;
    let why = sign_in_expecting_error(&app, "zhao", PASSWORD).await;
    assert!(why.contains("从未在本机联网登录过"), "{why}");
    app.screenshot("offline-refused").await;

    // Five wrong passwords: locked on this PC, with the time it ends.
    for left in (1..=4).rev() {
        let why = sign_in_expecting_error(&app, "clerk", "wrong-password").await;
        assert!(why.contains(&format!("再错 {left} 次将锁定")), "{why}");
    }
    let why = sign_in_expecting_error(&app, "clerk", "wrong-password").await;
    assert!(
        why.contains("该用户在本机已锁定") && why.contains("后可再试"),
        "{why}"
    );
    app.screenshot("locked-out").await;
    app.close().await;
}

/// A standalone PC without demo users: the first start asks for the local
/// administrator, who adds a clerk in 设置 → 用户; the clerk then signs in
/// and sees no 用户 panel.
#[tokio::test]
async fn a_standalone_first_start_makes_the_administrator_who_adds_a_clerk() {
    let sb = Sandbox::new().on_day(DAY).without_demo_users();
    let app = App::start("first-start", &sb).await;
    app.wait_text("[data-testid=signin]", "首次启动").await;
    app.click("[data-testid=signin-user]").await;
    app.keys("admin").await;
    app.keys(&k(Key::Tab)).await;
    app.keys("王管理").await;
    app.keys(&k(Key::Tab)).await;
    app.keys("short").await;
    app.keys(&k(Key::Enter)).await;
    app.wait_text("[data-testid=signin-error]", "密码至少 8 位")
        .await;
    app.click("[data-testid=signin-password]").await;
    app.keys("admin-pass-1").await;
    app.keys(&k(Key::Enter)).await;
    app.wait_css("body[data-phase=active]").await;
    // The administrator has no intake: settings only.
    assert!(!app.exists("[data-testid=nav-intake]").await);
    app.wait_css("[data-testid=users-panel]").await;
    app.click("[data-testid=new-user-id]").await;
    app.keys("clerk09").await;
    app.click("[data-testid=new-user-name]").await;
    app.keys("钱多多").await;
    app.click("[data-testid=new-user-password]").await;
    app.keys("clerk-pass-9").await;
    app.click("[data-testid=new-user-add]").await;
    app.wait_text("[data-testid=users]", "钱多多").await;
    app.screenshot("users").await;
    sign_out(&app).await;
    app.sign_in("clerk09", "clerk-pass-9").await;
    app.wait_css("[data-testid=nav-intake]").await;
    assert!(!app.exists("[data-testid=users-panel]").await);
    app.close().await;
}
