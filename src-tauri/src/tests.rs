//! Command tests through Tauri's IPC layer (mock runtime, real ACL from
//! capabilities/main.json): what the webview sends, what it gets back.

use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::ipc::{CallbackFn, InvokeBody};

use crate::state::AppCore;

/// The origin Linux and macOS webviews use (Windows: http://tauri.localhost).
fn origin() -> &'static str {
    if cfg!(windows) {
        "http://tauri.localhost"
    } else {
        "tauri://localhost"
    }
}

type Webview = tauri::WebviewWindow<tauri::test::MockRuntime>;

/// The app with its main window (the label the capability names).
fn app(config: clerk_config::Loaded) -> (tauri::App<tauri::test::MockRuntime>, Webview) {
    let app = crate::build(mock_builder(), AppCore::new(config, std::time::Instant::now()))
        .build(tauri::generate_context!())
        .expect("app builds");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    (app, webview)
}

fn default_config() -> clerk_config::Loaded {
    clerk_config::Loaded { config: clerk_config::Config::embedded_default(), path: None, problem: None }
}

fn invoke(webview: &Webview, cmd: &str, args: Value) -> Result<Value, Value> {
    let res = get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: origin().parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    );
    res.map(|b| b.deserialize::<Value>().unwrap())
}

#[test]
fn app_info_reports_standalone_default() {
    let (_app, w) = app(default_config());
    let v = invoke(&w, "app_info", json!({})).unwrap();
    assert_eq!(v["mode"], "standalone");
    assert_eq!(v["config_source"], "embedded_default");
    assert_eq!(v["config_problem"], Value::Null);
    assert_eq!(v["server_url"], Value::Null);
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert!(v["catalogue"]["matter_count"].as_u64().unwrap() >= 20);
    assert_eq!(v["catalogue"]["sample"], true);
}

#[test]
fn a_broken_config_is_reported_with_its_field() {
    let problem = clerk_config::Config::parse("[hall]\ncode='H'\nname='x'\n[window]\ncode='七'\nname='y'\n").unwrap_err();
    let (_app, w) = app(clerk_config::Loaded {
        config: clerk_config::Config::embedded_default(),
        path: Some("/etc/window-clerk/clerk.toml".into()),
        problem: Some(problem),
    });
    let v = invoke(&w, "app_info", json!({})).unwrap();
    assert_eq!(v["config_source"], "embedded_default");
    assert_eq!(v["config_problem"]["kind"], "config");
    assert_eq!(v["config_problem"]["field"], "window.code");
    assert!(v["config_problem"]["message"].as_str().unwrap().contains("window.code"));
}

#[test]
fn list_matters_filters_and_validates() {
    let (_app, w) = app(default_config());
    let v = invoke(&w, "list_matters", json!({ "query": "食品" })).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["name"], "食品经营许可");
    assert_eq!(list[0]["department"], "保山市市场监督管理局");
    assert_eq!(list[0]["case_kind"], "promised");

    // Pinyin initials, as clerks type them.
    let v = invoke(&w, "list_matters", json!({ "query": "yyzz" })).unwrap();
    assert_eq!(v[0]["name"], "营业执照遗失补领");

    let err = invoke(&w, "list_matters", json!({ "query": "长".repeat(101) })).unwrap_err();
    assert_eq!(err["kind"], "validation");
    assert_eq!(err["field"], "query");
}

#[test]
fn sync_status_has_nothing_unsent_in_standalone_mode() {
    let (_app, w) = app(default_config());
    let v = invoke(&w, "sync_status", json!({})).unwrap();
    assert_eq!(v, json!({ "online": false, "mode": "standalone", "unsent": 0, "oldest_unsent_secs": null }));
}

#[test]
fn unknown_commands_are_refused() {
    let (_app, w) = app(default_config());
    let err = invoke(&w, "plugin:fs|read_file", json!({ "path": "/etc/passwd" })).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("not allowed") || text.contains("not found"), "{text}");
}

#[test]
fn only_the_main_window_may_call_commands() {
    let (app, _main) = app(default_config());
    let other = tauri::WebviewWindowBuilder::new(&app, "other", Default::default()).build().unwrap();
    let err = invoke(&other, "app_info", json!({})).unwrap_err();
    assert!(err.to_string().contains("not allowed"), "{err}");
}
