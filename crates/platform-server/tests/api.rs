//! The platform's own side, over HTTP against a real PostgreSQL: the
//! OpenAPI document is fresh and checked in; catalogue versions are
//! immutable and hash-checked; online applications reach the hall's
//! change log; a parallel-approval case completes when every department
//! has approved.

use serde_json::{json, Value};

const ADMIN: &str = "api-test-admin-token-0123";

struct Server {
    url: String,
    http: reqwest::Client,
}

impl Server {
    async fn start() -> Server {
        let db = pg_harness::fresh_database("api").await;
        let (url, _h) = platform_server::spawn_local(platform_server::Settings::new(&db, ADMIN))
            .await
            .unwrap();
        Server {
            url,
            http: reqwest::Client::new(),
        }
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut rb = match method {
            "GET" => self.http.get(format!("{}{path}", self.url)),
            _ => self.http.post(format!("{}{path}", self.url)),
        };
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let r = rb.send().await.unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    async fn admin(&self, path: &str, body: Value) -> Value {
        let (s, v) = self.call("POST", path, Some(ADMIN), Some(body)).await;
        assert_eq!(s, 200, "{path}: {v}");
        v
    }

    /// An enrolled device with a logged-in clerk: (device_id, access token).
    async fn device(&self, office: &str, window: &str) -> (String, String) {
        let code = self
            .admin(
                "/v1/admin/enrolment-codes",
                json!({"office_id": office, "window_code": window}),
            )
            .await["code"]
            .as_str()
            .unwrap()
            .to_owned();
        let (s, e) = self
            .call(
                "POST",
                "/v1/devices/enroll",
                None,
                Some(json!({"code": code, "db_instance_id": format!("db-{window}"), "max_receipt_counter": 0, "app_version": "t"})),
            )
            .await;
        assert_eq!(s, 200, "{e}");
        let (s, t) = self
            .call(
                "POST",
                "/v1/auth/login",
                None,
                Some(json!({"device_id": e["device_id"], "device_secret": e["device_secret"], "user_id": "u1", "password": "password-1"})),
            )
            .await;
        assert_eq!(s, 200, "{t}");
        (
            e["device_id"].as_str().unwrap().to_owned(),
            t["access_token"].as_str().unwrap().to_owned(),
        )
    }
}

#[test]
fn the_checked_in_openapi_document_is_fresh() {
    let doc = platform_server::openapi::document()
        .to_pretty_json()
        .unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(path, format!("{doc}\n")).unwrap();
    }
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(
        checked_in.trim_end(),
        doc.trim_end(),
        "crates/platform-server/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test -p platform-server --test api`"
    );
    let v: Value = serde_json::from_str(&doc).unwrap();
    assert!(
        v["openapi"].as_str().unwrap().starts_with("3.1"),
        "OpenAPI 3.1"
    );
    for p in [
        "/v1/sync/push",
        "/v1/sync/pull",
        "/v1/devices/enroll",
        "/v1/auth/refresh",
        "/v1/admin/cases/{id}/nodes",
    ] {
        assert!(v["paths"][p].is_object(), "{p} documented");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_openapi_catalogue_and_admin_guard() {
    let s = Server::start().await;
    let (code, doc) = s.call("GET", "/openapi.json", None, None).await;
    assert_eq!(code, 200);
    assert_eq!(
        doc["info"]["title"],
        "counter-sync v1 (Window Clerk reference platform)"
    );
    // The admin API needs the admin token.
    let (code, body) = s
        .call(
            "POST",
            "/v1/admin/offices",
            Some("wrong"),
            Some(json!({"office_id": "X", "name": "X"})),
        )
        .await;
    assert_eq!((code, body["error"].as_str()), (401, Some("unauthorized")));
    // Version 1 is the bundled catalogue; its body hashes to the manifest's sha256.
    let (_, m) = s.call("GET", "/v1/catalogue/manifest", None, None).await;
    assert_eq!(m["current"], 1);
    let r = s
        .http
        .get(format!("{}/v1/catalogue/versions/1", s.url))
        .send()
        .await
        .unwrap();
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let body = r.bytes().await.unwrap();
    let sha = platform_server::db::sha256_hex(&body);
    assert_eq!(etag, format!("\"{sha}\""));
    assert_eq!(m["versions"][0]["sha256"], sha);
    // Publishing the same version number again is refused: versions are immutable.
    let mut cat: Value = serde_json::from_slice(&body).unwrap();
    let (code, _) = s
        .call(
            "POST",
            "/v1/admin/catalogue/versions",
            Some(ADMIN),
            Some(json!({"effective_from": "2026-01-01", "body": cat.clone()})),
        )
        .await;
    assert_eq!(code, 409);
    cat["version"] = json!(2);
    let v2 = s
        .admin(
            "/v1/admin/catalogue/versions",
            json!({"effective_from": "2026-01-01", "body": cat}),
        )
        .await;
    assert_eq!(v2["version"], 2);
    let (_, m) = s.call("GET", "/v1/catalogue/manifest", None, None).await;
    assert_eq!(m["current"], 2);
    assert_eq!(m["versions"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_applications_and_parallel_approval_reach_the_hall() {
    let s = Server::start().await;
    s.admin(
        "/v1/admin/offices",
        json!({"office_id": "530502-ZWZX", "name": "隆阳区政务服务中心"}),
    )
    .await;
    s.admin(
        "/v1/admin/offices",
        json!({"office_id": "530521-ZWZX", "name": "施甸县政务服务中心"}),
    )
    .await;
    s.admin(
        "/v1/admin/users",
        json!({"user_id": "u1", "name": "王芳", "office_id": "530502-ZWZX", "password": "password-1"}),
    )
    .await;
    let (_, token) = s.device("530502-ZWZX", "07").await;

    // 网上申报 for the hall: in its change log, numbered in the online series.
    let app = s
        .admin(
            "/v1/admin/online-applications",
            json!({"office_id": "530502-ZWZX", "matter_code": "11530500MB1A27618NXK00001000000", "matter_version": 1,
                   "matter_name": "食品经营许可", "applicant_name": "李四", "applicant_id_no": "530502199001011233",
                   "applicant_phone": "13808720000", "form": {}}),
        )
        .await;
    assert_eq!(app["status"], "online_submitted");
    assert!(
        app["receipt_no"]
            .as_str()
            .unwrap()
            .starts_with("530502ZW-WEB0-"),
        "{app}"
    );
    // Another hall's application is not in this hall's scope.
    s.admin(
        "/v1/admin/online-applications",
        json!({"office_id": "530521-ZWZX", "matter_code": "x", "matter_version": 1, "matter_name": "x",
               "applicant_name": "x", "applicant_id_no": "x", "applicant_phone": "x", "form": {}}),
    )
    .await;
    let (code, page) = s.call("GET", "/v1/sync/pull", Some(&token), None).await;
    assert_eq!(code, 200, "{page}");
    let changes = page["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{page}");
    assert_eq!(changes[0]["data"]["online"], true);
    assert_eq!(page["confirmed_seq"], 0);

    // Accepted at the window, routed to two departments (并联审批).
    let id = app["case_id"].as_str().unwrap();
    let (code, _) = s
        .call(
            "POST",
            &format!("/v1/admin/cases/{id}/nodes"),
            Some(ADMIN),
            Some(json!({"department": "市场监管局", "action": "approve"})),
        )
        .await;
    assert_eq!(code, 409, "not accepted yet: a department cannot decide");
    // (Acceptance arrives by push: case.accept_online from a window.)
    let (_, dev) = s.call("GET", "/v1/devices/me", Some(&token), None).await;
    let push = json!({"protocol": 1, "device_id": dev["device_id"], "device_epoch": 1, "db_instance_id": "db-07",
        "app_version": "t", "mutations": [{"seq": 1, "id": "m1", "type": "case.accept_online", "type_version": 1,
        "case_id": id, "actor_user_id": "u1", "wall_time": "2026-03-02T09:00:00+08:00", "hlc": "1-0",
        "payload": {"status": "accepted"}}]});
    let (code, r) = s
        .call("POST", "/v1/sync/push", Some(&token), Some(push))
        .await;
    assert_eq!(code, 200, "{r}");
    assert_eq!(r["results"][0]["status"], "applied");
    s.admin(
        &format!("/v1/admin/cases/{id}/route"),
        json!({"departments": ["市场监管局", "卫生健康委"]}),
    )
    .await;
    let one = s
        .admin(
            &format!("/v1/admin/cases/{id}/nodes"),
            json!({"department": "市场监管局", "action": "approve"}),
        )
        .await;
    assert_eq!(one["status"], "in_review", "one of two approved");
    let two = s
        .admin(
            &format!("/v1/admin/cases/{id}/nodes"),
            json!({"department": "卫生健康委", "action": "approve"}),
        )
        .await;
    assert_eq!(two["status"], "approved", "all approved: complete");
    let cursor = page["next_cursor"].as_str().unwrap();
    let (_, page2) = s
        .call(
            "GET",
            &format!("/v1/sync/pull?cursor={cursor}"),
            Some(&token),
            None,
        )
        .await;
    let last = page2["changes"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["data"]["status"], "approved");
    assert_eq!(
        last["data"]["nodes"],
        json!({"市场监管局": "approved", "卫生健康委": "approved"})
    );
    assert_eq!(page2["confirmed_seq"], 1);
}

/// Issue #12: users have roles, a display name and a disabled flag; login
/// says them and how long an offline sign-in stays valid; the platform
/// refuses a mutation whose actor is not the session's user or whose role
/// may not send it; a disabled user is refused at login, refresh and on
/// every call at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_have_roles_and_the_platform_checks_them_on_every_mutation() {
    let s = Server::start().await;
    let office = "530502-ZWZX";
    s.admin(
        "/v1/admin/offices",
        json!({"office_id": office, "name": "隆阳区政务服务中心"}),
    )
    .await;
    let added = s
        .admin(
            "/v1/admin/users",
            json!({"user_id": "u1", "name": "王芳", "office_id": office, "password": "password-1", "roles": ["supervisor", "clerk"]}),
        )
        .await;
    assert_eq!(added["roles"], "clerk,supervisor");
    s.admin(
        "/v1/admin/users",
        json!({"user_id": "a1", "name": "审计甲", "office_id": office, "password": "password-2", "roles": ["auditor"]}),
    )
    .await;
    let (code, bad) = s
        .call(
            "POST",
            "/v1/admin/users",
            Some(ADMIN),
            Some(json!({"user_id": "r1", "name": "x", "office_id": office, "password": "password-3", "roles": ["root"]})),
        )
        .await;
    assert_eq!(code, 422, "{bad}");
    assert!(bad["message"].as_str().unwrap().contains("root"), "{bad}");

    // Enrol, then log in as u1: name, roles and the offline period come back.
    let code = s
        .admin(
            "/v1/admin/enrolment-codes",
            json!({"office_id": office, "window_code": "07"}),
        )
        .await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, e) = s
        .call(
            "POST",
            "/v1/devices/enroll",
            None,
            Some(json!({"code": code, "db_instance_id": "db-07", "max_receipt_counter": 0, "app_version": "t"})),
        )
        .await;
    let login = |user: &str, password: &str| json!({"device_id": e["device_id"], "device_secret": e["device_secret"], "user_id": user, "password": password});
    let (st, t) = s
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(login("u1", "password-1")),
        )
        .await;
    assert_eq!(st, 200, "{t}");
    assert_eq!(t["display_name"], "王芳");
    assert_eq!(t["roles"], json!(["clerk", "supervisor"]));
    assert_eq!(t["offline_valid_secs"], 7 * 24 * 3600);
    let u1 = t["access_token"].as_str().unwrap().to_owned();
    let (_, users) = s.call("GET", "/v1/users", Some(&u1), None).await;
    assert_eq!(
        users,
        json!([
            {"user_id": "a1", "display_name": "审计甲", "roles": ["auditor"], "disabled": false},
            {"user_id": "u1", "display_name": "王芳", "roles": ["clerk", "supervisor"], "disabled": false},
        ])
    );

    let push = |seq: i64, actor: &str| {
        json!({"protocol": 1, "device_id": e["device_id"], "device_epoch": e["device_epoch"], "db_instance_id": "db-07",
               "app_version": "t", "outbox_depth": 1,
               "mutations": [{"seq": seq, "id": uuid::Uuid::now_v7().to_string(), "type": "case.create", "type_version": 1,
                              "case_id": uuid::Uuid::now_v7().to_string(), "base_version": null, "actor_user_id": actor,
                              "wall_time": "2026-03-02T01:00:00Z", "hlc": "1772413200000-0000", "payload": {}}]})
    };
    // Another actor than the session's user: refused, and the queue moves on.
    let (st, r) = s
        .call("POST", "/v1/sync/push", Some(&u1), Some(push(1, "u2")))
        .await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["results"][0]["status"], "rejected", "{r}");
    assert_eq!(r["results"][0]["code"], "forbidden");
    assert!(r["results"][0]["message"].as_str().unwrap().contains("u2"));
    // The auditor may not take in a case, even as herself.
    let (_, t) = s
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(login("a1", "password-2")),
        )
        .await;
    let a1 = t["access_token"].as_str().unwrap().to_owned();
    let (_, r) = s
        .call("POST", "/v1/sync/push", Some(&a1), Some(push(2, "a1")))
        .await;
    assert_eq!(r["results"][0]["status"], "rejected", "{r}");
    assert!(
        r["results"][0]["message"]
            .as_str()
            .unwrap()
            .contains("clerk,supervisor"),
        "{r}"
    );

    // Disabled: refused at login, its tokens stop working at once.
    let (_, t) = s
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(login("u1", "password-1")),
        )
        .await;
    let refresh = t["refresh_token"].as_str().unwrap().to_owned();
    s.admin("/v1/admin/users/u1/disabled", json!({"disabled": true}))
        .await;
    let (st, r) = s
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(login("u1", "password-1")),
        )
        .await;
    assert_eq!(
        (st, r["error"].as_str()),
        (403, Some("user_disabled")),
        "{r}"
    );
    let (st, _) = s.call("GET", "/v1/users", Some(&u1), None).await;
    assert_eq!(st, 401);
    let (st, _) = s
        .call(
            "POST",
            "/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": refresh})),
        )
        .await;
    assert_eq!(st, 401);
    let (_, users) = s.call("GET", "/v1/users", Some(&a1), None).await;
    assert_eq!(users[1]["disabled"], true);
    let (st, _) = s
        .call(
            "POST",
            "/v1/admin/users/nobody/disabled",
            Some(ADMIN),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(st, 404);
}
