//! Issue #13, the client's transport: HTTPS with the configured CA
//! (`[platform] ca_bundle`) against the real platform serving TLS itself,
//! plain HTTP only to loopback, no token to an upload address on another
//! origin.

mod common;

use std::sync::Arc;

use clerk_sync::{SyncClient, SyncError};
use common::*;
use pg_harness::certs::TestCa;
use serde_json::json;

struct TlsPlatform {
    url: String,
    admin_url: String,
    ca: TestCa,
    admin: reqwest::Client,
    _blobs: tempfile::TempDir,
}

impl TlsPlatform {
    async fn start() -> TlsPlatform {
        let db = pg_harness::fresh_database("tls").await;
        let blobs = tempfile::tempdir().unwrap();
        let mut settings = platform_server::Settings::new(&db, ADMIN);
        settings.blob_dir = blobs.path().to_path_buf();
        let ca = TestCa::new("保山市电子政务测试根证书");
        let (cert, key) = ca.server(&["127.0.0.1", "localhost"]);
        let cfg = platform_server::tls::config(cert.as_bytes(), key.as_bytes()).unwrap();
        let (url, admin_url) = platform_server::spawn_split_tls(settings, Some(cfg))
            .await
            .unwrap();
        let admin = reqwest::Client::builder()
            .tls_certs_only(reqwest::Certificate::from_pem_bundle(ca.pem().as_bytes()).unwrap())
            .build()
            .unwrap();
        let p = TlsPlatform {
            url,
            admin_url,
            ca,
            admin,
            _blobs: blobs,
        };
        p.post(
            "/v1/admin/offices",
            json!({"office_id": OFFICE, "name": "保山市隆阳区政务服务中心"}),
        )
        .await;
        p.post(
            "/v1/admin/users",
            json!({"user_id": USER, "name": "王芳", "office_id": OFFICE, "password": PASSWORD}),
        )
        .await;
        p
    }

    async fn post(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let r = self
            .admin
            .post(format!("{}{path}", self.admin_url))
            .bearer_auth(ADMIN)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap()
    }

    async fn code(&self) -> String {
        self.post(
            "/v1/admin/enrolment-codes",
            json!({"office_id": OFFICE, "window_code": "07"}),
        )
        .await["code"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

fn store(dir: &std::path::Path, secrets: &clerk_secrets::MemoryStore) -> Arc<clerk_store::Store> {
    Arc::new(
        clerk_store::Store::open(dir, secrets, || {
            clerk_store::Identity::provisional("530502ZW")
        })
        .unwrap(),
    )
}

fn client(url: &str, ca: Option<&str>) -> (SyncClient, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(clerk_secrets::MemoryStore::new());
    let s = store(dir.path(), &secrets);
    let c = SyncClient::with_tls(url, s, secrets, "wc-tls", ca.map(str::as_bytes)).unwrap();
    (c, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_the_configured_ca_enrols_signs_in_and_pushes() {
    let p = TlsPlatform::start().await;
    assert!(p.url.starts_with("https://127.0.0.1:"), "{}", p.url);
    let (c, _dir) = client(&p.url, Some(p.ca.pem()));
    c.enroll(&p.code().await, &actor("07")).await.unwrap();
    c.login(USER, PASSWORD).await.unwrap();
    let today = clerk_core::date::Date::parse_iso("2026-03-02").unwrap();
    c.store()
        .take_in(
            &clerk_store::testing::sample_case(1, today),
            &actor("07"),
            clerk_store::time::now_millis(),
            None,
        )
        .unwrap();
    let r = c.push_all().await.unwrap();
    assert_eq!((r.sent, r.applied), (1, 1), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_the_client_does_not_trust_is_refused_not_offline() {
    let p = TlsPlatform::start().await;
    let code = p.code().await;
    // The system's roots (no ca_bundle) do not hold the government CA;
    // another CA's bundle does not either.
    let other = TestCa::new("另一个根证书");
    for ca in [None, Some(other.pem())] {
        let (c, _dir) = client(&p.url, ca);
        let e = c.enroll(&code, &actor("07")).await.unwrap_err();
        assert!(matches!(e, SyncError::Refused(_)), "{e:?}");
        assert!(!e.transient(), "a person must act: {e:?}");
        assert!(e.zh().contains("ca_bundle"), "{}", e.zh());
    }
    // The code was not used up by the refused attempts.
    let (c, _dir) = client(&p.url, Some(p.ca.pem()));
    c.enroll(&code, &actor("07")).await.unwrap();
}

/// The rule itself is clerk-core's (`transport::platform_url`, its table
/// test); here the client applies it before any connection.
#[test]
fn plain_http_goes_to_loopback_only() {
    let (dir, secrets) = (
        tempfile::tempdir().unwrap(),
        Arc::new(clerk_secrets::MemoryStore::new()),
    );
    let s = store(dir.path(), &secrets);
    let e = SyncClient::with_tls(
        "http://10.53.5.2:8080",
        s.clone(),
        secrets.clone(),
        "x",
        None,
    )
    .unwrap_err();
    assert!(e.to_string().contains("loopback"), "{e}");
    let e =
        SyncClient::with_tls("https://a.example", s, secrets, "x", Some(b"not a pem")).unwrap_err();
    assert!(e.to_string().contains("no certificate"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_address_on_another_origin_never_gets_the_token() {
    let p = Platform::start().await;
    let w = Window::new(&p, &p.url, "07").await;
    let c = w.take_in(1);
    let src = scan(w.dir.path(), "id-card.pdf", 40_000, 13);
    let a = w
        .store
        .attach_file(
            &c.case_id,
            &src,
            "M01",
            &actor("07"),
            clerk_store::time::now_millis(),
        )
        .unwrap();
    w.client.push_all().await.unwrap();
    // A trap on another port of this PC: a different origin.
    let trap = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let foreign = format!("http://{}/v1/uploads/abc", trap.local_addr().unwrap());
    assert!(matches!(
        w.client.same_origin(&foreign),
        Err(SyncError::Refused(_))
    ));
    assert!(w.client.same_origin("/v1/uploads/abc").is_ok());
    // An upload address stored from a foreign answer is not followed: the
    // upload starts again on the platform and lands.
    w.store
        .blob_set_upload(&a.sha256, Some(&foreign), 0)
        .unwrap();
    let r = w.client.upload_pending().await.unwrap();
    assert_eq!(r.stored, 1, "{r:?}");
    let knocked = tokio::time::timeout(std::time::Duration::from_millis(300), trap.accept()).await;
    assert!(
        knocked.is_err(),
        "the client connected to the foreign origin"
    );
    check_blobs(&p).await;
}

/// The last audit row the platform told this PC it holds.
fn acked_head(s: &clerk_store::Store) -> i64 {
    s.sync_get("audit_acked").unwrap().unwrap().parse().unwrap()
}

async fn audit_heads(p: &Platform) -> i64 {
    p.sql()
        .await
        .query_one("SELECT count(*) FROM audit_links", &[])
        .await
        .unwrap()
        .get(0)
}

async fn chain_breaks(p: &Platform) -> Vec<String> {
    p.sql()
        .await
        .query(
            "SELECT detail->>'why' FROM security_events WHERE kind = 'audit.chain_broken' ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Issue #13, the tamper-evident record: every push carries the PC's audit
/// rows the platform has not seen; a row edited after the platform saw it
/// (even with the whole chain recomputed) or deleted before it is sent
/// makes the platform refuse the push, keep nothing of it and record why;
/// the PC keeps its queue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_whose_audit_chain_does_not_continue_the_platforms_is_refused() {
    let p = Platform::start().await;
    let w = Window::new(&p, &p.url, "07").await;
    w.take_in(1);
    w.client.push_all().await.unwrap();
    let held = audit_heads(&p).await;
    assert!(held >= 2, "the platform holds the PC's chain: {held}");
    let acked = acked_head(w.store.as_ref());
    assert_eq!(acked, held);

    // Edited where the platform has seen it, the chain recomputed so that
    // the PC's own check passes: the platform's link does not match.
    clerk_store::testing::tamper(&w.store, "UPDATE audit SET actor = 'clerk-99' WHERE id = 1");
    clerk_store::testing::rechain(&w.store);
    assert!(matches!(
        w.store.verify_audit().unwrap(),
        clerk_store::AuditCheck::Intact { .. }
    ));
    w.take_in(2);
    let e = w.client.push_all().await.unwrap_err();
    assert_eq!(
        e.code(),
        Some(platform_api::codes::AUDIT_CHAIN_BROKEN),
        "{e:?}"
    );
    assert!(!e.transient());
    assert_eq!(w.store.pending_depth().unwrap(), 1, "the queue is kept");
    assert_eq!(
        p.sql()
            .await
            .query_one("SELECT count(*) FROM cases", &[])
            .await
            .unwrap()
            .get::<_, i64>(0),
        1,
        "nothing of the refused push is kept"
    );
    assert_eq!(audit_heads(&p).await, held);
    let why = chain_breaks(&p).await;
    assert!(why[0].contains(&format!("audit row {held}")), "{why:?}");

    // A second PC: a row deleted before it was sent.
    let w2 = Window::new(&p, &p.url, "08").await;
    w2.take_in(3);
    w2.client.push_all().await.unwrap();
    let acked = acked_head(w2.store.as_ref());
    w2.take_in(4);
    w2.take_in(5);
    clerk_store::testing::tamper(
        &w2.store,
        &format!("DELETE FROM audit WHERE id = {}", acked + 1),
    );
    let e = w2.client.push_all().await.unwrap_err();
    assert_eq!(
        e.code(),
        Some(platform_api::codes::AUDIT_CHAIN_BROKEN),
        "{e:?}"
    );
    let why = chain_breaks(&p).await;
    assert!(
        why.iter()
            .any(|w| w.contains(&format!("audit row {} is missing", acked + 1))),
        "{why:?}"
    );
    // And the PC says which row, on its own.
    assert!(matches!(
        w2.store.verify_audit().unwrap(),
        clerk_store::AuditCheck::Broken { id, .. } if id == acked + 1
    ));
}
