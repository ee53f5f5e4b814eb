//! Issue #14 through the app's IPC layer: the case after intake at the
//! same window — supplements brought back, 容缺 missed and terminated,
//! withdrawal — with Rust saying what may be done and the notice made.

use serde_json::{json, Value};
use tauri::Manager;

use crate::state::AppCore;
use crate::tests::{app_on, default_config, food_form, invoke, valid_id};

fn day(w: &tauri::WebviewWindow<tauri::test::MockRuntime>, d: &str) {
    w.state::<AppCore>()
        .pretend_day(clerk_core::date::Date::parse_iso(d).unwrap());
}

fn kinds(docs: &Value) -> Vec<String> {
    docs.as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap().to_owned())
        .collect()
}

/// 食品经营许可 for 李四, taken in on the app's day (m4 not received when
/// `without_m4`) with `decision`: the confirmation.
fn take_in_food(
    w: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    without_m4: bool,
    decision: Value,
) -> Value {
    invoke(w, "take_in", food_form(&valid_id(), without_m4, decision)).unwrap()["confirmation"]
        .clone()
}

/// An action after intake on the app's day.
fn progress(
    w: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    case_id: &Value,
    input: Value,
) -> Result<Value, Value> {
    invoke(
        w,
        "progress_case",
        json!({"caseId": case_id, "input": input}),
    )
}

/// How many cases a queue holds now.
fn count(w: &tauri::WebviewWindow<tauri::test::MockRuntime>, queue: &str) -> u64 {
    let counts = invoke(w, "queue_counts", json!({})).unwrap();
    counts
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["queue"] == queue)
        .unwrap()["count"]
        .as_u64()
        .unwrap()
}

fn actions(p: &Value) -> Vec<&str> {
    p["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect()
}

/// A 补正 case: the applicant comes back two days later with the missing
/// material; the case is accepted from that day without a new intake, its
/// 受理通知书 is made, and the event is queued for the platform.
#[test]
fn a_supplement_case_comes_back_and_is_accepted_without_a_new_intake() {
    let (_app, w) = app_on("2026-03-02", default_config());
    let out = take_in_food(
        &w,
        true,
        json!({"kind": "request_supplement", "items": [{"material_id": "m4", "requirement": "请提交加盖公章的原件"}]}),
    );
    let case_id = out["case_id"].clone();
    let receipt = out["receipt_no"].clone();
    assert_eq!(
        kinds(&invoke(&w, "case_documents", json!({"caseId": case_id})).unwrap()),
        ["receipt", "supplement_notice"]
    );
    // The clerk finds it in the 待补正 queue.
    assert_eq!(count(&w, "supplement_waiting"), 1);
    let waiting = invoke(&w, "queue_cases", json!({"queue": "supplement_waiting"})).unwrap();
    assert_eq!(waiting[0]["receipt_no"], receipt);
    let p = invoke(&w, "case_progress", json!({"caseId": case_id})).unwrap();
    assert_eq!(p["status"], "supplement_requested", "{p}");
    assert_eq!(actions(&p), ["supplied", "withdraw"]);
    assert_eq!(p["owed"][0]["material_id"], "m4");
    assert_eq!(p["accepted_on"], Value::Null);

    day(&w, "2026-03-04");
    // Nothing ticked: refused on its field, nothing recorded.
    let err = progress(
        &w,
        &case_id,
        json!({"action": "supplied", "material_ids": []}),
    )
    .unwrap_err();
    assert_eq!(
        (err["kind"].as_str(), err["field"].as_str()),
        (Some("validation"), Some("event.material_ids")),
        "{err}"
    );
    assert!(err["message"].as_str().unwrap().contains("请勾选"), "{err}");
    assert_eq!(invoke(&w, "sync_status", json!({})).unwrap()["unsent"], 1);

    let p = progress(
        &w,
        &case_id,
        json!({"action": "supplied", "material_ids": ["m4"]}),
    )
    .unwrap();
    assert_eq!(p["status"], "accepted", "{p}");
    assert_eq!(p["status_text"]["zh"], "已受理");
    // Accepted from the day the complete supplements arrived (art. 32(4)):
    // 10 working days promised from 2026-03-04.
    assert_eq!(p["accepted_on"], "2026-03-04");
    assert_eq!(p["promised_due"], "2026-03-18");
    assert!(p["owed"].as_array().unwrap().is_empty());
    assert_eq!(p["history"][0]["on"], "2026-03-04");
    assert!(
        p["history"][0]["text"]["zh"]
            .as_str()
            .unwrap()
            .starts_with("补交材料："),
        "{p}"
    );
    assert_eq!(
        actions(&p),
        ["extend", "pause", "withdraw"],
        "nothing more to supply"
    );
    assert_eq!(invoke(&w, "sync_status", json!({})).unwrap()["unsent"], 2);

    // Out of 待补正; running now (green: 10 working days left).
    assert_eq!(count(&w, "supplement_waiting"), 0);
    assert_eq!(count(&w, "due_soon"), 0);
    // The acceptance notice follows; the earlier documents stay as issued.
    let docs = invoke(&w, "case_documents", json!({"caseId": case_id})).unwrap();
    assert_eq!(
        kinds(&docs),
        ["receipt", "supplement_notice", "acceptance_notice"]
    );
    // Same case, same receipt number: no new intake.
    let list = invoke(&w, "list_cases", json!({"query": receipt})).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["status"], "accepted");
    assert_eq!(list[0]["promised_due"], "2026-03-18");

    // Supplying again is no longer possible.
    let err = progress(
        &w,
        &case_id,
        json!({"action": "supplied", "material_ids": ["m4"]}),
    )
    .unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("已受理"), "{err}");
}

/// A 容缺 case whose item does not come by its date: not terminable on
/// the day itself, terminated the day after, with its 终止办理通知书.
#[test]
fn a_gap_case_that_misses_its_date_is_terminated_with_its_notice() {
    let (_app, w) = app_on("2026-03-02", default_config());
    let out = take_in_food(
        &w,
        true,
        json!({"kind": "accept_with_gaps", "supply_by": "2026-03-04", "commitment_signed": true}),
    );
    let case_id = out["case_id"].clone();
    invoke(&w, "case_documents", json!({"caseId": case_id})).unwrap();
    day(&w, "2026-03-04");
    let p = invoke(&w, "case_progress", json!({"caseId": case_id})).unwrap();
    assert_eq!(
        actions(&p),
        ["supplied", "extend", "pause", "withdraw"],
        "{p}"
    );
    assert_eq!(p["supply_by"], "2026-03-04");
    let err = progress(&w, &case_id, json!({"action": "terminate"})).unwrap_err();
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("期限届满前不能终止"),
        "{err}"
    );

    assert_eq!(count(&w, "gaps_owed"), 1);
    day(&w, "2026-03-05");
    let p = invoke(&w, "case_progress", json!({"caseId": case_id})).unwrap();
    assert_eq!(
        actions(&p),
        ["terminate", "extend", "pause", "withdraw"],
        "{p}"
    );
    let p = progress(&w, &case_id, json!({"action": "terminate"})).unwrap();
    assert_eq!(p["status"], "terminated", "{p}");
    assert!(actions(&p).is_empty());
    assert_eq!(count(&w, "gaps_owed"), 0, "an ended case is in no queue");
    let docs = invoke(&w, "case_documents", json!({"caseId": case_id})).unwrap();
    assert_eq!(
        kinds(&docs),
        ["receipt", "gap_acceptance_notice", "termination_notice"]
    );
    assert_eq!(docs[2]["title"], "终止办理通知书");
}

/// Withdrawal at the applicant's request needs the reason; afterwards the
/// case takes nothing more, and its notice is made.
#[test]
fn a_withdrawal_records_its_reason_and_ends_the_case() {
    let (_app, w) = app_on("2026-03-02", default_config());
    let out = take_in_food(&w, false, json!({"kind": "accept"}));
    let case_id = out["case_id"].clone();
    // Due soon: 10 working days promised from 2026-03-02 (due 03-16); on
    // 03-13 one working day is left — red with the default thresholds.
    day(&w, "2026-03-13");
    assert_eq!(count(&w, "due_soon"), 1);
    let due = invoke(&w, "queue_cases", json!({"queue": "due_soon"})).unwrap();
    assert_eq!(due[0]["light"], "red", "{due}");
    let err = progress(&w, &case_id, json!({"action": "withdraw", "reason": "  "})).unwrap_err();
    assert_eq!(err["field"], "event.reason", "{err}");
    // A result cannot be delivered before the departments decided.
    let err = progress(
        &w,
        &case_id,
        json!({"action": "deliver", "method": "window", "recipient": "李四"}),
    )
    .unwrap_err();
    assert!(
        err["message"].as_str().unwrap().contains("不能办理此项"),
        "{err}"
    );
    let p = progress(
        &w,
        &case_id,
        json!({"action": "withdraw", "reason": "申请人决定暂不经营"}),
    )
    .unwrap();
    assert_eq!(p["status"], "withdrawn");
    assert!(actions(&p).is_empty());
    let docs = invoke(&w, "case_documents", json!({"caseId": case_id})).unwrap();
    assert!(
        kinds(&docs).contains(&"withdrawal_notice".to_owned()),
        "{docs}"
    );
    // Not a case of this PC: said so.
    let err = invoke(&w, "case_progress", json!({"caseId": "nope"})).unwrap_err();
    assert_eq!(err["kind"], "not_found");
}

/// An extension (art. 42) requested by the clerk and approved at the same
/// PC by the supervisor, who enters their own password for this one act:
/// a wrong password or a clerk as approver is refused on the approver's
/// field; the clerk stays signed in; both dates move; the notice is made.
#[test]
fn an_extension_is_approved_by_a_supervisor_at_the_clerks_pc() {
    let (_app, w) = app_on("2026-03-02", default_config());
    let out = take_in_food(&w, false, json!({"kind": "accept"}));
    let case_id = out["case_id"].clone();
    day(&w, "2026-03-20");
    let p = invoke(&w, "case_progress", json!({"caseId": case_id})).unwrap();
    assert_eq!(actions(&p), ["extend", "pause", "withdraw"], "{p}");
    let extend = |who: &str, pw: &str, days: u32| {
        progress(
            &w,
            &case_id,
            json!({"action": "extend", "days": days,
                   "reason": "需对经营场所进行现场核查", "approver_id": who, "approver_password": pw}),
        )
    };
    // The rules first: too many days is refused before any password.
    let err = extend("lead01", "wrong", 11).unwrap_err();
    assert_eq!(err["field"], "event.days", "{err}");
    let err = extend("lead01", "not-the-password", 10).unwrap_err();
    assert_eq!(
        (err["kind"].as_str(), err["field"].as_str()),
        (Some("validation"), Some("event.approver")),
        "{err}"
    );
    let err = extend("clerk02", crate::tests::CLERK_PASSWORD, 10).unwrap_err();
    assert_eq!(err["kind"], "permission", "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("不是窗口负责人"),
        "{err}"
    );
    let p = extend("lead01", crate::tests::CLERK_PASSWORD, 10).unwrap();
    assert_eq!(p["status"], "accepted");
    // Statutory 20 → 30 working days from 2026-03-02; promised 10 → 20.
    assert_eq!(p["promised_due"], "2026-03-30");
    assert!(
        p["history"][0]["text"]["zh"]
            .as_str()
            .unwrap()
            .contains("王主任 批准"),
        "{p}"
    );
    assert!(!actions(&p).contains(&"extend"), "one extension only");
    // Still the clerk's session.
    let s = invoke(&w, "session_state", json!({})).unwrap();
    assert_eq!(s["user"]["user_id"], "clerk01", "{s}");
    let docs = invoke(&w, "case_documents", json!({"caseId": case_id})).unwrap();
    assert!(
        kinds(&docs).contains(&"extension_notice".to_owned()),
        "{docs}"
    );
}

/// A special procedure (art. 45): the clock stands still while it runs
/// (no due date, out of 即将到期), its days do not count once it ends, and
/// the 特别程序告知书 is made.
#[test]
fn a_special_procedure_stops_the_clock_until_it_ends() {
    let (_app, w) = app_on("2026-03-02", default_config());
    let out = take_in_food(&w, false, json!({"kind": "accept"}));
    let case_id = out["case_id"].clone();
    day(&w, "2026-03-04");
    let err = progress(
        &w,
        &case_id,
        json!({"action": "pause", "procedure": "expert_review", "days": 15, "reason": " "}),
    )
    .unwrap_err();
    assert_eq!(err["field"], "event.reason", "{err}");
    let p = progress(&w, &case_id, json!({"action": "pause", "procedure": "expert_review", "days": 15, "reason": "组织专家评审"}))
    .unwrap();
    assert_eq!(
        p["promised_due"],
        Value::Null,
        "the clock stands still: {p}"
    );
    assert_eq!(actions(&p), ["resume", "withdraw"]);
    let docs = invoke(&w, "case_documents", json!({"caseId": case_id})).unwrap();
    assert!(
        kinds(&docs).contains(&"special_procedure_notice".to_owned()),
        "{docs}"
    );
    // Ended on Wed 03-11: 4, 5, 6, 9 and 10 March did not count; the
    // promised date (10 working days from 03-02: 03-16) moves 5 on.
    day(&w, "2026-03-11");
    let p = progress(&w, &case_id, json!({"action": "resume"})).unwrap();
    assert_eq!(p["promised_due"], "2026-03-23", "{p}");
    let list = invoke(&w, "list_cases", json!({"query": out["receipt_no"]})).unwrap();
    assert_eq!(list[0]["promised_due"], "2026-03-23");
}
