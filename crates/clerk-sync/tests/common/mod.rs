//! The fault-injection harness (sync-protocol §13): the real platform
//! server on a real PostgreSQL (a fresh database per test), real client
//! stores in temporary folders, an in-process TCP fault proxy between
//! them, and the invariant checker (I1–I6; I4 in `check_blobs`, I5 in
//! `check_pulled`).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use clerk_sync::SyncClient;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const ADMIN: &str = "test-admin-token-0123456789";
pub const OFFICE: &str = "530502-ZWZX";
pub const USER: &str = "clerk-07";
pub const PASSWORD: &str = "counter-pass-07";

pub struct Platform {
    pub url: String,
    pub db_url: String,
    pub http: reqwest::Client,
    /// Where the server keeps blob bytes (removed with the platform).
    pub blobs: tempfile::TempDir,
    _server: tokio::task::JoinHandle<()>,
}

impl Platform {
    pub async fn start() -> Platform {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(f: impl FnOnce(&mut platform_server::Settings)) -> Platform {
        let db_url = pg_harness::fresh_database("sync").await;
        let blobs = tempfile::tempdir().unwrap();
        let mut settings = platform_server::Settings::new(&db_url, ADMIN);
        settings.blob_dir = blobs.path().to_path_buf();
        f(&mut settings);
        let (url, h) = platform_server::spawn_local(settings).await.unwrap();
        let p = Platform {
            url,
            db_url,
            http: reqwest::Client::new(),
            blobs,
            _server: h,
        };
        p.admin(
            "/v1/admin/offices",
            json!({"office_id": OFFICE, "name": "保山市隆阳区政务服务中心"}),
        )
        .await;
        p.admin(
            "/v1/admin/users",
            json!({"user_id": USER, "name": "王芳", "office_id": OFFICE, "password": PASSWORD}),
        )
        .await;
        p
    }

    pub async fn admin(&self, path: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}{path}", self.url))
            .bearer_auth(ADMIN)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {v}");
        v
    }

    pub async fn admin_get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.url))
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn sql(&self) -> tokio_postgres::Client {
        let (c, conn) = tokio_postgres::connect(&self.db_url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        c
    }

    pub async fn enrolment_code(&self, window: &str) -> String {
        self.admin(
            "/v1/admin/enrolment-codes",
            json!({"office_id": OFFICE, "window_code": window}),
        )
        .await["code"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

pub struct Window {
    pub store: Arc<clerk_store::Store>,
    pub client: Arc<SyncClient>,
    pub secrets: Arc<clerk_secrets::MemoryStore>,
    pub dir: tempfile::TempDir,
    pub window: String,
}

pub fn actor(window: &str) -> clerk_store::Actor {
    clerk_store::Actor {
        user_id: USER.into(),
        window_code: window.into(),
    }
}

impl Window {
    /// A window PC: its own store, enrolled and logged in through `url`
    /// (the platform, or a proxy in front of it).
    pub async fn new(p: &Platform, url: &str, window: &str) -> Window {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(clerk_secrets::MemoryStore::new());
        let store = Arc::new(
            clerk_store::Store::open(dir.path(), secrets.as_ref(), || {
                clerk_store::Identity::provisional("530502ZW")
            })
            .unwrap(),
        );
        let client = Arc::new(SyncClient::new(
            url,
            store.clone(),
            secrets.clone(),
            "wc-test",
        ));
        let code = p.enrolment_code(window).await;
        client.enroll(&code, &actor(window)).await.unwrap();
        client.login(USER, PASSWORD).await.unwrap();
        Window {
            store,
            client,
            secrets,
            dir,
            window: window.into(),
        }
    }

    /// Take in a sample case (食品经营许可), committed locally.
    pub fn take_in(&self, i: u64) -> clerk_store::Committed {
        let today = clerk_core::date::Date::parse_iso("2026-03-02").unwrap();
        self.store
            .take_in(
                &clerk_store::testing::sample_case(i, today),
                &actor(&self.window),
                clerk_store::time::now_millis(),
                None,
            )
            .unwrap()
    }

    pub fn device_id(&self) -> String {
        self.store.sync_get("device_id").unwrap().unwrap()
    }
}

/// A TCP proxy that can swallow responses: the request reaches the server
/// (and is applied), the client sees the connection cut.
pub struct Proxy {
    pub url: String,
    pub drop_responses: Arc<AtomicUsize>,
    /// Refuse new connections (the network is down).
    pub down: Arc<std::sync::atomic::AtomicBool>,
    /// Cut the connection after this many more request bytes (once).
    pub cut_after: Arc<std::sync::Mutex<Option<u64>>>,
    /// Swallow the response of the next request whose first line starts so.
    pub drop_response_to: Arc<std::sync::Mutex<Option<String>>>,
    /// Hold every request whose first line starts so (never forwarded on).
    pub stall: Arc<std::sync::Mutex<Option<String>>>,
    /// Flip one bit of the request stream this many bytes on (once).
    pub flip_after: Arc<std::sync::Mutex<Option<u64>>>,
}

fn request_line(b: &[u8]) -> Option<String> {
    const METHODS: [&str; 7] = [
        "GET ", "POST ", "PUT ", "PATCH ", "HEAD ", "DELETE ", "OPTIONS ",
    ];
    METHODS
        .iter()
        .any(|m| b.starts_with(m.as_bytes()))
        .then(|| {
            let end = b
                .iter()
                .position(|&c| c == b'\r')
                .unwrap_or(b.len().min(200));
            String::from_utf8_lossy(&b[..end]).into_owned()
        })
}

/// A TCP proxy that can swallow responses (the request reaches the server
/// and is applied, the client sees the connection cut), cut a request
/// midway, or stall one kind of request.
impl Proxy {
    pub async fn start(target_url: &str) -> Proxy {
        let target: SocketAddr = target_url.trim_start_matches("http://").parse().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let drop_responses = Arc::new(AtomicUsize::new(0));
        let down = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let cut_after = Arc::new(std::sync::Mutex::new(None::<u64>));
        let drop_response_to = Arc::new(std::sync::Mutex::new(None::<String>));
        let stall = Arc::new(std::sync::Mutex::new(None::<String>));
        let flip_after = Arc::new(std::sync::Mutex::new(None::<u64>));
        let (d, dn, cut, dr, st, fl) = (
            drop_responses.clone(),
            down.clone(),
            cut_after.clone(),
            drop_response_to.clone(),
            stall.clone(),
            flip_after.clone(),
        );
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                if dn.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let (d, cut, dr, st, fl) =
                    (d.clone(), cut.clone(), dr.clone(), st.clone(), fl.clone());
                tokio::spawn(async move {
                    let Ok(server) = tokio::net::TcpStream::connect(target).await else {
                        return;
                    };
                    let (mut cr, mut cw) = client.into_split();
                    let (mut sr, mut sw) = server.into_split();
                    // The request being answered on this connection, and
                    // whether its response is to be swallowed.
                    let swallow_next = Arc::new(std::sync::atomic::AtomicBool::new(false));
                    let sn = swallow_next.clone();
                    let mut up = tokio::spawn(async move {
                        let mut buf = vec![0u8; 64 * 1024];
                        loop {
                            let n = match cr.read(&mut buf).await {
                                Ok(0) | Err(_) => break,
                                Ok(n) => n,
                            };
                            if let Some(line) = request_line(&buf[..n]) {
                                let stalled = st
                                    .lock()
                                    .unwrap()
                                    .as_deref()
                                    .is_some_and(|p| line.starts_with(p));
                                if stalled {
                                    std::future::pending::<()>().await;
                                }
                                let mut rule = dr.lock().unwrap();
                                if rule.as_deref().is_some_and(|p| line.starts_with(p)) {
                                    *rule = None;
                                    sn.store(true, Ordering::SeqCst);
                                }
                            }
                            {
                                let mut f = fl.lock().unwrap();
                                if let Some(left) = *f {
                                    if (n as u64) > left {
                                        buf[left as usize] ^= 0x01;
                                        *f = None;
                                    } else {
                                        *f = Some(left - n as u64);
                                    }
                                }
                            }
                            let mut send = n;
                            let mut cut_now = false;
                            {
                                let mut c = cut.lock().unwrap();
                                if let Some(left) = *c {
                                    if (n as u64) >= left {
                                        send = left as usize;
                                        cut_now = true;
                                        *c = None;
                                    } else {
                                        *c = Some(left - n as u64);
                                    }
                                }
                            }
                            if sw.write_all(&buf[..send]).await.is_err() || cut_now {
                                break;
                            }
                        }
                        let _ = sw.shutdown().await;
                    });
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = tokio::select! {
                            r = sr.read(&mut buf) => match r {
                                Ok(0) | Err(_) => break,
                                Ok(n) => n,
                            },
                            _ = &mut up => break,
                        };
                        // The first bytes of a response: swallow it and cut?
                        let swallow = d
                            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |x| x.checked_sub(1))
                            .is_ok()
                            || swallow_next.swap(false, Ordering::SeqCst);
                        if swallow {
                            break;
                        }
                        if cw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    up.abort();
                });
            }
        });
        Proxy {
            url: format!("http://{addr}"),
            drop_responses,
            down,
            cut_after,
            drop_response_to,
            stall,
            flip_after,
        }
    }
}

/// I1: every local mutation the server has answered is in its ledger
/// exactly once, with the same mutation id; nothing acked is missing.
/// I3: every local receipt number maps to exactly one server case, the
/// same case id.
pub async fn check_invariants(p: &Platform, windows: &[&Window]) {
    let db = p.sql().await;
    for w in windows {
        let device: uuid::Uuid = w.device_id().parse().unwrap();
        let rows = w.store.outbox_rows(100_000).unwrap();
        for r in rows.iter().filter(|r| r.state != "pending") {
            let l = db
                .query(
                    "SELECT mutation_id FROM mutation_ledger WHERE device_id = $1 AND seq = $2",
                    &[&device, &r.seq],
                )
                .await
                .unwrap();
            assert_eq!(
                l.len(),
                1,
                "I1: seq {} of {} is in the ledger once",
                r.seq,
                w.window
            );
            assert_eq!(l[0].get::<_, String>(0), r.mutation_id, "I1: same mutation");
        }
        for c in w.store.cases_on("2026-03-02", 100_000).unwrap() {
            let s = db
                .query(
                    "SELECT case_id FROM cases WHERE receipt_no = $1",
                    &[&c.receipt_no],
                )
                .await
                .unwrap();
            let synced = rows
                .iter()
                .any(|r| r.case_id.as_deref() == Some(c.case_id.as_str()) && r.state == "acked");
            if synced {
                assert_eq!(
                    s.len(),
                    1,
                    "I3: receipt {} on the server once",
                    c.receipt_no
                );
                assert_eq!(s[0].get::<_, String>(0), c.case_id, "I3: same case");
            }
        }
    }
    check_effects(p, windows).await;
    check_receipts_unique(p).await;
}

/// I3 on the platform alone: no receipt number twice, whatever happened.
pub async fn check_receipts_unique(p: &Platform) {
    let dup: i64 = p
        .sql()
        .await
        .query_one(
            "SELECT count(*) FROM (SELECT receipt_no FROM cases GROUP BY receipt_no HAVING count(*) > 1) d",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(dup, 0, "I3: no receipt number twice");
}

/// I5: after a final pull, the window's copy of the hall equals the server's.
pub async fn check_pulled(p: &Platform, w: &Window) {
    w.client.pull_all().await.unwrap();
    let db = p.sql().await;
    let server: Vec<(String, i64)> = db
        .query(
            "SELECT case_id, version FROM cases WHERE office_id = $1 ORDER BY case_id",
            &[&OFFICE],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut local: Vec<(String, i64)> = w
        .store
        .server_cases(100_000)
        .unwrap()
        .into_iter()
        .map(|c| (c.case_id, c.version))
        .collect();
    local.sort();
    assert_eq!(local, server, "I5: the window's copy equals the server's");
}

pub async fn server_case_count(p: &Platform) -> i64 {
    p.sql()
        .await
        .query_one("SELECT count(*) FROM cases", &[])
        .await
        .unwrap()
        .get(0)
}

/// I4: every sha256 a case references is stored, and its bytes on the
/// platform hash to it; no unfinished upload is left behind.
pub async fn check_blobs(p: &Platform) {
    use sha2::Digest;
    let db = p.sql().await;
    for r in db
        .query(
            "SELECT DISTINCT a.sha256, b.size FROM case_attachments a LEFT JOIN blobs b USING (sha256)",
            &[],
        )
        .await
        .unwrap()
    {
        let sha: String = r.get(0);
        let size: Option<i64> = r.get(1);
        let size = size.unwrap_or_else(|| panic!("I4: {sha} is referenced but not stored"));
        let bytes = std::fs::read(p.blobs.path().join(&sha[..2]).join(&sha)).unwrap();
        assert_eq!(bytes.len() as i64, size, "I4: size of {sha}");
        let got: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(got, sha, "I4: the stored bytes hash to their name");
    }
    let open: i64 = db
        .query_one("SELECT count(*) FROM uploads", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(open, 0, "no unfinished upload is left");
}

/// A scan of `len` bytes: a PDF header, then pseudo-random bytes from `seed`.
pub fn scan(dir: &std::path::Path, name: &str, len: usize, seed: u64) -> std::path::PathBuf {
    let mut b = Vec::with_capacity(len);
    b.extend_from_slice(b"%PDF-1.7\n");
    let mut x = seed | 1;
    while b.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b.extend_from_slice(&x.to_le_bytes());
    }
    b.truncate(len);
    let path = dir.join(name);
    std::fs::write(&path, &b).unwrap();
    path
}

/// I2: the server's state is what applying each device's applied commands
/// in order gives: every applied create is a case of that device with its
/// receipt number and matter (and the device has no other case), every
/// applied attach is a reference, every applied field change is the
/// field's value unless a later change of another window replaced it, and
/// every conflict is kept. I6: no outbox row was ever deleted (seqs are
/// 1..=the counter, none missing; the archive is never purged).
pub async fn check_effects(p: &Platform, windows: &[&Window]) {
    let db = p.sql().await;
    // (case, field) → the devices that changed it (only fields one device
    // changed have a single in-order answer to check against).
    let mut editors: std::collections::HashMap<
        (String, String),
        std::collections::HashSet<String>,
    > = Default::default();
    let mut logs = Vec::new();
    for w in windows {
        let rows = w.store.outbox_from(0, 1_000_000).unwrap();
        let last = w.store.last_seq().unwrap();
        let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
        assert_eq!(
            seqs,
            (1..=last).collect::<Vec<_>>(),
            "I6: every outbox row of window {} is kept",
            w.window
        );
        for r in rows.iter().filter(|r| r.kind == "case.update_fields") {
            let case = r
                .case_id
                .clone()
                .or_else(|| r.payload["case_id"].as_str().map(Into::into))
                .unwrap();
            for c in r.payload["changes"].as_array().unwrap() {
                editors
                    .entry((case.clone(), c["field"].as_str().unwrap().to_owned()))
                    .or_default()
                    .insert(w.window.clone());
            }
        }
        logs.push((w, rows));
    }
    for (w, rows) in logs {
        let device: uuid::Uuid = w.device_id().parse().unwrap();
        let ledger: std::collections::HashMap<i64, (String, Value)> = db
            .query(
                "SELECT seq, outcome, result FROM mutation_ledger WHERE device_id = $1",
                &[&device],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r.get::<_, i64>(0),
                    (r.get::<_, String>(1), r.get::<_, Value>(2)),
                )
            })
            .collect();
        let mut creates = 0i64;
        let mut last_value: std::collections::HashMap<(String, String), (String, bool)> =
            Default::default();
        for r in &rows {
            let Some((outcome, result)) = ledger.get(&r.seq) else {
                continue;
            };
            let case = r
                .case_id
                .clone()
                .or_else(|| r.payload["case_id"].as_str().map(Into::into));
            match (r.kind.as_str(), outcome.as_str()) {
                ("case.create", "applied") => {
                    creates += 1;
                    let c = db
                        .query_one(
                            "SELECT receipt_no, matter_code, device_id FROM cases WHERE case_id = $1",
                            &[&case.clone().unwrap()],
                        )
                        .await
                        .unwrap_or_else(|e| panic!("I2: the case of seq {} exists: {e}", r.seq));
                    assert_eq!(
                        c.get::<_, String>(0),
                        r.payload["receipt_no"].as_str().unwrap(),
                        "I2: receipt"
                    );
                    assert_eq!(
                        c.get::<_, String>(1),
                        r.payload["catalogue_ref"]["matter"].as_str().unwrap(),
                        "I2: matter"
                    );
                    assert_eq!(
                        c.get::<_, Option<uuid::Uuid>>(2),
                        Some(device),
                        "I2: its device"
                    );
                }
                ("case.attach", "applied") => {
                    let n: i64 = db
                        .query_one(
                            "SELECT count(*) FROM case_attachments WHERE case_id = $1 AND sha256 = $2 AND role = $3",
                            &[&case.clone().unwrap(), &r.payload["sha256"].as_str().unwrap(), &r.payload["role"].as_str().unwrap()],
                        )
                        .await
                        .unwrap()
                        .get(0);
                    assert_eq!(n, 1, "I2: the reference of seq {} is kept once", r.seq);
                }
                ("case.update_fields", "applied" | "conflict") => {
                    let conflicted = result["message"].as_str().unwrap_or_default().to_owned();
                    for c in r.payload["changes"].as_array().unwrap() {
                        let field = c["field"].as_str().unwrap().to_owned();
                        let lost = outcome == "conflict" && conflicted.contains(&field);
                        if lost {
                            let n: i64 = db
                                .query_one(
                                    "SELECT count(*) FROM conflicts WHERE case_id = $1 AND field = $2 AND device_id = $3 AND seq = $4",
                                    &[&case.clone().unwrap(), &field, &device, &r.seq],
                                )
                                .await
                                .unwrap()
                                .get(0);
                            assert_eq!(
                                n, 1,
                                "I2: the value of seq {} that was not applied is kept",
                                r.seq
                            );
                        }
                        last_value.insert(
                            (case.clone().unwrap(), field),
                            (c["new"].as_str().unwrap().to_owned(), lost),
                        );
                    }
                }
                _ => {}
            }
        }
        let theirs: i64 = db
            .query_one(
                "SELECT count(*) FROM cases WHERE device_id = $1",
                &[&device],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(
            theirs, creates,
            "I2: window {} has exactly its applied cases",
            w.window
        );
        for ((case, field), (new, lost)) in last_value {
            if lost || editors[&(case.clone(), field.clone())].len() > 1 {
                continue;
            }
            let data: Value = db
                .query_one("SELECT data FROM cases WHERE case_id = $1", &[&case])
                .await
                .unwrap()
                .get(0);
            assert_eq!(
                clerk_core::edit::get(&data["case"], &field),
                Some(new.as_str()),
                "I2: {field} of {case} is window {}'s last change",
                w.window
            );
        }
    }
}
