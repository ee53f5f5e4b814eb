//! Issue #13: one probe per finding, against the real server (as `serve`
//! runs it: the windows' listener and the admin listener apart) on a real
//! PostgreSQL, over plain HTTP as an outside client would send.

use clerk_core::calendar::{StartDay, WorkCalendar};
use clerk_core::case::MaterialCheck;
use clerk_core::catalogue::Catalogue;
use clerk_core::date::Date;
use clerk_core::intake::{
    prepare, ApplicantForm, DecisionForm, IntakeContext, IntakeForm, PreparedCase,
};
use serde_json::{json, Value};

const ADMIN: &str = "probe-admin-token-0123456789";
const OFFICE: &str = "530502-ZWZX";
const FOOD: &str = "11530500MB1A27618NXK00001000000";

struct Probe {
    url: String,
    admin_url: String,
    db: String,
    http: reqwest::Client,
}

struct Device {
    id: String,
    code: String,
    epoch: i64,
    db_instance: String,
    secret: String,
    token: String,
    seq: i64,
    counter: u64,
}

impl Probe {
    async fn start() -> Probe {
        Probe::with(|_| {}).await
    }

    async fn with(f: impl FnOnce(&mut platform_server::Settings)) -> Probe {
        let db = pg_harness::fresh_database("probe").await;
        let mut settings = platform_server::Settings::new(&db, ADMIN);
        f(&mut settings);
        let (url, admin_url) = platform_server::spawn_split(settings).await.unwrap();
        let p = Probe {
            url,
            admin_url,
            db,
            http: reqwest::Client::new(),
        };
        p.admin(
            "/v1/admin/offices",
            json!({"office_id": OFFICE, "name": "隆阳区政务服务中心"}),
        )
        .await;
        p.admin(
            "/v1/admin/users",
            json!({"user_id": "u1", "name": "王芳", "office_id": OFFICE, "password": "password-1"}),
        )
        .await;
        p
    }

    async fn sql(&self) -> tokio_postgres::Client {
        let (c, conn) = tokio_postgres::connect(&self.db, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        c
    }

    async fn post(&self, base: &str, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut rb = self.http.post(format!("{base}{path}")).json(&body);
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        let r = rb.send().await.unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    async fn admin(&self, path: &str, body: Value) -> Value {
        let (s, v) = self.post(&self.admin_url, path, Some(ADMIN), body).await;
        assert_eq!(s, 200, "{path}: {v}");
        v
    }

    async fn code(&self, office: &str, window: &str) -> String {
        self.admin(
            "/v1/admin/enrolment-codes",
            json!({"office_id": office, "window_code": window}),
        )
        .await["code"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn login(&self, d: &Device, user: &str, password: &str) -> (u16, Value) {
        self.post(
            &self.url,
            "/v1/auth/login",
            None,
            json!({"device_id": d.id, "device_secret": d.secret, "user_id": user, "password": password}),
        )
        .await
    }

    async fn device(&self, window: &str) -> Device {
        self.device_in(OFFICE, window, "u1").await
    }

    /// A device of `office` with `user` (password `password-1`) signed in.
    async fn device_in(&self, office: &str, window: &str, user: &str) -> Device {
        let code = self.code(office, window).await;
        let db_instance = format!("db-{window}-{}", uuid::Uuid::now_v7());
        let (s, e) = self
            .post(
                &self.url,
                "/v1/devices/enroll",
                None,
                json!({"code": code, "db_instance_id": db_instance, "max_receipt_counter": 0, "app_version": "t"}),
            )
            .await;
        assert_eq!(s, 200, "{e}");
        let mut d = Device {
            id: e["device_id"].as_str().unwrap().into(),
            code: e["device_code"].as_str().unwrap().into(),
            epoch: e["device_epoch"].as_i64().unwrap(),
            db_instance,
            secret: e["device_secret"].as_str().unwrap().into(),
            token: String::new(),
            seq: 0,
            counter: 0,
        };
        let (s, t) = self.login(&d, user, "password-1").await;
        assert_eq!(s, 200, "{t}");
        d.token = t["access_token"].as_str().unwrap().into();
        d
    }

    async fn push(&self, d: &Device, mutations: Vec<Value>) -> (u16, Value) {
        self.post(
            &self.url,
            "/v1/sync/push",
            Some(&d.token),
            json!({"protocol": 1, "device_id": d.id, "device_epoch": d.epoch, "db_instance_id": d.db_instance,
                   "app_version": "t", "outbox_depth": mutations.len(), "mutations": mutations}),
        )
        .await
    }

    async fn cases(&self) -> i64 {
        self.sql()
            .await
            .query_one("SELECT count(*) FROM cases", &[])
            .await
            .unwrap()
            .get(0)
    }
}

fn id_no(body: &str) -> String {
    format!(
        "{body}{}",
        clerk_core::ids::citizen_id_check_char(body).unwrap()
    )
}

/// A true case, as a window's clerk-core makes it.
fn true_case() -> PreparedCase {
    let cat = Catalogue::parse(clerk_core::SAMPLE_CATALOGUE_JSON).unwrap();
    let m = cat.matter(FOOD).unwrap();
    let form = IntakeForm {
        matter_code: FOOD.into(),
        matter_version: cat.version,
        applicant: ApplicantForm {
            name: "李四".into(),
            id_no: id_no("53050219900101123"),
            phone: "13808720000".into(),
            ..Default::default()
        },
        materials: m
            .materials
            .iter()
            .map(|x| MaterialCheck {
                material_id: x.id.clone(),
                received: true,
                original_seen: true,
                copies: x.copies,
            })
            .collect(),
        decision: DecisionForm::Accept,
    };
    prepare(
        &form,
        &IntakeContext {
            catalogue: &cat,
            calendar: &WorkCalendar::bundled(),
            today: Date::parse_iso("2026-03-02").unwrap(),
            start_day: StartDay::DayZero,
        },
    )
    .unwrap()
}

/// The next `case.create` of `d` for `case` (its own series).
fn create(d: &mut Device, case: &PreparedCase) -> Value {
    d.seq += 1;
    d.counter += 1;
    let receipt = clerk_core::receipt::ReceiptNo::new(
        &clerk_core::receipt::office_code(OFFICE),
        &d.code,
        d.counter,
    )
    .unwrap()
    .to_string();
    create_with(d.seq, &receipt, serde_json::to_value(case).unwrap())
}

fn create_with(seq: i64, receipt: &str, case: Value) -> Value {
    json!({"seq": seq, "id": uuid::Uuid::now_v7().to_string(), "type": "case.create", "type_version": 1,
           "case_id": uuid::Uuid::now_v7().to_string(), "base_version": null, "actor_user_id": "u1",
           "wall_time": "2026-03-02T01:00:00Z", "hlc": "1772413200000-0000",
           "payload": {"case": case, "catalogue_ref": {"matter": FOOD, "version": 1}, "receipt_no": receipt}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_a_citizen_id_failing_its_check_digit_is_rejected_with_its_field() {
    let p = Probe::start().await;
    let mut d = p.device("07").await;
    let mut c = true_case();
    let last = if c.applicant.id_no.ends_with('0') {
        "1"
    } else {
        "0"
    };
    c.applicant.id_no = format!("{}{last}", &c.applicant.id_no[..17]);
    let good = true_case();
    let batch = vec![create(&mut d, &c), create(&mut d, &good)];
    let (s, r) = p.push(&d, batch).await;
    assert_eq!(s, 200, "{r}");
    let bad = &r["results"][0];
    assert_eq!(
        (bad["status"].as_str(), bad["code"].as_str()),
        (Some("rejected"), Some("VALIDATION")),
        "{r}"
    );
    assert!(
        bad["message"].as_str().unwrap().contains("applicant.id_no"),
        "{r}"
    );
    assert!(bad["message_zh"].as_str().unwrap().contains("校验"), "{r}");
    // The queue moves on: the true case after it is applied.
    assert_eq!(r["results"][1]["status"], "applied", "{r}");
    assert_eq!(r["last_applied_seq"], 2);
    assert_eq!(p.cases().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_a_window_cannot_create_a_case_past_its_intake() {
    let p = Probe::start().await;
    let mut d = p.device("07").await;
    // A status no art. 32 decision gives at the counter.
    let mut forged = serde_json::to_value(true_case()).unwrap();
    forged["status"] = json!("approved");
    d.seq += 1;
    d.counter += 1;
    let receipt = clerk_core::receipt::ReceiptNo::new(
        &clerk_core::receipt::office_code(OFFICE),
        &d.code,
        d.counter,
    )
    .unwrap()
    .to_string();
    let m1 = create_with(d.seq, &receipt, forged);
    // A status the decision does not give (an accepted promised matter
    // claimed as completed on the spot).
    let mut c = true_case();
    c.status = clerk_core::case::CaseStatus::CompletedOnTheSpot;
    let m2 = create(&mut d, &c);
    // A deadline moved.
    let mut c = true_case();
    c.promised_due = c.promised_due.map(|x| x.add_days(60));
    let m3 = create(&mut d, &c);
    let (_, r) = p.push(&d, vec![m1, m2, m3]).await;
    let res = r["results"].as_array().unwrap();
    assert!(res.iter().all(|x| x["code"] == "VALIDATION"), "{r}");
    assert!(
        res[0]["message"]
            .as_str()
            .unwrap()
            .contains("not a case record"),
        "{r}"
    );
    assert!(
        res[1]["message"].as_str().unwrap().contains("status"),
        "{r}"
    );
    assert!(
        res[2]["message"].as_str().unwrap().contains("promised_due"),
        "{r}"
    );
    assert_eq!(p.cases().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_a_receipt_number_of_another_device_is_refused() {
    let p = Probe::start().await;
    let mut a = p.device("07").await;
    let mut b = p.device("08").await;
    // B takes A's next number: refused, and A's case then goes in.
    let a_next =
        clerk_core::receipt::ReceiptNo::new(&clerk_core::receipt::office_code(OFFICE), &a.code, 1)
            .unwrap()
            .to_string();
    b.seq += 1;
    let (_, r) = p
        .push(
            &b,
            vec![create_with(
                b.seq,
                &a_next,
                serde_json::to_value(true_case()).unwrap(),
            )],
        )
        .await;
    assert_eq!(r["results"][0]["code"], "forbidden", "{r}");
    assert!(
        r["results"][0]["message_zh"]
            .as_str()
            .unwrap()
            .contains("本机"),
        "{r}"
    );
    let m = create(&mut a, &true_case());
    let (_, r) = p.push(&a, vec![m]).await;
    assert_eq!(r["results"][0]["status"], "applied", "{r}");
    let q: i64 = p
        .sql()
        .await
        .query_one("SELECT count(*) FROM quarantine", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(q, 0, "nothing of A's was put in doubt");
    // Another office's part is refused the same way.
    let other = clerk_core::receipt::ReceiptNo::new("3201", &b.code, 5)
        .unwrap()
        .to_string();
    b.seq += 1;
    let (_, r) = p
        .push(
            &b,
            vec![create_with(
                b.seq,
                &other,
                serde_json::to_value(true_case()).unwrap(),
            )],
        )
        .await;
    assert_eq!(r["results"][0]["code"], "forbidden", "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_text_the_database_cannot_store_rejects_one_mutation_not_the_queue() {
    let p = Probe::start().await;
    let mut d = p.device("07").await;
    let c = true_case();
    let m1 = create(&mut d, &c);
    let case_id = m1["case_id"].as_str().unwrap().to_owned();
    let (_, r) = p.push(&d, vec![m1]).await;
    assert_eq!(r["results"][0]["status"], "applied", "{r}");
    // An attachment role with a NUL passes the shape check and reaches
    // PostgreSQL, which refuses it (22021): that mutation is rejected, the
    // next one in the same batch applies, nothing answers 503.
    let attach = |seq: i64, role: &str| {
        json!({"seq": seq, "id": uuid::Uuid::now_v7().to_string(), "type": "case.attach", "type_version": 1,
               "case_id": case_id, "base_version": 1, "actor_user_id": "u1",
               "wall_time": "2026-03-02T01:00:00Z", "hlc": "1772413200000-0001",
               "payload": {"sha256": "a".repeat(64), "size": 10, "mime": "application/pdf", "role": role}})
    };
    let (s, r) = p
        .push(&d, vec![attach(2, "id\u{0}card"), attach(3, "id_card")])
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["results"][0]["status"], "rejected", "{r}");
    assert_eq!(r["results"][0]["code"], "VALIDATION", "{r}");
    assert_eq!(r["results"][1]["status"], "applied", "{r}");
    assert_eq!(r["last_applied_seq"], 3);
    // And pulls are not held up.
    let pull = p
        .http
        .get(format!("{}/v1/sync/pull?cursor=&limit=10", p.url))
        .bearer_auth(&d.token)
        .send()
        .await
        .unwrap();
    assert_eq!(pull.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_a_quarantined_batch_keeps_nothing_of_itself() {
    let p = Probe::start().await;
    let mut d = p.device("07").await;
    let m = create(&mut d, &true_case());
    let (_, r) = p.push(&d, vec![m]).await;
    assert_eq!(r["last_applied_seq"], 1);
    // [a new case at seq 2, seq 1 again with another mutation]: a restored
    // database. The new case must not be committed without its ledger row.
    let new = create(&mut d, &true_case());
    let mut reused = create_with(1, "x", json!({}));
    reused["id"] = json!("another-mutation");
    let (s, r) = p.push(&d, vec![new, reused]).await;
    assert_eq!(
        (s, r["error"].as_str()),
        (410, Some("reenroll_required")),
        "{r}"
    );
    assert_eq!(
        p.cases().await,
        1,
        "the new case of the refused batch is not kept"
    );
    let sql = p.sql().await;
    let ledger: i64 = sql
        .query_one("SELECT count(*) FROM mutation_ledger", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(ledger, 1);
    let q: bool = sql
        .query_one(
            "SELECT quarantined FROM devices WHERE device_code = $1",
            &[&d.code],
        )
        .await
        .unwrap()
        .get(0);
    assert!(q);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_wrong_passwords_lock_the_user_even_for_the_right_one() {
    let p = Probe::start().await;
    let d = p.device("07").await;
    for _ in 0..5 {
        let (s, _) = p.login(&d, "u1", "wrong-password").await;
        assert_eq!(s, 401);
    }
    let (s, r) = p.login(&d, "u1", "password-1").await;
    assert_eq!((s, r["error"].as_str()), (429, Some("locked")), "{r}");
    let events: i64 = p
        .sql()
        .await
        .query_one(
            "SELECT count(*) FROM security_events WHERE kind = 'login.locked'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(events >= 1);
    // An admin lifts it (the device too: the same typos counted there).
    p.admin("/v1/admin/users/u1/unlock", json!({})).await;
    p.admin(&format!("/v1/admin/devices/{}/unlock", d.id), json!({}))
        .await;
    let (s, r) = p.login(&d, "u1", "password-1").await;
    assert_eq!(s, 200, "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_enrolment_codes_carry_75_bits_and_guessing_is_throttled() {
    let p = Probe::start().await;
    let code = p.code(OFFICE, "07").await;
    let groups: Vec<&str> = code.split('-').collect();
    assert_eq!(groups.len(), 3, "{code}");
    assert!(
        groups.iter().all(|g| g.len() == 5
            && g.bytes()
                .all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b))),
        "{code}"
    );
    assert_ne!(code, p.code(OFFICE, "07").await);
    let enrol = |c: String| json!({"code": c, "db_instance_id": "db-x", "max_receipt_counter": 0, "app_version": "t"});
    for i in 0..10 {
        let (s, _) = p
            .post(
                &p.url,
                "/v1/devices/enroll",
                None,
                enrol(format!("WRONG-{i:05}-CODE0")),
            )
            .await;
        assert_eq!(s, 403);
    }
    // The eleventh try from this address waits, even with the right code.
    let (s, r) = p
        .post(
            &p.url,
            "/v1/devices/enroll",
            None,
            enrol(code.to_lowercase()),
        )
        .await;
    assert_eq!((s, r["error"].as_str()), (429, Some("throttled")), "{r}");
    p.sql()
        .await
        .execute("DELETE FROM enrol_attempts", &[])
        .await
        .unwrap();
    // Typed in lower case, with spaces: the same code.
    let (s, r) = p
        .post(
            &p.url,
            "/v1/devices/enroll",
            None,
            enrol(code.to_lowercase().replace('-', " ")),
        )
        .await;
    assert_eq!(s, 200, "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_the_admin_api_is_not_on_the_windows_listener() {
    let p = Probe::start().await;
    let (s, _) = p
        .post(
            &p.url,
            "/v1/admin/enrolment-codes",
            Some(ADMIN),
            json!({"office_id": OFFICE, "window_code": "07"}),
        )
        .await;
    assert_eq!(s, 404, "the windows' listener does not route /v1/admin");
    let (s, _) = p
        .post(
            &p.admin_url,
            "/v1/admin/enrolment-codes",
            Some("probe-admin-token-012345678X"),
            json!({"office_id": OFFICE, "window_code": "07"}),
        )
        .await;
    assert_eq!(s, 401, "a token one character off");
    // Its document does not offer what it does not route, and a route
    // nobody serves answers in JSON like every other error.
    let doc: Value = p
        .http
        .get(format!("{}/openapi.json", p.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.contains_key("/v1/sync/push"));
    assert!(
        !paths.keys().any(|k| k.starts_with("/v1/admin")),
        "{:?}",
        paths.keys()
    );
    let (s, v) = p.post(&p.url, "/v1/no-such-route", None, json!({})).await;
    assert_eq!((s, v["error"].as_str()), (404, Some("not_found")), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_tokens_are_kept_as_hashes_and_sessions_end() {
    let p = Probe::with(|s| s.session_max_secs = 3).await;
    let d = p.device("07").await;
    let (_, t) = p.login(&d, "u1", "password-1").await;
    let refresh = t["refresh_token"].as_str().unwrap().to_owned();
    let (s, r1) = p
        .post(
            &p.url,
            "/v1/auth/refresh",
            None,
            json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(s, 200, "{r1}");
    // A replay in the grace window gets the same successor back ...
    let (_, r2) = p
        .post(
            &p.url,
            "/v1/auth/refresh",
            None,
            json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(r1["refresh_token"], r2["refresh_token"]);
    assert_eq!(r1["access_token"], r2["access_token"]);
    // ... though no token is in the database, in any column.
    let sql = p.sql().await;
    let dump: String = sql
        .query_one(
            "SELECT (SELECT coalesce(string_agg(t::text, ' '), '') FROM refresh_tokens t) || (SELECT coalesce(string_agg(a::text, ' '), '') FROM access_tokens a)",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    for token in [
        &refresh,
        r1["refresh_token"].as_str().unwrap(),
        r1["access_token"].as_str().unwrap(),
    ] {
        assert!(!dump.contains(token), "a token in plain text");
    }
    // The session ends its absolute lifetime after the password sign-in.
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let (s, r) = p
        .post(
            &p.url,
            "/v1/auth/refresh",
            None,
            json!({"refresh_token": r1["refresh_token"]}),
        )
        .await;
    assert_eq!(s, 401, "{r}");
    assert!(r["message"].as_str().unwrap().contains("lifetime"), "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_old_password_hashes_become_argon2id_at_the_next_sign_in() {
    let p = Probe::start().await;
    let d = p.device("07").await;
    let sql = p.sql().await;
    let h: String = sql
        .query_one("SELECT password_hash FROM users WHERE user_id = 'u1'", &[])
        .await
        .unwrap()
        .get(0);
    assert!(h.starts_with("$argon2id$"), "new users get Argon2id: {h}");
    // A verifier of the old kind (s1, salted iterated SHA-256 of "salt:password-1").
    use sha2::Digest;
    let mut x = sha2::Sha256::digest(b"salt:password-1").to_vec();
    for _ in 0..10_000 {
        x = sha2::Sha256::digest(&x).to_vec();
    }
    let old = format!(
        "s1:salt:{}",
        x.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    sql.execute(
        "UPDATE users SET password_hash = $1 WHERE user_id = 'u1'",
        &[&old],
    )
    .await
    .unwrap();
    let (s, r) = p.login(&d, "u1", "password-1").await;
    assert_eq!(s, 200, "{r}");
    let h: String = sql
        .query_one("SELECT password_hash FROM users WHERE user_id = 'u1'", &[])
        .await
        .unwrap()
        .get(0);
    assert!(h.starts_with("$argon2id$"), "upgraded: {h}");
    let (s, _) = p.login(&d, "u1", "password-1").await;
    assert_eq!(s, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_a_pc_moves_to_another_hall_only_by_an_explicit_admin_step() {
    let p = Probe::start().await;
    p.admin(
        "/v1/admin/offices",
        json!({"office_id": "530521-SDX", "name": "施甸县政务服务中心"}),
    )
    .await;
    let db = "db-moving-pc";
    let enrol = |code: String| json!({"code": code, "db_instance_id": db, "max_receipt_counter": 0, "app_version": "t", "former_codes": ["0ABC", "ZZZZ"]});
    let (s, first) = p
        .post(
            &p.url,
            "/v1/devices/enroll",
            None,
            enrol(p.code(OFFICE, "07").await),
        )
        .await;
    assert_eq!(s, 200, "{first}");
    let other = p.code("530521-SDX", "01").await;
    let (s, r) = p
        .post(&p.url, "/v1/devices/enroll", None, enrol(other))
        .await;
    assert_eq!(s, 403, "{r}");
    assert!(r["message"].as_str().unwrap().contains("allow_move"), "{r}");
    let moving = p
        .admin(
            "/v1/admin/enrolment-codes",
            json!({"office_id": "530521-SDX", "window_code": "01", "allow_move": true}),
        )
        .await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, r) = p
        .post(&p.url, "/v1/devices/enroll", None, enrol(moving))
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["device_epoch"], 2);
    let sql = p.sql().await;
    let former: Vec<String> = sql
        .query_one(
            "SELECT former_codes FROM devices WHERE device_id = $1::text::uuid",
            &[&r["device_id"].as_str().unwrap()],
        )
        .await
        .unwrap()
        .get(0);
    // Its earlier code and its provisional one; never a code it merely named.
    assert_eq!(
        former,
        vec![
            first["device_code"].as_str().unwrap().to_owned(),
            "0ABC".to_owned()
        ]
    );
    let moved: i64 = sql
        .query_one("SELECT count(*) FROM security_events WHERE kind IN ('device.moved', 'device.move_refused', 'enrolment_code.allow_move')", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(moved, 3);
}

/// Upload `bytes` as a PDF through the tus lane as `d`; the sha256.
async fn upload(p: &Probe, d: &Device, bytes: &[u8]) -> String {
    use base64::Engine;
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let r = p
        .http
        .post(format!("{}/v1/uploads", p.url))
        .bearer_auth(&d.token)
        .header("tus-resumable", "1.0.0")
        .header("upload-length", bytes.len())
        .header(
            "upload-metadata",
            format!("sha256 {},mime {}", b64(&sha), b64("application/pdf")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let at = r.headers()["location"].to_str().unwrap().to_owned();
    let r = p
        .http
        .patch(format!("{}{at}", p.url))
        .bearer_auth(&d.token)
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", 0)
        .header("content-type", "application/offset+octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    sha
}

async fn blob(p: &Probe, d: &Device, sha: &str, range: Option<&str>) -> (u16, Vec<u8>) {
    let mut rb = p
        .http
        .get(format!("{}/v1/blobs/{sha}", p.url))
        .bearer_auth(&d.token);
    if let Some(r) = range {
        rb = rb.header("range", r);
    }
    let r = rb.send().await.unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_a_scan_is_read_only_by_the_hall_that_holds_it() {
    let p = Probe::start().await;
    p.admin(
        "/v1/admin/offices",
        json!({"office_id": "530521-SDXZ", "name": "施甸县政务服务中心"}),
    )
    .await;
    p.admin(
        "/v1/admin/users",
        json!({"user_id": "u9", "name": "李强", "office_id": "530521-SDXZ", "password": "password-1"}),
    )
    .await;
    let a1 = p.device("01").await;
    let a2 = p.device("02").await;
    let b = p.device_in("530521-SDXZ", "01", "u9").await;
    let scan: Vec<u8> = b"%PDF-1.4 a citizen's ID card "
        .iter()
        .copied()
        .cycle()
        .take(300_000)
        .collect();
    let sha = upload(&p, &a1, &scan).await;

    // The hall that uploaded it: any of its windows, whole or by range.
    assert_eq!(blob(&p, &a1, &sha, None).await, (200, scan.clone()));
    assert_eq!(
        blob(&p, &a2, &sha, Some("bytes=100000-100009")).await,
        (206, scan[100_000..100_010].to_vec())
    );
    // Another hall: the same answer as for a blob nobody has.
    assert_eq!(blob(&p, &b, &sha, None).await.0, 404);
    let head = p
        .http
        .head(format!("{}/v1/blobs/{sha}", p.url))
        .bearer_auth(&b.token)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status().as_u16(), 404);

    // Attaching the hash to one of its own cases does not open it either.
    let mut b = b;
    let case = true_case();
    b.seq += 1;
    b.counter += 1;
    let receipt = clerk_core::receipt::ReceiptNo::new(
        &clerk_core::receipt::office_code("530521-SDXZ"),
        &b.code,
        b.counter,
    )
    .unwrap()
    .to_string();
    let mut m = create_with(b.seq, &receipt, serde_json::to_value(&case).unwrap());
    m["actor_user_id"] = json!("u9");
    let case_id = m["case_id"].as_str().unwrap().to_owned();
    let (s, v) = p.push(&b, vec![m]).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["results"][0]["status"], "applied", "{v}");
    b.seq += 1;
    let attach = json!({"seq": b.seq, "id": uuid::Uuid::now_v7().to_string(), "type": "case.attach", "type_version": 1,
        "case_id": case_id, "base_version": null, "actor_user_id": "u9",
        "wall_time": "2026-03-02T01:01:00Z", "hlc": "1772413260000-0000",
        "payload": {"sha256": sha, "size": scan.len(), "mime": "application/pdf", "role": "身份证"}});
    let (s, v) = p.push(&b, vec![attach]).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["results"][0]["status"], "applied", "{v}");
    assert_eq!(
        blob(&p, &b, &sha, None).await.0,
        404,
        "a reference is not the bytes"
    );

    // Once that hall uploads the bytes itself, it holds them.
    assert_eq!(upload(&p, &b, &scan).await, sha);
    assert_eq!(blob(&p, &b, &sha, None).await, (200, scan));
}

/// Send a request head by hand and read what comes back before any body.
async fn head_only(url: &str, head: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = url.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(head.replace("{addr}", addr).as_bytes())
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    // A generous bound so a server that waits for the body fails the
    // test instead of hanging it.
    let n = tokio::time::timeout(std::time::Duration::from_secs(20), s.read(&mut buf))
        .await
        .expect("the server waited for the body instead of answering")
        .unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_the_bearer_token_and_the_body_limit_come_before_the_body() {
    let p = Probe::with(|s| s.request_secs = 2).await;
    let d = p.device("01").await;
    // No token, a body announced and never sent: 401 at once.
    let a = head_only(
        &p.url,
        "POST /v1/sync/push HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 500000\r\n\r\n",
    )
    .await;
    assert!(a.starts_with("HTTP/1.1 401"), "{a}");
    // A valid token and a body over the push limit: 413 before reading it.
    let a = head_only(
        &p.url,
        &format!("POST /v1/sync/push HTTP/1.1\r\nHost: {{addr}}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            d.token, platform_server::PUSH_BODY + 1),
    )
    .await;
    assert!(a.starts_with("HTTP/1.1 413"), "{a}");
    assert!(
        a.contains("content-type: application/json"),
        "an ErrorBody: {a}"
    );
    // A sign-in is small.
    let (s, body) = p
        .post(
            &p.url,
            "/v1/auth/login",
            None,
            json!({"device_id": d.id, "device_secret": d.secret, "user_id": "u1",
                   "password": "x".repeat(platform_server::SMALL_BODY)}),
        )
        .await;
    assert_eq!(s, 413);
    assert_eq!(body["error"], "malformed", "{body}");
    // JSON that does not parse, or a method a route does not take: the
    // same ErrorBody as every other error, not the framework's text.
    let r = p
        .http
        .post(format!("{}/v1/auth/login", p.url))
        .header("content-type", "application/json")
        .body("{\"device_id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "malformed", "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("malformed"),
        "{body}"
    );
    let r = p
        .http
        .delete(format!("{}/v1/auth/login", p.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 405);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "not_found", "{body}");
    // Every answer names its request: the caller's id, or a fresh one.
    let r = p
        .http
        .get(format!("{}/healthz", p.url))
        .header("x-request-id", "probe-42")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "probe-42");
    let r = p
        .http
        .get(format!("{}/healthz", p.url))
        .send()
        .await
        .unwrap();
    let id = r.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(
        uuid::Uuid::parse_str(id).map(|u| u.get_version_num()),
        Ok(4),
        "{id}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_a_client_that_stops_sending_is_cut_off() {
    let p = Probe::with(|s| s.request_secs = 2).await;
    let d = p.device("01").await;
    // Half a push body, then silence: the request times out (408) instead
    // of holding a connection and a task for ever.
    let a = head_only(
        &p.url,
        &format!("POST /v1/sync/push HTTP/1.1\r\nHost: {{addr}}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"protocol\": 1,",
            d.token),
    )
    .await;
    assert!(a.starts_with("HTTP/1.1 408"), "{a}");
    assert!(
        a.contains("content-type: application/json"),
        "an ErrorBody: {a}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_a_re_enrolled_pc_carries_its_device_history() {
    let p = Probe::start().await;
    let mut d = p.device("07").await;
    let (one, two) = (create(&mut d, &true_case()), create(&mut d, &true_case()));
    let (s, r) = p.push(&d, vec![one.clone(), two.clone()]).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(p.cases().await, 2);
    // The PC is re-imaged and its database put back from a backup taken
    // when only seq 1 had been acknowledged.
    let (s, e) = p
        .post(
            &p.url,
            "/v1/devices/enroll",
            None,
            json!({"code": p.code(OFFICE, "07").await, "db_instance_id": d.db_instance,
                   "max_receipt_counter": 1, "app_version": "t", "former_codes": [d.code],
                   "pushed_through": 1, "audit_acked": 0}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["pushed_through"], 1);
    assert_eq!(e["device_epoch"], 2);
    // The earlier enrolment is retired: its token and its credential.
    let (s, r) = p.push(&d, vec![]).await;
    assert_eq!(s, 401, "{r}");
    let (s, r) = p.login(&d, "u1", "password-1").await;
    assert_eq!(s, 403, "{r}");
    assert!(r["message"].as_str().unwrap().contains("retired"), "{r}");
    let mut n = Device {
        id: e["device_id"].as_str().unwrap().into(),
        code: e["device_code"].as_str().unwrap().into(),
        epoch: 2,
        db_instance: d.db_instance.clone(),
        secret: e["device_secret"].as_str().unwrap().into(),
        token: String::new(),
        seq: 2,
        counter: e["receipt_counter_floor"].as_u64().unwrap() - 1,
    };
    let (s, t) = p.login(&n, "u1", "password-1").await;
    assert_eq!(s, 200, "{t}");
    n.token = t["access_token"].as_str().unwrap().into();
    // Seq 1 and 2 again (the archive, and the row the backup had unsent):
    // answered from the earlier ledger, never applied twice.
    let three = create(&mut n, &true_case());
    let (s, r) = p.push(&n, vec![one.clone(), two.clone(), three]).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["last_applied_seq"], 3);
    let statuses: Vec<&str> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["applied", "applied", "applied"], "{r}");
    assert_eq!(p.cases().await, 3, "seq 1 and 2 not applied again");
    // A seq the earlier enrolment applied, sent with another mutation:
    // still an older copy, never a silent duplicate.
    let mut other = two.clone();
    other["id"] = json!(uuid::Uuid::now_v7().to_string());
    let (s, r) = p.push(&n, vec![other]).await;
    assert_eq!(s, 410, "{r}");
    let events: i64 = p
        .sql()
        .await
        .query_one(
            "SELECT count(*) FROM security_events WHERE kind = 'device.superseded'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(events, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_a_mutation_is_only_its_signed_in_actors_with_a_role_for_it() {
    let p = Probe::start().await;
    p.admin(
        "/v1/admin/users",
        json!({"user_id": "aud1", "name": "审计员", "office_id": OFFICE, "password": "password-1", "roles": ["auditor"]}),
    )
    .await;
    // Another user named as the actor of a clerk's session.
    let mut d = p.device("07").await;
    let mut m = create(&mut d, &true_case());
    m["actor_user_id"] = json!("aud1");
    let (s, v) = p.push(&d, vec![m]).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["results"][0]["status"], "rejected", "{v}");
    assert_eq!(v["results"][0]["code"], "forbidden", "{v}");
    assert!(
        v["results"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not the signed-in user"),
        "{v}"
    );
    // A signed-in auditor: no kind a window sends is theirs, whatever the
    // payload (the role is checked first).
    let mut a = p.device_in(OFFICE, "08", "aud1").await;
    let case_id = uuid::Uuid::now_v7().to_string();
    let mut batch = vec![create(&mut a, &true_case())];
    for kind in ["case.attach", "case.accept_online", "case.update_fields"] {
        a.seq += 1;
        batch.push(json!({"seq": a.seq, "id": uuid::Uuid::now_v7().to_string(), "type": kind, "type_version": 1,
            "case_id": case_id, "base_version": 1, "actor_user_id": "aud1",
            "wall_time": "2026-03-02T01:01:00Z", "hlc": "1772413260000-0000", "payload": {}}));
    }
    for m in &mut batch {
        m["actor_user_id"] = json!("aud1");
    }
    let (s, v) = p.push(&a, batch).await;
    assert_eq!(s, 200, "{v}");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 4, "{v}");
    for r in results {
        assert_eq!(r["status"], "rejected", "{v}");
        assert_eq!(r["code"], "forbidden", "{v}");
        assert!(
            r["message"].as_str().unwrap().contains("has no role"),
            "{v}"
        );
    }
    assert_eq!(v["last_applied_seq"], 4, "refused rows advance the queue");
    assert_eq!(p.cases().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_text_the_database_cannot_store_is_the_callers_to_correct_on_the_admin_api_too() {
    // Found by schemathesis on the admin listener: an online application
    // with a NUL in a field was "503, retry later" for ever.
    let p = Probe::start().await;
    let (s, v) = p
        .post(
            &p.admin_url,
            "/v1/admin/online-applications",
            Some(ADMIN),
            json!({"office_id": OFFICE, "matter_code": FOOD, "matter_version": 1, "matter_name": "食品经营许可",
                   "applicant_name": "李四", "applicant_id_no": id_no("53050219900101123"),
                   "applicant_phone": "138\u{0}0872", "form": {}}),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["error"], "malformed", "{v}");
    assert_eq!(p.cases().await, 0);
}

/// A `case.progress` of `d` about `case_id` (issue #14).
fn progress(d: &mut Device, case_id: &str, event: Value) -> Value {
    d.seq += 1;
    json!({"seq": d.seq, "id": uuid::Uuid::now_v7().to_string(), "type": "case.progress", "type_version": 1,
           "case_id": case_id, "base_version": null, "actor_user_id": "u1",
           "wall_time": "2026-03-04T01:00:00Z", "hlc": "1772586000000-0000",
           "payload": {"event": event}})
}

/// Issue #14: the case after intake is re-checked on the platform with
/// clerk-core's lifecycle rules, on its own copy of the case and status.
/// Supplements that complete a one-time notice accept the case from their
/// day (dates worked out here, not taken from the window); what the rules
/// refuse is rejected with the rule's words and the queue moves on; a
/// result is delivered only once the departments decided.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_the_case_after_intake_is_re_checked_on_the_platform() {
    use clerk_core::case::SupplementItem;
    let p = Probe::start().await;
    let mut d = p.device("07").await;
    // A one-time notice for m4, taken in on 2026-03-02.
    let mut c = true_case();
    c.materials[3].received = false;
    c.decision = DecisionForm::RequestSupplement {
        items: vec![SupplementItem {
            material_id: "m4".into(),
            requirement: "请提交原件".into(),
        }],
    };
    c.status = clerk_core::case::CaseStatus::SupplementRequested;
    c.accepted_on = None;
    c.promised_due = None;
    c.statutory_due = None;
    c.owed = vec!["食品安全管理制度目录".into()];
    let m = create(&mut d, &c);
    let case_id = m["case_id"].as_str().unwrap().to_owned();
    let (_, r) = p.push(&d, vec![m]).await;
    assert_eq!(r["results"][0]["status"], "applied", "{r}");

    let refused = vec![
        // Nothing ticked.
        progress(
            &mut d,
            &case_id,
            json!({"on": "2026-03-04", "kind": "supplied", "material_ids": []}),
        ),
        // Not owed.
        progress(
            &mut d,
            &case_id,
            json!({"on": "2026-03-04", "kind": "supplied", "material_ids": ["m1"]}),
        ),
        // No result to deliver yet.
        progress(
            &mut d,
            &case_id,
            json!({"on": "2026-03-04", "kind": "deliver", "method": "window", "recipient": "李四"}),
        ),
        // Before the case was received.
        progress(
            &mut d,
            &case_id,
            json!({"on": "2026-02-27", "kind": "supplied", "material_ids": ["m4"]}),
        ),
        // Not an event at all.
        progress(
            &mut d,
            &case_id,
            json!({"on": "2026-03-04", "kind": "approve"}),
        ),
    ];
    let ok = progress(
        &mut d,
        &case_id,
        json!({"on": "2026-03-04", "kind": "supplied", "material_ids": ["m4"]}),
    );
    let mut batch = refused;
    batch.push(ok);
    let (s, r) = p.push(&d, batch).await;
    assert_eq!(s, 200, "{r}");
    let res = r["results"].as_array().unwrap();
    let codes: Vec<&str> = res
        .iter()
        .map(|x| x["code"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        codes,
        [
            "VALIDATION",
            "VALIDATION",
            "INVALID_STATE",
            "VALIDATION",
            "VALIDATION",
            ""
        ],
        "{r}"
    );
    assert!(
        res[0]["message"]
            .as_str()
            .unwrap()
            .contains("event.material_ids"),
        "{r}"
    );
    assert!(
        res[1]["message_zh"]
            .as_str()
            .unwrap()
            .contains("不在该办件待补的材料中"),
        "{r}"
    );
    assert!(
        res[2]["message_zh"].as_str().unwrap().contains("待补正"),
        "{r}"
    );
    assert_eq!(res[5]["status"], "applied", "{r}");
    assert_eq!(r["last_applied_seq"], d.seq, "the queue moved on");

    let sql = p.sql().await;
    let row = sql
        .query_one(
            "SELECT status, data->'case' FROM cases WHERE case_id = $1",
            &[&case_id],
        )
        .await
        .unwrap();
    let (status, case): (String, Value) = (row.get(0), row.get(1));
    assert_eq!(status, "accepted");
    // The platform's own dates: accepted 2026-03-04, 10 working days.
    assert_eq!(case["accepted_on"], "2026-03-04");
    assert_eq!(case["promised_due"], "2026-03-18");
    assert_eq!(case["events"][0]["kind"], "supplied");

    // The departments decide; then the result is delivered, and only once.
    for (path, body) in [
        (
            format!("/v1/admin/cases/{case_id}/route"),
            json!({"departments": ["市场监管局"]}),
        ),
        (
            format!("/v1/admin/cases/{case_id}/nodes"),
            json!({"department": "市场监管局", "action": "approve"}),
        ),
    ] {
        p.admin(&path, body).await;
    }
    let deliver = json!({"on": "2026-03-20", "kind": "deliver", "method": "post", "recipient": "李四", "tracking_no": "SF1234567890", "granted": false});
    let batch = vec![
        progress(&mut d, &case_id, deliver.clone()),
        progress(&mut d, &case_id, deliver),
    ];
    let (_, r) = p.push(&d, batch).await;
    assert_eq!(r["results"][0]["status"], "applied", "{r}");
    assert_eq!(r["results"][1]["code"], "INVALID_STATE", "{r}");
    let row = sql
        .query_one(
            "SELECT status, data->'case'->'events'->1 FROM cases WHERE case_id = $1",
            &[&case_id],
        )
        .await
        .unwrap();
    let (status, ev): (String, Value) = (row.get(0), row.get(1));
    assert_eq!(status, "delivered");
    // What was granted is the platform's word, not the window's.
    assert_eq!(ev["granted"], true, "{ev}");
    assert_eq!(ev["tracking_no"], "SF1234567890");
}

/// Issue #14, 视为受理 (行政许可法 art. 32 ¶1 (4)): an online application
/// no window pre-reviewed within five working days of its submission is
/// accepted from the day it was submitted — counted on the working-day
/// calendar across the 国庆 holiday — visibly (a change every window
/// pulls), and no window can pre-review it after that.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_an_online_application_nobody_pre_reviewed_is_deemed_accepted() {
    use platform_server::deem::deem_overdue;
    let p = Probe::start().await;
    let app = |submitted: &str, name: &str| {
        json!({"office_id": OFFICE, "matter_code": FOOD, "matter_version": 1, "matter_name": "食品经营许可",
               "applicant_name": name, "applicant_id_no": id_no("53050219900101123"),
               "applicant_phone": "13808720000", "form": {}, "submitted_on": submitted})
    };
    let old = p
        .admin("/v1/admin/online-applications", app("2026-09-29", "甲"))
        .await;
    let new = p
        .admin("/v1/admin/online-applications", app("2026-10-09", "乙"))
        .await;
    let (s, _) = p
        .post(
            &p.admin_url,
            "/v1/admin/online-applications",
            Some(ADMIN),
            app("2026-13-01", "丙"),
        )
        .await;
    assert_eq!(s, 422, "a submission date that is no date");
    let state = platform_server::prepare(platform_server::Settings::new(&p.db, ADMIN))
        .await
        .unwrap();
    let day = |s: &str| Date::parse_iso(s).unwrap();
    // Submitted Tue 29 Sep: 30 Sep, then 8, 9, 10 (a make-up Saturday), 12 Oct.
    assert!(deem_overdue(&state, day("2026-10-12"))
        .await
        .unwrap()
        .is_empty());
    let deemed = deem_overdue(&state, day("2026-10-13")).await.unwrap();
    assert_eq!(deemed, [old["receipt_no"].as_str().unwrap()]);
    assert!(
        deem_overdue(&state, day("2026-10-13"))
            .await
            .unwrap()
            .is_empty(),
        "once"
    );
    let sql = p.sql().await;
    let row = sql
        .query_one(
            "SELECT status, data->'deemed_accepted', (SELECT count(*) FROM change_log WHERE entity_id = $1) FROM cases WHERE case_id = $1",
            &[&old["case_id"].as_str().unwrap()],
        )
        .await
        .unwrap();
    let (status, note, changes): (String, Value, i64) = (row.get(0), row.get(1), row.get(2));
    assert_eq!(status, "accepted");
    assert_eq!(note["from"], "2026-09-29");
    assert_eq!(note["on"], "2026-10-13");
    assert!(
        note["basis"].as_str().unwrap().contains("第三十二条"),
        "{note}"
    );
    assert_eq!(
        changes, 2,
        "submitted, then deemed accepted: both in the change log"
    );
    let status: String = sql
        .query_one(
            "SELECT status FROM cases WHERE case_id = $1",
            &[&new["case_id"].as_str().unwrap()],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        status, "online_submitted",
        "still within its five working days"
    );
    // A window's pre-review of the deemed one comes too late.
    let mut d = p.device("07").await;
    d.seq += 1;
    let m = json!({"seq": d.seq, "id": uuid::Uuid::now_v7().to_string(), "type": "case.accept_online", "type_version": 1,
                   "case_id": old["case_id"], "base_version": 1, "actor_user_id": "u1",
                   "wall_time": "2026-10-13T01:00:00Z", "hlc": "1791853200000-0000", "payload": {"status": "accepted"}});
    let (_, r) = p.push(&d, vec![m]).await;
    assert_eq!(r["results"][0]["code"], "INVALID_STATE", "{r}");
}
