//! Issue #12 through Tauri's IPC: the one gate (every command in six
//! states against the table), the command lists agree, sign-in online and
//! offline, lockout, the idle lock, and what each user sees.

use serde_json::{json, Value};
use tauri::Manager;

use crate::state::AppCore;
use crate::tests::*;
use clerk_core::access::{self, Need, Role};

/// Arguments that deserialise for every command (what they then do does
/// not matter here: only whether the gate let them through). A command in
/// the table without an entry fails the test, so a new command is added.
fn args_of(command: &str) -> Option<Value> {
    Some(match command {
        "app_info"
        | "ui_ready"
        | "session_state"
        | "sign_out"
        | "session_touch"
        | "sync_status"
        | "load_draft"
        | "discard_draft"
        | "hall_cases"
        | "printers"
        | "sync_now"
        | "outbox_items"
        | "calendar_status"
        | "list_users"
        | "audit_trail"
        | "mark_deadline_moves_seen"
        | "queue_counts"
        | "attach_scan" => json!({}),
        "log_ui" => json!({"level": "info", "message": "matrix"}),
        "sign_in" => json!({"userId": "nobody", "password": "not-this"}),
        "unlock" => json!({"password": "not-this"}),
        "create_first_admin" => {
            json!({"userId": "admin2", "displayName": "x", "password": "long-enough-1"})
        }
        "list_matters" | "list_cases" => json!({"query": ""}),
        "matter_detail" => json!({"code": "none", "version": null}),
        "check_applicant" => food_form(&valid_id(), false, json!({"kind": "accept"}))["form"]
            ["applicant"]
            .clone()
            .pipe(|a| json!({ "applicant": a })),
        "known_applicant" => json!({"idNo": "none"}),
        "save_draft" => json!({"body": "{}"}),
        "take_in" | "missing_materials" => food_form(&valid_id(), false, json!({"kind": "accept"})),
        "case_documents" | "accept_online" | "case_attachments" | "case_contact"
        | "case_progress" => {
            json!({"caseId": "none"})
        }
        "print_document" | "document_preview" => json!({"id": "none"}),
        "withheld_preview" => json!({"caseId": "none", "kind": "non_acceptance_notice"}),
        "catalogue_drift" => json!({"code": "none", "version": 1}),
        "edit_case_fields" => json!({"caseId": "none", "edits": []}),
        "progress_case" => {
            json!({"caseId": "none", "input": {"action": "withdraw", "reason": "x"}})
        }
        "queue_cases" => json!({"queue": "due_soon"}),
        "retry_outbox_item" => json!({"seq": 999}),
        "enroll_device" => json!({"code": "x"}),
        "import_calendar" => json!({"body": "{}"}),
        "add_user" => {
            json!({"userId": "x", "displayName": "x", "roles": ["clerk"], "password": "x"})
        }
        "set_user_disabled" => json!({"userId": "nobody", "disabled": false}),
        _ => return None,
    })
}

trait Pipe: Sized {
    fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
        f(self)
    }
}
impl Pipe for Value {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    SignedOut,
    Locked,
    As(Role),
}

/// The table's answer, worked out from its `Need` here (not by calling
/// the gate's own `check`).
fn expected(need: Need, st: St) -> bool {
    match (need, st) {
        (Need::Open, _) => true,
        (_, St::SignedOut) => false,
        (Need::Session, St::Locked) => true,
        (_, St::Locked) => false,
        (Need::Session | Need::Active, St::As(_)) => true,
        (Need::Roles(rs), St::As(r)) => rs.contains(&r),
    }
}

fn set_state(core: &AppCore, st: St) {
    core.sessions.sign_out();
    let user = |role: Role| clerk_app::gate::User {
        user_id: format!("matrix-{}", role.as_str()),
        display_name: "矩阵".into(),
        roles: vec![role],
        online: false,
    };
    match st {
        St::SignedOut => {}
        St::Locked => {
            core.sessions.sign_in(user(Role::Clerk));
            core.sessions.lock_now();
        }
        St::As(r) => core.sessions.sign_in(user(r)),
    }
}

/// The messages only the gate gives.
fn gate_messages() -> Vec<String> {
    let mut m = vec![
        access::Refusal::SignedOut.zh(),
        access::Refusal::Locked.zh(),
    ];
    for r in access::COMMANDS {
        if let Need::Roles(needed) = r.need {
            m.push(access::Refusal::Role { needed }.zh());
        }
    }
    m
}

/// **The command × state matrix**: every command of the table, called in
/// each of six states (signed out, locked, clerk, supervisor, admin,
/// auditor), is let through or refused exactly as the table says.
#[test]
fn every_command_in_every_state_is_allowed_or_refused_as_the_table_says() {
    let (app, w) = app(default_config());
    let core = app.state::<AppCore>();
    let gate = gate_messages();
    let states = [
        St::SignedOut,
        St::Locked,
        St::As(Role::Clerk),
        St::As(Role::Supervisor),
        St::As(Role::Admin),
        St::As(Role::Auditor),
    ];
    let mut wrong = Vec::new();
    let mut calls = 0;
    for rule in access::COMMANDS {
        let args = args_of(rule.command)
            .unwrap_or_else(|| panic!("no test arguments for the command {}", rule.command));
        for st in states {
            set_state(&core, st);
            let r = invoke(&w, rule.command, args.clone());
            calls += 1;
            let refused_by_gate = match &r {
                Ok(_) => false,
                Err(e) => {
                    let msg = e["message"].as_str().unwrap_or_default().to_owned();
                    assert!(
                        e.get("kind").is_some(),
                        "{} in {st:?}: not a CmdError (arguments did not deserialise?): {e}",
                        rule.command
                    );
                    gate.contains(&msg)
                }
            };
            let want = expected(rule.need, st);
            if want == refused_by_gate {
                wrong.push(format!(
                    "{} in {st:?}: table says {}, got {r:?}",
                    rule.command,
                    if want { "allowed" } else { "refused" }
                ));
            }
            // A refusal names the state's reason in its kind.
            if let (false, Err(e)) = (want, &r) {
                let kind = e["kind"].as_str().unwrap();
                let should = match st {
                    St::SignedOut => "unauthenticated",
                    St::Locked => "locked",
                    St::As(_) => "permission",
                };
                assert_eq!(kind, should, "{} in {st:?}", rule.command);
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(calls, access::COMMANDS.len() * 6);
}

fn names_in(
    text: &str,
    start: &str,
    end: &str,
    pick: impl Fn(&str) -> Option<String>,
) -> Vec<String> {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start} not found"))
        + start.len();
    let to = from + text[from..].find(end).unwrap();
    let mut v: Vec<String> = text[from..to]
        .lines()
        .filter_map(|l| pick(l.trim()))
        .collect();
    v.sort();
    v
}

/// `build.rs`, `generate_handler!`, `capabilities/main.json`,
/// `ui/src/api.ts` and clerk-core's table name the same commands.
#[test]
fn the_command_lists_agree_with_the_access_table() {
    let mut table: Vec<String> = access::COMMANDS
        .iter()
        .map(|r| r.command.to_owned())
        .collect();
    table.sort();
    let quoted = |l: &str| {
        l.strip_prefix('"')
            .and_then(|x| x.split('"').next())
            .map(str::to_owned)
    };
    let build = names_in(
        include_str!("../build.rs"),
        "const COMMANDS: &[&str] = &[",
        "];",
        quoted,
    );
    let handler = names_in(include_str!("lib.rs"), "generate_handler![", "])", |l| {
        l.trim_end_matches(',')
            .rsplit("::")
            .next()
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
    });
    let caps: Value = serde_json::from_str(include_str!("../capabilities/main.json")).unwrap();
    let mut caps: Vec<String> = caps["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| {
            p.as_str()?
                .strip_prefix("allow-")
                .map(|c| c.replace('-', "_"))
        })
        .collect();
    caps.sort();
    let api = include_str!("../../ui/src/api.ts");
    let mut ui: Vec<String> = api
        .match_indices("call<")
        .filter_map(|(i, _)| {
            // `call<Type>('command'`: the type parameter, then the name.
            let rest = &api[i..];
            let open = rest.find(">(")?;
            let q = rest[open + 2..].strip_prefix('\'')?;
            let end = q.find('\'')?;
            Some(q[..end].to_owned())
        })
        .collect();
    ui.sort();
    ui.dedup();
    assert_eq!(build, table, "build.rs");
    assert_eq!(handler, table, "generate_handler!");
    assert_eq!(caps, table, "capabilities/main.json");
    assert_eq!(ui, table, "ui/src/api.ts");
}

/// Five wrong passwords lock the user on this PC for the configured time,
/// with an audit row; the refusal says when it ends; the right password is
/// refused meanwhile.
#[test]
fn five_wrong_passwords_lock_the_user_and_say_until_when() {
    let (app, w) = signed_out_app(DAY, default_config());
    seed_users(&w);
    for i in 1..5 {
        let e = sign_in(&w, "clerk01", "wrong-password").unwrap_err();
        assert_eq!(
            e["message"],
            format!("工号或密码不正确（再错 {} 次将锁定）", 5 - i),
            "{e}"
        );
    }
    let e = sign_in(&w, "clerk01", "wrong-password").unwrap_err();
    let msg = e["message"].as_str().unwrap();
    assert!(
        msg.starts_with("密码连续输错，该用户在本机已锁定，"),
        "{msg}"
    );
    assert!(msg.ends_with(" 后可再试"), "{msg}");
    assert!(e["message_en"]
        .as_str()
        .unwrap()
        .contains("locked on this PC until"));
    let e = sign_in(&w, "clerk01", CLERK_PASSWORD).unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("已锁定"), "{e}");
    // Another user is not affected.
    sign_in(&w, "clerk02", CLERK_PASSWORD).unwrap();
    // The administrator sees the lockout's end; the auditor the rows.
    sign_in(&w, "admin", ADMIN_PASSWORD).unwrap();
    let users = invoke(&w, "list_users", json!({})).unwrap();
    let clerk = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user_id"] == "clerk01")
        .unwrap();
    assert!(clerk["locked_until"].is_string(), "{clerk}");
    sign_in(&w, "audit01", CLERK_PASSWORD).unwrap();
    let trail = invoke(&w, "audit_trail", json!({})).unwrap();
    let actions: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"session.locked_out"), "{actions:?}");
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "session.sign_in_failed")
            .count(),
        4
    );
    let core = app.state::<AppCore>();
    assert_eq!(core.policy.lockout_secs, 900);
}

/// The idle lock: after the configured time without activity the session
/// is locked (the form's commands refused), the same user unlocks with the
/// password; a wrong one is counted.
#[test]
fn the_idle_lock_covers_the_session_and_the_password_unlocks_it() {
    let mut config = default_config();
    // 3 s, not 1: seeding the users hashes passwords, which on a loaded
    // 2-core machine took over a second between two commands.
    config.config.session.idle_lock_secs = 3;
    let (_app, w) = app(config);
    invoke(&w, "save_draft", json!({"body": "{\"step\": 2}"})).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(3100));
    // The status bar's poll does not hold it off, and sees it locked.
    let e = invoke(&w, "load_draft", json!({})).unwrap_err();
    assert_eq!(e["kind"], "locked", "{e}");
    let s = invoke(&w, "session_state", json!({})).unwrap();
    assert_eq!(
        (s["phase"].as_str(), s["user"]["user_id"].as_str()),
        (Some("locked"), Some("clerk01"))
    );
    assert!(s["allowed"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c != "take_in"));
    let e = invoke(&w, "unlock", json!({"password": "wrong-password"})).unwrap_err();
    assert_eq!(e["field"], "password");
    let s = invoke(&w, "unlock", json!({"password": CLERK_PASSWORD})).unwrap();
    assert_eq!(s["phase"], "active");
    // The form under the lock was kept.
    let d = invoke(&w, "load_draft", json!({})).unwrap();
    assert_eq!(d["body"], "{\"step\": 2}");
}

/// Drafts, "my cases" and the applicant memory are per user; a supervisor
/// sees the PC's cases; the notice names the clerk who took the case in.
#[test]
fn a_second_clerk_sees_nothing_of_the_first_and_the_notice_names_the_clerk() {
    let (app, w) = app(default_config());
    let out = invoke(
        &w,
        "take_in",
        food_form(&valid_id(), false, json!({"kind": "accept"})),
    )
    .unwrap();
    let case_id = out["confirmation"]["case_id"].as_str().unwrap().to_owned();
    invoke(
        &w,
        "save_draft",
        json!({"body": "{\"name\": \"张三的草稿\"}"}),
    )
    .unwrap();
    assert_eq!(
        invoke(&w, "list_cases", json!({"query": ""}))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(!invoke(&w, "known_applicant", json!({"idNo": valid_id()}))
        .unwrap()
        .is_null());
    // The matter 张三 used last leads her empty search, marked recent.
    let recent = |w: &_| -> Vec<String> {
        invoke(w, "list_matters", json!({"query": ""}))
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["recent"] == true)
            .map(|m| m["code"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(recent(&w), ["11530500MB1A27618NXK00001000000"]);
    let first = invoke(&w, "list_matters", json!({"query": ""})).unwrap();
    assert_eq!(first[0]["code"], "11530500MB1A27618NXK00001000000");
    let searched = invoke(&w, "list_matters", json!({"query": "食品"})).unwrap();
    assert!(searched
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["recent"] == false));

    let s = sign_in(&w, "clerk02", CLERK_PASSWORD).unwrap();
    assert_eq!(s["user"]["display_name"], "李四");
    assert_eq!(invoke(&w, "load_draft", json!({})).unwrap(), Value::Null);
    assert_eq!(
        invoke(&w, "list_cases", json!({"query": ""})).unwrap(),
        json!([])
    );
    assert_eq!(
        invoke(&w, "list_cases", json!({"query": "食品"})).unwrap(),
        json!([])
    );
    assert!(invoke(&w, "known_applicant", json!({"idNo": valid_id()}))
        .unwrap()
        .is_null());
    assert!(recent(&w).is_empty(), "recent matters are per user");

    let s = sign_in(&w, "lead01", CLERK_PASSWORD).unwrap();
    assert_eq!(s["user"]["roles"], json!(["supervisor"]));
    assert_eq!(
        invoke(&w, "list_cases", json!({"query": ""}))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    sign_in(&w, "clerk01", CLERK_PASSWORD).unwrap();
    let d = invoke(&w, "load_draft", json!({})).unwrap();
    assert_eq!(d["body"], "{\"name\": \"张三的草稿\"}");
    // The audit trail and outbox name 张三's user ID, never the window.
    let docs = invoke(&w, "case_documents", json!({"caseId": case_id})).unwrap();
    let notice = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "acceptance_notice")
        .unwrap_or_else(|| panic!("{docs}"));
    let store = tauri::async_runtime::block_on(app.state::<AppCore>().store()).unwrap();
    let (_, values, _) = store
        .document_pdf(notice["id"].as_str().unwrap(), false)
        .unwrap()
        .unwrap();
    let values = clerk_print::Values::from_json(&values).unwrap();
    assert_eq!(values.text["clerk"], "张三", "经办人 is the clerk, by name");
    sign_in(&w, "audit01", CLERK_PASSWORD).unwrap();
    let trail = invoke(&w, "audit_trail", json!({})).unwrap();
    let create = trail
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["action"] == "case.take_in")
        .unwrap_or_else(|| panic!("{trail}"));
    assert_eq!(create["actor"], "clerk01");
    assert!(trail
        .as_array()
        .unwrap()
        .iter()
        .all(|t| !t["actor"].as_str().unwrap().starts_with("window-")));
}

/// First start of a standalone PC: only then may the local administrator
/// be created; the form's rules are named.
#[test]
fn the_first_start_creates_the_local_administrator_once() {
    let (_app, w) = signed_out_app(DAY, default_config());
    let s = invoke(&w, "session_state", json!({})).unwrap();
    assert_eq!(
        (s["phase"].as_str(), s["first_start"].as_bool()),
        (Some("signed_out"), Some(true))
    );
    assert_eq!(
        s["allowed"],
        json!([
            "app_info",
            "ui_ready",
            "log_ui",
            "session_state",
            "sign_in",
            "unlock",
            "create_first_admin"
        ])
    );
    let e = invoke(
        &w,
        "create_first_admin",
        json!({"userId": "admin", "displayName": "管理员", "password": "short"}),
    )
    .unwrap_err();
    assert_eq!(
        (e["field"].as_str(), e["message"].as_str()),
        (Some("password"), Some("密码至少 8 位"))
    );
    let s = invoke(
        &w,
        "create_first_admin",
        json!({"userId": "admin", "displayName": "管理员", "password": ADMIN_PASSWORD}),
    )
    .unwrap();
    assert_eq!(
        (s["phase"].as_str(), s["first_start"].as_bool()),
        (Some("active"), Some(false))
    );
    invoke(&w, "sign_out", json!({})).unwrap();
    let e = invoke(
        &w,
        "create_first_admin",
        json!({"userId": "admin2", "displayName": "x", "password": ADMIN_PASSWORD}),
    )
    .unwrap_err();
    assert_eq!(e["kind"], "conflict");
    // The administrator may not take in a case (no case contents).
    sign_in(&w, "admin", ADMIN_PASSWORD).unwrap();
    let e = invoke(&w, "list_cases", json!({"query": ""})).unwrap_err();
    assert_eq!(e["kind"], "permission");
    assert_eq!(e["message"], "无权进行此操作：需要窗口人员或窗口负责人角色");
}

/// Online sign-in against the real platform, then offline: the clerk who
/// signed in online here gets in with the kept verifier; a user who never
/// signed in here is refused with the reason; a user the platform disabled
/// is refused offline after the next sync.
#[test]
fn offline_sign_in_needs_an_online_one_on_this_pc_and_follows_the_platform() {
    let p = TestPlatform::start("offline", "app-test-admin-token-56789");
    p.admin(
        "/v1/admin/users",
        json!({"user_id": "li", "name": "李强", "office_id": "SAMPLE", "password": "password-8"}),
    );
    p.admin(
        "/v1/admin/users",
        json!({"user_id": "zhao", "name": "赵敏", "office_id": "SAMPLE", "password": "password-9"}),
    );
    let (_app, w) = platform_app(DAY, p.config());
    p.enrol_and_log_in(&w);
    sign_in(&w, "li", "password-8").unwrap();
    sign_in(&w, "wang", "password-7").unwrap();
    // 李强 is disabled on the platform; 王芳's sync brings the word.
    p.admin("/v1/admin/users/li/disabled", json!({"disabled": true}));
    invoke(&w, "sync_now", json!({})).unwrap();
    invoke(&w, "sign_out", json!({})).unwrap();

    // The platform is gone.
    drop(p);
    let s = sign_in(&w, "wang", "password-7").unwrap();
    assert_eq!(
        (
            s["user"]["online"].as_bool(),
            s["user"]["display_name"].as_str()
        ),
        (Some(false), Some("王芳"))
    );
    let e = sign_in(&w, "wang", "wrong-pass").unwrap_err();
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("工号或密码不正确"),
        "{e}"
    );
    let e = sign_in(&w, "zhao", "password-9").unwrap_err();
    assert_eq!(
        e["message"], "网络不通：该用户从未在本机联网登录过，无法离线登录",
        "{e}"
    );
    let e = sign_in(&w, "li", "password-8").unwrap_err();
    assert_eq!(e["message"], "该用户已停用，请联系信息管理员", "{e}");
}

/// `cargo xtask run` prints the demo users the app makes: the same ones.
#[test]
fn xtask_prints_the_demo_users_the_app_makes() {
    let xtask = include_str!("../../xtask/src/main.rs");
    for (id, name, _, password) in crate::state::DEMO_USERS {
        let line = format!("(\"{id}\", \"{name}\", ");
        let at = xtask
            .find(&line)
            .unwrap_or_else(|| panic!("{id} not in xtask's list"));
        let rest = &xtask[at..at + xtask[at..].find(')').unwrap()];
        assert!(rest.contains(&format!("\"{password}\"")), "{id}: {rest}");
    }
    assert_eq!(
        xtask.matches("\", \"demo-").count(),
        crate::state::DEMO_USERS.len()
    );
}
