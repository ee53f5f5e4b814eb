//! Command tests through Tauri's IPC layer (mock runtime, real ACL from
//! capabilities/main.json): what the webview sends, what it gets back.

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;

use crate::state::AppCore;

/// The origin Linux and macOS webviews use (Windows: http://tauri.localhost).
fn origin() -> &'static str {
    if cfg!(windows) {
        "http://tauri.localhost"
    } else {
        "tauri://localhost"
    }
}

pub(crate) type Webview = tauri::WebviewWindow<tauri::test::MockRuntime>;

/// The day every app test runs on unless it names another: no test
/// depends on the date the suite runs on (issue #11).
pub(crate) const DAY: &str = "2026-03-02";

/// The app with its main window (the label the capability names), on
/// [`DAY`], with the clerk 张三 (`clerk01`) signed in.
pub(crate) fn app(config: clerk_config::Loaded) -> (tauri::App<tauri::test::MockRuntime>, Webview) {
    app_on(DAY, config)
}

/// The same, on `day`.
pub(crate) fn app_on(
    day: &str,
    config: clerk_config::Loaded,
) -> (tauri::App<tauri::test::MockRuntime>, Webview) {
    let (a, w) = signed_out_app(day, config);
    seed_users(&w);
    sign_in(&w, "clerk01", CLERK_PASSWORD).unwrap();
    (a, w)
}

pub(crate) const ADMIN_PASSWORD: &str = "admin-pass-1";
pub(crate) const CLERK_PASSWORD: &str = "clerk-pass-1";

/// On a PC without users: the local administrator (first start), who adds
/// the clerk 张三 (`clerk01`), the supervisor 王主任 (`lead01`), the
/// auditor (`audit01`) and a second clerk 李四 (`clerk02`). Signed out
/// after.
pub(crate) fn seed_users(w: &Webview) {
    invoke(
        w,
        "create_first_admin",
        json!({"userId": "admin", "displayName": "信息管理员", "password": ADMIN_PASSWORD}),
    )
    .unwrap();
    for (id, name, role) in [
        ("clerk01", "张三", "clerk"),
        ("clerk02", "李四", "clerk"),
        ("lead01", "王主任", "supervisor"),
        ("audit01", "赵审计", "auditor"),
    ] {
        invoke(
            w,
            "add_user",
            json!({"userId": id, "displayName": name, "roles": [role], "password": CLERK_PASSWORD}),
        )
        .unwrap();
    }
    invoke(w, "sign_out", json!({})).unwrap();
}

/// A platform PC at first start: the local administrator signed in, to
/// enrol it; clerks then sign in online.
pub(crate) fn platform_app(
    day: &str,
    config: clerk_config::Loaded,
) -> (tauri::App<tauri::test::MockRuntime>, Webview) {
    let (a, w) = signed_out_app(day, config);
    let s = invoke(
        &w,
        "create_first_admin",
        json!({"userId": "admin", "displayName": "信息管理员", "password": ADMIN_PASSWORD}),
    )
    .unwrap();
    assert_eq!(s["user"]["roles"], json!(["admin"]));
    (a, w)
}

pub(crate) fn sign_in(w: &Webview, user: &str, password: &str) -> Result<Value, Value> {
    invoke(w, "sign_in", json!({"userId": user, "password": password}))
}

/// The app signed out (the sign-in screen), on `day`. The only way the
/// tests build an app: the day is always pinned.
pub(crate) fn signed_out_app(
    day: &str,
    config: clerk_config::Loaded,
) -> (tauri::App<tauri::test::MockRuntime>, Webview) {
    let app = crate::build(
        mock_builder(),
        AppCore::new(
            config,
            std::time::Instant::now(),
            tempfile::tempdir().unwrap().keep(),
            crate::state::Secrets::Given(std::sync::Arc::new(clerk_secrets::MemoryStore::new())),
        )
        .on_day(clerk_core::date::Date::parse_iso(day).unwrap()),
    )
    .build(tauri::generate_context!())
    .expect("app builds");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    (app, webview)
}

pub(crate) fn default_config() -> clerk_config::Loaded {
    clerk_config::Loaded {
        config: clerk_config::Config::embedded_default(),
        path: None,
        problem: None,
    }
}

pub(crate) fn invoke(webview: &Webview, cmd: &str, args: Value) -> Result<Value, Value> {
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
    let problem =
        clerk_config::Config::parse("[hall]\ncode='H'\nname='x'\n[window]\ncode='七'\nname='y'\n")
            .unwrap_err();
    let (_app, w) = app(clerk_config::Loaded {
        config: clerk_config::Config::embedded_default(),
        path: Some("/etc/window-clerk/clerk.toml".into()),
        problem: Some(problem),
    });
    let v = invoke(&w, "app_info", json!({})).unwrap();
    assert_eq!(v["config_source"], "embedded_default");
    assert_eq!(v["config_problem"]["kind"], "config");
    assert_eq!(v["config_problem"]["field"], "window.code");
    assert!(v["config_problem"]["message"]
        .as_str()
        .unwrap()
        .contains("window.code"));
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
    assert_eq!(
        v,
        json!({ "online": false, "mode": "standalone", "unsent": 0, "oldest_unsent_secs": null,
                "rejected": 0, "enrolled": false, "needs_login": false, "problem": null,
                "progress_done": null, "progress_total": null,
                "calendar_missing_year": null, "deadline_moves_unseen": 0 })
    );
}

#[test]
fn unknown_commands_are_refused() {
    let (_app, w) = app(default_config());
    let err = invoke(&w, "plugin:fs|read_file", json!({ "path": "/etc/passwd" })).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("not allowed") || text.contains("not found"),
        "{text}"
    );
}

#[test]
fn only_the_main_window_may_call_commands() {
    let (app, _main) = app(default_config());
    let other = tauri::WebviewWindowBuilder::new(&app, "other", Default::default())
        .build()
        .unwrap();
    let err = invoke(&other, "app_info", json!({})).unwrap_err();
    assert!(err.to_string().contains("not allowed"), "{err}");
}

pub(crate) fn food_form(id_no: &str, missing_m4: bool, decision: Value) -> Value {
    let materials: Vec<Value> = (1..=6)
        .map(|i| json!({"material_id": format!("m{i}"), "received": !(missing_m4 && i == 4), "original_seen": true, "copies": 1}))
        .collect();
    json!({"form": {
        "matter_code": "11530500MB1A27618NXK00001000000",
        "matter_version": 1,
        "applicant": {"kind": "person", "name": "李四", "id_no": id_no, "phone": "13808720000"},
        "materials": materials,
        "decision": decision,
    }})
}

pub(crate) fn valid_id() -> String {
    let body = "53050219900101123";
    format!(
        "{body}{}",
        clerk_core::ids::citizen_id_check_char(body).unwrap()
    )
}

/// The form asks Rust what a matter allows and what is missing: 容缺
/// where a material may be missing, never "accept" for an instant matter
/// (refused by take_in too), and the missing list in the matter's order.
#[test]
fn the_decisions_and_the_missing_list_are_rusts() {
    let (_app, w) = app(default_config());
    let food = invoke(
        &w,
        "matter_detail",
        json!({"code": "11530500MB1A27618NXK00001000000"}),
    )
    .unwrap();
    assert_eq!(
        food["decisions"],
        json!([
            "accept",
            "accept_with_gaps",
            "request_supplement",
            "not_accept"
        ])
    );
    let missing = invoke(
        &w,
        "missing_materials",
        food_form(&valid_id(), true, json!({"kind": "accept"})),
    )
    .unwrap();
    assert_eq!(missing.as_array().unwrap().len(), 1, "{missing}");
    assert_eq!(missing[0]["material_id"], "m4");
    assert_eq!(missing[0]["may_be_missing"], true);
    assert_eq!(missing[0]["name"], food["materials"][3]["name"]);

    let matters = invoke(&w, "list_matters", json!({"query": ""})).unwrap();
    let instant = matters
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["case_kind"] == "instant")
        .expect("the sample has an instant matter");
    let code = instant["code"].as_str().unwrap();
    let detail = invoke(&w, "matter_detail", json!({"code": code})).unwrap();
    assert_eq!(
        detail["decisions"],
        json!(["complete_on_the_spot", "request_supplement", "not_accept"])
    );
    assert!(detail["latest_supply_by"].is_null());
    let materials: Vec<Value> = detail["materials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| json!({"material_id": m["id"], "received": true, "original_seen": true, "copies": m["copies"]}))
        .collect();
    let form = json!({"form": {
        "matter_code": code,
        "matter_version": detail["version"],
        "applicant": {"kind": "person", "name": "李四", "id_no": valid_id(), "phone": "13808720000", "address": "保山市隆阳区"},
        "materials": materials,
        "decision": {"kind": "accept"},
    }});
    let out = invoke(&w, "take_in", form).unwrap();
    assert_eq!(out["outcome"], "invalid", "{out}");
    let p = out["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["field"] == "decision")
        .expect("the decision is refused");
    assert_eq!(p["message"], "即办件须当场办结，不能按承诺件受理");
    assert_eq!(invoke(&w, "sync_status", json!({})).unwrap()["unsent"], 0);
}

#[test]
fn take_in_commits_and_lists_and_remembers_the_applicant() {
    let (_app, w) = app(default_config());
    let detail = invoke(
        &w,
        "matter_detail",
        json!({"code": "11530500MB1A27618NXK00001000000"}),
    )
    .unwrap();
    assert_eq!(detail["materials"][3]["may_be_missing"], true);
    let supply_by = detail["latest_supply_by"].as_str().unwrap().to_owned();

    invoke(&w, "save_draft", json!({"body": "{\"step\":2}"})).unwrap();
    let out = invoke(
        &w,
        "take_in",
        food_form(
            &valid_id(),
            true,
            json!({"kind": "accept_with_gaps", "supply_by": supply_by, "commitment_signed": true}),
        ),
    )
    .unwrap();
    assert_eq!(out["outcome"], "committed", "{out}");
    let c = &out["confirmation"];
    assert_eq!(c["status"], "accepted_with_gaps");
    assert_eq!(
        c["status_text"],
        json!({"zh": "容缺受理", "en": "Accepted with gaps"})
    );
    assert!(
        c["receipt_no"].as_str().unwrap().starts_with("SAMPLE-0"),
        "{c}"
    );
    assert!(c["promised_due"].is_string());
    assert_eq!(
        c["applicant_id_masked"],
        format!("5305**********{}", &valid_id()[14..])
    );
    assert_eq!(
        invoke(&w, "load_draft", json!({})).unwrap(),
        Value::Null,
        "the draft went with the case"
    );

    let list = invoke(&w, "list_cases", json!({"query": ""})).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["phone_masked"], "138****0000");
    let found = invoke(&w, "list_cases", json!({"query": "李四"})).unwrap();
    assert_eq!(found[0]["receipt_no"], c["receipt_no"]);
    let known = invoke(
        &w,
        "known_applicant",
        json!({"idNo": valid_id().to_lowercase()}),
    )
    .unwrap();
    assert_eq!(known["name"], "李四");
    assert_eq!(invoke(&w, "sync_status", json!({})).unwrap()["unsent"], 1);

    // The documents the law requires: receipt and 容缺受理通知书, made once.
    let docs = invoke(&w, "case_documents", json!({"caseId": c["case_id"]})).unwrap();
    let kinds: Vec<&str> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["receipt", "gap_acceptance_notice"]);
    assert_eq!(
        invoke(&w, "case_documents", json!({"caseId": c["case_id"]})).unwrap(),
        docs
    );
    // No printer configured: a clear error, the document stays for later.
    let err = invoke(&w, "print_document", json!({"id": docs[0]["id"]})).unwrap_err();
    assert_eq!(err["kind"], "config");
    assert!(
        err["message"].as_str().unwrap().contains("未配置打印机"),
        "{err}"
    );
    let again = invoke(&w, "case_documents", json!({"caseId": c["case_id"]})).unwrap();
    assert_eq!(again[0]["prints"], 0);
    // The journal says so as a code, with the reason in both languages.
    assert_eq!(again[0]["last_outcome"], "failed");
    let tried = &again[0]["history"][0];
    assert_eq!(tried["outcome"], "failed", "{tried}");
    assert!(
        tried["reason"]["zh"]
            .as_str()
            .unwrap()
            .contains("未配置打印机")
            && tried["reason"]["en"]
                .as_str()
                .unwrap()
                .contains("No printer"),
        "{tried}"
    );
}

#[test]
fn an_invalid_form_names_its_fields_and_saves_nothing() {
    let (_app, w) = app(default_config());
    let out = invoke(
        &w,
        "take_in",
        food_form("530502199001011239", true, json!({"kind": "accept"})),
    )
    .unwrap();
    assert_eq!(out["outcome"], "invalid");
    let fields: Vec<&str> = out["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"materials"), "{fields:?}");
    for p in out["problems"].as_array().unwrap() {
        assert!(
            !p["message"].as_str().unwrap().is_empty()
                && !p["message_en"].as_str().unwrap().is_empty()
        );
    }
    assert_eq!(
        invoke(&w, "list_cases", json!({"query": ""})).unwrap(),
        json!([])
    );
    let early = invoke(
        &w,
        "check_applicant",
        json!({"applicant": {"kind": "person", "name": "", "id_no": "123", "phone": ""}}),
    )
    .unwrap();
    let fields: Vec<&str> = early
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["applicant.name", "applicant.id_no", "applicant.phone"]
    );
}

/// An app with these printers, and an accepted 食品经营许可 case with its
/// documents made (case id, documents).
fn accepted_case_with_printers(
    a4: Option<&str>,
    receipt: Option<&str>,
) -> (tauri::App<tauri::test::MockRuntime>, Webview, Value, Value) {
    let mut config = clerk_config::Config::embedded_default();
    config.printer.a4 = a4.map(Into::into);
    config.printer.receipt = receipt.map(Into::into);
    let (app, w) = app(clerk_config::Loaded {
        config,
        path: None,
        problem: None,
    });
    let out = invoke(
        &w,
        "take_in",
        food_form(&valid_id(), false, json!({"kind": "accept"})),
    )
    .unwrap();
    let case_id = out["confirmation"]["case_id"].clone();
    let docs = invoke(&w, "case_documents", json!({"caseId": case_id})).unwrap();
    (app, w, case_id, docs)
}

fn kinds(docs: &Value) -> Vec<&str> {
    docs.as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect()
}

#[test]
fn printing_through_cups_is_journalled_and_reprints_are_copies() {
    if !clerk_print::testing::queues_present(&["WC-PDF"]) {
        return;
    }
    let (_app, w, case_id, docs) = accepted_case_with_printers(Some("WC-PDF"), None);
    assert_eq!(kinds(&docs), vec!["receipt", "acceptance_notice"]);
    let first = invoke(&w, "print_document", json!({"id": docs[1]["id"]})).unwrap();
    assert_eq!(first["copy"], false);
    assert!(
        first["job_id"].as_str().unwrap().starts_with("WC-PDF-"),
        "{first}"
    );
    let second = invoke(&w, "print_document", json!({"id": docs[1]["id"]})).unwrap();
    assert_eq!(second["copy"], true, "a reprint is the saved 副本");
    let after = invoke(&w, "case_documents", json!({"caseId": case_id})).unwrap();
    assert_eq!(after[1]["prints"], 2);
    assert_eq!(after[1]["last_outcome"], "sent");
    assert_eq!(
        invoke(&w, "printers", json!({}))
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| *p == "WC-PDF")
            .count(),
        1
    );
}

/// With a thermal printer configured the receipt is made 80 mm and goes to
/// it; a notice sent to a stopped A4 queue is held by CUPS: the window is
/// told why, the journal says "held", and the original counts as printed.
#[test]
fn the_receipt_goes_to_the_receipt_printer_and_a_held_job_is_reported() {
    if !clerk_print::testing::queues_present(&["WC-PDF", "WC-STOPPED"]) {
        return;
    }
    let (_app, w, case_id, docs) = accepted_case_with_printers(Some("WC-STOPPED"), Some("WC-PDF"));
    assert_eq!(kinds(&docs), vec!["receipt_80mm", "acceptance_notice"]);
    let receipt = invoke(&w, "print_document", json!({"id": docs[0]["id"]})).unwrap();
    assert_eq!(receipt["printer"], "WC-PDF");
    assert_eq!(receipt["outcome"], "sent", "{receipt}");
    assert!(receipt["held"].is_null(), "{receipt}");
    let notice = invoke(&w, "print_document", json!({"id": docs[1]["id"]})).unwrap();
    assert_eq!(notice["printer"], "WC-STOPPED");
    assert_eq!(notice["outcome"], "held", "{notice}");
    let held = notice["held"]["zh"].as_str().unwrap();
    assert!(
        held.contains("打印队列已暂停") && held.contains("文书已保存"),
        "{held}"
    );
    assert!(
        notice["held"]["en"]
            .as_str()
            .unwrap()
            .contains("the print queue is stopped"),
        "{notice}"
    );
    let _ = std::process::Command::new("cancel")
        .arg(notice["job_id"].as_str().unwrap())
        .status();
    let after = invoke(&w, "case_documents", json!({"caseId": case_id})).unwrap();
    assert_eq!(after[1]["prints"], 1);
    assert_eq!(after[1]["last_outcome"], "held");
    let line = &after[1]["history"][0];
    assert_eq!(line["outcome"], "held", "{line}");
    assert!(
        line["reason"]["zh"]
            .as_str()
            .unwrap()
            .starts_with("打印队列已暂停"),
        "{line}"
    );
}

/// The Windows bundle ships the SumatraPDF sidecar where the printing code
/// looks for it (the installer is built on a Windows host; this checks the
/// configuration it will be built from).
#[test]
fn the_windows_bundle_carries_the_print_sidecar() {
    let conf: Value =
        serde_json::from_str(include_str!("../tauri.windows.conf.json")).expect("valid JSON");
    assert_eq!(
        conf["bundle"]["externalBin"],
        json!(["binaries/SumatraPDF"])
    );
    let targets = conf["bundle"]["targets"].as_array().unwrap();
    assert!(targets.contains(&json!("nsis")) && targets.contains(&json!("msi")));
    // The CJK font and its licence go into the install folder, where the
    // printing code looks first (Windows has no Noto CJK of its own).
    assert_eq!(
        conf["bundle"]["resources"][clerk_print::BUNDLED_FONT],
        clerk_print::BUNDLED_FONT
    );
    assert_eq!(
        conf["bundle"]["resources"]["fonts/OFL.txt"],
        "fonts/OFL.txt"
    );
    let first = &clerk_print::font_candidates()[0];
    assert!(first.0.ends_with(clerk_print::BUNDLED_FONT) && first.1 == 0);
    assert_eq!(
        clerk_print::printing::sumatra_path()
            .unwrap()
            .file_name()
            .unwrap(),
        "SumatraPDF.exe"
    );
}

/// A real platform server on a fresh PostgreSQL database, with the sample
/// hall and its clerk 王芳 (`wang` / `password-7`).
pub(crate) struct TestPlatform {
    rt: tokio::runtime::Runtime,
    url: String,
    token: &'static str,
}

impl TestPlatform {
    pub(crate) fn start(db: &str, token: &'static str) -> Self {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let url = rt.block_on(async {
            let db = pg_harness::fresh_database(db).await;
            let (url, _h) =
                platform_server::spawn_local(platform_server::Settings::new(&db, token))
                    .await
                    .unwrap();
            url
        });
        let p = TestPlatform { rt, url, token };
        p.admin(
            "/v1/admin/offices",
            json!({"office_id": "SAMPLE", "name": "示例大厅"}),
        );
        p.admin(
            "/v1/admin/users",
            json!({"user_id": "wang", "name": "王芳", "office_id": "SAMPLE", "password": "password-7"}),
        );
        p
    }

    /// The machine config of a window that talks to this platform.
    pub(crate) fn config(&self) -> clerk_config::Loaded {
        let mut config = clerk_config::Config::embedded_default();
        config.platform.server_url = Some(self.url.clone());
        clerk_config::Loaded {
            config,
            path: None,
            problem: None,
        }
    }

    /// Enrol the window with a fresh code and log 王芳 in.
    pub(crate) fn enrol_and_log_in(&self, w: &Webview) {
        let code = self.admin(
            "/v1/admin/enrolment-codes",
            json!({"office_id": "SAMPLE", "window_code": "00"}),
        )["code"]
            .as_str()
            .unwrap()
            .to_owned();
        invoke(w, "enroll_device", json!({"code": code})).unwrap();
        sign_in(w, "wang", "password-7").unwrap();
    }

    /// An admin call that must succeed.
    pub(crate) fn admin(&self, path: &str, body: Value) -> Value {
        self.rt.block_on(async {
            let r = reqwest::Client::new()
                .post(format!("{}{path}", self.url))
                .bearer_auth(self.token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status();
            let v: Value = r.json().await.unwrap();
            assert!(status.is_success(), "{path}: {v}");
            v
        })
    }
}

/// With a platform configured: the PC is enrolled with a one-time code, a
/// clerk logs in, a case taken in reaches the platform, an online
/// application reaches the hall's list and is accepted at this window; the
/// department's approval comes back. Real server, real PostgreSQL.
#[test]
fn sync_with_the_platform_from_enrolment_to_a_departments_result() {
    let p = TestPlatform::start("app", "app-test-admin-token-01234");
    let (rt, url) = (&p.rt, p.url.clone());
    let admin = |path: &str, body: Value| p.admin(path, body);
    let (_app, w) = platform_app(DAY, p.config());
    let s = invoke(&w, "sync_status", json!({})).unwrap();
    assert_eq!(
        (s["enrolled"].as_bool(), s["unsent"].as_u64()),
        (Some(false), Some(0))
    );
    // A bad code is named; a good one enrols the PC.
    let e = invoke(&w, "enroll_device", json!({"code": "x"})).unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("登记码"), "{e}");
    let code = admin(
        "/v1/admin/enrolment-codes",
        json!({"office_id": "SAMPLE", "window_code": "00"}),
    )["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let device = invoke(&w, "enroll_device", json!({"code": code})).unwrap();
    assert_eq!(device.as_str().unwrap().len(), 4);
    let e = sign_in(&w, "wang", "wrong-pass").unwrap_err();
    assert!(e["message_en"].as_str().unwrap().contains("wrong"), "{e}");
    let s = sign_in(&w, "wang", "password-7").unwrap();
    assert_eq!(s["user"]["display_name"], "王芳");
    assert_eq!(s["user"]["online"], true);

    let out = invoke(
        &w,
        "take_in",
        food_form(&valid_id(), false, json!({"kind": "accept"})),
    )
    .unwrap();
    let receipt = out["confirmation"]["receipt_no"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        receipt.contains(device.as_str().unwrap()),
        "new receipts carry the enrolled device code: {receipt}"
    );
    // (The worker is poked by the new case and may already be sending it.)
    let s = invoke(&w, "sync_now", json!({})).unwrap();
    assert_eq!(s["unsent"], 0, "{s}");
    assert_eq!(s["online"], true);
    // The sync panel lists it as delivered, with its receipt number.
    let items = invoke(&w, "outbox_items", json!({})).unwrap();
    assert_eq!(items[0]["state"], "acked", "a typed state: {items}");
    assert_eq!(items[0]["kind"], "case.create", "a typed kind: {items}");
    assert_eq!(
        items[0]["kind_text"],
        json!({"zh": "收件/受理", "en": "Case taken in"})
    );
    assert_eq!(items[0]["receipt_no"], receipt.as_str());
    let e = invoke(&w, "retry_outbox_item", json!({"seq": items[0]["seq"]})).unwrap_err();
    assert!(
        e["message"].as_str().unwrap().contains("只有被平台退回"),
        "{e}"
    );

    let app_ref = admin(
        "/v1/admin/online-applications",
        json!({"office_id": "SAMPLE", "matter_code": "11530500MB1A27618NXK00001000000", "matter_version": 1,
               "matter_name": "食品经营许可", "applicant_name": "赵六", "applicant_id_no": "530502199001011233",
               "applicant_phone": "13808720001", "form": {}}),
    );
    invoke(&w, "sync_now", json!({})).unwrap();
    let hall = invoke(&w, "hall_cases", json!({})).unwrap();
    let hall = hall.as_array().unwrap();
    assert_eq!(hall.len(), 2, "{hall:?}");
    let online = hall.iter().find(|c| c["online"] == true).unwrap();
    assert_eq!(online["status"], "online_submitted");
    assert_eq!(
        online["status_text"],
        json!({"zh": "网上申报待预审", "en": "Online, awaiting pre-review"})
    );
    assert_eq!(online["applicant_name"], "赵六");
    invoke(&w, "accept_online", json!({"caseId": online["case_id"]})).unwrap();
    // Queued like every clerk action (the poked worker may have sent it already).
    let items = invoke(&w, "outbox_items", json!({})).unwrap();
    assert!(items
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["kind"] == "case.accept_online"
            && (i["state"] == "pending" || i["state"] == "acked")));
    invoke(&w, "sync_now", json!({})).unwrap();
    // Accepted at the window; a department approves; the window sees it.
    let id = app_ref["case_id"].as_str().unwrap();
    admin(
        &format!("/v1/admin/cases/{id}/nodes"),
        json!({"department": "市场监管局", "action": "approve"}),
    );
    invoke(&w, "sync_now", json!({})).unwrap();
    let hall = invoke(&w, "hall_cases", json!({})).unwrap();
    let c = hall
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["case_id"] == id)
        .unwrap()
        .clone();
    assert_eq!(c["status"], "approved", "{c}");
    assert_eq!(
        c["nodes"],
        json!([{"department": "市场监管局", "status": "approved"}])
    );
    // Accepting it again is refused with the reason.
    let e = invoke(&w, "accept_online", json!({"caseId": id})).unwrap_err();
    assert!(
        e["message"].as_str().unwrap().contains("不能再预审受理"),
        "{e}"
    );

    // The platform publishes catalogue v2, in effect: 食品经营许可 needs one
    // more material. New intakes use v2; a form filled on v1 keeps v1 (the
    // citizen was told v1's list) and its banner names the difference.
    const FOOD: &str = "11530500MB1A27618NXK00001000000";
    let mut cat: Value = serde_json::from_str(clerk_core::SAMPLE_CATALOGUE_JSON).unwrap();
    cat["version"] = json!(2);
    let food = cat["matters"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|m| m["code"] == FOOD)
        .unwrap();
    let mut extra = food["materials"][0].clone();
    extra["id"] = json!("m7");
    extra["name"] = json!("食品安全管理制度文本");
    extra["required"] = json!(true);
    food["materials"].as_array_mut().unwrap().push(extra);
    admin(
        "/v1/admin/catalogue/versions",
        json!({"effective_from": "2026-01-01", "body": cat}),
    );
    assert_eq!(
        invoke(&w, "app_info", json!({})).unwrap()["catalogue"]["version"],
        1,
        "not downloaded yet"
    );
    invoke(&w, "sync_now", json!({})).unwrap();
    assert_eq!(
        invoke(&w, "app_info", json!({})).unwrap()["catalogue"]["version"],
        2
    );
    let now = invoke(&w, "matter_detail", json!({"code": FOOD})).unwrap();
    assert_eq!(
        (
            now["version"].as_u64(),
            now["materials"].as_array().unwrap().len()
        ),
        (Some(2), 7)
    );
    let then = invoke(&w, "matter_detail", json!({"code": FOOD, "version": 1})).unwrap();
    assert_eq!(
        (
            then["version"].as_u64(),
            then["materials"].as_array().unwrap().len()
        ),
        (Some(1), 6)
    );
    let drift = invoke(&w, "catalogue_drift", json!({"code": FOOD, "version": 1})).unwrap();
    assert_eq!(
        (drift["from"].as_u64(), drift["to"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        drift["changes"][0]["zh"],
        "新增必交材料：食品安全管理制度文本"
    );
    assert!(
        drift["changes"][0]["en"]
            .as_str()
            .unwrap()
            .contains("required"),
        "{drift}"
    );
    assert_eq!(
        invoke(&w, "catalogue_drift", json!({"code": FOOD, "version": 2})).unwrap(),
        Value::Null
    );
    let body = "53050219850505123";
    let id2 = format!(
        "{body}{}",
        clerk_core::ids::citizen_id_check_char(body).unwrap()
    );
    let out = invoke(
        &w,
        "take_in",
        food_form(&id2, false, json!({"kind": "accept"})),
    )
    .unwrap();
    assert!(
        out["confirmation"]["receipt_no"].is_string(),
        "a v1 form is still taken in: {out}"
    );
    let e = invoke(&w, "matter_detail", json!({"code": FOOD, "version": 9})).unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("第 9 版"), "{e}");

    // Contact fields after intake: checked, queued, merged on the platform
    // field by field. Another window changed the phone first: the platform
    // keeps its value and this window shows both.
    let cid = out["confirmation"]["case_id"].clone();
    invoke(&w, "sync_now", json!({})).unwrap();
    let c = invoke(&w, "case_contact", json!({"caseId": cid})).unwrap();
    assert_eq!(
        (c["phone"].as_str(), c["editable"].as_bool()),
        (Some("13808720000"), Some(true))
    );
    let e = invoke(
        &w,
        "edit_case_fields",
        json!({"caseId": cid, "edits": [{"field": "applicant.phone", "value": "123"}]}),
    )
    .unwrap_err();
    assert_eq!(e["field"], "applicant.phone", "{e}");
    let code = admin(
        "/v1/admin/enrolment-codes",
        json!({"office_id": "SAMPLE", "window_code": "08"}),
    )["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let other_dir = tempfile::tempdir().unwrap();
    rt.block_on(async {
        let secrets = std::sync::Arc::new(clerk_secrets::MemoryStore::new());
        let store = std::sync::Arc::new(
            clerk_store::Store::open(other_dir.path(), secrets.as_ref(), || {
                clerk_store::Identity::provisional("SAMPLE")
            })
            .unwrap(),
        );
        let client = clerk_sync::SyncClient::new(&url, store.clone(), secrets, "other");
        let actor = clerk_store::Actor {
            user_id: "wang".into(),
            window_code: "08".into(),
        };
        client.enroll(&code, &actor).await.unwrap();
        client.login("wang", "password-7").await.unwrap();
        client.pull_all().await.unwrap();
        store
            .edit_fields(
                cid.as_str().unwrap(),
                &[("applicant.phone".into(), "13911111111".into())],
                &actor,
                clerk_store::time::now_millis(),
            )
            .unwrap();
        client.push_all().await.unwrap();
    });
    let c = invoke(
        &w,
        "edit_case_fields",
        json!({"caseId": cid, "edits": [{"field": "applicant.phone", "value": "139 2222 2222"}, {"field": "applicant.address", "value": "保山市隆阳区兰城路 1 号"}]}),
    )
    .unwrap();
    assert_eq!(c["phone"], "13922222222", "shown at once, normalised");
    invoke(&w, "sync_now", json!({})).unwrap();
    let c = invoke(&w, "case_contact", json!({"caseId": cid})).unwrap();
    assert_eq!(
        c["phone"], "13911111111",
        "the platform kept the first change"
    );
    assert_eq!(
        c["address"], "保山市隆阳区兰城路 1 号",
        "the other field was applied"
    );
    assert_eq!(
        c["conflicts"],
        json!([{"field": "applicant.phone", "field_text": {"zh": "联系电话", "en": "phone"}, "platform_value": "13911111111", "window_value": "13922222222", "window": "00"}])
    );
    let items = invoke(&w, "outbox_items", json!({})).unwrap();
    let edit = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "case.update_fields")
        .unwrap();
    assert_eq!(edit["state"], "conflict", "{edit}");
}

/// issue #11 on the real platform: taken in on 2026-12-20 with no 2027
/// schedule, the case's 2027 dates are provisional (the intake is not
/// refused); the platform publishes 2027 (test data, not the official
/// schedule); after a sync the window holds it, the case's dates are
/// worked out again, the moved date is listed for the clerk and audited.
#[test]
fn a_schedule_published_on_the_platform_recomputes_provisional_dates() {
    let p = TestPlatform::start("app_calendar", "app-test-admin-token-calendar-1");
    let rt = &p.rt;
    let admin = |path: &str, body: Value| p.admin(path, body);
    let (_app, w) = platform_app("2026-12-20", p.config());
    p.enrol_and_log_in(&w);

    // The status bar warns: December, and no 2027 schedule.
    let s = invoke(&w, "sync_status", json!({})).unwrap();
    assert_eq!(s["calendar_missing_year"], 2027, "{s}");
    let out = invoke(
        &w,
        "take_in",
        food_form(&valid_id(), false, json!({"kind": "accept"})),
    )
    .unwrap();
    let c = &out["confirmation"];
    let due = c["promised_due"].as_str().unwrap().to_owned();
    assert!(due.starts_with("2027-"), "{c}");
    assert_eq!(
        c["provisional_fields"],
        json!(["promised_due", "statutory_due"]),
        "{c}"
    );
    let list = invoke(&w, "list_cases", json!({"query": ""})).unwrap();
    assert_eq!(list[0]["due_provisional"], true, "{list}");

    // A schedule file refused by the platform (a day the law fixes missing).
    let mut holidays: Vec<Value> = clerk_core::calendar::law_holidays(2027)
        .unwrap()
        .iter()
        .map(|(d, n)| json!([d.to_string(), d.to_string(), n]))
        .collect();
    // Test data only: one more day off on the promised date itself.
    holidays.push(json!([due, due, "测试"]));
    let year = json!({"format": 1, "year": 2027, "source": "测试用：非官方安排", "holidays": holidays, "make_up_workdays": []});
    let published = admin("/v1/admin/calendar/years", year.clone());
    assert_eq!(
        (published["year"].as_i64(), published["revision"].as_i64()),
        (Some(2027), Some(1))
    );
    // The same file again is the same revision.
    assert_eq!(admin("/v1/admin/calendar/years", year)["revision"], 1);

    let s = invoke(&w, "sync_now", json!({})).unwrap();
    assert_eq!(s["calendar_missing_year"], Value::Null, "{s}");
    let st = invoke(&w, "calendar_status", json!({})).unwrap();
    let y2027 = st["years"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == 2027)
        .unwrap()
        .clone();
    assert_eq!(
        (y2027["basis"].as_str(), y2027["source"].as_str()),
        (Some("official"), Some("测试用：非官方安排"))
    );
    let moves = st["moves"].as_array().unwrap();
    assert_eq!(
        s["deadline_moves_unseen"].as_u64(),
        Some(moves.len() as u64),
        "{s}"
    );
    // The promised date (and the statutory one, after it) move a day on.
    let promised = moves
        .iter()
        .find(|m| m["field"] == "promised_due")
        .expect("promised date moved");
    assert_eq!(promised["old"].as_str(), Some(due.as_str()));
    let new = promised["new"].as_str().unwrap().to_owned();
    assert!(new > due, "{st}");
    assert_eq!(promised["receipt_no"], c["receipt_no"]);
    assert!(
        moves
            .iter()
            .all(|m| m["case_id"] == c["case_id"] && m["seen"] == false),
        "{st}"
    );
    let list = invoke(&w, "list_cases", json!({"query": ""})).unwrap();
    assert_eq!(
        (
            list[0]["promised_due"].as_str(),
            list[0]["due_provisional"].as_bool()
        ),
        (Some(new.as_str()), Some(false))
    );
    // The clerk has told the applicant: the list empties, the audit stays.
    assert_eq!(
        invoke(&w, "mark_deadline_moves_seen", json!({}))
            .unwrap()
            .as_u64(),
        Some(moves.len() as u64)
    );
    assert_eq!(
        invoke(&w, "sync_status", json!({})).unwrap()["deadline_moves_unseen"],
        0
    );
    let core = tauri::Manager::state::<AppCore>(&w);
    let store = rt.block_on(core.store()).unwrap();
    let audit = clerk_store::testing::audit_trail(&store);
    let recomputed = audit
        .iter()
        .find(|a| a.0 == "case.deadlines_recomputed")
        .expect("audited");
    assert!(
        recomputed.1.contains(&due) && recomputed.1.contains(&new),
        "{recomputed:?}"
    );
    assert!(
        audit.iter().any(|a| a.0 == "deadline_moves.seen"),
        "{audit:?}"
    );
}

/// An imported schedule file in 设置: a bad one is refused on its field
/// with the rule, in Chinese; a good one makes the year official at once.
#[test]
fn a_schedule_file_imported_in_settings_is_checked_and_used() {
    let (_app, w) = app_on("2026-12-20", default_config());
    let out = invoke(
        &w,
        "take_in",
        food_form(&valid_id(), false, json!({"kind": "accept"})),
    )
    .unwrap();
    assert!(!out["confirmation"]["provisional_fields"]
        .as_array()
        .unwrap()
        .is_empty());
    // Importing is IT's: the clerk is refused, the administrator signs in.
    let e = invoke(&w, "import_calendar", json!({"body": "{}"})).unwrap_err();
    assert_eq!(e["kind"], "permission", "{e}");
    sign_in(&w, "admin", ADMIN_PASSWORD).unwrap();
    let e = invoke(
        &w,
        "import_calendar",
        json!({"body": "{\"format\": 1, \"year\": 2027}"}),
    )
    .unwrap_err();
    assert_eq!(e["field"], "calendar_file", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("节假日安排文件不能使用"),
        "{e}"
    );
    let holidays: Vec<Value> = clerk_core::calendar::law_holidays(2027)
        .unwrap()
        .iter()
        .map(|(d, n)| json!([d.to_string(), d.to_string(), n]))
        .collect();
    let body = json!({"format": 1, "year": 2027, "source": "测试用：非官方安排", "holidays": holidays, "make_up_workdays": []}).to_string();
    let r = invoke(&w, "import_calendar", json!({"body": body})).unwrap();
    // The law's days only: the provisional dates stand, now final.
    assert_eq!(
        (r["year"].as_i64(), r["dates_moved"].as_u64()),
        (Some(2027), Some(0)),
        "{r}"
    );
    let st = invoke(&w, "calendar_status", json!({})).unwrap();
    assert_eq!(st["missing_year"], Value::Null, "{st}");
    sign_in(&w, "clerk01", CLERK_PASSWORD).unwrap();
    let list = invoke(&w, "list_cases", json!({"query": ""})).unwrap();
    assert_eq!(list[0]["due_provisional"], false, "{list}");
    let st = invoke(&w, "calendar_status", json!({})).unwrap();
    assert_eq!(st["missing_year"], Value::Null, "{st}");
}
