//! The shell: Chinese first, the status bar, English, keyboard-only navigation.

use e2e::{App, Key, Sandbox};

/// The day these tests run on (no test depends on the real date).
const DAY: &str = "2026-03-02";

fn k(key: Key) -> String {
    char::from(key).to_string()
}

#[tokio::test]
async fn shell_opens_in_chinese_with_the_status_bar_right() {
    let sb = Sandbox::new().on_day(DAY);
    let app = App::start("shell-default-zh", &sb).await;

    assert_eq!(
        app.js("return document.documentElement.lang").await,
        "zh-CN"
    );
    for (id, label) in [
        ("intake", "受理"),
        ("queue", "队列"),
        ("stats", "统计"),
        ("settings", "设置"),
    ] {
        assert!(app
            .text(&format!("[data-testid=nav-{id}]"))
            .await
            .contains(label));
    }
    // No config file: standalone on the embedded default, and it says so.
    assert_eq!(app.text("[data-testid=sb-connection]").await, "单机模式");
    assert!(!app.exists("[data-testid=sb-server]").await);
    assert_eq!(app.text("[data-testid=sb-unsent]").await, "未发送：0");
    assert!(app
        .text("[data-testid=sb-window]")
        .await
        .contains("窗口 00 · 示例政务服务中心（未配置）"));
    assert_eq!(
        app.text("[data-testid=sb-version]").await,
        format!("版本 {}", env!("CARGO_PKG_VERSION"))
    );
    assert!(!app.exists("[data-testid=config-problem]").await);

    // The clerk lands in the matter search, with the sample catalogue listed.
    assert_eq!(app.focused_testid().await, "matter-search");
    let n = app
        .js("return document.querySelectorAll('[data-testid=matter-list] [role=option]').length")
        .await;
    assert!(n.as_u64().unwrap() >= 20, "{n}");
    app.keys("食品").await;
    app.wait_text("[data-testid=matter-list]", "食品经营许可")
        .await;
    let n = app
        .js("return document.querySelectorAll('[data-testid=matter-list] [role=option]').length")
        .await;
    assert_eq!(n, 1);
    app.keys(&k(Key::Down)).await;
    app.keys(&k(Key::Enter)).await;
    app.wait_text("[data-testid=matter-detail]", "保山市市场监督管理局")
        .await;
    app.wait_text("[data-testid=matter-detail]", "10 个工作日")
        .await;
    app.screenshot("").await;

    // issue #13: the window stays on the app's own origin. A script that
    // sends it elsewhere, or opens a window there, gets nowhere, and the
    // other origin never hears from it.
    let (away, knocks) = e2e::elsewhere().await;
    let origin = app.js("return location.origin").await;
    app.js(&format!(
        "setTimeout(() => {{ location.href = '{away}'; }}, 0); return 1"
    ))
    .await;
    app.js(&format!(
        "setTimeout(() => {{ window.open('{away}', '_blank'); }}, 0); return 1"
    ))
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(app.js("return location.origin").await, origin);
    assert_eq!(app.client.windows().await.unwrap().len(), 1);
    assert_eq!(knocks.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert!(app
        .text("[data-testid=matter-detail]")
        .await
        .contains("保山市市场监督管理局"));
    app.close().await;
}

const CONFIGURED: &str = r#"
[hall]
code = "530502-ZWZX"
name = "保山市隆阳区政务服务中心"

[window]
code = "07"
name = "综合受理7号窗口"

[platform]
server_url = "http://127.0.0.1:9"
"#;

#[tokio::test]
async fn status_bar_shows_the_configured_hall_window_and_server() {
    let sb = Sandbox::new().with_config(CONFIGURED).on_day(DAY);
    let app = App::start("shell-configured", &sb).await;
    // A server is configured but nothing answers there: offline, and the
    // server is named.
    assert_eq!(app.text("[data-testid=sb-connection]").await, "离线");
    assert_eq!(
        app.text("[data-testid=sb-server]").await,
        "平台服务器：http://127.0.0.1:9"
    );
    assert!(app
        .text("[data-testid=sb-window]")
        .await
        .contains("窗口 07 · 保山市隆阳区政务服务中心"));
    assert!(app
        .text("[data-testid=hall-name]")
        .await
        .contains("综合受理7号窗口"));
    app.screenshot("").await;
    app.close().await;
}

#[tokio::test]
async fn a_broken_machine_config_is_shown_not_hidden() {
    let sb = Sandbox::new()
        .with_config(&CONFIGURED.replace("code = \"07\"", "code = \"七号窗口\""))
        .on_day(DAY);
    let app = App::start("shell-config-problem", &sb).await;
    let banner = app.text("[data-testid=config-problem]").await;
    assert!(banner.contains("window.code"), "{banner}");
    assert!(banner.contains("信息科"), "{banner}");
    assert_eq!(app.text("[data-testid=sb-connection]").await, "单机模式");
    app.screenshot("").await;
    app.close().await;
}

#[tokio::test]
async fn language_switches_to_english_and_stays() {
    let sb = Sandbox::new().on_day(DAY);
    let app = App::start("shell-english", &sb).await;
    app.wait_css("[data-testid=nav-settings]")
        .await
        .click()
        .await
        .unwrap();
    app.wait_css("[data-testid=view-settings]").await;
    app.wait_css("[data-testid=lang-en]")
        .await
        .click()
        .await
        .unwrap();
    app.wait_text("[data-testid=nav-intake]", "Intake").await;
    assert!(app.text("[data-testid=nav-queue]").await.contains("Queues"));
    assert_eq!(app.text("[data-testid=sb-connection]").await, "Standalone");
    assert_eq!(app.text("[data-testid=sb-unsent]").await, "Unsent: 0");
    assert_eq!(app.js("return document.documentElement.lang").await, "en");
    app.screenshot("").await;
    app.close().await;

    // The choice survives a restart.
    let app = App::start("shell-english-restart", &sb).await;
    app.wait_text("[data-testid=nav-intake]", "Intake").await;
    app.wait_css("[data-testid=nav-settings]")
        .await
        .click()
        .await
        .unwrap();
    app.wait_css("[data-testid=lang-zh-CN]")
        .await
        .click()
        .await
        .unwrap();
    app.wait_text("[data-testid=nav-intake]", "受理").await;
    app.close().await;
}

#[tokio::test]
async fn keyboard_alone_reaches_every_section() {
    let sb = Sandbox::new().on_day(DAY);
    let app = App::start("shell-keyboard", &sb).await;
    let alt = k(Key::Alt);

    // Pinyin initials find the matter, as a clerk types them.
    app.keys("spjyxk").await;
    app.wait_text("[data-testid=matter-list]", "食品经营许可")
        .await;
    let n = app
        .js("return document.querySelectorAll('[data-testid=matter-list] [role=option]').length")
        .await;
    assert_eq!(n, 1);

    for (n, view, title) in [
        ("2", "queue", "队列"),
        ("3", "stats", "统计"),
        ("4", "settings", "设置"),
        ("1", "intake", "受理"),
    ] {
        app.keys(&format!("{alt}{n}")).await;
        let h = app.text(&format!("[data-testid=view-{view}] h1")).await;
        assert_eq!(h, title, "Alt+{n}");
    }
    assert_eq!(app.focused_testid().await, "matter-search");

    // Tab order: Shift+Tab from the search walks back through the navigation.
    let mut reached = Vec::new();
    let back = format!("{}{}", k(Key::Shift), k(Key::Tab));
    for _ in 0..8 {
        app.keys(&back).await;
        let id = app.focused_testid().await;
        if id.starts_with("nav-") && !reached.contains(&id) {
            reached.push(id.clone());
        }
        if id == "nav-intake" {
            break;
        }
    }
    for s in ["nav-intake", "nav-queue", "nav-stats", "nav-settings"] {
        assert!(
            reached.iter().any(|r| r == s),
            "Shift+Tab reached {reached:?}, not {s}"
        );
    }
    // From the first nav item, Tab forward to 设置 and press Enter.
    for _ in 0..3 {
        app.keys(&k(Key::Tab)).await;
    }
    assert_eq!(app.focused_testid().await, "nav-settings");
    app.keys(&k(Key::Enter)).await;
    app.wait_css("[data-testid=view-settings]").await;
    // The focus ring is visible on the focused control.
    // Focus moved into the section (the language choice), with a visible ring.
    assert_eq!(app.focused_testid().await, "lang-zh-CN");
    let visible = app
        .js("const el = document.activeElement; \
             if (getComputedStyle(el).outlineStyle === 'solid') return true; \
             const w = el.closest('.el-radio-button')?.querySelector('.el-radio-button__inner'); \
             return !!w && getComputedStyle(w).boxShadow.includes('230, 162, 60');")
        .await;
    assert_eq!(visible, true, "focus must be visible");
    app.screenshot("").await;
    app.close().await;
}
